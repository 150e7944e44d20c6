"""The repeated rows of the evidence figures, drawn in Python (issue #8).

``templates/evidence/figures/forest.html`` draws the frame of a forest plot;
the rows (one per publication, three times over: the marks, the link layer
and the data table) and the ticks are drawn here; so are the marks, ticks and
table rows of the approval timeline (``timeline.html``) and the rows of a
trial page's table of results (``evidence/includes/article_figures.html``). Through the template
engine each row cost about 25 variable look-ups, escapes and number
formats, ~0.5 ms a row: most of a trial or combination page. The markup is
the one the template loops drew, character for character
(tests/test_list_tags.py renders both and compares them).

Text is escaped with Django's ``conditional_escape`` and numbers go through
``localize``, as ``{{ value }}`` does.
"""
from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.safestring import mark_safe

from kb.templatetags.kb_extras import text as _e

register = template.Library()


@register.simple_tag
def forest_grid(plot):
    """The vertical grid line of every tick."""
    top, axis = _e(plot.rows_top), _e(plot.axis_y)
    return mark_safe("".join(
        f'<line class="ev-grid" x1="{_e(tick.x)}" x2="{_e(tick.x)}" y1="{top}" '
        f'y2="{axis}"/>\n      '
        for tick in plot.ticks))


@register.simple_tag
def forest_groups(plot):
    return mark_safe("".join(
        f'<text class="ev-group" x="0" y="{_e(group.y)}">{_e(group.label)}</text>\n      '
        for group in plot.groups))


def _mark(plot, row):
    e = row.estimate
    line_y = _e(row.line_y)
    parts = [f'<g class="ev-row" data-trial="{_e(e.trial_slug)}" data-hr="{_e(e.value)}"']
    if e.ci:
        parts.append(f' data-low="{_e(e.ci[0])}" data-high="{_e(e.ci[1])}"')
    parts.append(f'>\n        <text class="ev-label" x="0" y="{_e(row.label_y)}">'
                 f'<tspan class="ev-label-name">{_e(row.label)}</tspan>')
    if row.detail:
        parts.append(f'<tspan class="ev-label-detail" dx="6">{_e(row.detail)}</tspan>')
    parts.append(f'</text>\n        <text class="ev-value" x="100%" y="{_e(row.label_y)}" '
                 f'text-anchor="end"><tspan class="ev-value-hr">{_e(e.value_text)}</tspan>')
    if e.ci:
        usual = " is-usual" if e.usual_level else ""
        parts.append(f' (<tspan class="ev-level{usual}">{_e(e.level_text)} CI </tspan>'
                     f'{_e(e.bounds_text)})')
    parts.append("</text>\n        ")
    if row.x_low:
        low, high = _e(row.x_low), _e(row.x_high)
        above, below = _e(row.line_y - 4), _e(row.line_y + 4)
        parts.append(f'<line class="ev-whisker" x1="{low}" x2="{high}" y1="{line_y}" '
                     f'y2="{line_y}"/>\n        ')
        if not row.clipped_low:
            parts.append(f'<line class="ev-cap" x1="{low}" x2="{low}" y1="{above}" '
                         f'y2="{below}"/>')
        parts.append("\n        ")
        if not row.clipped_high:
            parts.append(f'<line class="ev-cap" x1="{high}" x2="{high}" y1="{above}" '
                         f'y2="{below}"/>')
        parts.append("\n        ")
    hollow = " is-hollow" if row.hollow else ""
    parts.append(f'<use class="ev-estimate{hollow}" href="#{_e(plot.id)}-box" x="{_e(row.x)}" '
                 f'y="{line_y}"/>\n      </g>\n      ')
    return "".join(parts)


@register.simple_tag
def forest_marks(plot):
    """Each row's label, value, whisker and estimate."""
    return mark_safe("".join(_mark(plot, row) for row in plot.rows))


@register.simple_tag
def forest_axis(plot):
    """Each tick's mark and label under the axis."""
    axis, below, labels = _e(plot.axis_y), _e(plot.axis_y + 5), _e(plot.label_bottom)
    return mark_safe("".join(
        f'<line class="ev-tick-mark" x1="{_e(tick.x)}" x2="{_e(tick.x)}" y1="{axis}" '
        f'y2="{below}"/><text class="ev-tick{" is-minor" if tick.minor else ""}" '
        f'x="{_e(tick.x)}" y="{labels}" text-anchor="middle" data-value="{_e(tick.value)}">'
        f'{_e(tick.label)}</text>\n      '
        for tick in plot.ticks))


@register.simple_tag
def forest_links(plot):
    """The aria-hidden layer of row links over the drawing."""
    return mark_safe("".join(
        f'<a href="{_e(row.href)}" tabindex="-1"><title>{_e(row.tooltip)}</title>'
        f'<rect x="0" y="{_e(row.y)}" width="100%" height="46"/></a>\n      '
        for row in plot.rows))


def _table_row(row):
    e = row.estimate
    note = f"<br><small>{_e(e.note)}</small>" if e.note else ""
    return (f'\n        <tr><th scope="row"><a href="{_e(e.trial_url)}">{_e(e.trial_name)}</a></th>'
            f'<td>{_e(e.comparison)}</td><td class="is-num">{_e(e.value_text)}</td>'
            f'<td>{_e(e.interval_text or "not reported")}</td>'
            f'<td>{_e(e.analysis_label or "—")}{note}</td>'
            f'<td><a href="{_e(e.source_url)}">{_e(e.source)}</a></td></tr>\n      ')


@register.simple_tag
def forest_table(plot):
    """The same data as table rows."""
    return mark_safe("".join(_table_row(row) for row in plot.rows))


def _result_row(r):
    note = f"<br><small>{_e(r.note)}</small>" if r.note else ""
    return (f'\n      <tr><td>{_e(r.text)}{note}</td><td>{_e(r.analysis_label or "—")}</td>'
            f'<td>{_e(r.followup_text or "—")}</td>'
            f'<td><a href="{_e(r.url)}">{_e(r.source or "source")}</a></td></tr>\n    ')


@register.simple_tag
def result_rows(results):
    """A trial's results (kb.evidence.data.Result), one table row each."""
    return mark_safe("".join(_result_row(r) for r in results))


# Approval timeline -------------------------------------------------------------------

@register.simple_tag
def timeline_bands(plot):
    """A shaded band behind every other approval."""
    return mark_safe("".join(
        (f'<rect class="ev-band" x="0" y="{_e(mark.y - 14)}" width="100%" height="28"/>'
         if number % 2 == 0 else "") + "\n      "
        for number, mark in enumerate(plot.marks, 1)))


def _timeline_tick(plot, tick):
    x = _e(tick.x)
    html = (f'<line class="ev-grid" x1="{x}" x2="{x}" y1="{_e(plot.top - 10)}" '
            f'y2="{_e(plot.bottom)}"/>\n      ')
    if tick.label:
        minor = " is-minor" if tick.minor else ""
        label = _e(tick.label)
        html += (f'<text class="ev-tick{minor}" x="{x}" y="{_e(plot.top - 16)}" '
                 f'text-anchor="middle" data-year="{label}">{label}</text>\n      '
                 f'<text class="ev-tick{minor}" x="{x}" y="{_e(plot.bottom + 18)}" '
                 f'text-anchor="middle" aria-hidden="true">{label}</text>')
    return html + "\n      "


@register.simple_tag
def timeline_grid(plot):
    """A grid line per year, labelled above and below the marks."""
    return mark_safe("".join(_timeline_tick(plot, tick) for tick in plot.ticks))


def _timeline_mark(plot, mark):
    x, y, css = _e(mark.x), _e(mark.y), _e(mark.css)
    ring = (f'<circle class="ev-ring ev-setting-{css}" cx="{x}" cy="{y}" r="10"/>'
            if mark.ringed else "")
    hollow = " is-hollow" if mark.hollow else ""
    return (f'<g class="ev-approval" data-date="{_e(date_filter(mark.row.approval.date, "Y-m-d"))}" '
            f'data-regimen="{_e(mark.row.regimen.slug)}">\n        {ring}\n        '
            f'<use class="ev-mark ev-setting-{css}{hollow}" href="#{_e(plot.id)}-{_e(mark.shape)}" '
            f'x="{x}" y="{y}"/>\n        <text class="ev-label" x="{x}" dx="{_e(mark.label_dx)}" '
            f'y="{_e(mark.y + 5)}" text-anchor="{_e(mark.anchor)}">{_e(mark.label)}</text>\n'
            f'      </g>\n      ')


@register.simple_tag
def timeline_marks(plot):
    """Each approval's mark and label."""
    return mark_safe("".join(_timeline_mark(plot, mark) for mark in plot.marks))


@register.simple_tag
def timeline_links(plot):
    """The aria-hidden layer of links over the drawing."""
    return mark_safe("".join(
        f'<a href="{_e(mark.row.regimen.get_absolute_url())}" tabindex="-1"><title>'
        f'{_e(mark.tooltip)}</title><rect x="0" y="{_e(mark.y - 14)}" width="100%" '
        f'height="28"/></a>\n      '
        for mark in plot.marks))


def _timeline_row(mark):
    row, a = mark.row, mark.row.approval
    basis = ", ".join(f'<a href="{_e(trial.get_absolute_url())}">{_e(trial.short_name)}</a>'
                      for trial in row.basis) or "—"
    return (f'\n        <tr><td><time datetime="{_e(date_filter(a.date, "Y-m-d"))}">'
            f'{_e(date_filter(a.date, "j M Y"))}</time></td><th scope="row">'
            f'<a href="{_e(row.regimen.get_absolute_url())}">{_e(row.name)}</a></th>'
            f'<td>{_e(a.agency)}</td><td>{_e(row.setting_label)}</td>'
            f'<td>{_e(a.get_type_display())}</td><td>{basis}</td>'
            f'<td><a href="{_e(row.source_url)}">[{_e(a.reference.number)}]</a></td></tr>\n      ')


@register.simple_tag
def timeline_table(plot):
    """The same approvals as table rows."""
    return mark_safe("".join(_timeline_row(mark) for mark in plot.marks))
