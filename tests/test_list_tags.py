"""The list tags of kb_extras and figure_rows write what the template loops they
replaced wrote (issue #8): each is rendered beside the loop, kept here as the
specification, on data that exercises every branch and escape."""
import datetime
import types

import pytest
from django.template import Context, Engine, Template

from kb.evidence import figures
from kb.evidence.data import Estimate, Result
from kb.models import Approval, Article, Reference, Trial
from kb.relations import Backlink

NASTY = 'Tom & "Jerry" <b>'


def render(source, **context):
    return Template(source).render(Context(context))


def test_toc_items_draw_nested_headings_like_the_recursive_include():
    toc = [{"id": "a", "name": NASTY, "children": [
               {"id": "a-1", "name": "One", "children": [{"id": "x", "name": "Deep"}]},
               {"id": "a-2", "name": "Two", "children": []}]},
           {"id": "b&c", "name": "Bee"}]
    # templates/includes/toc.html as it was, and the loop of kb/article.html around it.
    engine = Engine(loaders=[("django.template.loaders.locmem.Loader", {
        "includes/toc.html": '<ol>{% for item in items %}<li><a href="#{{ item.id }}">'
                             '{{ item.name }}</a>{% if item.children %}{% include '
                             '"includes/toc.html" with items=item.children %}{% endif %}'
                             '</li>{% endfor %}</ol>\n'})])
    loop = engine.from_string(
        '{% for item in toc %}<li><a href="#{{ item.id }}">{{ item.name }}</a>'
        '{% if item.children %}{% include "includes/toc.html" with items=item.children %}'
        '{% endif %}</li>{% endfor %}')
    assert (render("{% load kb_extras %}{% toc_items toc %}", toc=toc)
            == loop.render(Context({"toc": toc})))
    assert render("{% load kb_extras %}{% toc_items toc %}", toc=[]) == ""


def test_backlink_items_match_the_former_loop():
    backlinks = [
        Backlink(Article(kind="topics", slug="a-b", title=NASTY), [("s-1", "Part <1>"),
                                                                    ("s&2", "Two")]),
        Backlink(Article(kind="trials", slug="maia", title="MAIA"), []),
        Backlink(Article(kind="glossary", slug="adcc", title="ADCC"), [("x", "X")]),
    ]
    loop = """{% for backlink in backlinks %}{% with url=backlink.source.get_absolute_url %}
  <li><a href="{{ url }}">{{ backlink.source.title }}</a> <span class="kind-tag">{{ backlink.source.kind_info.singular }}</span>{% if backlink.sections %}<span class="backlink-sections">: {% for anchor, heading in backlink.sections %}<a href="{{ url }}#{{ anchor }}">{{ heading }}</a>{% if not forloop.last %}, {% endif %}{% endfor %}</span>{% endif %}</li>
{% endwith %}{% endfor %}"""
    assert (render("{% load kb_extras %}{% backlink_items backlinks %}", backlinks=backlinks)
            == render(loop, backlinks=backlinks))


def test_link_items_and_reference_items_match_the_former_loops():
    articles = [Article(kind="therapies", slug="dara", title=NASTY),
                Article(kind="trials", slug="maia", title="MAIA")]
    assert (render("{% load kb_extras %}{% link_items articles %}", articles=articles)
            == render('{% for item in articles %}<li><a href="{{ item.get_absolute_url }}">'
                      '{{ item.title }}</a></li>{% endfor %}', articles=articles))
    references = [
        Reference(position=0, key="facon-2019", citation=NASTY, doi="10.1/x&y", pmid="123",
                  url="https://www.example.org/a?b=1&c=2"),
        Reference(position=1, key="b", citation="Only a citation."),
        Reference(position=2, key="c", citation="C.", pmid="9"),
        Reference(position=3, key="d", citation="D.", url="https://fda.gov/x"),
    ]
    loop = """{% load kb_extras %}{% for ref in references %}
          <li id="ref-{{ ref.key }}">{{ ref.citation }}{% if ref.doi or ref.pmid or ref.url %}<span class="ref-links">{% if ref.doi %} <a href="{{ ref.doi_url }}">doi:{{ ref.doi }}</a>{% endif %}{% if ref.pmid %} <a href="{{ ref.pubmed_url }}">PubMed {{ ref.pmid }}</a>{% endif %}{% if ref.url %} <a class="ref-url" href="{{ ref.url }}">Source: {{ ref.url|host }}</a>{% endif %}</span>{% endif %}</li>
        {% endfor %}"""
    assert (render("{% load kb_extras %}{% reference_items references %}", references=references)
            == render(loop, references=references))


def estimate(value, ci=None, trial="maia", note="", analysis="", level=95):
    return Estimate(trial_slug=trial, trial_name=NASTY, trial_url=f"/trials/{trial}/",
                    setting="relapsed-refractory", regimen="D-Rd", control="Rd & co",
                    endpoint="pfs", value=value, ci=ci, ci_level=level if ci else None,
                    reference_key="ref", source="Facon <2019>", note=note, analysis=analysis)


# The loops of templates/evidence/figures/forest.html before its rows moved to Python.
FOREST_LOOPS = {
    "forest_grid": """{% for tick in plot.ticks %}<line class="ev-grid" x1="{{ tick.x }}" x2="{{ tick.x }}" y1="{{ plot.rows_top }}" y2="{{ plot.axis_y }}"/>
      {% endfor %}""",
    "forest_groups": """{% for group in plot.groups %}<text class="ev-group" x="0" y="{{ group.y }}">{{ group.label }}</text>
      {% endfor %}""",
    "forest_marks": """{% for row in plot.rows %}<g class="ev-row" data-trial="{{ row.estimate.trial_slug }}" data-hr="{{ row.estimate.value }}"{% if row.estimate.ci %} data-low="{{ row.estimate.ci.0 }}" data-high="{{ row.estimate.ci.1 }}"{% endif %}>
        <text class="ev-label" x="0" y="{{ row.label_y }}"><tspan class="ev-label-name">{{ row.label }}</tspan>{% if row.detail %}<tspan class="ev-label-detail" dx="6">{{ row.detail }}</tspan>{% endif %}</text>
        <text class="ev-value" x="100%" y="{{ row.label_y }}" text-anchor="end"><tspan class="ev-value-hr">{{ row.estimate.value_text }}</tspan>{% if row.estimate.ci %} (<tspan class="ev-level{% if row.estimate.usual_level %} is-usual{% endif %}">{{ row.estimate.level_text }} CI </tspan>{{ row.estimate.bounds_text }}){% endif %}</text>
        {% if row.x_low %}<line class="ev-whisker" x1="{{ row.x_low }}" x2="{{ row.x_high }}" y1="{{ row.line_y }}" y2="{{ row.line_y }}"/>
        {% if not row.clipped_low %}<line class="ev-cap" x1="{{ row.x_low }}" x2="{{ row.x_low }}" y1="{{ row.line_y|add:-4 }}" y2="{{ row.line_y|add:4 }}"/>{% endif %}
        {% if not row.clipped_high %}<line class="ev-cap" x1="{{ row.x_high }}" x2="{{ row.x_high }}" y1="{{ row.line_y|add:-4 }}" y2="{{ row.line_y|add:4 }}"/>{% endif %}
        {% endif %}<use class="ev-estimate{% if row.hollow %} is-hollow{% endif %}" href="#{{ plot.id }}-box" x="{{ row.x }}" y="{{ row.line_y }}"/>
      </g>
      {% endfor %}""",
    "forest_axis": """{% for tick in plot.ticks %}<line class="ev-tick-mark" x1="{{ tick.x }}" x2="{{ tick.x }}" y1="{{ plot.axis_y }}" y2="{{ plot.axis_y|add:5 }}"/><text class="ev-tick{% if tick.minor %} is-minor{% endif %}" x="{{ tick.x }}" y="{{ plot.label_bottom }}" text-anchor="middle" data-value="{{ tick.value }}">{{ tick.label }}</text>
      {% endfor %}""",
    "forest_links": """{% for row in plot.rows %}<a href="{{ row.href }}" tabindex="-1"><title>{{ row.tooltip }}</title><rect x="0" y="{{ row.y }}" width="100%" height="46"/></a>
      {% endfor %}""",
    "forest_table": """{% for row in plot.rows %}{% with e=row.estimate %}
        <tr><th scope="row"><a href="{{ e.trial_url }}">{{ e.trial_name }}</a></th><td>{{ e.comparison }}</td><td class="is-num">{{ e.value_text }}</td><td>{{ e.interval_text|default:"not reported" }}</td><td>{{ e.analysis_label|default:"—" }}{% if e.note %}<br><small>{{ e.note }}</small>{% endif %}</td><td><a href="{{ e.source_url }}">{{ e.source }}</a></td></tr>
      {% endwith %}{% endfor %}""",
}


@pytest.fixture
def plot():
    # Both headings and none, clipped whiskers both ways, no interval, a hollow mark,
    # a note, an unusual level: every branch of the rows.
    plot = figures.forest_plot(
        [("Newly <diagnosed>", [estimate(0.56, (0.43, 0.73)), estimate(1.1, (0.9, 1.3), level=90)]),
         ("Relapsed & refractory", [estimate(0.02, (0.01, 0.05), trial="a&b", note="FDA, note"),
                                    estimate(0.8, analysis="final"),
                                    estimate(7.0, (3.0, 40.0))])],
        "Title & <more>", label=lambda e: (e.trial_name, "" if e.value > 5 else e.source))
    # forest_plot's scale spans every interval; a narrower one clips whiskers.
    plot.rows[0].clipped_low = plot.rows[4].clipped_high = True
    return plot


@pytest.mark.parametrize("tag", sorted(FOREST_LOOPS))
def test_forest_row_tags_match_the_former_loops(plot, tag):
    assert any(row.clipped_low for row in plot.rows) and any(row.clipped_high for row in plot.rows)
    assert render(f"{{% load figure_rows %}}{{% {tag} plot %}}", plot=plot) == render(
        FOREST_LOOPS[tag], plot=plot)


def test_result_rows_match_the_former_loop():
    results = [Result("HR 0.56 & more", "Facon <2019>", "/trials/maia/#ref-a", 1, note="a note",
                      analysis="final", followup_months=56.2),
               Result("ORR 93%", "", "/trials/maia/#ref-b")]
    loop = """{% for r in results %}
      <tr><td>{{ r.text }}{% if r.note %}<br><small>{{ r.note }}</small>{% endif %}</td><td>{{ r.analysis_label|default:"—" }}</td><td>{{ r.followup_text|default:"—" }}</td><td><a href="{{ r.url }}">{{ r.source|default:"source" }}</a></td></tr>
    {% endfor %}"""
    assert (render("{% load figure_rows %}{% result_rows results %}", results=results)
            == render(loop, results=results))


def test_text_prints_values_as_the_template_engine_does():
    from kb.templatetags.kb_extras import text
    for value in [NASTY, 3, -4, 0.5, 1e-05, 12345678, True, None, datetime.date(2026, 1, 2)]:
        assert text(value) == render("{{ value }}", value=value), value


# The loops of templates/evidence/figures/timeline.html before its rows moved to Python.
TIMELINE_LOOPS = {
    "timeline_bands": """{% for mark in plot.marks %}{% if forloop.counter|divisibleby:2 %}<rect class="ev-band" x="0" y="{{ mark.y|add:-14 }}" width="100%" height="28"/>{% endif %}
      {% endfor %}""",
    "timeline_grid": """{% for tick in plot.ticks %}<line class="ev-grid" x1="{{ tick.x }}" x2="{{ tick.x }}" y1="{{ plot.top|add:-10 }}" y2="{{ plot.bottom }}"/>
      {% if tick.label %}<text class="ev-tick{% if tick.minor %} is-minor{% endif %}" x="{{ tick.x }}" y="{{ plot.top|add:-16 }}" text-anchor="middle" data-year="{{ tick.label }}">{{ tick.label }}</text>
      <text class="ev-tick{% if tick.minor %} is-minor{% endif %}" x="{{ tick.x }}" y="{{ plot.bottom|add:18 }}" text-anchor="middle" aria-hidden="true">{{ tick.label }}</text>{% endif %}
      {% endfor %}""",
    "timeline_marks": """{% for mark in plot.marks %}<g class="ev-approval" data-date="{{ mark.row.approval.date|date:'Y-m-d' }}" data-regimen="{{ mark.row.regimen.slug }}">
        {% if mark.ringed %}<circle class="ev-ring ev-setting-{{ mark.css }}" cx="{{ mark.x }}" cy="{{ mark.y }}" r="10"/>{% endif %}
        <use class="ev-mark ev-setting-{{ mark.css }}{% if mark.hollow %} is-hollow{% endif %}" href="#{{ plot.id }}-{{ mark.shape }}" x="{{ mark.x }}" y="{{ mark.y }}"/>
        <text class="ev-label" x="{{ mark.x }}" dx="{{ mark.label_dx }}" y="{{ mark.y|add:5 }}" text-anchor="{{ mark.anchor }}">{{ mark.label }}</text>
      </g>
      {% endfor %}""",
    "timeline_links": """{% for mark in plot.marks %}<a href="{{ mark.row.regimen.get_absolute_url }}" tabindex="-1"><title>{{ mark.tooltip }}</title><rect x="0" y="{{ mark.y|add:-14 }}" width="100%" height="28"/></a>
      {% endfor %}""",
    "timeline_table": """{% for mark in plot.marks %}{% with row=mark.row a=mark.row.approval %}
        <tr><td><time datetime="{{ a.date|date:'Y-m-d' }}">{{ a.date|date:"j M Y" }}</time></td><th scope="row"><a href="{{ row.regimen.get_absolute_url }}">{{ row.name }}</a></th><td>{{ a.agency }}</td><td>{{ row.setting_label }}</td><td>{{ a.get_type_display }}</td><td>{% for trial in row.basis %}<a href="{{ trial.get_absolute_url }}">{{ trial.short_name }}</a>{% if not forloop.last %}, {% endif %}{% empty %}—{% endfor %}</td><td><a href="{{ row.source_url }}">[{{ a.reference.number }}]</a></td></tr>
      {% endwith %}{% endfor %}""",
}


@pytest.fixture
def timeline():
    def row(day, type, setting, basis=()):
        approval = Approval(date=day, agency="FDA & co", type=type, setting=setting)
        approval.reference = Reference(position=2, key="k")
        trials = [Trial(kind="trials", slug=slug, title=slug.upper()) for slug in basis]
        for trial in trials:
            trial.short_name = trial.title
        return types.SimpleNamespace(
            approval=approval, regimen=Article(kind="combinations", slug="d-rd", title="D-Rd"),
            name=NASTY, setting_label="Relapsed <or> refractory", basis=trials,
            source_url="/combinations/d-rd/#ref-k")
    rows = [row(datetime.date(2012 + 2 * n, 1 + n, 5), type, setting, basis)
            for n, (type, setting, basis) in enumerate([
                ("accelerated", "relapsed-refractory", ["maia", "alcyone"]),
                ("conversion", "newly-diagnosed-transplant-ineligible", []),
                ("regular", "maintenance", ["cassiopeia"]),
                ("", "smoldering", [])])]
    return figures.approval_timeline(rows, "Approvals & <more>")


@pytest.mark.parametrize("tag", sorted(TIMELINE_LOOPS))
def test_timeline_tags_match_the_former_loops(timeline, tag):
    assert render(f"{{% load figure_rows %}}{{% {tag} plot %}}", plot=timeline) == render(
        TIMELINE_LOOPS[tag], plot=timeline)
