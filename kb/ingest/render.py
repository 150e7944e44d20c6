"""Pass 2: one record's body -> sanitized HTML, sections and links.

A pure function of the record and the site index, so it can run in worker
processes and be skipped when neither has changed.
"""
import re
from dataclasses import dataclass, field

from kb.ingest import sanitize
from kb.ingest.errors import ContentError
from kb.ingest.markdown import make_markdown

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

    def __init__(self, resolve, suggest, glossary=()):
        self.md, self.ext = make_markdown(resolve, glossary)
        self.suggest = suggest

    def render(self, record):
        self.md.reset()
        self.ext.current_slug = record.slug
        self.ext.reference_numbers = {
            ref["id"]: number for number, ref in enumerate(record.fields.get("references", []), 1)
        }
        # "claim [@ref]" and "claim[@ref]" render the same: the number hugs the claim.
        html = self.md.convert(CITATION_SPACE_RE.sub(r"\1", record.body))
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
        return Rendered(
            html=sanitize.clean(html),
            toc=_plain_toc(self.md.toc_tokens),
            sections=state.sections,
            links=state.links,
            word_count=len(WORD_RE.findall(text)),
            reading_grade=reading_grade(text),
            errors=errors,
        )


def reading_grade(text):
    """Flesch-Kincaid grade, or None for text too short to judge."""
    if len(WORD_RE.findall(text)) < 30:
        return None
    import textstat
    return round(textstat.flesch_kincaid_grade(text), 1)


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
