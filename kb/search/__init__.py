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
from django.utils.safestring import mark_safe

from kb.models import Alias, Article, Section
from kb.search import fuzzy, lookups
from kb.search.text import clean_query, normalize, tokens

PAGE_SIZE = 10
SECTIONS_PER_ARTICLE = 3
# The most sections ranked per tier; results beyond them are not shown (the
# page says "more than N" and suggests adding a word).
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
    Returns how many rows SQLite's index table was given (0 on PostgreSQL),
    which the load passes on to ``after_load``.
    """
    backend = _backend()
    if vectors_on_sections():
        backend.index_articles(article_ids)
        return 0
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
    return len(rows)


def vectors_on_sections():
    """Whether the index lives on the section rows (PostgreSQL) instead of tables of its own."""
    return connection.vendor == "postgresql"


def insert_sections(rows):
    """INSERT new sections with their vectors, where ``vectors_on_sections`` (postgres.py)."""
    _backend().insert_sections(rows)


def after_load(rows):
    """Called once by each load, with the sum of what ``index`` returned (SQLite compacts)."""
    if connection.vendor != "postgresql":
        _backend().after_load(rows)


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
    total_is_estimate: bool = False  # more matched than were ranked: "more than {total}"
    body_pending: bool = False      # body matches not ranked yet: a next page exists
    go_to: Article | None = None
    suggestion: str = ""            # "Did you mean ...?"
    corrected: bool = False         # hits are for ``suggestion``, not the query as typed
    notice: str = ""

    @property
    def pages(self):
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def has_next(self):
        # While the body tier waits to be ranked, there is a next page even
        # when the pages ranked so far end here (``_ranked``).
        return self.page < self.pages or self.body_pending


def search(raw_query, kind=None, page=1):
    query, notice = clean_query(raw_query)
    results = Results(query=query, kind=kind, page=max(1, page), notice=notice)
    words = tokens(query)
    if not words:
        return results
    results.go_to = exact_match(query)
    groups = [words] + synonyms(query, results.go_to)
    wanted = results.page * PAGE_SIZE + 1   # this page, and whether there is a next one
    ranking = _ranked(groups, kind, wanted)
    ranked_groups = groups
    if len(ranking.articles) < 3:
        corrected = correct(words)
        if corrected:
            suggestion = " ".join(corrected)
            better_groups = [corrected] + synonyms(suggestion)
            better = _ranked(better_groups, kind, wanted)
            if len(better.articles) > len(ranking.articles):
                # "Did you mean ...?" only when it finds more than what was typed.
                results.suggestion = suggestion
                if not ranking.articles:
                    ranking, ranked_groups, results.corrected = better, better_groups, True
                    results.go_to = results.go_to or exact_match(suggestion)
    ranked = ranking.articles
    results.total = len(ranked)
    results.total_is_estimate = ranking.more
    results.body_pending = ranking.body_pending
    start = (results.page - 1) * PAGE_SIZE
    shown = ranked[start:start + PAGE_SIZE]
    texts = _backend().snippets(ranked_groups, [s[0] for e in shown for s in e[2]])
    results.hits = _hydrate(shown, texts)
    return results


def exact_match(query):
    """The article whose slug, alias or title (as a slug) is exactly the query, if any."""
    key = normalize(query)
    if not key:
        return None
    return lookups.article_named(key)


NOT_LOOKED_UP = object()


def synonyms(query, article=NOT_LOOKED_UP):
    """Other names of the page the query names: "Darzalex" also searches "daratumumab"."""
    if article is NOT_LOOKED_UP:
        article = exact_match(query)
    if article is None:
        return []
    names = [article.title, *lookups.alias_names(article.id)]
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


@dataclass
class Ranking:
    articles: list          # [[article_id, score, [(section_id, score)], tier]] best first
    more: bool = False      # more sections matched than were ranked
    body_pending: bool = False  # the body tier was not ranked (not needed yet)


def _ranked(groups, kind, wanted):
    """The articles for ``groups``, best first, in two tiers (issue #5).

    First the sections that match in a title, alias or heading, ranked; then,
    only when those give fewer than ``wanted`` articles, the sections that match
    in the body. A common word ("medicines") is in most bodies, and scoring every
    one of them was what made such searches slow (BENCHMARKS.md, "Search
    latency"); a reader sees the body tier only after the name tier runs out.
    """
    backend = _backend()
    by_article, seen = {}, set()
    rows, more = backend.search(groups, kind, CANDIDATES, names_only=True)
    _group(by_article, seen, rows, tier=0)
    body_pending = False
    if len(by_article) < wanted:
        rows, more = backend.search(groups, kind, CANDIDATES)
        _group(by_article, seen, rows, tier=1)
    else:
        body_pending = more or backend.matches_more_than(groups, kind, len(seen))
        more = body_pending
    articles = sorted(by_article.values(), key=lambda e: (e[3], -e[1]))
    return Ranking(articles, more, body_pending)


def _group(by_article, seen, rows, tier):
    for section_id, article_id, score in rows:
        if section_id in seen:
            continue
        seen.add(section_id)
        entry = by_article.setdefault(article_id, [article_id, score, [], tier])
        entry[1] = max(entry[1], score) if entry[3] == tier else entry[1]
        if len(entry[2]) < SECTIONS_PER_ARTICLE:
            entry[2].append((section_id, score))


def _hydrate(ranked, snippets):
    if not ranked:
        return []
    articles, sections = lookups.shown([s[0] for e in ranked for s in e[2]])
    hits = []
    for article_id, score, section_rows, _tier in ranked:
        article = articles.get(article_id)
        if article is None:
            continue
        hit = ArticleHit(article, score)
        page_url = article.get_absolute_url()
        for section_id, section_score in section_rows:
            snippet = snippets.get(section_id, "")
            if section_id not in sections:
                continue
            anchor, heading = sections[section_id]
            url = page_url + ("" if anchor == "top" else f"#{anchor}")
            hit.sections.append(SectionHit(anchor, heading, highlight(snippet), section_score, url))
        hits.append(hit)
    return hits


def highlight(snippet):
    """Escape the snippet, then turn the backend's markers into <mark>."""
    from kb.search.sqlite import MARK_END, MARK_START
    escaped = html.escape(snippet or "")
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))
