"""Warnings: problems an editor should fix that do not stop a load (issue #9).

Errors (everywhere else in ``kb.ingest``) keep a page off the site; warnings
are advice, printed with the errors and turned into errors by
``check_content --strict`` for CI. Each warning has a ``code`` so tools and
the editors' guide (content/README.md, "Warnings") can name it:

=======================  ====================================================
``summary-grade``        the summary reads above school grade 8
``uncited-figures``      a paragraph gives figures (%, months, HR, dates) and
                         cites no source
``review-overdue``       ``last_reviewed`` is more than 12 months ago
``orphan``               no other page links to this one
``heading-id-changed``   a heading id of the last load is gone (links move)
``reference-no-link``    a reference without DOI, PMID or URL
=======================  ====================================================

They are computed from the records and the rendered output of one load.
A full check (``check_content``) warns about every file; an incremental load
(``load_content``, the live reloader) only about the files that changed, plus
pages that this load left with no incoming link, so an editor is not shown
the same advice about other people's pages on every save.
"""
import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from kb.ingest.errors import ContentError
from kb.ingest.markdown import anchor_slugify
from kb.ingest.schema import fields_for

CODES = {
    "summary-grade": "summary above reading grade 8",
    "uncited-figures": "figures without a citation",
    "review-overdue": "last_reviewed older than 12 months",
    "orphan": "no page links here",
    "heading-id-changed": "heading id changed since the last load",
    "reference-no-link": "reference without DOI, PMID or URL",
}
MAX_SUMMARY_GRADE = 8.0
# The article page shows "last checked more than a year ago" on the same rule.
REVIEW_MAX_AGE = datetime.timedelta(days=365)


def today():
    """The date reviews are measured against (a function, so tests can fix it)."""
    return timezone.localdate()


def check(plan, full=False, stored=None, content_dir=None):
    """Every warning for ``plan`` (a ``loader.Plan``), as ContentErrors of level "warning".

    ``stored`` is what the last load left in the database (``Stored``); read
    here when not given. A full check reads only heading ids from it, and only
    when it checks the folder the database was loaded from.
    """
    # A first load has no last load to compare with; its own pages may be in
    # the database already (sync.EarlyWriter), and must not count as one.
    first = not full and not plan.existing
    if stored is None:
        same_folder = content_dir is None or (
            Path(content_dir).resolve() == Path(settings.KB_CONTENT_DIR).resolve())
        stored = Stored.from_db(plan, full) if (same_folder or not full) and not first \
            else Stored()
    records = {slug: r for slug, r in plan.records.items() if not r.broken}
    report = [slug for slug in (records if full else plan.changed) if slug in records]
    found = []
    date = today()
    for slug in report:
        record = records[slug]
        rendered = plan.rendered.get(slug)
        found += summary_grade(record)
        found += review_overdue(record, date)
        found += references_without_link(record)
        # A load that writes lets go of each body once it is rendered, keeping
        # what the checks below need of it (``from_body``).
        noted = getattr(plan, "body_notes", {}).get(slug)
        found += noted["uncited"] if noted else uncited_figures(record)
        if rendered is not None:
            found += heading_changes(record, rendered, stored.anchors.get(record.path, []),
                                     noted["heading_lines"] if noted else None)
    found += orphans(plan, records, report, full, stored)
    return found


def _warning(record, line, code, message):
    return ContentError(record.path, line, message, level="warning", code=code)


# Per file -----------------------------------------------------------------------

def summary_grade(record):
    """Flesch-Kincaid grade of the summary, as kb.ingest.render.reading_grade
    measures a body, but with no minimum length: a summary is one or two sentences."""
    summary = record.summary
    if not summary:
        return []
    # The same figure as round(textstat.flesch_kincaid_grade(summary), 1),
    # without importing textstat (0.5-1.6 s) on every reload (issue 8).
    from kb.ingest.render import flesch_kincaid_grade
    grade = flesch_kincaid_grade(summary)
    if grade <= MAX_SUMMARY_GRADE:
        return []
    return [_warning(record, record.line_of("summary"), "summary-grade",
                     f"summary reads at school grade {grade:g} (aim for {MAX_SUMMARY_GRADE:g} "
                     "or below): use shorter sentences and everyday words")]


def review_overdue(record, date):
    reviewed = record.fields.get("last_reviewed")
    if reviewed is None or reviewed >= date - REVIEW_MAX_AGE:
        return []
    return [_warning(record, record.line_of("last_reviewed"), "review-overdue",
                     f"last_reviewed {reviewed.isoformat()} is more than 12 months ago: check the "
                     "page against its sources, then set today's date")]


def references_without_link(record):
    found = []
    for index, ref in enumerate(record.fields.get("references", [])):
        if not (ref["doi"] or ref["pmid"] or ref["url"]):
            found.append(_warning(
                record, record.line_of("references", index), "reference-no-link",
                f"reference '{ref['id']}' has no doi, pmid or url, so readers cannot find it: "
                "add the one you saw in the source (never guess one)"))
    return found


# Figures without a citation ------------------------------------------------------

FIGURE_PATTERNS = (
    re.compile(r"\d+(?:[.,]\d+)?\s?(?:%|per ?cent\b)", re.I),
    re.compile(r"\b\d+(?:\.\d+)?(?:\s|-)months?\b", re.I),
    re.compile(r"(?:\bHR\b|\bhazard ratio\b)[\s:=,]*(?:(?:of|was|is|were)\s+)?"
               r"(?:\d+(?:\.\d+)?|\.\d+)", re.I),
    re.compile(r"\b(?:19|20)\d\d-\d\d-\d\d\b"),
    re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+"
               r"(?:\d{1,2},?\s+)?(?:19|20)\d\d\b"),
    re.compile(r"\b(?:19|20)\d\d\b"),
)
CITATION_RE = re.compile(r"\[@[^\]\s]+\]")
# What a figure in the source may hide in that readers never see as a figure.
NOT_PROSE = (
    re.compile(r"`[^`]*`"),                         # code spans
    re.compile(r"\]\([^)]*\)"),                     # link and image targets
    re.compile(r"<[^>]*>"),                         # HTML tags and <https://...> links
    re.compile(r"\[\[([^\]|#]*)(?:#[^\]|]*)?(?:\|([^\]]*))?\]\]"),  # [[target#anchor|text]]
    re.compile(r"\{[:#][^}]*\}"),                   # attribute lists {#id}
    re.compile(r"https?://\S+"),
)
FENCE_RE = re.compile(r"^\s*(```|~~~)")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
DIGIT_RE = re.compile(r"\d")
LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def blocks(record):
    """(first file line, [lines]) of each paragraph, list item and table of the body.

    Headings, fenced code and HTML comments are left out: they carry no claims.
    """
    current, start = [], None
    in_fence = in_comment = False
    for offset, line in enumerate(record.body.split("\n")):
        if in_comment:
            in_comment = "-->" not in line
            continue
        fence = FENCE_RE.match(line)
        ends_block = (fence or in_fence or not line.strip() or HEADING_RE.match(line)
                      or line.lstrip().startswith("<!--")
                      or (LIST_ITEM_RE.match(line) and current))
        if ends_block and current:
            yield start, current
            current, start = [], None
        if fence:
            in_fence = not in_fence
        elif line.lstrip().startswith("<!--") and not in_fence:
            in_comment = "-->" not in line
        elif not (in_fence or not line.strip() or HEADING_RE.match(line)):
            if start is None:
                start = record.body_line + offset
            current.append(line.strip())
    if current:
        yield start, current


def figures_in(text):
    """The figures a reader would see in ``text`` (markup left out), in order."""
    if not DIGIT_RE.search(text):
        return []  # every figure has a digit, and leaving markup out adds none
    for pattern in NOT_PROSE:
        text = pattern.sub(lambda m: " " + " ".join(g for g in m.groups() if g) + " "
                           if m.groups() else " ", text)
    found = []
    for pattern in FIGURE_PATTERNS:
        for match in pattern.finditer(text):
            if not any(match.start() < end and start < match.end() for start, end, _ in found):
                found.append((match.start(), match.end(), match.group(0).strip()))
    return list(dict.fromkeys(" ".join(figure.split()) for _, _, figure in sorted(found)))


def uncited_figures(record):
    found = []
    for start, lines in blocks(record):
        text = " ".join(lines)
        if CITATION_RE.search(text):
            continue
        figures = figures_in(text)
        if figures:
            # The line of the first figure, when it stands on one line.
            line = next((start + offset for offset, line in enumerate(lines) if figures_in(line)),
                        start)
            shown = ", ".join(f"'{f}'" for f in figures[:3]) + (", ..." if len(figures) > 3 else "")
            found.append(_warning(record, line, "uncited-figures",
                                  f"paragraph gives figures ({shown}) but cites no source: add "
                                  "[@reference-id] right after the claim"))
    return found


# Heading ids --------------------------------------------------------------------

def heading_lines(record):
    """Heading id -> file line, for the headings written in the body (``## Text {#id}``)."""
    lines, in_fence = {}, False
    for offset, line in enumerate(record.body.split("\n")):
        if FENCE_RE.match(line):
            in_fence = not in_fence
        match = None if in_fence else HEADING_RE.match(line)
        if match:
            text = match.group(2)
            pinned = re.search(r"\{:?\s*#([A-Za-z][\w-]*)[^}]*\}\s*$", text)
            anchor = pinned.group(1) if pinned else anchor_slugify(re.sub(r"\{[^}]*\}\s*$", "", text))
            lines.setdefault(anchor, record.body_line + offset)
    return lines


def from_body(record):
    """What ``check`` needs of a record's body, taken before the body is let go of."""
    return {"uncited": uncited_figures(record), "heading_lines": heading_lines(record)}


def heading_changes(record, rendered, old_sections, lines=None):
    """Heading ids of the last load that this version no longer has.

    The site sends old #links to the successor (Article.anchor_moves), but a
    handout or another site's link is better served by the id it names:
    pinning the old id keeps it exact.
    """
    new = [(s.anchor, s.heading) for s in rendered.sections if s.anchor]
    live = {anchor for anchor, _ in new}
    if not new:
        return []
    by_heading = {heading: anchor for anchor, heading in new}
    lines = heading_lines(record) if lines is None else lines
    old = [(anchor, heading) for anchor, heading in old_sections if anchor and anchor != "top"]
    found = []
    for position, (anchor, heading) in enumerate(old):
        if anchor in live:
            continue
        successor = by_heading.get(heading) or new[min(position, len(new) - 1)][0]
        url = f"/{record.kind}/{record.slug}/#{anchor}"
        found.append(_warning(
            record, lines.get(successor, record.body_line), "heading-id-changed",
            f"heading id '#{anchor}' of the last load is gone (the nearest is now '#{successor}'): "
            f"links to {url} in handouts and other sites will move; keep the old id by "
            f"pinning it on the heading, e.g. '## {heading} {{#{anchor}}}'"))
    return found


# Orphans ----------------------------------------------------------------------

GLOSSARY_HREF_RE = re.compile(r'href="/glossary/([a-z0-9-]+)/')


def incoming_links(plan, records, stored):
    """Target slug -> slugs of the other pages that link to it.

    A link is an in-text [[link]], a glossary term linked on first use, a
    ``see_also`` entry or a relation in front matter (the page shows it as a link).
    """
    incoming = defaultdict(set)
    for slug, record in records.items():
        for target in _front_matter_targets(record):
            incoming[target].add(slug)
    for slug, rendered in plan.rendered.items():
        for link in rendered.links:
            incoming[link.target].add(slug)
        targets = (plan.glossary_targets[slug] if slug in getattr(plan, "glossary_targets", {})
                   else GLOSSARY_HREF_RE.findall(rendered.html))
        for target in targets:
            incoming[target].add(slug)
    for source, target in stored.links:
        if source in records and source not in plan.rendered:
            incoming[target].add(source)
    for slug in incoming:
        incoming[slug].discard(slug)
    return incoming


def _front_matter_targets(record):
    fields = record.head  # relations are never in the packed part (records.PACKED_KEYS)
    for key, spec in fields_for(record.kind).items():
        if spec.type == "slug" and key != "slug" and key in fields:
            yield fields[key]
        elif spec.type == "slugs":
            yield from fields.get(key, [])
    for approval in fields.get("approvals", []):
        yield from approval["basis"]
    for arm in fields.get("arms", []):
        if arm["regimen"]:
            yield arm["regimen"]


def orphans(plan, records, report, full, stored):
    """Pages that no other page links to.

    A full check looks at every page. An incremental load looks at the pages
    it reports on and at the pages whose links in could have changed: those
    that pages re-rendered or removed by this load linked to before
    (``stored.links`` holds exactly those links). A page linked only from
    pages this load did not touch keeps its links, so it is not looked at.
    """
    candidates = set(report)
    if not full:
        # Pages this load left without a link in, though they had one before.
        candidates |= {target for _, target in stored.links if target in records}
    if not candidates:
        return []
    incoming = incoming_links(plan, records, stored)
    if not full and plan.existing:  # (a first load: nothing stored before it)
        _stored_links_into(incoming, records, plan, [slug for slug in sorted(candidates)
                                                     if not incoming.get(slug)])
    found = []
    for slug in sorted(candidates):
        if incoming.get(slug):
            continue
        record = records[slug]
        found.append(_warning(
            record, None, "orphan",
            f"no other page links to this one: readers only find it through search and the "
            f"index; link it where it helps, e.g. [[{slug}]], or name it in another page's "
            "see_also"))
    return found


def _stored_links_into(incoming, records, plan, targets):
    """Add the links into ``targets`` stored by pages this load leaves as they are."""
    if not targets:
        return
    from kb.models import Article, Link
    try:
        for source, target in (Link.objects.filter(target__slug__in=targets)
                               .values_list("source__slug", "target__slug")):
            if source in records and source not in plan.rendered and source != target:
                incoming[target].add(source)
        for target in targets:
            if incoming.get(target) or records[target].kind != "glossary":
                continue
            # A glossary term is linked from the text on its first use; only
            # the HTML says where (no Link row).
            for source in (Article.objects.filter(body_html__contains=f'href="/glossary/{target}/')
                           .values_list("slug", flat=True)):
                if source in records and source not in plan.rendered and source != target:
                    incoming[target].add(source)
                    break
    except (DatabaseError, RuntimeError):
        return


# What the last load stored --------------------------------------------------------

@dataclass
class Stored:
    anchors: dict = field(default_factory=dict)   # source path -> [(anchor, heading)] in order
    links: set = field(default_factory=set)       # (source slug, target slug), [[links]] and glossary

    @classmethod
    def from_db(cls, plan, full):
        """Heading ids (and, for an incremental load, links) of the last load.

        A full check reads the heading ids of every page. An incremental load
        reads those of the pages it reports on, and the links of the pages it
        renders again or removes: whatever else the last load stored is
        unchanged by this one (the rest is asked for by ``orphans``).

        A full check runs where there may be no database yet (a fresh clone,
        CI before migrate) or none allowed (tests of the corpus): then there
        is nothing to compare with, and no heading warning.
        """
        from kb.models import Article, Link, Section
        stored = cls()
        if full:
            paths = [r.path for r in plan.records.values() if not r.broken]
        else:
            paths = [plan.records[slug].path for slug in plan.changed
                     if not plan.records[slug].broken]
        try:
            for path, anchor, heading in (Section.objects.filter(article__source_path__in=paths)
                                          .order_by("article_id", "position")
                                          .values_list("article__source_path", "anchor", "heading")):
                stored.anchors.setdefault(path, []).append((anchor, heading))
            if not full:
                sources = [*plan.rendered, *plan.removed]
                stored.links = set(Link.objects.filter(source__slug__in=sources)
                                   .values_list("source__slug", "target__slug"))
                for slug, html in (Article.objects.filter(slug__in=sources,
                                                          body_html__contains='href="/glossary/')
                                   .values_list("slug", "body_html")):
                    stored.links.update((slug, target) for target in GLOSSARY_HREF_RE.findall(html))
        except (DatabaseError, RuntimeError):
            # RuntimeError: pytest-django's "Database access not allowed".
            return cls()
        return stored
