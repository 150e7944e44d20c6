"""Small presentation helpers for the templates (issue #4).

``toc_items``, ``backlink_items``, ``link_items`` and ``reference_items``
draw the lists of an article page, which through the template engine cost
a fifth of a rendered page (a recursive include per level of headings; a
dozen look-ups per backlink or reference).
They write the markup the template loops wrote, character for character
(tests/test_list_tags.py), escaping as ``{{ value }}`` does (issue #8).
"""
import html
import re

from django import template
from django.conf import settings
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

PARENTHESIS = re.compile(r"^(?P<outer>.+?)\s*\((?P<inner>[^()]+)\)$")
DASH = re.compile(r"\s+[-\u2013\u2014]\s+")


@register.filter
def short_title(title):
    """A label short enough for the home page map.

    "D-Rd: daratumumab, lenalidomide and dexamethasone" -> "D-Rd";
    "Antibody-dependent cellular cytotoxicity (ADCC)" -> "ADCC";
    "MAIA (D-Rd for newly diagnosed myeloma)" -> "MAIA";
    "Immunomodulation - releasing the immune brakes" -> "Immunomodulation".
    """
    title = DASH.split(title.split(":", 1)[0], 1)[0].strip()
    match = PARENTHESIS.match(title)
    if match:
        inner = match.group("inner").strip()
        is_abbreviation = len(inner) <= 12 and " " not in inner
        return inner if is_abbreviation else match.group("outer").strip()
    return title


@register.filter
def reading_level(grade):
    """Flesch-Kincaid grade -> words a reader understands; '' when the page is too short to judge."""
    if grade is None:
        return ""
    grade = max(1, round(grade))
    if grade <= 8:
        label = "easy"
    elif grade <= 12:
        label = "moderate"
    else:
        label = "technical"
    return f"{label} (school grade {grade})"


@register.filter
def host(url):
    """'https://www.example.org/a/b' -> 'example.org': says where a source link goes."""
    from urllib.parse import urlsplit

    name = urlsplit(url).hostname or ""
    return name[4:] if name.startswith("www.") else name


def text(value):
    """What ``{{ value }}`` prints: localized, then escaped.

    Plain strings and ints, nearly every value drawn, skip Django's lazy-text
    and number-format wrappers, which print them unchanged (no thousands
    separator is configured).
    """
    kind = type(value)
    if kind is str:
        return html.escape(value)
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return conditional_escape(localize(value))


def _toc(items):
    parts = []
    for item in items:
        parts.append(f'<li><a href="#{text(item.get("id", ""))}">{text(item.get("name", ""))}</a>')
        if item.get("children"):
            parts.append(f"<ol>{_toc(item['children'])}</ol>\n")
        parts.append("</li>")
    return "".join(parts)


@register.simple_tag
def toc_items(items):
    """The ``<li>`` of each heading of a table of contents, sub-headings in an ``<ol>``."""
    return mark_safe(_toc(items or []))


@register.simple_tag
def backlink_items(backlinks):
    """The ``<li>`` of each page that links here (kb.relations.Backlink), with the
    sections its links stand in."""
    parts = []
    for backlink in backlinks:
        source = backlink.source
        url = text(source.get_absolute_url())
        sections = ""
        if backlink.sections:
            links = ", ".join(f'<a href="{url}#{text(anchor)}">{text(heading)}</a>'
                              for anchor, heading in backlink.sections)
            sections = f'<span class="backlink-sections">: {links}</span>'
        kind = source.kind_info
        parts.append(f'\n  <li><a href="{url}">{text(source.title)}</a> <span class="kind-tag">'
                     f'{text(kind.singular if kind else "")}</span>{sections}</li>\n')
    return mark_safe("".join(parts))


@register.simple_tag
def link_items(articles):
    """A ``<li>`` linking to each article (the relation panels)."""
    return mark_safe("".join(
        f'<li><a href="{text(item.get_absolute_url())}">{text(item.title)}</a></li>'
        for item in articles))


def _reference(ref):
    links = ""
    if ref.doi or ref.pmid or ref.url:
        doi = f' <a href="{text(ref.doi_url)}">doi:{text(ref.doi)}</a>' if ref.doi else ""
        pmid = (f' <a href="{text(ref.pubmed_url)}">PubMed {text(ref.pmid)}</a>'
                if ref.pmid else "")
        url = (f' <a class="ref-url" href="{text(ref.url)}">Source: {text(host(ref.url))}</a>'
               if ref.url else "")
        links = f'<span class="ref-links">{doi}{pmid}{url}</span>'
    return f'\n          <li id="ref-{text(ref.key)}">{text(ref.citation)}{links}</li>\n        '


@register.simple_tag
def reference_items(references):
    """The numbered references: citation, then DOI, PubMed and source links."""
    return mark_safe("".join(_reference(ref) for ref in references))
