"""Pages stay bounded however large the guide grows (issue #8): backlinks, index
pages and the home page map show a bounded number of items and link to the
rest; the rendered-page cache of each worker is bounded in bytes."""
import pytest
from django.urls import reverse

from kb import listings, relations
from kb.conditional import PageMemory
from kb.listings import Group

pytestmark = pytest.mark.django_db


# --- Addresses ----------------------------------------------------------------------

def test_article_addresses_are_those_of_the_article_route(loaded):
    from kb.models import Article

    for article in Article.objects.all():
        assert article.get_absolute_url() == reverse(
            "article", kwargs={"folder": article.kind, "slug": article.slug})


# --- Backlinks ----------------------------------------------------------------------

def test_an_article_shows_its_first_backlinks_and_links_to_all_of_them(loaded, client,
                                                                       monkeypatch):
    monkeypatch.setattr(relations, "BACKLINKS_SHOWN", 1)
    response = client.get("/biomarkers/cd38/")
    assert [b.source.slug for b in response.context["backlinks"]] == ["adcc"]
    page = response.content.decode()
    assert ('<a href="/biomarkers/cd38/links/">And 1 more: all 2 pages that link here</a>'
            in page)

    every = client.get("/biomarkers/cd38/links/")
    assert every.status_code == 200
    assert [b.source.slug for b in every.context["backlinks"]] == ["adcc", "natural-killer-cell"]
    listed = every.content.decode()
    assert '<a href="/mechanisms/adcc/#how-it-works">How it works</a>' in listed
    assert '<a href="/biomarkers/cd38/">CD38</a>' in listed     # breadcrumb back to the page
    assert "2 pages, by title" in listed


def test_an_article_with_few_backlinks_shows_them_all_without_a_more_link(loaded, client):
    page = client.get("/biomarkers/cd38/").content.decode()
    assert "/biomarkers/cd38/links/" not in page
    assert '<a href="/glossary/natural-killer-cell/">Natural killer cell</a>' in page


def test_the_backlinks_list_follows_the_article_address(loaded, client):
    wrong_folder = client.get("/therapies/cd38/links/")
    assert wrong_folder.status_code == 301 and wrong_folder["Location"] == "/biomarkers/cd38/links/"
    assert client.get("/biomarkers/no-such-page/links/").status_code == 404


def test_backlinks_are_counted_by_page_not_by_link(loaded):
    from kb.models import Article

    cd38 = Article.objects.get(slug="cd38")
    shown, total = relations.backlinks(cd38, limit=1)
    assert [b.source.slug for b in shown] == ["adcc"] and total == 2
    shown, total = relations.backlinks(cd38)
    assert len(shown) == total == 2


# --- Index pages --------------------------------------------------------------------

def test_paginate_keeps_order_and_continues_groups_across_pages():
    groups = [Group("A", [1, 2, 3], slug="a"),
              Group("B", [4, 5], slug="b", subgroups=[Group("x", [4], slug="x"),
                                                      Group("y", [5], slug="y")])]
    first, second = listings.paginate(groups, 1, size=2), listings.paginate(groups, 2, size=2)
    assert first.count == 3 and first.starts == {"a": 1, "b": 2}
    assert [(g.title, g.items, g.continued) for g in first.groups] == [("A", [1, 2], False)]
    assert [(g.title, g.items, g.continued) for g in second.groups] == [
        ("A", [3], True), ("B", [4], False)]
    assert [(s.title, s.items) for s in second.groups[1].subgroups] == [("x", [4])]
    third = listings.paginate(groups, 3, size=2)
    assert [(s.title, s.items) for s in third.groups[0].subgroups] == [("y", [5])]
    assert listings.paginate(groups, 4, size=2) is None
    assert listings.paginate(groups, 0, size=2) is None


def test_an_index_longer_than_a_page_is_split_and_its_groups_stay_reachable(loaded, client,
                                                                            monkeypatch):
    monkeypatch.setattr(listings, "INDEX_PAGE_SIZE", 1)
    first = client.get("/therapy-classes/")
    page = first.content.decode()
    assert [g.slug for g in first.context["groups"]] == ["cd38-directed"]
    assert '<h2 id="group-cd38-directed">' in page
    # The group drawn on page 2 keeps its id on page 1: old /therapy-classes/#group-partner
    # links land on the jump link that leads to it.
    assert ('<li id="group-partner"><a href="/therapy-classes/page/2/#group-partner">'
            in page)
    assert '<a href="/therapy-classes/page/2/" rel="next">2</a>' in page

    second = client.get("/therapy-classes/page/2/")
    assert [g.slug for g in second.context["groups"]] == ["partner"]
    assert '<h2 id="group-partner">' in second.content.decode()
    assert '<a href="/therapy-classes/#group-cd38-directed">' in second.content.decode()

    first_again = client.get("/therapy-classes/page/1/")
    assert first_again.status_code == 301 and first_again["Location"] == "/therapy-classes/"
    assert client.get("/therapy-classes/page/3/").status_code == 404


def test_an_index_that_fits_on_one_page_has_no_page_links(loaded, client):
    page = client.get("/trials/").content.decode()
    assert 'class="pagination"' not in page
    assert "Phase 2 · 106 people · Tested: Daratumumab" in page


# --- Home page map ------------------------------------------------------------------

def test_the_map_shows_the_most_connected_pages_of_each_column_and_says_when_cut(loaded):
    # Daratumumab works through ADCC and CDC: "How it works" is longer than one.
    stages = listings.knowledge_map(limit=1)
    assert [[n.article.slug for n in s.nodes] for s in stages] == [
        ["cd38"], ["adcc"], ["daratumumab"], ["d-rd"], ["sirius"]]
    assert [s.more for s in stages] == [False, True, False, False, False]
    # Edges join only pages shown.
    assert stages[2].nodes[0].links == {"map-cd38", "map-adcc", "map-d-rd", "map-sirius"}


def test_the_home_page_links_a_cut_column_to_its_index(loaded, client, monkeypatch):
    monkeypatch.setattr(listings, "MAP_STAGE_LIMIT", 1)
    page = client.get("/").content.decode()
    assert ('<a href="/mechanisms/">All mechanisms</a> <span class="map-more-why">'
            '(the 1 most connected are shown)</span>') in page


# --- Rendered-page memory -----------------------------------------------------------

def test_page_memory_is_bounded_in_bytes_and_drops_the_least_recently_used():
    memory = PageMemory(limit=10)
    memory.set("a", "g", b"1234", "text/html")
    memory.set("b", "g", b"1234", "text/html")
    assert memory.get("a", "g") == (b"1234", "text/html")     # a is now the most recent
    memory.set("c", "g", b"1234", "text/html")
    assert memory.get("b", "g") is None and memory.size == 8
    assert memory.get("a", "g") and memory.get("c", "g")
    memory.set("big", "g", b"x" * 11, "text/html")              # larger than the bound: not kept
    assert memory.get("big", "g") is None and memory.size == 8


def test_page_memory_entries_of_another_generation_are_not_served():
    memory = PageMemory(limit=100)
    memory.set("a", "old", b"page", "text/html")
    assert memory.get("a", "new") is None and memory.size == 0


def test_emptying_django_s_cache_empties_every_worker_s_page_memory(loaded, client,
                                                                    django_assert_max_num_queries):
    from django.core.cache import cache

    from kb.models import Article

    client.get("/biomarkers/cd38/")
    with django_assert_max_num_queries(1):        # the validators, then the page from memory
        client.get("/biomarkers/cd38/")
    # Changed behind the cache's back, as only a rolled-back test can (same ETag):
    Article.objects.filter(slug="cd38").update(title="CD38 renamed")
    assert "CD38 renamed" not in client.get("/biomarkers/cd38/").content.decode()
    cache.clear()
    assert "CD38 renamed" in client.get("/biomarkers/cd38/").content.decode()


def test_with_a_shared_cache_a_worker_reads_the_clear_token_at_most_once_a_second(
        settings, tmp_path, monkeypatch):
    """Reading the token from a cache folder is a file read per request; a clear
    may take a second to reach a worker, which never serves a stale page (keys
    are ETags)."""
    from django.core.cache import cache

    from kb import conditional

    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path / "pages")}}
    now = [1000.0]
    monkeypatch.setattr(conditional.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(conditional, "_checked", {"token": None, "at": float("-inf")})
    before = conditional._generation()
    cache.clear()
    now[0] += 0.5
    assert conditional._generation() == before
    now[0] += 1.0
    assert conditional._generation() != before


# --- Queries compiled once ----------------------------------------------------------

def test_compiled_panel_and_backlink_queries_give_what_the_orm_gives_for_every_page(loaded):
    from kb.models import MODEL_FOR_KIND, Article

    for article in Article.objects.all():
        page = MODEL_FOR_KIND[article.kind].objects.get(pk=article.pk)
        typed, see_also = {}, []
        for item in relations._panel_rows(page.kind)(page.pk):
            (typed.setdefault(item.kind, []) if item.panel == "typed" else see_also).append(item.pk)
        expected = [(title, typed[kind]) for _, kind, title in relations.PANELS[page.kind]
                    if kind in typed] + ([("See also", see_also)] if see_also else [])
        assert [(p.title, [a.pk for a in p.articles]) for p in relations.panels(page)] == expected
        sources = list(dict.fromkeys(row[0] for row in relations._backlink_rows(page.pk)))
        shown, total = relations.backlinks(page)
        assert [b.source.pk for b in shown] == sources and total == len(sources)


def test_pages_are_not_copied_into_a_per_process_django_cache(loaded, client):
    """LocMemCache bounds entries, not bytes: pages there made memory grow with
    the pages served. Only a shared cache (KB_PAGE_CACHE_DIR) gets a copy."""
    from django.core.cache import cache

    response = client.get("/biomarkers/cd38/")
    assert cache.get(f"kb-page:{response['ETag']}:http://testserver/biomarkers/cd38/") is None
    assert client.get("/biomarkers/cd38/").content == response.content
