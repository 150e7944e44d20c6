"""Small presentation helpers for the templates (issue #4)."""
import re

from django import template

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
