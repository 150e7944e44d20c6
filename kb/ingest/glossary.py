"""Glossary terms in running text: the first use of each term in a page links
to its entry, with the definition inline for a tooltip and for screen readers.

Finding the terms is the costly part, and it grows with the glossary: one
regex alternation of every phrase tries each phrase at each position of the
text (text x phrases: 3.5 ms a page with the 120 phrases of a 1,000-page
site, 40 ms with the 1,200 of a 10,000-page one; issue 8, BENCHMARKS.md).
``PhraseFinder`` looks up only the phrases that begin with the word at hand,
so a page costs the same whatever the size of the glossary, and it finds
exactly what that alternation found (tests/test_glossary.py holds the two side
by side).
"""
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from markdown.treeprocessors import Treeprocessor

# Never linked inside these: links, code, headings, definition terms, table headers...
SKIP_GLOSSARY_IN = {"a", "code", "pre", "abbr", "sup", "sub", "kbd", "h1", "h2", "h3", "h4", "h5",
                    "h6", "dt", "th"}

# A term stands alone: not glued to a word or a hyphen on either side, so
# "PFS" is found in "the PFS," but not in "PFS-2" or "xPFS".
_GLUE_RE = re.compile(r"[\w-]")


@dataclass
class GlossaryEntry:
    slug: str
    url: str
    definition: str
    phrases: list        # words and phrases that stand for this entry in text


def is_abbreviation(phrase):
    """All-capital abbreviations (OS, CR, HR) match only in capitals, so the
    words "os" or "or" never turn into links; other phrases ignore case."""
    return phrase.upper() == phrase and any(c.isalpha() for c in phrase)


def _first_token(phrase):
    """The word a phrase starts with (or its first character, when that is no word character)."""
    word = re.match(r"\w+", phrase)
    return (word.group() if word else phrase[0]).lower()


class PhraseFinder:
    """Finds glossary phrases in text, the longest one at each place.

    Phrases are grouped by their first word, lower-cased; each place in the
    text where a word may start looks up its own word and tries only the
    phrases of that group, longest first.
    """

    def __init__(self, entries):
        by_phrase = {p.lower(): e for e in entries for p in e.phrases}
        self.by_first = {}
        odd_starts = set()
        for phrase in {p for e in entries for p in e.phrases}:
            key = _first_token(phrase)
            if not re.match(r"\w", phrase):
                odd_starts.update({phrase[0], phrase[0].lower(), phrase[0].upper()})
            self.by_first.setdefault(key, []).append(
                (len(phrase), phrase, phrase.lower(), is_abbreviation(phrase),
                 by_phrase[phrase.lower()]))
        for candidates in self.by_first.values():
            candidates.sort(key=lambda candidate: (-candidate[0], candidate[1]))
        # Where a phrase may start: a word (or a phrase's odd first character)
        # that does not follow a word character or a hyphen.
        starts = r"\w+"
        if odd_starts:
            starts += f"|[{''.join(map(re.escape, sorted(odd_starts)))}]"
        self._start_re = re.compile(rf"(?<![\w-])(?:{starts})")

    def __bool__(self):
        return bool(self.by_first)

    def find(self, text):
        """Yield ``(start, end, entry)`` for each phrase in ``text``, left to right.

        Found phrases do not overlap: the search goes on after the end of each
        one, as ``re.finditer`` does.
        """
        by_first, glued, resume = self.by_first, _GLUE_RE.match, 0
        # Most text holds no word any phrase starts with: find that out in C.
        present = by_first.keys() & map(str.lower, self._start_re.findall(text))
        if not present:
            return
        for word in self._words_starting(text, present):
            start = word.start()
            if start < resume:
                continue  # inside the phrase found last
            for length, phrase, lower, exact, entry in by_first.get(word.group().lower(), ()):
                end = start + length
                used = text[start:end]
                if (used == phrase if exact else used.lower() == lower) and not glued(text, end):
                    yield start, end, entry
                    resume = end
                    break

    def _words_starting(self, text, present):
        """The words of ``text`` (``_start_re`` matches) whose lower case is in ``present``,
        left to right, and maybe others.

        Going through every word of a paragraph in Python cost half of the
        glossary's time (issue 8): the few places where a word of
        ``present`` may start are found in C, in the lower-cased text, and
        only those are tried. That needs each character's lower case to be
        one character, independent of its neighbours: not so for a few
        (U+0130 becomes two; a capital sigma's depends on the letters after
        it), and then every word is tried.
        """
        lowered = text.lower()
        if len(lowered) != len(text) or "\u03a3" in text:
            return self._start_re.finditer(text)
        places = set()
        for first_word in present:
            place = lowered.find(first_word)
            while place >= 0:
                places.add(place)
                place = lowered.find(first_word, place + 1)
        match = self._start_re.match
        words = (match(text, place) for place in sorted(places))
        return [word for word in words if word is not None]


class GlossaryProcessor(Treeprocessor):
    """Links the first use of each glossary term in a page to its entry."""

    def __init__(self, md, extension):
        super().__init__(md)
        self.ext = extension

    def run(self, root):
        if not self.ext.glossary:
            return
        # Terms the editor already linked with [[...]] are not linked twice.
        self.used = {self.ext.current_slug, *(link.target for link in self.ext.state.links)}
        self.count = 0
        self._walk(root)

    def _walk(self, el):
        if el.tag in SKIP_GLOSSARY_IN or "glossary" in el.get("class", ""):
            return
        if el.text:
            el.text = self._link_text(el, el.text, position=0)
        position = 0
        for child in list(el):
            # Linking may have put new elements before this child.
            while el[position] is not child:
                position += 1
            self._walk(child)
            if child.tail:
                child.tail = self._link_text(el, child.tail, position=position + 1)

    def _link_text(self, parent, text, position):
        """Link the first unused term in ``text``; return the text that stays in place."""
        for start, end, entry in self.ext.glossary.find(text):
            if entry.slug in self.used:
                continue
            self.used.add(entry.slug)
            self.count += 1
            wrapper = etree.Element("span", {"class": "glossary"})
            link = etree.SubElement(wrapper, "a", {
                "class": "glossary-term", "href": entry.url,
                "aria-describedby": f"gl-{entry.slug}-{self.count}"})
            link.text = text[start:end]
            definition = etree.SubElement(wrapper, "span", {
                "class": "glossary-def", "role": "tooltip", "id": f"gl-{entry.slug}-{self.count}"})
            definition.text = entry.definition
            parent.insert(position, wrapper)
            # The remainder may hold further terms: keep linking in it.
            wrapper.tail = self._link_text(parent, text[end:], position + 1)
            return text[:start]
        return text
