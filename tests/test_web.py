"""Conditional GET, /healthz, sitemap, robots, feed, page meta, error pages (issue #7)."""
import xml.etree.ElementTree as ET
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import override_settings
from django.urls import include, path

from kb.ingest.loader import load
from kb.models import Article
from tests import corpus
from tests.corpus import FILES

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
DARA = "/therapies/daratumumab/"


def edit(root, relative, old, new):
    corpus.edit(root, relative, old, new)
    result = load(root)
    assert result.ok and result.applied, [str(e) for e in result.errors]


# Conditional GET -----------------------------------------------------------------

def test_article_pages_send_validators_and_cache_control(loaded, client):
    response = client.get(DARA)
    assert response.status_code == 200
    assert response["ETag"].startswith('"') and len(response["ETag"]) == 34
    assert response["Last-Modified"].endswith(" GMT")
    assert response["Cache-Control"] == "public, max-age=60"


def test_unchanged_article_answers_304_with_few_queries(loaded, client, django_assert_max_num_queries):
    first = client.get(DARA)
    with django_assert_max_num_queries(2):
        again = client.get(DARA, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"] and again["Cache-Control"] == "public, max-age=60"
    assert client.get(DARA, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(DARA, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_the_etag_changes_when_the_page_or_what_it_shows_changes(loaded, client):
    before = client.get(DARA)["ETag"]
    assert client.get(DARA)["ETag"] == before  # stable while nothing changes
    # Its own file.
    edit(loaded, "therapies/daratumumab.md", "Infusion reactions are common",
         "Infusion reactions are frequent")
    after_own = client.get(DARA)
    assert after_own["ETag"] != before
    assert client.get(DARA, HTTP_IF_NONE_MATCH=before).status_code == 200
    # Another file: a new page linking here adds a backlink to this page.
    (loaded / "topics/new-page.md").write_text(
        "---\ntitle: New page\nsummary: New.\nlast_reviewed: 2026-11-01\n---\nSee [[daratumumab]].\n")
    assert load(loaded).ok
    after_other = client.get(DARA)
    assert after_other["ETag"] != after_own["ETag"]
    assert "New page" in after_other.content.decode()


def test_redirects_and_missing_pages_carry_no_validators(loaded, client):
    alias = client.get("/therapies/darzalex/")
    assert alias.status_code == 301 and "ETag" not in alias
    wrong_folder = client.get("/mechanisms/daratumumab/")
    assert wrong_folder.status_code == 301 and "ETag" not in wrong_folder
    missing = client.get("/therapies/nothing-here/")
    assert missing.status_code == 404 and "ETag" not in missing


# /healthz ------------------------------------------------------------------------

def test_healthz_reports_counts_when_content_is_loaded(loaded, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["status"] == "ok" and data["database"] == "ok" and data["content_loaded"] is True
    assert data["articles"] == len(FILES) and data["sections"] > 0 and data["links"] > 0
    assert data["last_load"]


def test_healthz_is_503_before_any_load(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["content_loaded"] is False


def test_healthz_is_503_when_the_database_is_unreachable(client):
    with mock.patch("kb.web.Article.objects.count", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


# robots.txt, sitemap.xml, feed.xml -------------------------------------------------

@override_settings(KB_BASE_URL="https://guide.example.org")
def test_robots_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "User-agent: *", "Disallow: /search/", "Sitemap: https://guide.example.org/sitemap.xml"]


@override_settings(KB_BASE_URL="https://guide.example.org")
def test_sitemap_lists_home_indexes_and_every_article(loaded, client):
    response = client.get("/sitemap.xml")
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    urls = {u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod").text
            for u in ET.fromstring(response.content)}
    assert "https://guide.example.org/" in urls and "https://guide.example.org/trials/" in urls
    for article in Article.objects.all():
        assert urls[f"https://guide.example.org{article.get_absolute_url()}"] >= "2026-11-01"
    assert len(urls) == 1 + 8 + len(FILES)


def test_the_sitemap_uses_the_request_address_without_a_base_url(loaded, client):
    assert b"<loc>http://testserver/therapies/daratumumab/</loc>" in client.get("/sitemap.xml").content


@override_settings(KB_BASE_URL="https://guide.example.org")
def test_the_feed_lists_new_and_re_reviewed_pages_newest_first(loaded, client):
    feed = ET.fromstring(client.get("/feed.xml").content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "https://guide.example.org/feed.xml"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(FILES)
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.startswith("https://guide.example.org/")
        assert entry.find(f"{ATOM}summary").text
    # Re-reviewing a page puts it first, with the review date, under the same id.
    edit(loaded, "mechanisms/cdc.md", "last_reviewed: 2026-11-01", "last_reviewed: 2099-01-02")
    entries = ET.fromstring(client.get("/feed.xml").content).findall(f"{ATOM}entry")
    first = entries[0]
    assert first.find(f"{ATOM}id").text == "https://guide.example.org/mechanisms/cdc/"
    assert first.find(f"{ATOM}updated").text.startswith("2099-01-02")
    assert len(entries) == len(FILES)


def test_every_page_links_the_feed(loaded, client):
    assert 'type="application/atom+xml"' in client.get("/").content.decode()


# Canonical link, OpenGraph, Twitter ------------------------------------------------

@override_settings(KB_BASE_URL="https://guide.example.org")
def test_article_pages_have_canonical_and_social_meta(loaded, client):
    page = client.get(DARA).content.decode()
    assert '<link rel="canonical" href="https://guide.example.org/therapies/daratumumab/">' in page
    assert '<meta property="og:title" content="Daratumumab">' in page
    assert '<meta property="og:type" content="article">' in page
    assert ('<meta property="og:description" content="A medicine that marks myeloma cells for '
            'the immune system.">') in page
    assert '<meta name="twitter:card" content="summary">' in page
    assert '<meta name="twitter:title" content="Daratumumab">' in page


def test_index_pages_describe_their_section(loaded, client):
    page = client.get("/mechanisms/").content.decode()
    assert '<meta property="og:title" content="Mechanisms">' in page
    assert '<meta property="og:type" content="website">' in page
    assert '<link rel="canonical" href="http://testserver/mechanisms/">' in page


def test_meta_values_are_escaped(content_dir, client):
    file = content_dir / "mechanisms/cdc.md"
    file.write_text(file.read_text().replace(
        "summary: Blood proteins punch holes in a marked cell.",
        "summary: 'Quotes \" and <tags> stay text.'"))
    assert load(content_dir).ok
    page = client.get("/mechanisms/cdc/").content.decode()
    assert 'content="Quotes &quot; and &lt;tags&gt; stay text."' in page


# Error pages ---------------------------------------------------------------------

def test_404_is_in_the_site_layout_without_a_canonical_link(loaded, client):
    response = client.get("/therapies/nothing-here/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page and 'class="site-header"' in page
    assert 'rel="canonical"' not in page


def broken_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", broken_view), path("", include("kb.urls"))]
handler500 = "kb.web.server_error"


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_500_is_in_the_site_layout_with_debug_off(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page and 'class="site-header"' in page
    assert 'rel="canonical"' not in page and "boom" not in page and "Traceback" not in page
    assert "Content-Security-Policy" in response


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_500_falls_back_to_plain_html_when_the_layout_fails(client):
    client.raise_request_exception = False
    with mock.patch("kb.web.render", side_effect=RuntimeError("template broken")):
        response = client.get("/boom/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_pages_are_drawn_once_per_load_then_served_from_the_cache(
        loaded, client, django_assert_max_num_queries):
    first = client.get(DARA)
    with django_assert_max_num_queries(2):  # the validators only
        second = client.get(DARA)
    assert second.status_code == 200 and second.content == first.content
    assert second["ETag"] == first["ETag"]
    # A query string (the header's search box) is never served from the cache.
    with_query = client.get(DARA + "?q=anything")
    assert 'value="anything"' in with_query.content.decode()


def test_index_pages_answer_304_too(loaded, client):
    for path in ("/", "/mechanisms/"):
        first = client.get(path)
        assert first["Cache-Control"] == "public, max-age=60"
        assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
