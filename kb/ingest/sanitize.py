"""The one HTML policy for everything rendered from Markdown.

Rendered HTML is stored and later marked safe in templates, so this allowlist
is the security boundary (issue #2, shared/notes/browser-testing.md).
"""
from functools import lru_cache

import bleach

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


def _local_src(value):
    """Images only from this site: readers' privacy (no tracking pixels)."""
    return value.startswith("/") and not value.startswith("//") and "\\" not in value


def _allow(tag, name, value):
    if name == "class":
        return _classes_ok(value)
    if name == "id":
        return tag in {"h1", "h2", "h3", "h4", "h5", "h6", "li", "sup", "dt", "span", "div"}
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
