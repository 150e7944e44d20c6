"""What must never be in HTML we send (issue #7): one checker for stored article
HTML and for whole rendered pages, shared by the security tests."""
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from kb.ingest.sanitize import TAGS

# Elements that run script, embed documents, or change how the page loads.
DANGEROUS_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
                  "meta", "link", "style", "form", "input", "button", "textarea", "select",
                  "svg", "math", "video", "audio", "source", "track", "template", "noscript",
                  "xmp", "marquee", "body", "html", "head", "title", "portal", "isindex"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
             "srcset", "lowsrc", "dynsrc", "ping", "codebase", "cite", "longdesc", "usemap"}
SAFE_SCHEMES = {"", "http", "https", "mailto"}
# A browser ignores these in URLs before reading the scheme.
URL_NOISE = re.compile(r"[\x00-\x20]")
# Loading these fetches the URL at once: must be this site's.
SUBRESOURCE = {("img", "src"), ("script", "src"), ("link", "href"), ("iframe", "src"),
               ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"),
               ("object", "data"), ("video", "poster"), ("input", "src")}


# Values come from the parser with character references already decoded, as a
# browser sees them; decoding again would see "&amp;colon;" as ":".
def scheme_of(url):
    cleaned = URL_NOISE.sub("", url)
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*):", cleaned)
    return match.group(1).lower() if match else ""


def is_local(url):
    cleaned = URL_NOISE.sub("", url)
    parts = urlsplit(cleaned)
    return not parts.scheme and not parts.netloc and not cleaned.startswith("//") \
        and "\\" not in cleaned


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []  # (tag, {attr: value})

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def elements(markup):
    collector = _Collector()
    collector.feed(markup)
    collector.close()
    return collector.elements


def problems(markup, stored=True, page_scripts=()):
    """Everything dangerous in ``markup``.

    ``stored=True``: article HTML from the database: only the sanitizer's tags.
    ``stored=False``: a whole page: our own layout may use a few more tags
    (its scripts in ``page_scripts``, its stylesheet, an inline SVG logo, the
    search form), none of them with handlers or foreign URLs.
    """
    found = []
    for tag, attrs in elements(markup):
        if stored and tag not in TAGS:
            found.append(f"element <{tag}> outside the allowlist")
        elif not stored and tag in DANGEROUS_TAGS and not _layout_element(tag, attrs, page_scripts):
            found.append(f"element <{tag} {attrs}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag}> event handler {name}={value!r}")
            if name == "style":
                found.append(f"<{tag}> style attribute {value!r}")
            if name in URL_ATTRS and scheme_of(value) not in SAFE_SCHEMES:
                found.append(f"<{tag}> {name} with a {scheme_of(value)}: URL {value!r}")
            if (tag, name) in SUBRESOURCE and not is_local(value) \
                    and attrs.get("rel") not in ("canonical", "alternate"):
                found.append(f"<{tag}> {name} loads from another site: {value!r}")
            if name == "srcset":
                found.append(f"<{tag}> srcset {value!r}")
            if name in ("id", "name") and stored and value.lower() in SHADOWED:
                found.append(f"<{tag}> {name}={value!r} shadows a browser global")
    return found


# Names an id must never take in stored HTML (see kb/ingest/sanitize.py).
SHADOWED = {"location", "cookie", "addeventlistener", "anchor-moves", "body", "alert", "document",
            "window", "top", "self", "name", "domain", "forms", "images", "__proto__"}


def _layout_element(tag, attrs, page_scripts):
    if tag == "script":
        return attrs.get("src") in page_scripts or attrs.get("type") == "application/json"
    if tag == "link":
        # canonical/alternate name addresses; anything the browser loads must be ours.
        return attrs.get("rel") in ("canonical", "alternate") or is_local(attrs.get("href", ""))
    if tag in ("meta", "title", "html", "head", "body", "noscript"):
        return not (tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh")
    if tag in ("svg",):
        return True  # the logo; handlers and URLs are still checked attribute by attribute
    if tag in ("form", "input", "button", "select"):
        return tag != "form" or is_local(attrs.get("action", ""))
    return False
