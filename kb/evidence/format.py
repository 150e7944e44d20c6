"""Words and numbers for figures and tables: short names, estimates, outcomes.

Everything here formats values that came from front matter; nothing adds a
number of its own.
"""
import re

ENDPOINTS = {
    # endpoint: (short label, plain words)
    "pfs": ("PFS", "progression-free survival"),
    "os": ("OS", "overall survival"),
    "orr": ("ORR", "overall response"),
    "cr": ("CR", "complete response or better"),
    "scr": ("sCR", "stringent complete response"),
    "vgpr-or-better": ("VGPR", "very good partial response or better"),
    "mrd-negativity": ("MRD−", "MRD negativity"),
    "hematologic-cr": ("Hem. CR", "hematologic complete response"),
    "mod-pfs": ("MOD-PFS", "major organ deterioration progression-free survival"),
    "efs": ("EFS", "event-free survival"),
}
ANALYSES = {"primary": "primary analysis", "update": "update", "final": "final analysis"}

MAX_SOURCE = 24   # characters: a source label shares a line with the value on a phone
PUBLISHERS = {"US Food and Drug Administration": "FDA", "U.S. Food and Drug Administration": "FDA",
              "European Medicines Agency": "EMA", "European Commission": "EC"}
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_AUTHOR = re.compile(r"^([A-Z][A-Za-z'\u00C0-\u017F-]+)(?: [A-Z]{1,3})?(?:,| et al)")
_REPORTED_AUTHOR = re.compile(r"\b([A-Z][a-z'\u00C0-\u017F-]+) [A-Z]{1,3},? et al\b")


def endpoint_short(endpoint):
    return ENDPOINTS.get(endpoint, (endpoint.upper(), endpoint))[0]


def endpoint_words(endpoint):
    if not endpoint:
        return "the reported endpoints"
    return ENDPOINTS.get(endpoint, (endpoint, endpoint))[1]


def short_title(article):
    """What a figure label shows: "D-Rd" for a combination, "MAIA" for a trial,
    "ADCC" for a mechanism whose title ends in its abbreviation."""
    title = article.title
    if article.kind == "combinations":
        return title.split(":", 1)[0].strip()
    if article.kind == "trials":
        return title.split(" (", 1)[0].strip()
    if article.kind == "mechanisms":
        abbreviation = re.search(r"\(([A-Z][A-Z0-9-]{1,9})\)\s*$", title)
        if abbreviation:
            return abbreviation.group(1)
        return re.split(r" \(| - | – ", title, maxsplit=1)[0].strip()
    return title


def short_arm(label):
    """"D-Rd (daratumumab IV + lenalidomide + dexamethasone)" -> "D-Rd";
    "Subcutaneous daratumumab, up to 36 months" -> "Subcutaneous daratumumab"."""
    return re.split(r" \(|, ", label, maxsplit=1)[0].strip()


def number(value):
    """0.5 -> "0.50", 0.596 -> "0.596", 70.6 -> "70.6", 64.0 -> "64"."""
    if isinstance(value, str):
        return value
    if value < 10 and round(value, 2) == value:
        return f"{value:.2f}"
    return f"{value:g}"


def percent(value):
    return value if isinstance(value, str) else f"{value:g}%"


def level(ci_level):
    return f"{ci_level:g}%" if ci_level else ""


def interval(ci, ci_level, unit=""):
    """"95% CI 0.43–0.73"."""
    if not ci:
        return ""
    fmt = percent if unit == "%" else number
    return f"{level(ci_level)} CI {fmt(ci[0])}–{fmt(ci[1])}".strip()


def source_label(reference, note=""):
    """A short name for the publication a figure comes from: "Facon 2019".

    Regulatory and news sources have no author; their note ("FDA analysis,
    ...") or the start of the citation names them instead.
    """
    if reference is None:
        return note.split(",")[0].split(" (")[0] if note else ""
    citation = reference.citation
    # "Facon T, et al. ... 2019", or a news item's "(report of Facon T, et al. ... 2021)".
    author = _AUTHOR.match(citation) or _REPORTED_AUTHOR.search(citation)
    if author:
        year = _YEAR.search(citation, author.end())
        return f"{author.group(1)} {year.group(1)}" if year else author.group(1)
    year = _YEAR.search(citation)
    if note:
        # "FDA analysis by independent review committee (95% ...)" -> "FDA analysis"
        words = re.split(r"[,(;]| by | of | for | with | in ", note, maxsplit=1)[0].strip()
        if len(words) <= MAX_SOURCE:
            return words
    # News and regulatory sources: their publisher, when the citation starts with it.
    name = re.split(r"\. |\(", citation, maxsplit=1)[0].strip().rstrip(".")
    name = PUBLISHERS.get(name, name)
    if len(name) > MAX_SOURCE:
        return f"Reference {reference.number}"
    return f"{name} {year.group(1)}" if year and year.group(1) not in name else name


def arm_labels(trial):
    return {arm["id"]: short_arm(arm["label"]) for arm in trial.arms}


def outcome_text(trial, outcome):
    """One outcome as a sentence fragment, e.g.
    "PFS hazard ratio 0.56 (95% CI 0.43–0.73)",
    "PFS at 30 months: D-Rd 70.6% vs Rd 55.6%"."""
    endpoint = endpoint_short(outcome["endpoint"])
    measure = outcome["measure"]
    arms = arm_labels(trial)
    unit = "%" if measure in ("landmark", "rate") else ""
    if measure == "hazard-ratio":
        text = f"{endpoint} hazard ratio {number(outcome['value'])}"
    elif measure == "median":
        text = f"Median {endpoint}"
    elif measure == "landmark":
        text = f"{endpoint} at {outcome['months']:g} months"
    else:
        text = endpoint
    if "values" in outcome:
        fmt = percent if unit else (lambda v: v if isinstance(v, str) else f"{v:g} months")
        # In the arms' order: PostgreSQL's jsonb does not keep a mapping's key order.
        order = {arm: index for index, arm in enumerate(arms)}
        values = sorted(outcome["values"].items(), key=lambda item: order.get(item[0], len(order)))
        parts = [f"{arms.get(arm, arm)} {fmt(value)}" for arm, value in values]
        text += ": " + " vs ".join(parts)
    elif measure != "hazard-ratio" and "value" in outcome:
        value = outcome["value"]
        text += ": " + (percent(value) if unit else f"{value:g} months")
    if outcome.get("ci"):
        text += f" ({interval(outcome['ci'], outcome.get('ci_level'), unit)})"
    return text
