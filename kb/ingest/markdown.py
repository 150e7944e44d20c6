"""Python-Markdown set up for our articles, with our extensions.

- ``[[slug]]``, ``[[slug|text]]``, ``[[slug#anchor]]``, ``[[slug#anchor|text]]``:
  cross-links, modelled on ``markdown.extensions.wikilinks`` (an inline
  pattern builds the element; resolving names is passed in).
- ``[@ref-id]``: a numbered citation of one of the file's references.
- Every heading gets an id (toc); ids an editor pins with ``{#id}`` win, may not
  repeat, and may not shadow browser globals (DOM clobbering).
- The first use of each glossary term links to its entry (``kb/ingest/glossary.py``).
- The document is cut into sections (heading + plain text) for anchors and search.

Per-document state lives on the extension and is cleared by ``reset()``, as
``toc`` and ``meta`` do, so one Markdown instance serves a whole load.
"""
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

import markdown
from markdown.extensions import Extension
from markdown.extensions.admonition import AdmonitionExtension
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.def_list import DefListExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension, TocTreeprocessor
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import InlineProcessor as MarkdownInlineProcessor
from markdown.treeprocessors import Treeprocessor, UnescapeTreeprocessor
from markdown.util import AtomicString

# GlossaryEntry is also imported from here (kb/ingest/graph.py builds the entries).
from kb.ingest.glossary import GlossaryEntry, GlossaryProcessor, PhraseFinder  # noqa: F401
from kb.ingest.slugs import slugify

# Names that an element id would shadow on window/document (DOM clobbering).
RESERVED_IDS = frozenset("""
location document window top self parent main frames opener name status history navigator
screen alert confirm prompt open close print fetch origin length cookie domain body head
forms images links scripts anchors plugins embeds all children attributes defaultview
localstorage sessionstorage crypto performance console eval settimeout setinterval
postmessage onload onerror constructor prototype __proto__ tostring valueof
hasownproperty getelementbyid queryselector createelement write writeln
""".split())

# The shown text may wrap onto the next line, as editors' text does.
WIKILINK_RE = r"\[\[([^\]\|\n#]*)(?:#([^\]\|\n]*))?(?:\|([^\]]+))?\]\]"
CITATION_RE = r"\[@([A-Za-z0-9_.\-]+)\]"
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
STASH_RE = re.compile("\x02wzxhzdk:\\d+\x03")
# Markdown's own step that puts backslash-escaped characters (\*, \[) back
# from their placeholders; sections are cut before it runs (``_squash``).
_unescape = UnescapeTreeprocessor().unescape


@dataclass
class Target:
    """What a link needs to know about the page it points to."""
    slug: str
    kind: str
    title: str
    url: str


@dataclass
class LinkUse:
    target: str          # slug
    anchor: str
    raw: str             # as written, for error messages
    source_anchor: str = ""


@dataclass
class SectionData:
    anchor: str
    heading: str
    level: int
    text: str


@dataclass
class DocState:
    links: list = field(default_factory=list)
    unresolved: list = field(default_factory=list)     # (raw, name)
    citations: list = field(default_factory=list)      # reference ids in order of use
    unknown_citations: list = field(default_factory=list)
    id_problems: list = field(default_factory=list)    # (id, message)
    sections: list = field(default_factory=list)


def anchor_slugify(value, separator="-"):
    """Heading text -> anchor. Never a browser global, never empty."""
    anchor = slugify(value) or "section"
    if anchor in RESERVED_IDS or anchor.replace("-", "") in RESERVED_IDS:
        anchor += "-section"
    return anchor


class WikiLinkProcessor(InlineProcessor):
    def __init__(self, pattern, extension):
        super().__init__(pattern)
        self.ext = extension

    def handleMatch(self, m, data):
        name, anchor, text = (m.group(1) or "").strip(), (m.group(2) or "").strip(), m.group(3)
        raw = m.group(0)
        target = self.ext.resolve(name)
        state = self.ext.state
        if target is None:
            state.unresolved.append((raw, name))
            el = etree.Element("span")
            el.text = " ".join((text or name).split())
            return el, m.start(0), m.end(0)
        el = etree.Element("a")
        el.set("href", target.url + (f"#{anchor}" if anchor else ""))
        el.set("class", "kb-link")
        # A page's title is plain text, not Markdown: as an AtomicString the
        # inline processor leaves it alone instead of trying every pattern on
        # it again (text the editor wrote after "|" may hold Markdown).
        el.text = " ".join(text.split()) if text else AtomicString(" ".join(target.title.split()))
        el.set("data-kb-link", str(len(state.links)))
        state.links.append(LinkUse(target.slug, anchor, raw))
        return el, m.start(0), m.end(0)


class CitationProcessor(InlineProcessor):
    def __init__(self, pattern, extension):
        super().__init__(pattern)
        self.ext = extension

    def handleMatch(self, m, data):
        key = m.group(1)
        number = self.ext.reference_numbers.get(key)
        state = self.ext.state
        if number is None:
            state.unknown_citations.append(key)
            return None, None, None
        state.citations.append(key)
        sup = etree.Element("sup")
        sup.set("class", "cite")
        a = etree.SubElement(sup, "a")
        a.set("href", f"#ref-{key}")
        # Not Markdown: "[3]" must not become a link when the page defines a reference "[3]: ...".
        a.text = AtomicString(f"[{number}]")
        return sup, m.start(0), m.end(0)


class PinnedIdProcessor(Treeprocessor):
    """Runs after attr_list, before toc: every id here was written by the editor."""

    def __init__(self, md, extension):
        super().__init__(md)
        self.ext = extension

    def run(self, root):
        seen = set()
        for el in root.iter():
            if el.tag == "h1":
                self.ext.state.id_problems.append(
                    (None, "use '##' for sections: the page title is its only level-1 heading"))
            element_id = el.get("id")
            if element_id is None or re.match(r"^fn(ref)?:", element_id):
                continue  # footnote ids are made by Python-Markdown, not by the editor
            if element_id.lower() in RESERVED_IDS:
                self.ext.state.id_problems.append(
                    (element_id, f"id '{element_id}' would shadow the browser global "
                                 f"'{element_id}'; choose another"))
            elif not re.match(r"^[A-Za-z][A-Za-z0-9_-]*$", element_id):
                self.ext.state.id_problems.append(
                    (element_id, f"id '{element_id}' may only use letters, digits, '-' and '_', "
                                 "starting with a letter"))
            if el.tag in HEADING_TAGS:
                if element_id in seen:
                    self.ext.state.id_problems.append(
                        (element_id, f"duplicate heading id '{element_id}' in this file"))
                seen.add(element_id)


class TocProcessor(TocTreeprocessor):
    """Python-Markdown's toc, without its search for a ``[TOC]`` marker in pages that have none.

    ``replace_marker`` joins the text of every element below each element
    of the page (~0.3 ms a page, issue 8), to replace a paragraph that holds
    only the marker; a page whose text does not contain the marker at all
    has no such paragraph.
    """

    def replace_marker(self, root, elem):
        if self.marker in "".join(root.itertext()):
            super().replace_marker(root, elem)


class PageTocExtension(TocExtension):
    TreeProcessorClass = TocProcessor


NOT_TEXT = {"glossary-def", "headerlink"}


def _text_without_definitions(el, hidden):
    """Plain text of an element, leaving out inline glossary definitions and ¶ links.

    ``hidden`` lists the elements in ``el`` whose text is left out (those with
    a ``NOT_TEXT`` class). They are emptied while ``itertext`` (C) reads the
    rest, then put back as they were: a Python walk over every element cost
    ~0.3 ms a page (issue 8).
    """
    if not hidden:
        return "".join(el.itertext())
    emptied = [(element, element.text, element[:]) for element in hidden]
    try:
        for element, _, children in emptied:
            element.text = None
            if children:
                del element[:]
        return "".join(el.itertext())
    finally:
        # Backwards: an emptied element may hold another one.
        for element, text, children in reversed(emptied):
            element.text = text
            if children:
                element[:] = children


def _is_hidden(el):
    classes = el.get("class")
    return bool(classes) and not NOT_TEXT.isdisjoint(classes.split())


class SectionProcessor(Treeprocessor):
    """Runs last: records sections and which section each link stands in."""

    def __init__(self, md, extension):
        super().__init__(md)
        self.ext = extension

    def run(self, root):
        state = self.ext.state
        current = SectionData("", "", 1, "")
        parts = []
        sections = []

        def close():
            current.text = _squash(" ".join(parts))
            if current.anchor or current.text:
                sections.append(current)

        for child in list(root):
            # One pass over the block finds both the text to leave out and the links.
            hidden, links = [], []
            for el in child.iter():
                if el.get("class") and _is_hidden(el):
                    hidden.append(el)
                if el.tag == "a":
                    links.append(el)
            if child.tag in HEADING_TAGS:
                close()
                parts = []
                current = SectionData(child.get("id", ""),
                                      _squash(_text_without_definitions(child, hidden)),
                                      int(child.tag[1]), "")
            else:
                parts.append(_text_without_definitions(child, hidden))
            for el in links:
                index = el.attrib.pop("data-kb-link", None)
                if index is not None:
                    state.links[int(index)].source_anchor = current.anchor
        close()
        state.sections = sections


def _squash(text):
    """Runs of white space as one space, Markdown's placeholders for raw HTML as spaces.

    Sections are cut before Markdown turns its placeholders for escaped
    characters back into the characters: that is done here, or "2\\*3" would
    be searched and counted as "2\\x0242\\x033".
    """
    if "\x02" in text:
        text = STASH_RE.sub(" ", text)
        text = _unescape(text)
    # str.split() and the regex \s+ split on the same characters (Py_UNICODE_ISSPACE).
    return " ".join(text.split())


# What each inline pattern must find in a piece of text before its regular
# expression can match there: one of these strings (the image patterns need
# "![", "linebreak" two spaces before a line end, "html" a "<", "entity" a
# "&"). tests/test_inline_triggers.py renders every page with and without them.
INLINE_TRIGGERS = {
    "backtick": "`", "escape": "\\", "footnote": "[", "kb_wikilink": "[", "kb_citation": "[",
    "reference": "[", "link": "[", "image_link": "[", "image_reference": "[",
    "short_reference": "[", "short_image_ref": "[", "autolink": "<", "automail": "<",
    "linebreak": "  \n", "html": "<", "entity": "&", "em_strong": ("*", "_"),
}


class TriggeredInlineProcessor(MarkdownInlineProcessor):
    """Python-Markdown's inline step, trying a pattern only on text that holds its trigger.

    Markdown runs each of its 17 inline patterns' regular expressions on every
    piece of text, through a Python method call each (~1,400 a page, a
    quarter of Markdown's time; issue 8), though most text holds none of the
    characters most of them start with. A pattern whose trigger
    (``INLINE_TRIGGERS``) is not in the text cannot match it, and Markdown's
    answer to a pattern that does not match (go on with the next one, from
    the text's start) is given here without the call. A pattern without a
    known trigger is always tried.

    The loop is Markdown's ``InlineProcessor.__handleInline`` (3.x), which
    its ``run`` calls by its private, name-mangled name: defined under that
    name here, this one runs instead.
    """

    def __init__(self, md, triggers):
        super().__init__(md)
        # A list, not Markdown's Registry: its look-up by position re-checks
        # the sort order each time (~10% of a page's render; issue 8).
        self.inlinePatterns = list(md.inlinePatterns)
        by_pattern = {id(md.inlinePatterns[name]): needed for name, needed in triggers.items()
                      if name in md.inlinePatterns}
        self.finders = [_finder(by_pattern.get(id(pattern))) for pattern in self.inlinePatterns]

    def _InlineProcessor__handleInline(self, data, patternIndex=0):
        if isinstance(data, AtomicString):
            return data
        apply = self._InlineProcessor__applyPattern
        patterns, finders = self.inlinePatterns, self.finders
        count = len(patterns)
        startIndex = 0
        while patternIndex < count:
            finder = finders[patternIndex]
            if finder is not None and finder(data) is None:
                patternIndex += 1
                startIndex = 0
                continue
            data, matched, startIndex = apply(patterns[patternIndex], data, patternIndex,
                                              startIndex)
            if not matched:
                patternIndex += 1
        return data


def _finder(needed):
    """``search`` of a regular expression for any of ``needed``, or None when not known."""
    if needed is None:
        return None
    needed = (needed,) if isinstance(needed, str) else needed
    return re.compile("|".join(map(re.escape, needed))).search


class KnowledgeBaseExtension(Extension):
    def __init__(self, resolve, glossary=(), **kwargs):
        self.resolve = resolve
        self.glossary = PhraseFinder(glossary)
        self.current_slug = None
        self.reference_numbers = {}
        self.state = DocState()
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        md.registerExtension(self)
        self.md = md
        # Above 'link' (160) so [[...]] and [@...] are not read as Markdown links,
        # below 'backtick' (190) so code spans keep them literal.
        md.inlinePatterns.register(WikiLinkProcessor(WIKILINK_RE, self), "kb_wikilink", 175)
        md.inlinePatterns.register(CitationProcessor(CITATION_RE, self), "kb_citation", 174)
        md.treeprocessors.register(PinnedIdProcessor(md, self), "kb_pinned_ids", 6)
        md.treeprocessors.register(GlossaryProcessor(md, self), "kb_glossary", 3)
        md.treeprocessors.register(SectionProcessor(md, self), "kb_sections", 1)

    def reset(self):
        self.state = DocState()


def parse_tree(md, source):
    """``md.convert`` up to its element tree: preprocessors, blocks, tree processors.

    The tree rather than the string, so that a page Markdown built on its own
    (no raw HTML stashed) can be sanitized by walking it
    (``kb.ingest.sanitize.clean_tree``) instead of parsing Markdown's output
    back with html5lib: half the cost of a page (issue 8).
    """
    md.lines = source.split("\n")
    for preprocessor in md.preprocessors:
        md.lines = preprocessor.run(md.lines)
    root = md.parser.parseDocument(md.lines).getroot()
    for treeprocessor in md.treeprocessors:
        new_root = treeprocessor.run(root)
        if new_root is not None:
            root = new_root
    return root


def serialize_tree(md, root):
    """The rest of ``md.convert``: the HTML string it would have returned."""
    output = md.serializer(root)
    start = output.find(f"<{md.doc_tag}>")
    end = output.rfind(f"</{md.doc_tag}>")
    output = output[start + len(md.doc_tag) + 2:end] if start >= 0 and end >= 0 else ""
    for postprocessor in md.postprocessors:
        output = postprocessor.run(output)
    return output.strip()


def make_markdown(resolve, glossary=()):
    """A Markdown instance for a whole load.

    ``resolve(name) -> Target | None`` finds link targets; ``glossary`` is a
    list of ``GlossaryEntry`` linked on first use in each page.
    """
    ext = KnowledgeBaseExtension(resolve, glossary)
    # Instances, not names: a name makes Markdown look it up among every
    # installed package's entry points (~50 ms in a fresh process, paid by
    # each reload; issue 8).
    md = markdown.Markdown(
        extensions=[
            TableExtension(), FootnoteExtension(UNIQUE_IDS=False, BACKLINK_TITLE="Back to text"),
            AttrListExtension(), DefListExtension(), AdmonitionExtension(), SaneListExtension(),
            PageTocExtension(slugify=anchor_slugify, toc_depth="2-4", permalink="¶",
                              permalink_class="headerlink",
                              permalink_title="Link to this section"),
            ext,
        ],
        output_format="html",
    )
    # Our patterns are all registered by now, and nothing registers any later.
    md.treeprocessors.register(TriggeredInlineProcessor(md, INLINE_TRIGGERS), "inline", 20)
    return md, ext
