"""The typed relation panels of an article page, in both directions.

Each panel is one query whatever the number of related pages, so a page costs
a fixed number of queries (issue #2).
"""
from dataclasses import dataclass

from kb.models import Approval, Article, Link, Section


@dataclass
class Panel:
    title: str
    articles: list


def _listing(**lookup):
    return list(Article.objects.filter(**lookup).for_listing().order_by("title").distinct())


# kind -> [(panel title, lookup from the related Article to this one)]
PANELS = {
    "biomarkers": [("Therapies that target it", "therapy__targets")],
    "mechanisms": [("Therapies that work through it", "therapy__mechanisms")],
    "therapy-classes": [("Therapies in this class", "therapy__therapy_class")],
    "therapies": [
        ("Therapy class", "therapyclass__therapies"),
        ("Targets", "biomarker__therapies"),
        ("Works through", "mechanism__therapies"),
        ("Used in combinations", "combination__components"),
        ("Studied in trials", "trial__tests"),
    ],
    "combinations": [
        ("Components", "therapy__combinations"),
        ("Studied in trials", "trial__tests"),
    ],
    "trials": [("Regimens tested", "tested_in")],
    "topics": [],
    "glossary": [],
}


def panels(article):
    result = [Panel(title, _listing(**{lookup: article})) for title, lookup in PANELS[article.kind]]
    related = _listing(see_also_from=article) + _listing(see_also=article)
    seen = set()
    related = [a for a in related if not (a.pk in seen or seen.add(a.pk))]
    result.append(Panel("See also", related))
    return [panel for panel in result if panel.articles]


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
    """Pages that link here, each with the sections the links stand in (two queries)."""
    links = list(Link.objects.filter(target=article).exclude(source=article)
                 .select_related("source").only("source_anchor", "source__kind", "source__slug",
                                                "source__title", "source__summary")
                 .order_by("source__title", "position"))
    wanted = {(link.source_id, link.source_anchor) for link in links if link.source_anchor}
    headings = {}
    if wanted:
        rows = Section.objects.filter(article_id__in={s for s, _ in wanted},
                                      anchor__in={a for _, a in wanted})
        headings = {(row.article_id, row.anchor): row.heading
                    for row in rows.only("article_id", "anchor", "heading")}
    grouped = {}
    for link in links:
        entry = grouped.setdefault(link.source_id, Backlink(link.source, []))
        key = (link.source_id, link.source_anchor)
        if key in headings and (link.source_anchor, headings[key]) not in entry.sections:
            entry.sections.append((link.source_anchor, headings[key]))
    return list(grouped.values())
