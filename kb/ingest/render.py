"""Pass 2: one record's body -> sanitized HTML, sections and links.

A pure function of the record and the site index, so it can run in worker
processes and be skipped when neither has changed.
"""
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from kb.ingest import sanitize
from kb.ingest.errors import ContentError
from kb.ingest.markdown import make_markdown, parse_tree, serialize_tree

WORD_RE = re.compile(r"\w+")
CITATION_SPACE_RE = re.compile(r"[ \t]+(\[@[A-Za-z0-9_.\-]+\])")


@dataclass
class Rendered:
    html: str
    toc: list
    sections: list            # SectionData
    links: list               # LinkUse
    word_count: int
    reading_grade: float | None = None
    errors: list = field(default_factory=list)


class Renderer:
    """Holds one Markdown instance for many documents (reset between them)."""

    def __init__(self, resolve, suggest, glossary=(), reparse=False):
        self.md, self.ext = make_markdown(resolve, glossary)
        self.suggest = suggest
        # Sanitize the serialized string even when the tree could be walked
        # (tests/test_sanitize_tree.py compares the two paths).
        self.reparse = reparse

    def render(self, record):
        self.md.reset()
        self.ext.current_slug = record.slug
        self.ext.reference_numbers = {
            ref["id"]: number for number, ref in enumerate(record.fields.get("references", []), 1)
        }
        # "claim [@ref]" and "claim[@ref]" render the same: the number hugs the claim.
        html = self._html(CITATION_SPACE_RE.sub(r"\1", record.body))
        state = self.ext.state
        errors = []

        def error(needle, message):
            errors.append(ContentError(record.path, line_in_body(record, needle), message))

        for raw, name in state.unresolved:
            hint = self.suggest(name)
            error(raw, f"unknown link target {raw}" + (f" (did you mean '{hint}'?)" if hint else ""))
        for key in state.unknown_citations:
            error(f"[@{key}]", f"citation [@{key}] names no reference of this file "
                               f"(references: {', '.join(self.ext.reference_numbers) or 'none'})")
        for element_id, message in state.id_problems:
            needle = f"#{element_id}" if element_id else "\n# "
            error(needle, message)
        text = " ".join(section.text for section in state.sections)
        word_count = len(WORD_RE.findall(text))
        return Rendered(
            html=html,
            toc=_plain_toc(self.md.toc_tokens),
            sections=state.sections,
            links=state.links,
            word_count=word_count,
            reading_grade=reading_grade(text, word_count),
            errors=errors,
        )


    def _html(self, source):
        """Sanitized HTML of a body: from Markdown's tree unless raw HTML was stashed.

        Raw HTML (and character references, which Markdown stashes too) is
        only ever sanitized from the string, as html5lib parses it.
        """
        if not source.strip():
            return ""
        md = self.md
        root = parse_tree(md, source)
        if not (md.htmlStash.html_counter or self.reparse):
            try:
                return sanitize.clean_tree(root, md.postprocessors)
            except sanitize.UnusualTree:
                pass  # read from the string, as html5lib reads it
        return sanitize.clean(serialize_tree(md, root))


def reading_grade(text, word_count=None):
    """Flesch-Kincaid grade, or None for text too short to judge.

    ``word_count`` is ``len(WORD_RE.findall(text))``, when the caller has it.
    """
    if word_count is None:
        word_count = len(WORD_RE.findall(text))
    if word_count < 30:
        return None
    return flesch_kincaid_grade(text)


def flesch_kincaid_grade(text):
    """The same figure as ``round(textstat.flesch_kincaid_grade(text), 1)``.

    textstat 0.7.4, English, its default rounding (tests/test_readability.py
    compares the two), for a fraction of the cost: textstat asks pyphen for
    every word of every page, and importing it costs 0.5-1.6 s
    (pkg_resources). Here each distinct word is hyphenated once per process
    (issue 8).
    """
    words = _without_punctuation(text.lower()).split()
    sentences = _SENTENCE_RE.findall(text)
    # Sentences of two words or fewer ("See above.") do not count, as in textstat.
    short = sum(1 for s in sentences if _THREE_WORDS_RE.match(s) is None)
    sentence_length = _round(len(words) / max(1, len(sentences) - short))
    syllables_per_word = _round(_syllables(words) / len(words)) if words else 0.0
    return round(_round(0.39 * sentence_length + 11.8 * syllables_per_word - 15.59), 1)


_PUNCTUATION_RE = re.compile(r"[^\w\s]")
# The ASCII characters _PUNCTUATION_RE removes, for str.translate.
_ASCII_PUNCTUATION = {code: None for code in range(128) if _PUNCTUATION_RE.match(chr(code))}
_SENTENCE_RE = re.compile(r"\b[^.!?]+[.!?]*")
# textstat counts a sentence's words as what stays between spaces once
# punctuation is gone: the pieces between spaces that hold a word character.
# Whether there are three of them is one anchored match that stops at the
# third (and never backtracks far: each step moves to the next piece), instead
# of stripping and splitting every sentence (issue 8).
_THREE_WORDS_RE = re.compile(r"\W*\w\S*\s\W*\w\S*\s\W*\w")
_syllable_counts = {}


def _without_punctuation(text):
    """``_PUNCTUATION_RE.sub("", text)``; four times as fast for ASCII text (most pages)."""
    if text.isascii():
        return text.translate(_ASCII_PUNCTUATION)
    return _PUNCTUATION_RE.sub("", text)


def _syllables(words):
    counts = _syllable_counts
    for word in set(words).difference(counts):
        counts[word] = len(_hyphenator().positions(word)) + 1
    return sum(map(counts.__getitem__, words))


@lru_cache(maxsize=1)
def _hyphenator():
    import pyphen
    return pyphen.Pyphen(lang="en_US")


def _round(number):
    """textstat's rounding to one decimal: halves away from zero."""
    return math.floor(number * 10 + math.copysign(0.5, number)) / 10


def _plain_toc(tokens):
    return [{"id": t["id"], "name": t["name"], "level": t["level"],
             "children": _plain_toc(t["children"])} for t in tokens]


def line_in_body(record, needle):
    """The file line where ``needle`` first appears in the body (or the body's first line)."""
    if needle.startswith("\n"):
        body = "\n" + record.body
        index = body.find(needle)
        return record.body_line + body[:index].count("\n") if index >= 0 else record.body_line
    index = record.body.find(needle)
    if index < 0 and "\n" not in needle:
        index = record.body.find(needle.split(" ")[0])
    if index < 0:
        return record.body_line
    return record.body_line + record.body[:index].count("\n")
