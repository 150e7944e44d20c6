"""The one HTML policy for everything rendered from Markdown.

Rendered HTML is stored and later marked safe in templates, so this allowlist
is the security boundary (issue #2, shared/notes/browser-testing.md).
"""
import html
import re
from functools import lru_cache

import bleach

from kb.ingest.markdown import RESERVED_IDS

TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "a", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "code", "pre", "em", "strong", "b", "i",
    "blockquote", "img", "sup", "sub", "abbr", "div", "span", "del", "ins", "kbd", "small",
    "figure", "figcaption", "details", "summary",
}
PROTOCOLS = {"http", "https", "mailto"}

# Classes our own extensions and Python-Markdown's produce; anything else is dropped.
CLASSES = {
    "admonition", "admonition-title", "note", "tip", "warning", "important", "danger", "caution",
    "attention", "hint", "info", "footnote", "footnote-ref", "footnote-backref",
    "kb-link", "cite", "headerlink", "glossary", "glossary-term", "glossary-def", "table-wrap",
}


def _classes_ok(value):
    return all(name in CLASSES for name in value.split())


# A browser's URL parser drops ASCII tab and newline anywhere in a URL and
# trims leading C0 controls and spaces, so "/<TAB>/host/x.png" is fetched as
# "//host/x.png", another site; "/&#9;/host" is the same once the browser
# decodes it (issue #7, tests/test_security_xss.py).
_URL_IGNORED = str.maketrans("", "", "\t\n\r")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def _local_src(value):
    """Images only from this site: readers' privacy (no tracking pixels)."""
    # bleach hands over the value with character references still encoded.
    value = html.unescape(value).translate(_URL_IGNORED).lstrip(_C0_AND_SPACE)
    return value.startswith("/") and not value.startswith("//") and "\\" not in value


# Ids the Markdown pipeline checks (kb/ingest/markdown.py) can still arrive in
# raw HTML (<div id="location">), which Python-Markdown passes through
# untouched: the same rule here, plus the names an element id really can
# shadow on window (EventTarget and Object.prototype members come after the
# named-element lookup) and the ids the page's own script looks up (issue #7).
_ID_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_:.-]*$")
_SHADOWABLE = frozenset("""
addeventlistener removeeventlistener dispatchevent isprototypeof propertyisenumerable
tolocalestring __definegetter__ __definesetter__ __lookupgetter__ __lookupsetter__
kb-status anchor-moves cite-text
""".split())


def _safe_id(value):
    value = html.unescape(value)
    key = value.lower()
    return bool(_ID_RE.match(value)) and key not in RESERVED_IDS and key not in _SHADOWABLE


def _allow(tag, name, value):
    if name == "class":
        return _classes_ok(value)
    if name == "id":
        return tag in {"h1", "h2", "h3", "h4", "h5", "h6", "li", "sup", "dt", "span", "div"} \
            and _safe_id(value)
    if tag == "a":
        return name in {"href", "title", "rel", "aria-describedby"}
    if tag == "img":
        if name == "src":
            return _local_src(value)
        return name in {"alt", "title", "width", "height"}
    if tag in {"th", "td"}:
        return name in {"align", "colspan", "rowspan", "scope"}
    if tag == "abbr":
        return name == "title"
    if tag == "ol":
        return name == "start"
    if tag == "span":
        return name in {"role", "tabindex", "aria-describedby", "data-term"}
    return False


@lru_cache(maxsize=1)
def _cleaner():
    return bleach.Cleaner(tags=TAGS, attributes=_allow, protocols=PROTOCOLS, strip=True,
                          strip_comments=True)


def clean(html):
    return _cleaner().clean(html)
