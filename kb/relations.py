"""The typed relation panels of an article page, in both directions.

All typed panels of a page come from one query: related articles are found
through every relation of the page's kind at once and grouped by their kind,
which names the panel. A page therefore costs a fixed number of queries
whatever its number of relations and backlinks (issue #2).

Each relation is an ``id IN (subquery)`` of its own, not one join of every
relation table: the join had to be a LEFT OUTER JOIN (the relations are
OR-ed), which made SQLite scan the whole article table, 0.10-0.16 s at
10,000 articles; the subqueries are index look-ups (issue #8).

A page shows the first ``BACKLINKS_SHOWN`` pages that link to it and how many
more there are; the rest are on its own list (``/kind/slug/links/``), so a
hub that 1,600 pages link to is not a page of 1,600 links (issue #8).
"""
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q, Value

from kb.models import Approval, Article, Link, Reference, Trial
from kb.prepared import prepared, prepared_rows

# page kind -> [(lookup from a related Article to the page, related kind, panel title)]
PANELS = {
    "biomarkers": [("therapy__targets", "therapies", "Therapies that target it")],
    "mechanisms": [("therapy__mechanisms", "therapies", "Therapies that work through it")],
    "therapy-classes": [("therapy__therapy_class", "therapies", "Therapies in this class")],
    "therapies": [
        ("therapyclass__therapies", "therapy-classes", "Therapy class"),
        ("biomarker__therapies", "biomarkers", "Targets"),
        ("mechanism__therapies", "mechanisms", "Works through"),
        ("combination__components", "combinations", "Used in combinations"),
        ("trial__tests", "trials", "Studied in trials"),
    ],
    "combinations": [
        ("therapy__combinations", "therapies", "Components"),
        ("trial__tests", "trials", "Studied in trials"),
    ],
    "trials": [
        ("tested_in", "combinations", "Regimens tested"),
        ("tested_in", "therapies", "Therapies tested"),
    ],
    "topics": [],
    "glossary": [],
}


@dataclass
class Panel:
    title: str
    articles: list


def _any_of(lookups, article):
    """Articles related to ``article`` through any of ``lookups``, by index look-ups."""
    return Article.objects.filter(reduce(or_, (
        Q(pk__in=Article.objects.filter(**{lookup: article}).values("pk")) for lookup in lookups)))


def _panel_rows(kind):
    """The panels' query of an article of ``kind``, for ``prepared_rows`` (by the article's id)."""
    return lambda pk: _panel_query(kind, pk)


def _panel_query(kind, article):
    specs = PANELS[kind]
    see_also = (_any_of(["see_also_from", "see_also"], article).exclude(pk=article)
                .for_listing().annotate(panel=Value("see-also")).order_by())
    if not specs:
        return see_also.order_by("title")
    typed = (_any_of(sorted({lookup for lookup, _, _ in specs}), article)
             .for_listing().annotate(panel=Value("typed")).order_by())
    return typed.union(see_also, all=True).order_by("title")


def panels(article):
    """The typed panels and "See also", from one query (a UNION of both, tagged)."""
    specs = PANELS[article.kind]
    rows = prepared_rows(f"panels:{article.kind}", _panel_rows(article.kind), article.pk)
    by_kind, see = {}, []
    for pk, kind, slug, title, summary, panel in rows:   # the columns of for_listing()
        item = Article(id=pk, kind=kind, slug=slug, title=title, summary=summary)
        if panel == "typed":
            by_kind.setdefault(kind, []).append(item)
        else:
            see.append(item)
    result = [Panel(title, by_kind[kind]) for _, kind, title in specs if kind in by_kind]
    if see:
        result.append(Panel("See also", see))
    return result


def references(article):
    """The article's references, numbered in order."""
    return prepared("references", lambda pk: Reference.objects.filter(article=pk)
                    .order_by("position"), article.pk)


def _approvals(kind):
    def build(pk):
        if kind == "trials":
            queryset = Approval.objects.filter(basis=pk).select_related("article").defer(
                "article__body_html", "article__toc", "article__anchor_moves")
        else:
            queryset = Approval.objects.filter(article=pk)
        return queryset.select_related("reference").order_by("date")
    return build


def _basis(kind):
    def build(pk):
        through = Approval.basis.through.objects.select_related("trial").defer(
            "trial__body_html", "trial__toc")
        through = through.filter(approval__basis=pk) if kind == "trials" else through.filter(
            approval__article=pk)
        return through.order_by("trial__title", "trial_id")
    return build


def approvals(article):
    """Approvals of this therapy or combination, or those a trial supported, each with
    the trials it was based on (``approval.basis.all()`` costs no query)."""
    kind = article.kind
    if kind not in ("trials", "therapies", "combinations"):
        return []
    rows = prepared(f"approvals:{kind}", _approvals(kind), article.pk)
    if not rows:
        return rows
    basis = {}
    for link in prepared(f"approval-basis:{kind}", _basis(kind), article.pk):
        trials = basis.setdefault(link.approval_id, [])
        if link.trial not in trials:
            trials.append(link.trial)
    for approval in rows:
        # What prefetch_related("basis") leaves behind, without its queries.
        shown = Trial.objects.all()
        shown._result_cache, shown._prefetch_done = basis.get(approval.pk, []), True
        approval._prefetched_objects_cache = {"basis": shown}
    return rows


BACKLINKS_SHOWN = 60   # the real guide's most linked page has 59


@dataclass
class Backlink:
    source: Article
    sections: list   # [(anchor, heading)]


def _backlink_rows(article):
    """Who links to ``article`` (an id), for ``prepared_rows``."""
    return (Link.objects.filter(target=article).exclude(source=article)
            .order_by("source__title", "source_id", "position")
            .values_list("source_id", "source__kind", "source__slug", "source__title",
                         "source_anchor", "source_heading"))


def backlinks(article, limit=None):
    """``(backlinks, total)``: the first ``limit`` pages that link here (all if None),
    each with the sections the links stand in, and how many pages link here.

    One query of plain rows: only the pages shown become objects.
    """
    rows = prepared_rows("backlinks", _backlink_rows, article.pk)
    grouped = {}
    for source_id, kind, slug, title, anchor, heading in rows:
        entry = grouped.get(source_id)
        if entry is None:
            if limit is not None and len(grouped) >= limit:
                grouped[source_id] = None   # counted, not shown
                continue
            entry = grouped[source_id] = Backlink(
                Article(id=source_id, kind=kind, slug=slug, title=title), [])
        if entry is not None and anchor and (anchor, heading) not in entry.sections:
            entry.sections.append((anchor, heading))
    return [entry for entry in grouped.values() if entry is not None], len(grouped)
