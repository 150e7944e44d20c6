"""The one HTML policy for everything rendered from Markdown.

Rendered HTML is stored and later marked safe in templates, so this allowlist
is the security boundary (issue #2, shared/notes/browser-testing.md).
"""
import html
import re
from functools import lru_cache

import bleach
from bleach._vendor.html5lib.constants import booleanAttributes, namespaces, voidElements
from bleach.sanitizer import BleachSanitizerFilter
from markdown.serializers import _escape_attrib_html, _escape_cdata

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


def clean_tree(root, postprocessors):
    """``clean(serialize_tree(md, root))`` without parsing HTML a second time.

    For a Markdown tree in which Python-Markdown stashed no raw HTML, so every
    element is one Markdown or our extensions built. bleach's ``clean`` parses
    the HTML string with html5lib into tokens, passes them through its
    sanitizer filter (the allowlist above) and serializes them; parsing is
    60% of that. Here the tokens come straight from the tree, in the form
    html5lib's tokenizer would give for Markdown's own output (attributes in
    lexical order, text and attribute values escaped as Markdown escapes them,
    character references left for bleach), go through the same filter's
    ``sanitize_token`` and are written by its serializer's rules
    (``_serialize``). ``tests/test_sanitize_tree.py`` holds the two paths equal.

    ``postprocessors`` are Markdown's: its placeholders (footnote back-links,
    non-breaking spaces, encoded e-mail addresses) are replaced in each piece
    of text, as Markdown replaces them in its output.
    """
    cleaner = _cleaner()
    tokens = _tokens(root, postprocessors)
    sanitizer = BleachSanitizerFilter(
        source=tokens, allowed_tags=cleaner.tags,
        attributes=cleaner.attributes, strip_disallowed_tags=cleaner.strip,
        strip_html_comments=cleaner.strip_comments, css_sanitizer=cleaner.css_sanitizer,
        allowed_protocols=cleaner.protocols,
    )
    return _serialize(_sanitized(tokens, sanitizer), cleaner.serializer).strip()


def _sanitized(tokens, sanitizer):
    """``list(sanitizer)``, bleach's filter over ``tokens``, less its merging of text.

    Iterating the filter runs each token through its ``sanitize_token`` (the
    allowlist) in one generator and joins adjacent text tokens in another:
    two generator steps a token (issue 8). The join only puts together text
    the serializer writes one piece after the other anyway, so here each
    token goes through ``sanitize_token`` in a plain loop.
    """
    out = []
    for token in tokens:
        result = sanitizer.sanitize_token(token)
        if not result:
            continue
        if isinstance(result, list):
            out.extend(result)
        else:
            out.append(result)
    return out


def _serialize(tokens, serializer):
    """``serializer.render(tokens)`` for the tokens bleach's filter passes on from ``_tokens``.

    html5lib's serializer, as ``bleach.Cleaner`` sets it up, yields a string
    per piece of a token (a tag is "<", its name, then five pieces per
    attribute), each through two generators and an encode call: a third of
    ``clean_tree``'s time (issue 8). Here one string per token, by the same
    rules: text escaped as ``xml.sax.saxutils.escape`` does; attribute
    values in double quotes, "&" and "<" escaped, then bleach's
    ``escape_base_amp`` (character references kept, bare "&" escaped);
    boolean attributes minimized; no trailing solidus. The tokens are those
    of a Markdown tree: text (``_add_text`` gives no separate spaces), tags,
    the character references bleach split out of text, and attribute values
    Markdown escaped (no raw quote, "<" or ">",
    which would change html5lib's quoting or its wrapper's idea of where a
    tag ends); anything else is left to the string path. Bleach's wrapper
    also runs ``escape_base_amp`` on a token that follows a text token "="
    after an end tag: such a token (a tag or a character reference) has no
    bare "&", so it is left as it is. tests/test_sanitize_tree.py
    compares the two.
    """
    out = []
    append = out.append
    for token in tokens:
        kind = token["type"]
        if kind == "Characters":
            data = token["data"]
            if "&" in data:
                data = data.replace("&", "&amp;")
            if "<" in data:
                data = data.replace("<", "&lt;")
            if ">" in data:
                data = data.replace(">", "&gt;")
            append(data)
        elif kind == "StartTag" or kind == "EmptyTag":
            name = token["name"]
            attributes = token["data"]
            if not attributes:
                append(f"<{name}>")
                continue
            pieces = ["<", name]
            for (_, key), value in attributes.items():
                if key in booleanAttributes.get(name, ()) or key in booleanAttributes[""]:
                    pieces.append(" " + key)
                    continue
                if '"' in value or ">" in value:  # Markdown escapes both
                    raise UnusualTree(f"unescaped attribute value {key}")
                if "&" in value or "<" in value:  # else all of this gives it back
                    value = "".join(serializer.escape_base_amp(
                        value.replace("&", "&amp;").replace("<", "&lt;")))
                pieces.append(f' {key}="{value}"')
            pieces.append(">")
            append("".join(pieces))
        elif kind == "EndTag":
            append(f"</{token['name']}>")
        elif kind == "Entity":
            append(f"&{token['name']};")
        else:
            raise UnusualTree(kind)
    return "".join(out)


_HTML = namespaces["html"]
_PLACEHOLDER = "\x02"  # Markdown's STX: it strips the character from the source


def _tokens(root, postprocessors):
    """The tokens of ``root``'s content, in a list.

    A list built by a plain walk rather than nested generators: each token
    passed up through one generator per level of the tree (issue 8).
    """
    tokens = []
    if root.text:
        _add_text(tokens, root.text, postprocessors)
    _add_children(tokens, root, postprocessors)
    return tokens


class UnusualTree(Exception):
    """The tree holds what ``clean_tree`` does not read as html5lib would: use ``clean``."""


def _add_children(tokens, element, postprocessors):
    append = tokens.append
    for child in element:
        tag = child.tag
        if isinstance(tag, str):  # not a comment: those are dropped, as clean() drops them
            attributes = _attributes(child, postprocessors) if child.attrib else {}
            if tag in voidElements:
                append({"type": "EmptyTag", "name": tag, "namespace": _HTML, "data": attributes})
            else:
                append({"type": "StartTag", "name": tag, "namespace": _HTML, "data": attributes})
                if child.text:
                    _add_text(tokens, child.text, postprocessors)
                if len(child):
                    _add_children(tokens, child, postprocessors)
                append({"type": "EndTag", "name": tag, "namespace": _HTML})
        if child.tail:
            _add_text(tokens, child.tail, postprocessors)


def _attributes(element, postprocessors):
    items = sorted(element.attrib.items())
    # attr_list's bare words ({#id word}) are attributes without a value, and
    # its names may have capitals: html5lib reads the first as "" and
    # lower-cases the second.
    if any(value is None or not name.islower() for name, value in items):
        raise UnusualTree(element.tag)
    return {(None, name): _escaped(_escape_attrib_html(value), postprocessors)
                          .replace("\x00", "\ufffd")
            for name, value in items}


def _escaped(data, postprocessors):
    if _PLACEHOLDER in data:
        for postprocessor in postprocessors:
            data = postprocessor.run(data)
    return data


def _add_text(tokens, data, postprocessors):
    """Text as one Characters token.

    html5lib's tree walker would put leading and trailing space in tokens of
    their own; bleach's filter passes those on untouched and treats the rest
    of the text as here, and its serializer writes spaces as they are in
    either, so one token gives the same HTML with fewer tokens (issue 8).
    NUL characters go, as html5lib's parser drops them from text (and turns
    them into U+FFFD in attribute values, above).
    """
    data = _escaped(_escape_cdata(data), postprocessors)
    if "\x00" in data:
        data = data.replace("\x00", "")
    if data:
        tokens.append({"type": "Characters", "data": data})
