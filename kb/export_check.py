"""Crawl a static export as a visitor would, with no server: every internal
link, anchor, stylesheet, script, image and redirect must land (issue #7).

Used by ``export_site --check`` and by tests/test_export.py. Works on the
files alone: a link is resolved the way a static host resolves it (a folder
serves its ``index.html``), and a ``#fragment`` must be an id (or an ``<a
name>``) in the page it points to. Absolute links to the export's own base
URL (canonical links, 404.html) are checked the same way; other sites are not
visited.
"""
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRS = {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"),
              ("form", "action"), ("iframe", "src"), ("source", "src")}
REFRESH_RE = re.compile(r"^\s*\d+\s*;\s*url=(.+)$", re.I)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.links = []  # (tag, attribute, url)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for name, value in attrs.items():
            if (tag, name) in LINK_ATTRS and value is not None:
                self.links.append((tag, name, value))
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            match = REFRESH_RE.match(attrs.get("content") or "")
            if match:
                self.links.append((tag, "refresh", match.group(1).strip()))


def _site_path(out, file):
    relative = file.relative_to(out).as_posix()
    if relative.endswith("index.html"):
        relative = relative[: -len("index.html")]
    return "/" + relative


def _file_for(out, path):
    """The file a static host serves for site path ``path``, or None."""
    candidate = (out / unquote(path).lstrip("/")).resolve()
    if not candidate.is_relative_to(out):
        return None
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def check_export(out, base_url=""):
    """Return a list of problems (``page: tag attr -> url: what``); empty when all land."""
    out = Path(out).resolve()
    base = urlsplit(base_url.rstrip("/")) if base_url else None
    parsed = {}
    for file in sorted(out.rglob("*.html")):
        page = _Page()
        page.feed(file.read_text(encoding="utf-8"))
        parsed[file] = page
    problems = []
    for file, page in parsed.items():
        here = _site_path(out, file)
        for tag, attr, url in page.links:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                if not base or (parts.scheme, parts.netloc) != (base.scheme, base.netloc) \
                        or not parts.path.startswith(base.path + "/"):
                    continue  # another site (or mailto:): not ours to check
                path = parts.path[len(base.path):]
            elif url.startswith("/"):
                problems.append(f"{here}: {tag} {attr} -> {url}: root-relative link "
                                "(breaks when the export is not at the root of a domain)")
                continue
            elif parts.path:
                path = posixpath.normpath(posixpath.join(posixpath.dirname(here + "x"), parts.path))
                if parts.path.endswith("/") and not path.endswith("/"):
                    path += "/"
            else:
                path = here  # "#fragment" or "?query" on this page
            target = _file_for(out, path)
            if target is None:
                problems.append(f"{here}: {tag} {attr} -> {url}: no such file")
                continue
            if parts.fragment and target in parsed and unquote(parts.fragment) not in parsed[target].ids:
                problems.append(f"{here}: {tag} {attr} -> {url}: no id "
                                f"'{unquote(parts.fragment)}' in {_site_path(out, target)}")
    return problems
