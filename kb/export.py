"""The whole site as plain files, for any static host or CDN (issue #7).

``export_site(out, base_url)`` renders every page through the real views (the
Django test client: same middleware, templates and queries as a server), so
the export cannot drift from the live site:

1. ``collectstatic`` into ``OUT/static`` with content-hashed names, so the
   files can be cached for ever by a CDN;
2. a crawl from the home page, the section indexes and every article,
   following every internal link of every page: each page is written as
   ``path/index.html``; sitemap.xml, robots.txt and feed.xml as themselves;
3. a small redirect page for every alias and old slug, so addresses that
   work on the live site work in the export: a meta refresh, and a script
   that keeps the link's #section, which the refresh drops;
4. ``404.html`` for hosts that serve one for missing files.

Links between pages are rewritten to relative ones (``../../therapies/x/``)
so the export works at the root of a domain or under any folder. Absolute
addresses (canonical links, sitemap, feed) use ``base_url``.

Search needs a server. The export's search box goes to ``search_url`` (a live
instance's ``/search/``) when one is given; otherwise ``search/index.html`` is
an A-Z list of every page and its other names (find-in-page works on it).
Every page is read from one snapshot of the database (kb/snapshot.py), so an
export taken during a load is all old or all new.
"""
import html
import logging
import posixpath
import re
import shutil
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import override_settings
from django.urls import reverse

from kb import kinds
from kb.models import Alias, Article
from kb.snapshot import read_snapshot

MARKER = ".kb-export"
# Root-relative URLs in attributes we write (double-quoted everywhere: Django
# templates and bleach both quote that way).
URL_ATTR_RE = re.compile(r'\b(href|src|action)="(/(?!/)[^"]*)"')
NOT_FOUND_PROBE = "/kb-export-missing-page/"


class ExportError(Exception):
    pass


@dataclass
class ExportResult:
    out: Path
    pages: list = field(default_factory=list)       # site paths written as HTML pages
    files: list = field(default_factory=list)       # other site paths (xml, txt)
    redirects: list = field(default_factory=list)   # alias paths
    static_files: int = 0


def export_site(out, base_url, search_url=""):
    out = Path(out).resolve()
    base_url = base_url.rstrip("/")
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", base_url):
        raise ExportError(f"--base-url must be an absolute http(s) address, not {base_url!r}")
    _prepare(out)
    result = ExportResult(out)
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        # Hashed names; no .gz copies: a CDN compresses for itself.
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(KB_BASE_URL=base_url, ALLOWED_HOSTS=["testserver"],
                           SECURE_SSL_REDIRECT=False, STATIC_ROOT=str(out / "static"),
                           STORAGES=storages,
                           # No page cache: cached pages name the server's static files.
                           CACHES={"default": {
                               "BACKEND": "django.core.cache.backends.dummy.DummyCache"}},
                           # No development banner or "Edit source" in public files (kb/live.py).
                           KB_EDITOR_TOOLS=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        result.static_files = sum(1 for p in (out / "static").rglob("*") if p.is_file())
        with read_snapshot():
            _crawl(Client(raise_request_exception=True), out, search_url, result)
            _write_redirects(out, result)
            _write_search_page(out, search_url, result)
            _write_not_found(Client(raise_request_exception=True), out, base_url, search_url)
    (out / MARKER).write_text(f"{base_url}\n", encoding="utf-8")
    return result


def _prepare(out):
    """OUT must be new, empty, or an earlier export (which is replaced)."""
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            raise ExportError(f"{out} is not empty and holds no earlier export ({MARKER}): "
                              "give a new or empty folder")
        for child in out.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)


def seed_paths():
    yield reverse("home")
    for kind in kinds.KINDS:
        yield reverse("kind_index", args=[kind.folder])
    for article in Article.objects.only("kind", "slug").order_by("kind", "slug"):
        yield article.get_absolute_url()
    for name in ("sitemap", "robots", "feed"):
        yield reverse(name)


def _crawl(client, out, search_url, result):
    search_path = reverse("search")
    queue = deque(seed_paths())
    seen = set(queue)
    while queue:
        path = queue.popleft()
        response = client.get(path, secure=True)
        if response.status_code in (301, 302):
            continue  # aliases: written from the Alias table with their titles
        if response.status_code != 200:
            raise ExportError(f"{path} answered {response.status_code}")
        body = response.content
        if response["Content-Type"].startswith("text/html"):
            text = body.decode("utf-8")
            for link in _internal_links(text):
                if link not in seen and link != search_path and not link.startswith("/static/"):
                    seen.add(link)
                    queue.append(link)
            body = relativize(text, path, search_url).encode("utf-8")
            result.pages.append(path)
        else:
            result.files.append(path)
        _write(out, path, body)


def _internal_links(text):
    for _, url in URL_ATTR_RE.findall(text):
        path = html.unescape(url).split("#", 1)[0].split("?", 1)[0]
        if path:
            yield path


def _target_file(out, path):
    relative = path.lstrip("/")
    if not relative or relative.endswith("/"):
        relative += "index.html"
    target = (out / relative).resolve()
    if not target.is_relative_to(out):
        raise ExportError(f"refusing to write {path} outside {out}")
    return target


def _write(out, path, body):
    target = _target_file(out, path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)


def relative_url(url, page_path):
    """``/mechanisms/adcc/#x`` seen from ``/therapies/dara/`` -> ``../../mechanisms/adcc/#x``."""
    target, hash_mark, fragment = url.partition("#")
    target, query_mark, query = target.partition("?")
    page_dir = page_path if page_path.endswith("/") else posixpath.dirname(page_path) + "/"
    relative = posixpath.relpath(target or "/", page_dir)
    if target.endswith("/") and not relative.endswith("/"):
        relative += "/"
    return relative + query_mark + query + hash_mark + fragment


def relativize(text, page_path, search_url=""):
    """Root-relative links -> relative; search forms -> ``search_url`` when given."""
    search_path = reverse("search")

    def replace(match):
        attr, url = match.groups()
        if attr == "action" and search_url and url.split("?")[0] == search_path:
            return f'{attr}="{html.escape(search_url)}"'
        return f'{attr}="{relative_url(url, page_path)}"'

    return URL_ATTR_RE.sub(replace, text)


def absolutize(text, base_url, search_url=""):
    """For 404.html, served at any depth: every root-relative link -> absolute."""
    search_path = reverse("search")

    def replace(match):
        attr, url = match.groups()
        if attr == "action" and search_url and url.split("?")[0] == search_path:
            return f'{attr}="{html.escape(search_url)}"'
        return f'{attr}="{base_url}{url}"'

    return URL_ATTR_RE.sub(replace, text)


REDIRECT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{title}</title>
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url={relative}">
<link rel="canonical" href="{canonical}">
<script defer src="{script}"></script>
</head><body><p>This page is now <a data-redirect href="{relative}">{title}</a>.</p></body></html>
"""


def _redirect_page(path, title, href, canonical):
    """The page at ``path`` that sends readers on to ``href``, #section and all."""
    from django.templatetags.static import static

    return REDIRECT_PAGE.format(
        title=html.escape(title), relative=html.escape(href), canonical=html.escape(canonical),
        script=html.escape(relative_url(static("kb/redirect.js"), path))).encode("utf-8")


def _write_redirects(out, result):
    from django.conf import settings

    rows = Alias.objects.select_related("article").only(
        "slug", "article__kind", "article__slug", "article__title").order_by("slug")
    for alias in rows:
        path = reverse("article", kwargs={"folder": alias.article.kind, "slug": alias.slug})
        target = alias.article.get_absolute_url()
        if path == target or _target_file(out, path).exists():
            continue
        _write(out, path, _redirect_page(path, alias.article.title, relative_url(target, path),
                                         settings.KB_BASE_URL + target))
        result.redirects.append(path)


def _write_search_page(out, search_url, result):
    path = reverse("search")
    if search_url:
        # The live instance answers searches; the export's /search/ sends readers there.
        body = _redirect_page(path, "Search", search_url, search_url).decode("utf-8")
    else:
        request = RequestFactory().get(path, secure=True)
        articles = Article.objects.only("kind", "slug", "title", "summary").order_by("title")
        names = {}
        for article_id, name in Alias.objects.filter(automatic=False).values_list(
                "article_id", "name"):
            names.setdefault(article_id, []).append(name)
        groups = [(kind, [(a, names.get(a.id, [])) for a in articles if a.kind == kind.folder])
                  for kind in kinds.KINDS]
        body = relativize(render_to_string("kb/export_search.html", {
            "groups": [(kind, rows) for kind, rows in groups if rows],
            "count": len(articles)}, request=request), path)
    _write(out, path, body.encode("utf-8"))
    result.pages.append(path)


def _write_not_found(client, out, base_url, search_url):
    quiet = logging.getLogger("django.request")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # the probe's "Not Found" warning is expected
    try:
        response = client.get(NOT_FOUND_PROBE, secure=True)
    finally:
        quiet.setLevel(level)
    if response.status_code != 404:
        raise ExportError(f"{NOT_FOUND_PROBE} answered {response.status_code}, not 404")
    text = absolutize(response.content.decode("utf-8"), base_url, search_url)
    (out / "404.html").write_text(text, encoding="utf-8")
