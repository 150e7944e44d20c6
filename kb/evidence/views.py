"""The evidence, compare and knowledge-map pages: fetch, shape, render."""
import itertools
from dataclasses import dataclass

from django.shortcuts import render
from django.utils.http import urlencode

from kb.evidence import compare as comparing
from kb.evidence import data, figures
from kb.evidence.forms import CompareForm, EvidenceFilterForm
from kb.evidence.graph import map_graph
from kb.models import Article

# The guide the evidence page points to for reading hazard ratios, if present.
GUIDE = "reading-trial-results"


@dataclass
class Column:
    key: str
    label: str
    url: str
    aria_sort: str     # "ascending", "descending" or "" (not sorted by this column)
    numeric: bool = False


NUMERIC = {"patients", "pfs", "os"}


def evidence(request):
    regimens = data.Regimens()
    everything = data.trial_summaries(regimens=regimens)
    form = EvidenceFilterForm(request.GET, choices=data.filter_choices(everything))
    filters = form.filters()
    key, descending = form.sort_order()
    rows = data.sort_summaries(data.filter_summaries(everything, **filters), key, descending)
    approvals = data.filter_approvals(data.approval_rows(regimens=regimens), **filters)
    labels = {name: dict(form.fields[name].choices) for name in filters}
    return render(request, "evidence/evidence.html", {
        "form": form,
        "rows": rows,
        "total": len(everything),
        "filters": filters,
        "filtered": any(filters.values()),
        "filter_labels": [labels[name][value] for name, value in filters.items() if value],
        "sort_label": _sort_label(key, descending),
        "guide": Article.objects.for_listing().filter(slug=GUIDE).first(),
        "sort_key": key,
        "descending": descending,
        "columns": _columns(filters, key, descending),
        "forest": _evidence_forest(rows, key),
        "timeline": figures.approval_timeline(approvals, "Approvals over time"),
        "approvals": approvals,
    })


def _columns(filters, current, descending):
    params = {name: value for name, value in filters.items() if value}
    columns = []
    for key, (label, _) in data.SORT_KEYS.items():
        if key == current:
            aria, target = ("descending" if descending else "ascending"), (key if descending
                                                                          else f"-{key}")
        else:
            aria, target = "", key
        query = urlencode({**params, "sort": target})
        columns.append(Column(key, label, f"?{query}#trials", aria, key in NUMERIC))
    return columns


def _sort_label(key, descending):
    """"PFS hazard ratio, descending", "setting"."""
    label = data.SORT_KEYS[key][0]
    if not label[:2].isupper():
        label = label[0].lower() + label[1:]
    return f"{label}, descending" if descending else label


def _evidence_forest(rows, key):
    estimates = [e for row in rows for e in row.hazard_ratios("pfs")]
    if key == "setting":
        # In setting order the plot gets a heading per setting, like a subgroup plot.
        groups = [(heading, list(items)) for heading, items in
                  itertools.groupby(estimates, key=lambda e: data.SETTING_LABELS.get(e.setting))]
    else:
        groups = [("", estimates)]
    return figures.forest_plot(groups, "Progression-free survival: hazard ratios by trial")


def compare(request):
    form = CompareForm(request.GET or None, choices=comparing.choices())
    sides, forest = [], None
    if form.is_valid():
        regimens = data.Regimens()
        sides = [comparing.side(form.cleaned_data[name], regimens) for name in ("a", "b")]
        forest = figures.forest_plot(
            [(side.name, side.estimates) for side in sides],
            f"Progression-free survival: {sides[0].name} and {sides[1].name} trials",
            label=lambda e: (e.trial_name, f"{e.comparison}, {e.source}"))
    return render(request, "evidence/compare.html", {
        "form": form, "sides": sides, "forest": forest,
    })


def knowledge_map(request):
    graph = map_graph()
    return render(request, "evidence/map.html", {
        "map": figures.knowledge_map(graph, "From CD38 to the trials"),
        "rows": graph["rows"],
    })
