"""The static export: every page as a file, and a crawl of the files finds no
broken internal link or anchor (issue #7)."""
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.management import CommandError, call_command

from kb.export import ExportError, export_site, relative_url
from kb.export_check import check_export
from kb.models import Alias, Article
from tests.corpus import FILES

pytestmark = pytest.mark.django_db
BASE = "https://guide.example.org/kb"


@pytest.fixture
def exported(loaded, tmp_path):
    out = tmp_path / "site"
    result = export_site(out, BASE)
    return out, result


def test_every_page_is_written_as_a_file(exported):
    out, result = exported
    assert (out / "index.html").is_file() and (out / "404.html").is_file()
    for folder in ("biomarkers", "mechanisms", "therapy-classes", "therapies", "combinations",
                   "trials", "topics", "glossary"):
        assert (out / folder / "index.html").is_file()
    for article in Article.objects.all():
        assert (out / article.get_absolute_url().lstrip("/") / "index.html").is_file()
    assert (out / "sitemap.xml").is_file() and (out / "robots.txt").is_file()
    assert (out / "feed.xml").is_file() and (out / "search" / "index.html").is_file()
    # Home, indexes, articles, search, and whatever else the pages link to.
    assert len(result.pages) >= 1 + 8 + len(FILES) + 1


def test_a_crawl_of_the_export_finds_no_broken_link_or_anchor(exported):
    out, _ = exported
    assert check_export(out, BASE) == []


def test_the_crawler_notices_a_broken_link_and_a_broken_anchor(exported):
    out, _ = exported
    page = out / "therapies" / "daratumumab" / "index.html"
    text = page.read_text()
    page.write_text(text.replace('href="../../mechanisms/adcc/"', 'href="../../mechanisms/adc/"', 1)
                    .replace('href="#side-effects"', 'href="#side-effect"', 1))
    problems = check_export(out, BASE)
    assert any("mechanisms/adc/: no such file" in p for p in problems)
    assert any("no id 'side-effect'" in p for p in problems)


def test_links_are_relative_and_static_files_hashed(exported):
    out, _ = exported
    page = (out / "therapies" / "daratumumab" / "index.html").read_text()
    assert 'href="/' not in page and 'src="/' not in page and 'action="/' not in page
    assert 'href="../../mechanisms/adcc/"' in page
    stylesheet = next((out / "static" / "kb").glob("site.*.css"))
    assert f'href="../../static/kb/{stylesheet.name}"' in page
    # Absolute addresses use the base URL.
    assert f'<link rel="canonical" href="{BASE}/therapies/daratumumab/">' in page


def test_sitemap_and_feed_use_the_base_url_and_name_existing_files(exported):
    out, _ = exported
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [u.find(f"{ns}loc").text for u in ET.parse(out / "sitemap.xml").getroot()]
    assert len(locs) == 1 + 8 + len(FILES)
    for loc in locs:
        assert loc.startswith(BASE + "/")
        assert (out / loc[len(BASE) + 1:] / "index.html").is_file(), loc
    atom = "{http://www.w3.org/2005/Atom}"
    for entry in ET.parse(out / "feed.xml").getroot().findall(f"{atom}entry"):
        link = entry.find(f"{atom}link").get("href")
        assert (out / link[len(BASE) + 1:] / "index.html").is_file(), link
    assert f"Sitemap: {BASE}/sitemap.xml" in (out / "robots.txt").read_text()


def test_aliases_become_redirect_pages(exported):
    out, result = exported
    assert "/therapies/darzalex/" in result.redirects
    page = (out / "therapies" / "darzalex" / "index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=../daratumumab/">' in page
    assert f'<link rel="canonical" href="{BASE}/therapies/daratumumab/">' in page
    # A script keeps the #section of the reader's link, which the refresh drops.
    script = re.search(r'<script defer src="([^"]+)"></script>', page).group(1)
    assert script.startswith("../../static/kb/redirect.") and script.endswith(".js")
    assert (out / "therapies" / "darzalex" / script).resolve().is_file()
    assert len(result.redirects) == Alias.objects.count()


def test_without_a_live_search_the_search_page_lists_every_page(exported):
    out, _ = exported
    page = (out / "search" / "index.html").read_text()
    for article in Article.objects.all():
        assert f'href="..{article.get_absolute_url()}"' in page
    assert "Darzalex" in page  # other names help find-in-page
    home = (out / "index.html").read_text()
    assert 'action="search/"' in home


def test_with_a_live_search_the_search_box_goes_there(loaded, tmp_path, client):
    client.get("/")  # drawn and cached by the server: drawn again for the export
    out = tmp_path / "site"
    export_site(out, BASE, search_url="https://live.example.org/search/")
    home = (out / "index.html").read_text()
    assert 'action="https://live.example.org/search/"' in home
    assert "url=https://live.example.org/search/" in (out / "search" / "index.html").read_text()
    assert check_export(out, BASE) == []


def test_404_page_uses_absolute_links(exported):
    out, _ = exported
    page = (out / "404.html").read_text()
    assert "Page not found" in page and f'href="{BASE}/"' in page
    assert 'href="/' not in page and 'rel="canonical"' not in page


def test_refuses_a_folder_that_is_not_an_export(loaded, tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(ExportError, match="not empty"):
        export_site(tmp_path, BASE)
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_replaces_an_earlier_export(exported):
    out, _ = exported
    (out / "therapies" / "stale-page").mkdir()
    export_site(out, BASE)
    assert not (out / "therapies" / "stale-page").exists()


def test_the_command_checks_and_reports(loaded, tmp_path, capsys):
    call_command("export_site", str(tmp_path / "site"), "--base-url", "https://guide.example.org",
                 "--check")
    out = capsys.readouterr().out
    assert " pages, " in out and "every internal link and anchor lands" in out
    with pytest.raises(CommandError, match="base-url"):
        call_command("export_site", str(tmp_path / "other"))
    with pytest.raises(CommandError, match="absolute"):
        call_command("export_site", str(tmp_path / "other"), "--base-url", "guide.example.org")


@pytest.mark.parametrize("url, page, expected", [
    ("/mechanisms/adcc/#x", "/therapies/dara/", "../../mechanisms/adcc/#x"),
    ("/", "/therapies/dara/", "../../"),
    ("/", "/", "./"),
    ("/therapies/dara/#a", "/therapies/dara/", "./#a"),
    ("/search/?q=x", "/", "search/?q=x"),
    ("/static/kb/site.css", "/404.html", "static/kb/site.css"),
])
def test_relative_urls(url, page, expected):
    assert relative_url(url, page) == expected
