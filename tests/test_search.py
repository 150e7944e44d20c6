"""Search lands on the right section of the right page, on either database."""
import pytest
from django.db import connection

import kb.search
from kb.ingest.loader import load
from kb.search import search
from tests.corpus import write

pytestmark = pytest.mark.django_db


def slugs(results):
    return [hit.article.slug for hit in results.hits]


def test_results_are_sections_grouped_under_their_article(loaded):
    results = search("side effects")
    assert slugs(results)[0] == "daratumumab"
    section = results.hits[0].sections[0]
    assert (section.heading, section.url) == ("Side effects",
                                              "/therapies/daratumumab/#side-effects")


def test_title_ranks_above_body(loaded):
    assert slugs(search("lenalidomide"))[0] == "lenalidomide"


def test_exact_title_slug_or_alias_is_offered_as_go_to(loaded):
    assert search("Darzalex").go_to.slug == "daratumumab"
    assert search("dara").go_to.slug == "daratumumab"
    assert search("SIRIUS").go_to.slug == "sirius"
    assert search("DRd").go_to.slug == "d-rd"
    assert search("complement").go_to is None


def test_aliases_are_synonyms(loaded):
    # No page body says "Darzalex"; it is an alias of daratumumab.
    assert "lenalidomide" in slugs(search("Darzalex"))


def test_stemming(loaded):
    assert "daratumumab" in slugs(search("infusions"))


@pytest.mark.parametrize("typo, meant", [("daratumamab", "daratumumab"),
                                         ("lenolidomide", "lenalidomide")])
def test_typos_are_corrected(loaded, typo, meant):
    results = search(typo)
    assert results.suggestion == meant
    assert results.corrected
    assert slugs(results)[0] == meant


def test_snippets_highlight_matches_and_escape_everything_else(loaded):
    write(loaded, "topics/markup.md", "---\ntitle: Markup\nsummary: s\nlast_reviewed: 2026-11-01\n"
                                      "---\nThe word <b>bold</b> and &lt;script&gt; near pomalidomide.\n")
    assert load(loaded).ok
    snippet = search("pomalidomide").hits[0].sections[0].snippet
    assert "<mark>pomalidomide</mark>" in snippet
    assert "<script" not in snippet and "<b>" not in snippet


def test_filter_by_kind(loaded):
    assert slugs(search("daratumumab", kind="trials")) == ["sirius"]


def test_filter_by_kind_keeps_kinds_with_the_same_stem_apart(loaded):
    # "therapies" and "therapy-classes" stem alike ("therapi"); the filter must not mix them.
    assert slugs(search("Darzalex", kind="therapy-classes")) == ["anti-cd38-antibodies"]
    therapies = search("Darzalex", kind="therapies")
    assert "daratumumab" in slugs(therapies)
    assert {hit.article.kind for hit in therapies.hits} == {"therapies"}


def test_a_kind_is_not_a_word_of_its_pages(loaded):
    # The kind is in the index for the filter, yet no page's text says "biomarkers".
    assert search("biomarkers").total == 0
    assert search("therapyclasses").total == 0


def test_pagination(loaded):
    for n in range(25):
        write(loaded, f"topics/page-{n}.md", f"---\ntitle: Page {n}\nsummary: s\n"
                                             "last_reviewed: 2026-11-01\n---\nAbout zebrafish.\n")
    assert load(loaded).ok
    first, third = search("zebrafish"), search("zebrafish", page=3)
    assert (first.total, first.pages, len(first.hits), len(third.hits)) == (25, 3, 10, 5)
    assert not set(slugs(first)) & set(slugs(third))


def test_index_follows_each_load(loaded):
    assert search("zebrafish").total == 0
    path = loaded / "topics/infusion-reactions.md"
    path.write_text(path.read_text().replace("Read about", "Zebrafish and"))
    assert load(loaded).ok
    assert slugs(search("zebrafish")) == ["infusion-reactions"]
    path.unlink()
    assert load(loaded).ok
    assert search("zebrafish").total == 0


@pytest.mark.parametrize("query", [
    '"', "'", "*", "-", "NEAR(", "AND", "OR NOT", "a AND (b", "((", ")", "^", ":",
    "'; DROP TABLE kb_article; --", "' OR 1=1 --", "x" * 10000, "\x00", "dara\x00tumumab",
    "🙂💊", "дараттумумаб", "ダラツムマブ", "{}[]", "%_", "title:daratumumab",
])
def test_hostile_or_odd_queries_never_fail(loaded, client, query):
    results = search(query)
    assert results.total >= 0
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


def test_long_queries_are_shortened_with_a_message(loaded):
    results = search("daratumumab " * 100)
    assert results.notice == "Your search was shortened to its first 200 characters."


def test_search_page_works_as_a_plain_form(loaded, client):
    page = client.get("/search/", {"q": "side effects"}).content.decode()
    assert 'href="/therapies/daratumumab/#side-effects"' in page
    assert "<mark>" in page or "Side effects" in page


def test_empty_query_shows_entry_points(loaded, client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert "Good places to start" in response.content.decode()


def test_did_you_mean_link_on_the_page(loaded, client):
    page = client.get("/search/", {"q": "lenolidomide"}).content.decode()
    assert "Showing results for <strong>lenalidomide</strong>" in page


def _write_zebrafish_pages(loaded, named, body_only):
    for n in range(named):
        write(loaded, f"topics/zebrafish-{n}.md", f"---\ntitle: Zebrafish {n}\nsummary: s\n"
                                                  "last_reviewed: 2026-11-01\n---\nAbout fish.\n")
    for n in range(body_only):
        write(loaded, f"topics/pond-{n}.md", f"---\ntitle: Pond {n}\nsummary: s\nlast_reviewed: "
                                             "2026-11-01\n---\nZebrafish, zebrafish, zebrafish.\n")
    assert load(loaded).ok


def test_name_and_heading_matches_rank_above_body_matches(loaded):
    _write_zebrafish_pages(loaded, named=2, body_only=3)
    ranked = slugs(search("zebrafish"))
    assert sorted(ranked[:2]) == ["zebrafish-0", "zebrafish-1"]
    assert sorted(ranked[2:]) == ["pond-0", "pond-1", "pond-2"]


def test_body_matches_wait_until_the_name_matches_run_out(loaded, client):
    # Page 1 is filled by pages named "Zebrafish": the body matches are not
    # ranked yet, so the count is a lower bound and there is a next page.
    _write_zebrafish_pages(loaded, named=12, body_only=5)
    first = search("zebrafish")
    assert (first.total, first.total_is_estimate, first.has_next) == (12, True, True)
    assert "More than 12 pages found." in client.get("/search/", {"q": "zebrafish"}).content.decode()
    second = search("zebrafish", page=2)
    assert (second.total, second.total_is_estimate, second.has_next) == (17, False, False)
    assert sorted(slugs(second)[2:]) == [f"pond-{n}" for n in range(5)]
    assert not set(slugs(first)) & set(slugs(second))


def test_ranking_stops_at_the_cap_and_the_page_says_so(loaded, client, monkeypatch):
    # A word in very many sections: only the first RANK_LIMIT are ranked, on
    # either database, so a common word cannot make a search slow (issue #5).
    _write_zebrafish_pages(loaded, named=0, body_only=8)
    monkeypatch.setattr(kb.search._backend(), "RANK_LIMIT", 5)
    results = search("zebrafish")
    assert (results.total, results.total_is_estimate, results.has_next) == (5, True, False)
    page = client.get("/search/", {"q": "zebrafish"}).content.decode()
    assert "More than 5 pages found. Only these are shown" in page


def _sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 tables are SQLite's; PostgreSQL keeps vectors on kb_section")


QUERIES = ["side effects", "lenalidomide", "Darzalex", "infusions", "daratumamab", "cd38"]


def test_rebuilding_the_index_from_the_tables_finds_the_same(loaded):
    # What migration 0006 does to an already-loaded database.
    _sqlite_only()
    from kb.search import sqlite
    before = [(slugs(search(q)), search(q).total) for q in QUERIES]
    sqlite.rebuild()
    assert [(slugs(search(q)), search(q).total) for q in QUERIES] == before
    assert slugs(search("daratumumab", kind="trials")) == ["sirius"]


def test_a_large_load_compacts_the_index_once_committed(content_dir, db, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    _sqlite_only()
    from kb.search import sqlite
    monkeypatch.setattr(sqlite, "COMPACT_AFTER_ROWS", 1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert load(content_dir).ok
    assert sqlite.compact in callbacks
    assert slugs(search("lenalidomide"))[0] == "lenalidomide"
    assert search("Darzalex").go_to.slug == "daratumumab"


def test_the_name_tier_follows_each_load(loaded):
    # A page renamed away from a word leaves the names; one renamed to it joins them.
    _write_zebrafish_pages(loaded, named=2, body_only=3)
    write(loaded, "topics/zebrafish-0.md", "---\ntitle: Minnow 0\nsummary: s\n"
                                           "last_reviewed: 2026-11-01\n---\nAbout fish.\n")
    write(loaded, "topics/pond-0.md", "---\ntitle: Pond 0\nsummary: s\nlast_reviewed: 2026-11-01\n"
                                      "---\n## Zebrafish\n\nZebrafish, zebrafish, zebrafish.\n")
    assert load(loaded).ok
    ranked = slugs(search("zebrafish"))
    assert sorted(ranked[:2]) == ["pond-0", "zebrafish-1"]
    assert sorted(ranked[2:]) == ["pond-1", "pond-2"]


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("names_vector is PostgreSQL's; SQLite has the kb_search_names table")


def test_the_name_tier_is_looked_up_in_the_names_index_on_postgresql(loaded):
    # search_vector's GIN index holds no weights: asked for names, it gave every
    # section whose text had the word, and the planner read them all (issue #5).
    _postgres_only()
    from django.test.utils import CaptureQueriesContext

    from kb.search import postgres
    _write_zebrafish_pages(loaded, named=2, body_only=3)
    with CaptureQueriesContext(connection) as queries:
        rows, more = postgres.search([["zebrafish"]], None, 10, names_only=True)
    assert len(rows) == 2 and not more
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + queries.captured_queries[-1]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "kb_section_names_gin" in plan and "kb_section_search_gin" not in plan


def test_names_vectors_are_the_names_part_of_the_search_vectors(loaded):
    # What the name tier finds on names_vector is what it found on search_vector
    # (words weighted A or B), whether the load wrote them or migration 0008 did.
    _postgres_only()
    from kb.search import postgres

    def differing():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), count(*) FILTER (WHERE names_vector IS DISTINCT FROM "
                           "ts_filter(search_vector, '{a,b}')) FROM kb_section")
            return cursor.fetchone()

    sections, wrong = differing()
    assert sections > 0 and wrong == 0
    before = [(slugs(search(q)), search(q).total) for q in QUERIES]
    with connection.cursor() as cursor:
        # The migration runs on committed rows; here the load's foreign-key
        # checks are still deferred, and CREATE INDEX refuses to run before them.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("UPDATE kb_section SET names_vector = NULL")
    with connection.schema_editor() as editor:
        postgres.create_names(editor)
    assert differing() == (sections, 0)
    assert [(slugs(search(q)), search(q).total) for q in QUERIES] == before


def test_equal_matches_keep_their_order_when_a_row_is_rewritten(loaded):
    # Two sections that match a word equally well are listed by section id,
    # not by where their rows lie: on PostgreSQL an UPDATE moves a row to the
    # table's end, and the order of equal scores must not follow it.
    for name in ("alpha", "beta"):
        write(loaded, f"topics/{name}.md", f"---\ntitle: Page {name}\nsummary: s\n"
                                           "last_reviewed: 2026-11-01\n---\n"
                                           "## Notes {#notes}\nA quokka waits here.\n")
    assert load(loaded).ok
    before = [(hit.article.slug, hit.sections[0].heading) for hit in search("quokka").hits]
    assert before == [("alpha", "Notes"), ("beta", "Notes")]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE kb_section SET heading = heading WHERE id = "
                       "(SELECT min(s.id) FROM kb_section s JOIN kb_article a ON a.id = s.article_id"
                       " WHERE a.slug = 'alpha')")
    assert [(hit.article.slug, hit.sections[0].heading) for hit in search("quokka").hits] == before
