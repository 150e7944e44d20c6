"""The evidence, compare and map pages, and the figures on article pages (issue #6).

Geometry is read back from the rendered SVG, so these tests check what a
reader's browser draws: the numbers come from the front matter, and the
marks sit where the scales printed on the same figure say they should.
"""
import datetime
import math
import re
import xml.etree.ElementTree as ET

import pytest

from kb.ingest.loader import load
from tests.evidence_corpus import write_evidence_corpus

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def evidence(tmp_path, settings, db):
    root = write_evidence_corpus(tmp_path / "content")
    settings.KB_CONTENT_DIR = root
    result = load(root)
    assert result.ok, [str(e) for e in result.errors]
    return root


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def figures_in(html, kind):
    """The drawing layer (<svg role="img">) of each figure of ``kind`` on the page."""
    found = []
    for match in re.finditer(r'<figure class="ev-figure ev-%s".*?</figure>' % kind, html, re.S):
        svg = re.search(r'<svg class="ev-svg[^"]*" role="img".*?</svg>', match.group(0), re.S)
        found.append(ET.fromstring(svg.group(0).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1)))
    return found


def pct(value):
    return float(value.rstrip("%"))


def tick_positions(svg, attribute="data-value"):
    return {t.get(attribute): pct(t.get("x")) for t in svg.iter(f"{SVG}text")
            if t.get(attribute)}


def row_of(svg, trial):
    return next(g for g in svg.iter(f"{SVG}g") if g.get("data-trial") == trial)


# The forest plot -------------------------------------------------------------------------

def test_forest_plot_draws_a_hazard_ratio_where_the_log_scale_puts_it(evidence, client):
    svg = figures_in(page(client, "/evidence/"), "forest")[0]
    ticks = tick_positions(svg)
    x_half, x_one = ticks["0.5"], ticks["1.0"]

    def expected(value):   # the log scale, from two ticks printed on the figure
        return x_half + (x_one - x_half) * math.log(value / 0.5) / math.log(2)

    maia = row_of(svg, "maia")
    assert (maia.get("data-hr"), maia.get("data-low"), maia.get("data-high")) == \
        ("0.56", "0.43", "0.73")
    marker = maia.find(f"{SVG}use")
    whisker = next(line for line in maia.iter(f"{SVG}line") if line.get("class") == "ev-whisker")
    no_effect = next(line for line in svg.iter(f"{SVG}line") if line.get("class") == "ev-no-effect")
    assert pct(no_effect.get("x1")) == pytest.approx(x_one, abs=0.02)
    assert pct(marker.get("x")) == pytest.approx(expected(0.56), abs=0.02)
    assert pct(marker.get("x")) < pct(no_effect.get("x1"))
    assert pct(whisker.get("x1")) == pytest.approx(expected(0.43), abs=0.02)
    assert pct(whisker.get("x2")) == pytest.approx(expected(0.73), abs=0.02)
    # The marker and the whisker share a line; the label and value sit above it.
    assert marker.get("y") == whisker.get("y1") == whisker.get("y2")
    texts = {t.get("class"): "".join(t.itertext()) for t in maia.iter(f"{SVG}text")}
    assert texts["ev-label"] == "MAIAFacon 2019"
    assert texts["ev-value"] == "0.56 (95% CI 0.43–0.73)"


def test_forest_plot_has_a_title_a_description_and_a_table(evidence, client):
    html = page(client, "/evidence/")
    svg = figures_in(html, "forest")[0]
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert "3 hazard ratios for progression-free survival from 3 trials" in \
        svg.find(f"{SVG}desc").text
    assert svg.find(f"{SVG}desc").get("id") == desc_id
    figure = re.search(r'<figure class="ev-figure ev-forest".*?</figure>', html, re.S).group(0)
    # Links live in an aria-hidden layer (links inside role="img" are nested-interactive);
    # the table repeats them for keyboards and screen readers.
    assert '<svg class="ev-links" aria-hidden="true" focusable="false"' in figure
    assert '<a href="/trials/maia/" tabindex="-1">' in figure
    assert '<th scope="row"><a href="/trials/maia/">MAIA</a></th>' in figure
    assert '<a href="/trials/maia/#ref-facon-2019">Facon 2019</a>' in figure


def test_forest_plot_rows_follow_the_filters_and_the_sort(evidence, client):
    def trials(url):
        return [g.get("data-trial") for g in figures_in(page(client, url), "forest")[0]
                .iter(f"{SVG}g") if g.get("data-trial")]

    assert trials("/evidence/?sort=pfs") == ["pollux", "maia", "icaria-mm"]
    assert trials("/evidence/?setting=relapsed-refractory") == ["icaria-mm", "pollux"]


def test_an_interval_that_includes_one_is_drawn_hollow(evidence, client):
    svg = figures_in(page(client, "/trials/icaria-mm/"), "forest")[0]
    classes = [u.get("class") for u in svg.iter(f"{SVG}use")]
    assert classes == ["ev-estimate", "ev-estimate is-hollow"]


def test_numbers_come_from_the_front_matter(evidence, client):
    path = evidence / "trials/maia.md"
    path.write_text(path.read_text().replace("value: 0.56\n", "value: 0.57\n"))
    assert load(evidence).ok
    html = page(client, "/evidence/")
    assert row_of(figures_in(html, "forest")[0], "maia").get("data-hr") == "0.57"
    assert '<span class="ev-hr">0.57</span>' in html


# The approval timeline ------------------------------------------------------------------

def test_an_approval_of_june_2019_sits_between_the_2018_and_2020_ticks(evidence, client):
    svg = figures_in(page(client, "/evidence/"), "timeline")[0]
    years = tick_positions(svg, "data-year")
    mark = next(g for g in svg.iter(f"{SVG}g") if g.get("data-date") == "2019-06-27")
    x = pct(mark.find(f"{SVG}use").get("x"))
    assert years["2018"] < x < years["2020"]
    share = (datetime.date(2019, 6, 27) - datetime.date(2018, 1, 1)).days / 730
    assert x == pytest.approx(years["2018"] + share * (years["2020"] - years["2018"]), abs=0.05)
    assert mark.get("data-regimen") == "d-rd"
    # Dates run left to right and top to bottom.
    dates = [(g.get("data-date"), pct(g.find(f"{SVG}use").get("x")), float(g.find(f"{SVG}use")
              .get("y"))) for g in svg.iter(f"{SVG}g") if g.get("data-date")]
    assert [d for d, _, _ in dates] == ["2015-11-16", "2019-06-27", "2020-03-02"]
    assert [x for _, x, _ in dates] == sorted(x for _, x, _ in dates)
    assert [y for _, _, y in dates] == sorted(y for _, _, y in dates)


def test_timeline_marks_link_to_their_regimen_and_the_legend_uses_words(evidence, client):
    html = page(client, "/evidence/")
    figure = re.search(r'<figure class="ev-figure ev-timeline".*?</figure>', html, re.S).group(0)
    assert '<a href="/combinations/d-rd/" tabindex="-1"><title>D-Rd: FDA regular approval, ' \
           '27 June 2019, Newly diagnosed, transplant-ineligible</title>' in figure
    legend = re.search(r'<ul class="ev-legend".*?</ul>', figure, re.S).group(0)
    for words in ("Newly diagnosed, transplant-ineligible", "Relapsed or refractory",
                  "Hollow: accelerated approval"):
        assert words in legend
    shapes = re.findall(r'<use class="ev-mark ev-setting-(\w+)[^"]*" href="#timeline-([\w-]+)"',
                        figure)
    assert shapes == [("rr", "diamond"), ("ndti", "square"), ("rr", "diamond")]


# The evidence table: filter and sort with plain GET parameters ------------------------------

def table_rows(html):
    table = re.search(r'<table class="ev-table ev-trials".*?</table>', html, re.S).group(0)
    return re.findall(r'<tr data-trial="([\w-]+)">', table)


def test_evidence_table_lists_every_trial_by_setting(evidence, client):
    html = page(client, "/evidence/")
    assert table_rows(html) == ["maia", "icaria-mm", "pollux", "sirius"]
    assert "Showing 4 of 4 trials." in html
    assert 'aria-sort="ascending"><a href="?sort=-setting#trials" data-ev-sort="setting">' in html


@pytest.mark.parametrize("query, expected", [
    ("setting=relapsed-refractory", ["icaria-mm", "pollux", "sirius"]),
    ("antibody=isatuximab", ["icaria-mm"]),
    ("antibody=daratumumab", ["maia", "pollux", "sirius"]),
    ("partner=lenalidomide", ["maia", "pollux"]),
    ("partner=lenalidomide&setting=relapsed-refractory", ["pollux"]),
    ("antibody=isatuximab&partner=lenalidomide", []),
])
def test_evidence_table_filters(evidence, client, query, expected):
    html = page(client, f"/evidence/?{query}")
    if expected:
        assert table_rows(html) == expected
    else:
        assert "No trial matches these filters." in html


@pytest.mark.parametrize("sort, expected", [
    ("pfs", ["pollux", "maia", "icaria-mm", "sirius"]),        # no hazard ratio: last
    ("-pfs", ["icaria-mm", "maia", "pollux", "sirius"]),
    ("os", ["maia", "icaria-mm", "pollux", "sirius"]),
    ("patients", ["sirius", "icaria-mm", "pollux", "maia"]),
    ("-patients", ["maia", "pollux", "icaria-mm", "sirius"]),
    ("trial", ["icaria-mm", "maia", "pollux", "sirius"]),
    ("-setting", ["icaria-mm", "pollux", "sirius", "maia"]),   # ties stay by name
    ("nonsense", ["maia", "icaria-mm", "pollux", "sirius"]),   # the default order
])
def test_evidence_table_sorts(evidence, client, sort, expected):
    assert table_rows(page(client, f"/evidence/?sort={sort}")) == expected


def test_sort_links_keep_the_filters_and_mark_the_current_column(evidence, client):
    html = page(client, "/evidence/?setting=relapsed-refractory&sort=-pfs")
    assert ('<th scope="col" class="ev-sortable is-num" aria-sort="descending">'
            '<a href="?setting=relapsed-refractory&amp;sort=pfs#trials" data-ev-sort="pfs">') in html
    assert '<a href="?setting=relapsed-refractory&amp;sort=trial#trials" data-ev-sort="trial">' \
        in html
    # The filter form carries the sort along.
    assert '<input type="hidden" name="sort" value="-pfs"' in html
    assert '<option value="relapsed-refractory" selected>Relapsed or refractory</option>' in html


def test_an_unknown_filter_value_is_explained_not_applied(evidence, client):
    html = page(client, "/evidence/?setting=relapsed&antibody=isatuximab")
    assert "Select a valid choice. relapsed is not one of the available choices." in html
    assert table_rows(html) == ["icaria-mm"]


def test_evidence_table_cells_tie_each_figure_to_its_source(evidence, client):
    html = page(client, "/evidence/")
    row = re.search(r'<tr data-trial="maia">.*?</tr>', html, re.S).group(0)
    assert '<span class="ev-hr">0.56</span> <span class="ev-ci">(95% CI 0.43–0.73)</span>' \
           '<a class="ev-src" href="/trials/maia/#ref-facon-2019">Facon 2019</a>' in row
    assert '<a href="/combinations/d-rd/">D-Rd</a>' in row
    assert ">737<" in row


def test_evidence_page_query_count_is_fixed(evidence, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        client.get("/evidence/?sort=-pfs")


# Compare ---------------------------------------------------------------------------------

def test_compare_shows_two_combinations_side_by_side(evidence, client):
    html = page(client, "/compare/?a=d-rd&b=isa-pd")
    assert "<h1>D-Rd and Isa-Pd side by side</h1>" in html
    table = re.search(r'<table class="ev-table ev-compare">.*?</table>', html, re.S).group(0)
    for aspect in ("Medicines in it", "How it works", "Settings", "Approvals",
                   "Trials and their main results", "Common side effects"):
        assert f'scope="rowgroup">{aspect}</th>' in table or f">{aspect}</th>" in table
    # Components and mechanisms, from each side's relations.
    assert '<a href="/therapies/lenalidomide/">Lenalidomide</a>' in table
    assert '<a href="/therapies/pomalidomide/">Pomalidomide</a>' in table
    assert '<a href="/mechanisms/cdc/">Complement-dependent cytotoxicity (CDC)</a>' in table
    # Settings, approvals and headline results, each result with its source.
    assert "Newly diagnosed, transplant-ineligible" in table
    assert '<time datetime="2020-03-02">Mar 2020</time>, FDA' in table
    assert ('PFS hazard ratio 0.56 (95% CI 0.43–0.73) '
            '<a class="ev-src" href="/trials/maia/#ref-facon-2019">Facon 2019</a>') in table
    assert "Median PFS: Isa-Pd 11.5 months vs Pd 6.5 months" in table
    # Side effects: the section's words, its citation still pointing at the reference.
    assert re.search(r'Infusion reactions affected 38% of people\s*'
                     r'<a href="/combinations/isa-pd/#ref-sarclisa-label">\[1\]</a>', table)
    assert '<a href="/combinations/isa-pd/#side-effects">Common side effects: Isa-Pd</a>' in table
    svg = figures_in(html, "forest")[0]
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "ev-group"] == \
        ["D-Rd", "Isa-Pd"]


def test_compare_two_therapies(evidence, client):
    html = page(client, "/compare/?a=daratumumab&b=isatuximab")
    assert "<h1>Daratumumab and Isatuximab side by side</h1>" in html
    # A therapy's trials include those of the combinations it is in.
    assert '<a href="/trials/maia/">MAIA</a>' in html and '<a href="/trials/sirius/">SIRIUS</a>' in html
    assert '<a href="/trials/icaria-mm/">ICARIA-MM</a>' in html
    assert "ORR: 29.2% (95% CI 20.8%–38.9%)" in html


def test_compare_form_without_a_choice_and_with_bad_ones(evidence, client):
    html = page(client, "/compare/")
    assert "<h1>Compare two regimens</h1>" in html
    assert '<optgroup label="Combinations">' in html and '<optgroup label="Therapies">' in html
    assert 'class="ev-table ev-compare"' not in html
    same = page(client, "/compare/?a=d-rd&b=d-rd")
    assert "Choose two different regimens." in same
    unknown = page(client, "/compare/?a=d-rd&b=sirius")
    assert "Select a valid choice. sirius is not one of the available choices." in unknown


# The knowledge map -----------------------------------------------------------------------

def test_knowledge_map_links_cd38_to_mechanisms_therapies_combinations_and_trials(evidence,
                                                                                    client):
    html = page(client, "/evidence/map/")
    figure = re.search(r'<figure class="ev-figure ev-map".*?</figure>', html, re.S).group(0)
    svg = figures_in(html, "map")[0]
    nodes = {g.get("data-key"): g.get("class") for g in svg.iter(f"{SVG}g") if g.get("data-key")}
    assert nodes == {
        "cd38": "ev-node ev-node-0", "adcc": "ev-node ev-node-1", "cdc": "ev-node ev-node-1",
        "daratumumab": "ev-node ev-node-2", "isatuximab": "ev-node ev-node-2",
        "d-rd": "ev-node ev-node-3", "isa-pd": "ev-node ev-node-3",
        "maia": "ev-node ev-node-4", "pollux": "ev-node ev-node-4",
        "icaria-mm": "ev-node ev-node-4", "sirius": "ev-node ev-node-4"}
    edges = {(p.get("data-from"), p.get("data-to")) for p in svg.iter(f"{SVG}path")}
    assert {("cd38", "adcc"), ("adcc", "daratumumab"), ("daratumumab", "d-rd"),
            ("d-rd", "maia"), ("daratumumab", "sirius"), ("isa-pd", "icaria-mm")} <= edges
    for url in ("/biomarkers/cd38/", "/mechanisms/adcc/", "/therapies/isatuximab/",
                "/combinations/isa-pd/", "/trials/icaria-mm/"):
        assert f'<a href="{url}" tabindex="-1"' in figure
    table = re.search(r'<table class="ev-table ev-map-table">.*?</table>', html, re.S).group(0)
    assert ('<li><a href="/combinations/d-rd/">D-Rd</a>: <a href="/trials/maia/">MAIA</a>, '
            '<a href="/trials/pollux/">POLLUX</a></li>') in table


def test_knowledge_map_nodes_keep_inside_the_drawing(evidence, client):
    svg = figures_in(page(client, "/evidence/map/"), "map")[0]
    width, height = float(svg.get("width")), float(svg.get("height"))
    for rect in svg.iter(f"{SVG}rect"):
        x, y = float(rect.get("x")), float(rect.get("y"))
        assert 0 <= x and x + float(rect.get("width")) <= width
        assert 0 <= y and y + float(rect.get("height")) <= height


# Article pages -----------------------------------------------------------------------------

def test_combination_page_shows_the_forest_plot_of_its_trials(evidence, client):
    html = page(client, "/combinations/d-rd/")
    svg = figures_in(html, "forest")[0]
    assert [g.get("data-trial") for g in svg.iter(f"{SVG}g") if g.get("data-trial")] == \
        ["maia", "pollux"]
    assert '<link rel="stylesheet" href="/static/kb/evidence.css">' in html
    assert '<a href="/compare/?a=d-rd">Compare D-Rd with another combination</a>' in html
    assert not figures_in(html, "timeline")   # one approval: the table says it all


def test_therapy_page_shows_trials_of_its_combinations(evidence, client):
    html = page(client, "/therapies/daratumumab/")
    svg = figures_in(html, "forest")[0]
    assert [g.get("data-trial") for g in svg.iter(f"{SVG}g") if g.get("data-trial")] == \
        ["maia", "pollux"]
    assert not figures_in(html, "timeline")   # one approval of its own
    assert '<a href="/evidence/?antibody=daratumumab">All trials and approvals of ' \
           'Daratumumab regimens</a>' in html
    partner = page(client, "/therapies/pomalidomide/")
    assert [g.get("data-trial") for g in figures_in(partner, "forest")[0].iter(f"{SVG}g")
            if g.get("data-trial")] == ["icaria-mm"]


def test_trial_page_shows_each_of_its_hazard_ratios(evidence, client):
    html = page(client, "/trials/maia/")
    svg = figures_in(html, "forest")[0]
    labels = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text") if t.get("class") == "ev-label"]
    assert labels == ["PFSFacon 2019", "OSFacon 2021"]
    assert '<a href="/trials/maia/#ref-facon-2021" tabindex="-1">' in html


def test_a_page_with_two_approvals_shows_their_timeline(evidence, client):
    path = evidence / "combinations/isa-pd.md"
    path.write_text(path.read_text().replace("""            reference: sarclisa-label
        ---""".replace("        ", ""), """            reference: sarclisa-label
          - agency: EMA
            date: 2020-06-02
            type: regular
            setting: relapsed-refractory
            reference: sarclisa-label
        ---""".replace("        ", "")))
    assert load(evidence).ok
    timeline = figures_in(page(client, "/combinations/isa-pd/"), "timeline")[0]
    assert [g.get("data-date") for g in timeline.iter(f"{SVG}g") if g.get("data-date")] == \
        ["2020-03-02", "2020-06-02"]


def test_trial_page_lists_every_result_with_its_source(evidence, client):
    html = page(client, "/trials/maia/")
    table = re.search(r'<table class="ev-table ev-results">.*?</table>', html, re.S).group(0)
    assert re.findall(r"<tr><td>(.*?)</td>", table) == [
        "PFS hazard ratio 0.56 (95% CI 0.43–0.73)", "PFS at 30 months: D-Rd 70.6% vs Rd 55.6%",
        "OS hazard ratio 0.68 (95% CI 0.53–0.86)"]
    assert '<td>update</td><td>—</td><td><a href="/trials/maia/#ref-facon-2021">Facon 2021</a>' \
        in table
    # A trial without a hazard ratio still lists its results, with no plot.
    sirius = page(client, "/trials/sirius/")
    assert "ORR: 29.2% (95% CI 20.8%–38.9%)" in sirius
    assert 'class="ev-figure' not in sirius


def test_pages_without_evidence_show_no_figure(evidence, client):
    for url in ("/mechanisms/adcc/", "/topics/infusion-reactions/", "/therapies/lenalidomide/"):
        html = page(client, url)
        if url.endswith("lenalidomide/"):
            assert 'class="ev-figure ev-timeline' not in html
        else:
            assert 'class="ev-article' not in html


@pytest.mark.parametrize("url, extra", [("/trials/maia/", 0), ("/combinations/d-rd/", 1),
                                        ("/therapies/daratumumab/", 1)])
def test_figures_add_a_fixed_number_of_queries_to_an_article_page(evidence, client, url, extra,
                                                                  monkeypatch):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kb.templatetags import evidence as tags

    def count():
        cache.clear()   # kb/conditional.py caches rendered pages
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    with_figures = count()
    monkeypatch.setattr(tags, "_forest", lambda context, article: None)
    monkeypatch.setattr(tags, "_timeline", lambda context, article: None)
    assert with_figures - count() == extra
