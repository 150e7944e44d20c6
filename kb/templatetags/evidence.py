"""Evidence figures on article pages (issue #6).

``{% load evidence %}{% evidence_figures article %}`` shows, when there is
data: on a combination or therapy page, the forest plot of the PFS hazard
ratios of its trials and (with two approvals or more) the approval timeline;
on a trial page, a table of every result and a forest plot of its hazard
ratios. ``forest_plot_for`` and
``approval_timeline_for`` show one figure each.

The page's own context is reused (``approvals``, ``references``) so the
figures cost a trial page no query and a combination or therapy page one
(its trials with their references): article pages keep a fixed query budget
(tests/test_views.py). The timeline there shows the page's own approvals;
the evidence page, linked from it, shows every regimen's.
"""
import itertools

from django import template

from kb.evidence import data, figures
from kb.evidence import format as fmt

register = template.Library()
TEMPLATE = "evidence/includes/article_figures.html"


def _forest(context, article):
    if article.kind not in ("trials", "combinations", "therapies"):
        return None
    name = fmt.short_title(article)
    if article.kind == "trials":
        estimates = data.estimates_for_article(article, context.get("references"))
        return figures.forest_plot([("", estimates)], f"{name}: hazard ratios", endpoint=None,
                                   link="source",
                                   label=lambda e: (fmt.endpoint_short(e.endpoint), e.source))
    estimates = data.estimates_for_article(article)
    if article.kind == "therapies":
        def label(e):
            return e.trial_name, f"{e.regimen}, {e.source}"
    else:
        def label(e):
            return e.trial_name, e.source
    # A heading per setting once there are rows from more than one.
    groups = [(data.SETTING_LABELS.get(setting, setting), list(items))
              for setting, items in itertools.groupby(estimates, key=lambda e: e.setting)]
    if len(groups) == 1:
        groups = [("", estimates)]
    return figures.forest_plot(groups, f"{name}: progression-free survival in its trials",
                               label=label)


def _timeline(context, article):
    if article.kind not in ("combinations", "therapies"):
        return None
    if "approvals" in context:
        # The page already holds its approvals (kb.relations.approvals): no query.
        rows = [data.ApprovalRow(a, article if a.article_id == article.pk else a.article, [])
                for a in context["approvals"]]
    else:
        rows = data.approvals_for_article(article)
    if len(rows) < 2:   # one approval is a table row, not a timeline
        return None
    return figures.approval_timeline(rows, f"{fmt.short_title(article)}: approvals over time")


def _context(article, forest=None, timeline=None):
    return {"article": article, "name": fmt.short_title(article), "forest": forest,
            "timeline": timeline, "evidence_query": _evidence_query(article)}


def _evidence_query(article):
    """The evidence page filtered to a therapy's regimens: "?antibody=daratumumab"."""
    if article.kind != "therapies":
        return ""
    role = getattr(getattr(article, "therapy_class", None), "role", "")
    return f"?{'antibody' if role == data.ANTIBODY_ROLE else 'partner'}={article.slug}"


def _results(context, article):
    """Every outcome of a trial, in words, each with its source."""
    if article.kind != "trials":
        return []
    references = context.get("references")
    if references is None:
        references = article.references.all()
    return data.results_for(article, {r.key: r for r in references})


@register.inclusion_tag(TEMPLATE, takes_context=True)
def evidence_figures(context, article):
    result = _context(article, _forest(context, article), _timeline(context, article))
    result["results"] = _results(context, article)
    return result


@register.inclusion_tag(TEMPLATE, takes_context=True)
def forest_plot_for(context, article):
    return _context(article, forest=_forest(context, article))


@register.inclusion_tag(TEMPLATE, takes_context=True)
def approval_timeline_for(context, article):
    return _context(article, timeline=_timeline(context, article))
