"""Sanitizing Markdown's tree gives what sanitizing its HTML string gives (issue 8).

A page Markdown built on its own (no raw HTML stashed) is sanitized by walking
its element tree through bleach's filter (``sanitize.clean_tree``) instead of
parsing Markdown's output back with html5lib (``sanitize.clean``). The string
path stays the specification: ``Renderer(reparse=True)`` takes it always.
"""
import pytest
from hypothesis import given, settings, strategies as st

from kb.ingest import graph, sanitize
from kb.ingest.render import Renderer
from tests.corpus import every_page
from tests.html_checks import problems
from tests.test_rendering import resolve
from tests.xss_payloads import PAYLOADS

from bleach._vendor import html5lib


def renderers(found):
    index, _ = graph.build_index(found)
    return (Renderer(index.resolve, index.suggest, index.glossary),
            Renderer(index.resolve, index.suggest, index.glossary, reparse=True))


def both(body, references=("r1",)):
    from tests.test_rendering import Lines, Record
    record = Record("topics/t.md", "topics", "t",
                    {"title": "T", "references": [{"id": r} for r in references]},
                    Lines(1), body, 5, "hash")
    walked = Renderer(resolve, lambda name: None).render(record)
    reparsed = Renderer(resolve, lambda name: None, reparse=True).render(record)
    return walked.html, reparsed.html


def as_browser_sees(html):
    """The DOM a browser builds, written out again: nesting it would repair, repaired."""
    fragment = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    walker = html5lib.getTreeWalker("etree")
    return html5lib.serializer.HTMLSerializer(alphabetical_attributes=True).render(
        walker(fragment))


@pytest.mark.parametrize("folder", ["content", "generated"])
def test_every_page_is_the_same_byte_for_byte(folder, tmp_path, settings):
    found = every_page(folder, tmp_path, settings.BASE_DIR)
    walking, reparsing = renderers(found)
    walked = 0
    for record in found:
        fast = walking.render(record)
        walked += not walking.md.htmlStash.html_counter
        assert fast.html == reparsing.render(record).html, record.path
    # The corpus uses no raw HTML: every page took the tree path.
    assert walked == len(found)


@pytest.mark.parametrize("body", [
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](javascript:alert(1))",
    "![x](https://tracker.example/pixel.png)",
    "![x](//tracker.example/pixel.png)",
    '[x](/ok "title" onclick="alert(1)")',
    "Text {: onclick=\"alert(1)\" }",
    "## Heading {: onmouseover=\"alert(1)\" style=\"color:red\" }",
    "## Heading {#location}",
    "## Heading {: id=\"x\\\" onclick=\\\"alert(1)\" }",
    "Para\n{: class=\"kb-link evil\" title='a\"b<c>&d' }",
    "[a [[daratumumab]] b](https://example.org)",
    "[[daratumumab|x\" onclick=\"alert(1)]]",
    "Claim [@r1] and [@nope].",
    "Note[^1]\n\n[^1]: A footnote with `code <b>` & more.",
    "<mail@example.org> and <https://example.org/?a=1&b=2>",
    "AT&T, 3 < 4 > 2, \"quotes\" and 'single'",
    "```\n<script>alert(1)</script> &amp; &lt;\n```",
    "    indented <b>code</b> &copy;",
    "| a | b |\n|---|:-:|\n| <x> | `y` |",
    "!!! note \"Title <b>\"\n    Body & text.",
    "Term\n:   Definition with [[adcc]]",
    "1. one\n2. two\n\n* a\n* b",
    "\x00 \x01 \x7f \u200b \ufeff text",
])
def test_hostile_markdown_gives_the_same_document(body):
    walked, reparsed = both(body)
    assert as_browser_sees(walked) == as_browser_sees(reparsed)
    assert problems(walked) == []


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_the_xss_corpus_gives_the_same_html(name):
    """Raw HTML makes Markdown stash; those pages are sanitized from the string."""
    walked, reparsed = both(PAYLOADS[name])
    assert walked == reparsed


MARKDOWN_PIECES = st.sampled_from([
    "word", " ", "\n", "\n\n", "## ", "* ", "1. ", "> ", "`", "*", "_", "[", "]", "(", ")", "{", "}",
    ": ", "#", "!", "&", "&amp;", "<", ">", '"', "'", "|", "---", "[[daratumumab]]", "[[adcc#x|y]]",
    "[@r1]", "[^1]", "[^1]: note", "{: #pinned }", "{: .kb-link }", "javascript:alert(1)",
    "https://example.org", "<b>", "\t", "    ", "!!! note", "~~~", "\\", "\u00a0",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(MARKDOWN_PIECES, max_size=40).map("".join))
def test_any_markdown_gives_the_same_document(body):
    walked, reparsed = both(body)
    assert as_browser_sees(walked) == as_browser_sees(reparsed)


def test_comments_in_the_tree_are_dropped_as_the_string_path_drops_them():
    import xml.etree.ElementTree as etree
    root = etree.Element("div")
    p = etree.SubElement(root, "p")
    p.text = "a"
    comment = etree.Comment(" hidden ")
    comment.tail = "b"
    p.append(comment)
    assert sanitize.clean_tree(root, []) == "<p>ab</p>" == sanitize.clean("<p>a<!-- hidden -->b</p>")



RAW_TEXT = st.lists(st.sampled_from(list("ab =&<>\"';#x1\n\t") + ["&amp;", "&lt;", "&copy;", "&#39;",
                                                               "&bogus;", "\u00a0"]),
                    max_size=8).map("".join)
NAMES = ["p", "a", "details", "img", "span", "td", "br"]
ATTRIBUTE_NAMES = st.sampled_from(["href", "title", "class", "open", "ismap", "irrelevant", "id"])


@st.composite
def tree_tokens(draw):
    """Tokens as clean_tree makes them from a tree: text and attribute values escaped."""
    from markdown.serializers import _escape_attrib_html
    tokens = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["text", "StartTag", "EmptyTag", "EndTag"]))
        name = draw(st.sampled_from(NAMES))
        if kind == "text":
            sanitize._add_text(tokens, draw(RAW_TEXT), [])
        elif kind == "EndTag":
            tokens.append({"type": kind, "name": name, "namespace": None})
        else:
            keys = draw(st.lists(ATTRIBUTE_NAMES, max_size=3, unique=True))
            tokens.append({"type": kind, "name": name, "namespace": None,
                           "data": {(None, key): _escape_attrib_html(draw(RAW_TEXT))
                                    for key in sorted(keys)}})
    return tokens


@settings(max_examples=300, deadline=None)
@given(tree_tokens())
def test_the_tree_paths_serializer_writes_what_bleachs_writes(tokens):
    # clean_tree runs the tokens through bleach's filter without its merging of
    # text (sanitize._sanitized) and writes them itself (sanitize._serialize),
    # by the rules of bleach's serializer: quoting, escaping, "=" after an end tag.
    import copy
    from bleach.sanitizer import BleachSanitizerFilter

    def sanitizer(source):
        return BleachSanitizerFilter(source=source, allowed_tags=NAMES,
                                     attributes=lambda tag, name, value: True,
                                     allowed_protocols=sanitize.PROTOCOLS,
                                     strip_disallowed_tags=True, strip_html_comments=True)

    serializer = sanitize._cleaner().serializer
    expected = serializer.render(sanitizer(copy.deepcopy(tokens)))
    assert sanitize._serialize(sanitize._sanitized(tokens, sanitizer(tokens)),
                               serializer) == expected


@pytest.mark.parametrize("value", ['say "hi"', ">"])
def test_an_unescaped_attribute_value_is_left_to_the_string_path(value):
    # Markdown escapes quotes and ">" in attribute values; for a raw one html5lib
    # would choose other quotes, or bleach's wrapper would lose track of the tag.
    tokens = [{"type": "StartTag", "name": "a", "data": {(None, "title"): value}}]
    with pytest.raises(sanitize.UnusualTree):
        sanitize._serialize(iter(tokens), sanitize._cleaner().serializer)
