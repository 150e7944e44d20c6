"""Turning what a reader typed into safe search terms (shared by both backends).

User input never reaches a query language unquoted: it is cut into word
tokens here, and each backend quotes them its own way.
"""
import re
import unicodedata

MAX_QUERY_LENGTH = 200
TOKEN_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)


def clean_query(raw):
    """Return ``(query, notice)``: control characters removed, length capped."""
    text = "".join(ch for ch in (raw or "") if unicodedata.category(ch)[0] != "C" or ch == " ")
    text = " ".join(text.split())
    notice = ""
    if len(text) > MAX_QUERY_LENGTH:
        text = text[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0] or text[:MAX_QUERY_LENGTH]
        notice = f"Your search was shortened to its first {MAX_QUERY_LENGTH} characters."
    return text, notice


def tokens(text):
    """Word tokens; hyphenated names split into parts ("D-VRd" -> "d", "vrd")."""
    result = []
    for token in TOKEN_RE.findall(text.lower()):
        result.extend(part for part in re.split(r"[-']", token) if part)
    return result[:20]


def normalize(text):
    """A form for exact-name comparison: 'Darzalex Faspro' == 'darzalex-faspro'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
