"""Search: one entry point, one module per backend (STYLE.md example 10).

Results are sections grouped under their article, ranked title and aliases >
headings > body, with an exact name match offered as a "Go to" result,
aliases expanded as synonyms, and typos corrected from the site's own names.
The index is written by the loader inside its transaction (``index``), so
search never disagrees with the pages.
"""
import difflib
import html
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.utils.safestring import mark_safe

from kb.models import Alias, Article, Section
from kb.search import fuzzy
from kb.search.text import clean_query, normalize, tokens

PAGE_SIZE = 10
SECTIONS_PER_ARTICLE = 3
CANDIDATES = 400


def _backend():
    if connection.vendor == "postgresql":
        from kb.search import postgres
        return postgres
    from kb.search import sqlite
    return sqlite


# Indexing (called by kb.ingest.sync inside the load transaction) -------------

def index(article_ids, stale_section_ids=()):
    """Make the index match the current rows of these articles.

    ``stale_section_ids`` are sections deleted by this load (SQLite keeps its
    own table; PostgreSQL stores the vector on the section row itself).
    """
    backend = _backend()
    if connection.vendor == "postgresql":
        backend.index_articles(article_ids)
        return
    backend.delete_rows(stale_section_ids)
    articles = {a["id"]: a for a in Article.objects.filter(id__in=list(article_ids))
                .values("id", "title", "kind")}
    aliases = {}
    for article_id, name in Alias.objects.filter(article_id__in=list(articles)).values_list(
            "article_id", "name"):
        aliases.setdefault(article_id, []).append(name)
    rows = []
    for section in Section.objects.filter(article_id__in=list(articles)).values(
            "id", "article_id", "heading", "text"):
        article = articles[section["article_id"]]
        rows.append((section["id"], article["title"], " ".join(aliases.get(article["id"], [])),
                     section["heading"], section["text"], article["kind"], article["id"]))
    backend.insert_rows(rows)


# Querying -----------------------------------------------------------------------

@dataclass
class SectionHit:
    anchor: str
    heading: str
    snippet: str
    score: float
    url: str


@dataclass
class ArticleHit:
    article: Article
    score: float
    sections: list = field(default_factory=list)


@dataclass
class Results:
    query: str
    kind: str | None
    page: int = 1
    hits: list = field(default_factory=list)       # this page's ArticleHits
    total: int = 0
    go_to: Article | None = None
    suggestion: str = ""            # "Did you mean ...?"
    corrected: bool = False         # hits are for ``suggestion``, not the query as typed
    notice: str = ""

    @property
    def pages(self):
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def has_next(self):
        return self.page < self.pages


def search(raw_query, kind=None, page=1):
    query, notice = clean_query(raw_query)
    results = Results(query=query, kind=kind, page=max(1, page), notice=notice)
    words = tokens(query)
    if not words:
        return results
    results.go_to = exact_match(query)
    groups = [words] + synonyms(query, results.go_to)
    ranked, ranked_groups = _ranked(groups, kind), groups
    if len(ranked) < 3:
        corrected = correct(words)
        if corrected:
            suggestion = " ".join(corrected)
            better_groups = [corrected] + synonyms(suggestion)
            better = _ranked(better_groups, kind)
            if len(better) > len(ranked):
                # "Did you mean ...?" only when it finds more than what was typed.
                results.suggestion = suggestion
                if not ranked:
                    ranked, ranked_groups, results.corrected = better, better_groups, True
                    results.go_to = results.go_to or exact_match(suggestion)
    results.total = len(ranked)
    start = (results.page - 1) * PAGE_SIZE
    shown = ranked[start:start + PAGE_SIZE]
    texts = _backend().snippets(ranked_groups, [s[0] for e in shown for s in e[2]])
    results.hits = _hydrate(shown, texts)
    return results


def exact_match(query):
    """The article whose slug, alias or title (as a slug) is exactly the query, if any.

    Two indexed look-ups (slug, then alias slug) rather than one OR across a
    join, which cannot use either index.
    """
    key = normalize(query)
    if not key:
        return None
    found = Article.objects.for_listing().filter(slug=key).first()
    if found is None:
        alias = Alias.objects.filter(slug=key).values_list("article_id", flat=True).first()
        if alias is not None:
            found = Article.objects.for_listing().filter(pk=alias).first()
    return found


NOT_LOOKED_UP = object()


def synonyms(query, article=NOT_LOOKED_UP):
    """Other names of the page the query names: "Darzalex" also searches "daratumumab"."""
    if article is NOT_LOOKED_UP:
        article = exact_match(query)
    if article is None:
        return []
    names = [article.title, *Alias.objects.filter(article=article).values_list("name", flat=True)]
    own = tokens(query)
    groups = []
    for name in names:
        group = tokens(name)
        if group and group != own and group not in groups:
            groups.append(group)
    return groups[:6]


def correct(words):
    """Each word not in the site's names replaced by the closest name word."""
    vocabulary = fuzzy.vocabulary()
    corrected, changed = [], False
    for word in words:
        better = vocabulary.closest(word)
        if better is None and connection.vendor == "postgresql" and word not in vocabulary:
            better = _closest_by_trigram(word)
        if better:
            corrected.append(better)
            changed = True
        else:
            corrected.append(word)
    return corrected if changed else None


def _closest_by_trigram(word):
    from kb.search import postgres
    candidates = {w for name in postgres.similar_names(word) for w in tokens(name)}
    matches = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.75)
    return matches[0] if matches else None


def _ranked(groups, kind):
    """[(article_id, score, [(section_id, score)])] best first."""
    rows = _backend().search(groups, kind, CANDIDATES)
    by_article = {}
    for section_id, article_id, score in rows:
        entry = by_article.setdefault(article_id, [article_id, score, []])
        entry[1] = max(entry[1], score)
        if len(entry[2]) < SECTIONS_PER_ARTICLE:
            entry[2].append((section_id, score))
    return sorted(by_article.values(), key=lambda e: -e[1])


def _hydrate(ranked, snippets):
    if not ranked:
        return []
    articles = Article.objects.for_listing().in_bulk([e[0] for e in ranked])
    section_ids = [s[0] for e in ranked for s in e[2]]
    sections = Section.objects.only("anchor", "heading", "article_id").in_bulk(section_ids)
    hits = []
    for article_id, score, section_rows in ranked:
        article = articles.get(article_id)
        if article is None:
            continue
        hit = ArticleHit(article, score)
        for section_id, section_score in section_rows:
            snippet = snippets.get(section_id, "")
            section = sections.get(section_id)
            if section is None:
                continue
            url = article.get_absolute_url() + ("" if section.anchor == "top" else f"#{section.anchor}")
            hit.sections.append(SectionHit(section.anchor, section.heading,
                                           highlight(snippet), section_score, url))
        hits.append(hit)
    return hits


def highlight(snippet):
    """Escape the snippet, then turn the backend's markers into <mark>."""
    from kb.search.sqlite import MARK_END, MARK_START
    escaped = html.escape(snippet or "")
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))
