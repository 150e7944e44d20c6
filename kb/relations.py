"""The typed relation panels of an article page, in both directions.

All typed panels of a page come from one query: related articles are found
through every relation of the page's kind at once and grouped by their kind,
which names the panel. A page therefore costs a fixed number of queries
whatever its number of relations and backlinks (issue #2).
"""
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from kb.models import Approval, Article, Link

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


def panels(article):
    specs = PANELS[article.kind]
    result = []
    if specs:
        lookups = {lookup for lookup, _, _ in specs}
        related = (Article.objects.filter(reduce(or_, (Q(**{lookup: article}) for lookup in lookups)))
                   .for_listing().order_by("title").distinct())
        by_kind = {}
        for item in related:
            by_kind.setdefault(item.kind, []).append(item)
        result = [Panel(title, by_kind[kind]) for _, kind, title in specs if kind in by_kind]
    see_also = list(Article.objects.filter(Q(see_also_from=article) | Q(see_also=article))
                    .exclude(pk=article.pk).for_listing().order_by("title").distinct())
    if see_also:
        result.append(Panel("See also", see_also))
    return result


def approvals(article):
    """Approvals of this therapy or combination, or those a trial supported."""
    if article.kind == "trials":
        queryset = Approval.objects.filter(basis=article).select_related("article")
    elif article.kind in ("therapies", "combinations"):
        queryset = Approval.objects.filter(article=article)
    else:
        return []
    return list(queryset.select_related("reference").prefetch_related("basis").order_by("date"))


@dataclass
class Backlink:
    source: Article
    sections: list   # [(anchor, heading)]


def backlinks(article):
    """Pages that link here, each with the sections the links stand in (one query)."""
    links = (Link.objects.filter(target=article).exclude(source=article)
             .select_related("source")
             .only("source_anchor", "source_heading", "source__kind", "source__slug",
                   "source__title")
             .order_by("source__title", "position"))
    grouped = {}
    for link in links:
        entry = grouped.setdefault(link.source_id, Backlink(link.source, []))
        section = (link.source_anchor, link.source_heading)
        if link.source_anchor and section not in entry.sections:
            entry.sections.append(section)
    return list(grouped.values())
