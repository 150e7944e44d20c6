"""What each kind's front matter may hold, and the checks on it.

The schema is data (``COMMON`` and ``PER_KIND``) read by one ``validate``
function, so content/README.md, ``new_article`` and the checks agree. A
relation field only names slugs here; whether they exist, and are of the
right kind, is checked later across all files (``graph.py``).
"""
import datetime
import re
from dataclasses import dataclass

from kb.ingest.slugs import is_slug
from kb.models import Approval, Mechanism, SETTINGS, Therapy, TherapyClass, Trial

SETTING_VALUES = tuple(value for value, _ in SETTINGS)
ALL_KINDS = ("biomarkers", "mechanisms", "therapy-classes", "therapies", "combinations",
             "trials", "topics", "glossary")
NCT_RE = re.compile(r"^NCT\d{8}$")
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_RE = re.compile(r"^\d{1,9}$")
KEY_RE = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")


@dataclass(frozen=True)
class Field:
    type: str
    required: bool = False
    choices: tuple = ()
    kinds: tuple = ()          # for slug / slugs: the kinds a target may have
    help: str = ""
    # A value as written in YAML, for content/README.md and ``new_article``
    # (structured types take theirs from EXAMPLES below).
    example: str = ""


COMMON = {
    "title": Field("text", True, help="the page title", example="Daratumumab"),
    "summary": Field("text", True, help="one or two plain sentences, school grade 8 or below; "
                                        "shown in the 'In short' box, lists and search",
                     example="A medicine that sticks to CD38 on myeloma cells and helps the "
                             "immune system destroy them."),
    "last_reviewed": Field("date", True, help="when a person last checked the page against its "
                                              "sources", example="2026-11-01"),
    "slug": Field("slug", help="the page address; defaults to the file name",
                  example="daratumumab"),
    "aliases": Field("texts", help="other names: brand names, abbreviations, old slugs",
                     example="[Darzalex, Darzalex Faspro, dara]"),
    "references": Field("references", help="sources: id, citation, and doi / pmid / url"),
    "see_also": Field("slugs", kinds=ALL_KINDS, help="related pages of any kind",
                      example="[infusion-and-injection-reactions]"),
}

PER_KIND = {
    "biomarkers": {
        "gene": Field("text", help="gene symbol", example="CD38"),
    },
    "mechanisms": {
        "category": Field("choice", True, tuple(v for v, _ in Mechanism.CATEGORIES),
                          help="groups mechanisms on the index page", example="immune-effector"),
    },
    "therapy-classes": {
        "role": Field("choice", True, tuple(v for v, _ in TherapyClass.ROLES),
                      help="an anti-CD38 class, or a class of drugs given with them",
                      example="cd38-directed"),
    },
    "therapies": {
        "therapy_class": Field("slug", True, kinds=("therapy-classes",),
                               help="the therapy class it belongs to",
                               example="anti-cd38-antibodies"),
        "status": Field("choice", True, tuple(v for v, _ in Therapy.STATUSES),
                        help="approved somewhere for myeloma (or a related disease), still in "
                             "trials, or no longer developed", example="approved"),
        "targets": Field("slugs", kinds=("biomarkers",), help="what it binds",
                         example="[cd38]"),
        "mechanisms": Field("slugs", kinds=("mechanisms",), help="how it works",
                            example="[adcc, cdc]"),
        "approvals": Field("approvals", help="approvals of the drug on its own"),
    },
    "combinations": {
        "components": Field("slugs", True, kinds=("therapies",),
                            help="the drugs in the regimen (two or more)",
                            example="[daratumumab, lenalidomide, dexamethasone]"),
        "settings": Field("choices", True, SETTING_VALUES,
                          help="where it is used or studied",
                          example="[newly-diagnosed-transplant-ineligible]"),
        "approvals": Field("approvals", help="approvals of the regimen"),
    },
    "trials": {
        "phase": Field("choice", True, tuple(v for v, _ in Trial.PHASES),
                       help="quoted, so YAML keeps it text", example='"3"'),
        "setting": Field("choice", True, SETTING_VALUES, help="who took part",
                         example="newly-diagnosed-transplant-ineligible"),
        "tests": Field("slugs", True, kinds=("combinations", "therapies"),
                       help="the regimen(s) under study", example="[d-rd]"),
        "comparator": Field("text", help="the control arm in words; leave out for single-arm "
                                         "trials",
                            example="lenalidomide and dexamethasone (Rd)"),
        "prior_lines": Field("text", help="earlier treatments the participants had",
                             example="1-3"),
        "nct": Field("nct", help="ClinicalTrials.gov number: NCT and 8 digits",
                     example="NCT02252172"),
        "enrolled": Field("int", help="patients randomized (or treated, if single-arm)",
                          example="737"),
        "primary_endpoint": Field("text", help="the main measure",
                                  example="progression-free survival"),
        "arms": Field("arms", help="the groups of the trial, for outcomes"),
        "outcomes": Field("outcomes", help="results, each citing its reference"),
    },
    "topics": {},
    "glossary": {
        "matches": Field("texts", help="phrases in other pages that link to this entry "
                                       "(default: the title and aliases)",
                         example="[ADCC]"),
    },
}

# Examples of the structured fields, as YAML blocks below their key.
EXAMPLES = {
    "references": """\
- id: facon-2019
  citation: Facon T, et al. Daratumumab plus lenalidomide and dexamethasone for untreated myeloma. N Engl J Med. 2019;380:2104-15.
  doi: 10.1056/NEJMoa1817249   # and/or pmid: 31141632, and/or url: https://...""",
    "approvals": """\
- agency: FDA
  date: 2019-06-27
  type: regular               # accelerated, regular or conversion
  setting: newly-diagnosed-transplant-ineligible
  basis: [maia]               # trial slugs (optional)
  summary: With lenalidomide and dexamethasone for newly diagnosed myeloma not eligible for transplant.
  reference: facon-2019       # a reference id of this file""",
    "arms": """\
- id: experimental
  label: D-Rd
  regimen: d-rd               # optional: the combination or therapy slug
  n: 368                      # optional
- id: control
  label: Rd
  n: 369""",
    "outcomes": """\
- endpoint: pfs               # pfs, os, orr, cr, mrd-negativity, ...
  measure: hazard-ratio       # hazard-ratio, median, landmark or rate
  value: 0.56
  ci: [0.43, 0.73]
  ci_level: 95
  followup_months: 28.0       # optional
  analysis: primary           # primary, update or final (optional)
  reference: facon-2019""",
}

APPROVAL_TYPES = tuple(v for v, _ in Approval.AGENCY_TYPES)
ENDPOINTS = ("pfs", "os", "orr", "cr", "mrd-negativity", "hematologic-cr", "mod-pfs",
             "scr", "vgpr-or-better", "efs")
MEASURES = ("hazard-ratio", "median", "landmark", "rate")
ANALYSES = ("primary", "update", "final")


def fields_for(kind):
    return {**COMMON, **PER_KIND[kind]}


class Checker:
    """Collects (line, message) problems while converting one file's front matter."""

    def __init__(self, lines):
        self.lines = lines
        self.problems = []

    def fail(self, path, message):
        self.problems.append((self.lines.at(*path), message))
        return None

    # Scalars ---------------------------------------------------------------
    def text(self, path, value):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return self.fail(path, f"{_name(path)} must be text, not {_type(value)}")
        if not value.strip():
            return self.fail(path, f"{_name(path)} is empty")
        return value.strip()

    def date(self, path, value):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                pass
        return self.fail(path, f"{_name(path)} must be a date written YYYY-MM-DD, not {value!r}")

    def int(self, path, value):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return self.fail(path, f"{_name(path)} must be a whole number, not {value!r}")
        return value

    def number(self, path, value, positive=True):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return self.fail(path, f"{_name(path)} must be a number, not {value!r}")
        if positive and value <= 0:
            return self.fail(path, f"{_name(path)} must be positive, not {value!r}")
        return float(value)

    def choice(self, path, value, choices):
        if value not in choices:
            return self.fail(path, f"{_name(path)} must be one of {', '.join(choices)}; "
                                   f"found {value!r}")
        return value

    def slug(self, path, value):
        value = self.text(path, value)
        if value is not None and not is_slug(value):
            return self.fail(path, f"{_name(path)} {value!r} may only use a-z, 0-9 and '-'")
        return value

    def nct(self, path, value):
        value = self.text(path, value)
        if value is not None and not NCT_RE.match(value):
            return self.fail(path, f"{_name(path)} must look like NCT01234567, not {value!r}")
        return value

    # Lists -------------------------------------------------------------------
    def list_of(self, path, value, convert):
        if not isinstance(value, list):
            return self.fail(path, f"{_name(path)} must be a list, not {_type(value)}")
        items = [convert((*path, index), item) for index, item in enumerate(value)]
        return [item for item in items if item is not None]

    def texts(self, path, value):
        return self.list_of(path, value, self.text)

    def slugs(self, path, value):
        return self.list_of(path, value, self.slug)

    def choices(self, path, value, choices):
        return self.list_of(path, value, lambda p, v: self.choice(p, v, choices))

    def mapping(self, path, value, required, optional):
        """Check a nested mapping's keys; return it or None."""
        if not isinstance(value, dict):
            return self.fail(path, f"{_name(path)} must be a mapping, not {_type(value)}")
        ok = True
        for key in value:
            if key not in required and key not in optional:
                self.fail((*path, key), f"unknown key '{key}' in {_name(path)} "
                                        f"(allowed: {', '.join(sorted({*required, *optional}))})")
                ok = False
        for key in required:
            if key not in value:
                self.fail(path, f"{_name(path)} is missing '{key}'")
                ok = False
        return value if ok else None


def _name(path):
    name = str(path[0])
    for part in path[1:]:
        name += f"[{part + 1}]" if isinstance(part, int) else f".{part}"
    return name


def _type(value):
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a number", type(None): "nothing"}.get(type(value),
                                                                          type(value).__name__)


# Structured fields -------------------------------------------------------------

def references(check, path, value):
    refs = check.list_of(path, value, lambda p, v: _reference(check, p, v))
    seen = set()
    for index, ref in enumerate(refs or []):
        if ref["id"] in seen:
            check.fail((*path, index, "id"), f"reference id '{ref['id']}' is used twice")
        seen.add(ref["id"])
    return refs


def _reference(check, path, value):
    value = check.mapping(path, value, ("id", "citation"), ("doi", "pmid", "url"))
    if value is None:
        return None
    key = check.text((*path, "id"), value["id"])
    citation = check.text((*path, "citation"), value["citation"])
    ref = {"id": key, "citation": citation, "doi": "", "pmid": "", "url": ""}
    if key and not KEY_RE.match(key):
        check.fail((*path, "id"), f"reference id {key!r} may only use a-z, 0-9, '-', '_' and '.'")
    if "doi" in value:
        doi = check.text((*path, "doi"), value["doi"])
        if doi and not DOI_RE.match(doi):
            check.fail((*path, "doi"), f"malformed DOI {doi!r} (expected 10.NNNN/...)")
        ref["doi"] = doi or ""
    if "pmid" in value:
        pmid = check.text((*path, "pmid"), value["pmid"])
        if pmid and not PMID_RE.match(pmid):
            check.fail((*path, "pmid"), f"malformed PubMed ID {pmid!r} (digits only)")
        ref["pmid"] = pmid or ""
    if "url" in value:
        url = check.text((*path, "url"), value["url"])
        if url and not url.startswith(("https://", "http://")):
            check.fail((*path, "url"), f"reference url must start with https:// or http://")
        ref["url"] = url or ""
    return ref if key and citation else None


def approvals(check, path, value):
    return check.list_of(path, value, lambda p, v: _approval(check, p, v))


def _approval(check, path, value):
    value = check.mapping(path, value, ("agency", "date", "setting", "reference"),
                          ("type", "basis", "summary"))
    if value is None:
        return None
    result = {
        "agency": check.text((*path, "agency"), value["agency"]),
        "date": check.date((*path, "date"), value["date"]),
        "type": (check.choice((*path, "type"), value["type"], APPROVAL_TYPES)
                 if "type" in value else ""),
        "setting": check.choice((*path, "setting"), value["setting"], SETTING_VALUES),
        "reference": check.text((*path, "reference"), value["reference"]),
        "basis": check.slugs((*path, "basis"), value.get("basis", [])) or [],
        "summary": check.text((*path, "summary"), value["summary"]) if "summary" in value else "",
        "line": check.lines.at(*path),
    }
    return result if None not in result.values() else None


def arms(check, path, value):
    items = check.list_of(path, value, lambda p, v: _arm(check, p, v))
    seen = set()
    for index, arm in enumerate(items or []):
        if arm["id"] in seen:
            check.fail((*path, index, "id"), f"arm id '{arm['id']}' is used twice")
        seen.add(arm["id"])
    return items


def _arm(check, path, value):
    value = check.mapping(path, value, ("id", "label"), ("regimen", "n"))
    if value is None:
        return None
    arm = {
        "id": check.slug((*path, "id"), value["id"]),
        "label": check.text((*path, "label"), value["label"]),
        "regimen": check.slug((*path, "regimen"), value["regimen"]) if "regimen" in value else "",
        "n": check.int((*path, "n"), value["n"]) if "n" in value else None,
        "line": check.lines.at(*path),
    }
    return arm if arm["id"] and arm["label"] else None


def outcomes(check, path, value):
    return check.list_of(path, value, lambda p, v: _outcome(check, p, v))


def _outcome(check, path, value):
    value = check.mapping(path, value, ("endpoint", "measure", "reference"),
                          ("value", "values", "ci", "ci_level", "months", "followup_months",
                           "analysis", "note"))
    if value is None:
        return None
    out = {
        "endpoint": check.choice((*path, "endpoint"), value["endpoint"], ENDPOINTS),
        "measure": check.choice((*path, "measure"), value["measure"], MEASURES),
        "reference": check.text((*path, "reference"), value["reference"]),
        "line": check.lines.at(*path),
    }
    if None in out.values():
        return None
    measure = out["measure"]
    percent = measure in ("landmark", "rate")
    if "analysis" in value:
        out["analysis"] = check.choice((*path, "analysis"), value["analysis"], ANALYSES)
    if "note" in value:
        out["note"] = check.text((*path, "note"), value["note"])
    for key in ("months", "followup_months"):
        if key in value:
            out[key] = check.number((*path, key), value[key])
    if measure == "landmark" and "months" not in value:
        check.fail(path, f"{_name(path)}: a landmark outcome needs 'months' (the time point)")
    if "value" in value:
        out["value"] = _estimate(check, (*path, "value"), value["value"], percent)
    if "values" in value:
        if not isinstance(value["values"], dict) or not value["values"]:
            check.fail((*path, "values"), f"{_name((*path, 'values'))} must be a mapping of "
                                          "arm id to value")
        else:
            out["values"] = {
                str(arm): _estimate(check, (*path, "values", arm), v, percent,
                                    allow_not_reached=measure == "median")
                for arm, v in value["values"].items()
            }
    if measure == "hazard-ratio" and "value" not in value:
        check.fail(path, f"{_name(path)}: a hazard ratio needs 'value'")
    if ("ci" in value) != ("ci_level" in value):
        check.fail(path, f"{_name(path)}: give 'ci' and 'ci_level' together")
    elif "value" not in value and "values" not in value:
        check.fail(path, f"{_name(path)} needs 'value' or 'values'")
    if "ci" in value:
        out["ci"] = _interval(check, (*path, "ci"), value["ci"], out.get("value"), percent)
    if "ci_level" in value:
        level = check.number((*path, "ci_level"), value["ci_level"])
        if level is not None and not 50 <= level < 100:
            check.fail((*path, "ci_level"), f"ci_level is a percentage such as 95, not {level}")
        out["ci_level"] = level
    return out


def _estimate(check, path, value, percent, allow_not_reached=False):
    if allow_not_reached and isinstance(value, str) and value.strip().lower() == "not reached":
        return "not reached"
    number = check.number(path, value)
    if number is not None and percent and number > 100:
        check.fail(path, f"{_name(path)} is a percentage and must lie between 0 and 100, not {number}")
    return number


def _interval(check, path, value, estimate, percent):
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        return check.fail(path, f"{_name(path)} must be [lower, upper], not {value!r}")
    lower, upper = float(value[0]), float(value[1])
    if lower <= 0 or upper <= 0:
        return check.fail(path, f"{_name(path)} values must be positive")
    if percent and upper > 100:
        return check.fail(path, f"{_name(path)} is a percentage and must lie between 0 and 100")
    if not lower < upper:
        return check.fail(path, f"{_name(path)}: lower bound {lower} must be below upper bound {upper}")
    if isinstance(estimate, float) and not lower <= estimate <= upper:
        return check.fail(path, f"{_name(path)} [{lower}, {upper}] does not contain "
                                f"the estimate {estimate}")
    return [lower, upper]


STRUCTURED = {"references": references, "approvals": approvals, "arms": arms, "outcomes": outcomes}


def validate(kind, data, lines):
    """Convert front matter ``data`` of a ``kind``; return ``(fields, problems)``.

    ``problems`` is a list of ``(line, message)``; ``fields`` holds the
    converted values of the keys that passed.
    """
    schema = fields_for(kind)
    check = Checker(lines)
    fields = {}
    for key in data:
        if key not in schema:
            close = _close_match(str(key), schema)
            hint = f" (did you mean '{close}'?)" if close else ""
            check.fail((key,), f"unknown key '{key}' for a {kind} article{hint}")
    for key, spec in schema.items():
        if key not in data or data[key] is None:
            if spec.required:
                check.fail((), f"missing required key '{key}'")
            continue
        value = data[key]
        path = (key,)
        if spec.type in STRUCTURED:
            converted = STRUCTURED[spec.type](check, path, value)
        elif spec.type in ("choice", "choices"):
            converted = getattr(check, spec.type)(path, value, spec.choices)
        else:
            converted = getattr(check, spec.type)(path, value)
        if converted is not None:
            fields[key] = converted
    if kind == "combinations" and len(fields.get("components", [])) == 1:
        check.fail(("components",), "a combination needs at least two components")
    _check_internal_references(check, fields)
    return fields, check.problems


def _check_internal_references(check, fields):
    """Outcomes and approvals must name a reference and arms of this file."""
    ref_ids = {ref["id"] for ref in fields.get("references", [])}
    arm_ids = {arm["id"] for arm in fields.get("arms", [])}
    for name in ("approvals", "outcomes"):
        for index, item in enumerate(fields.get(name, [])):
            if item["reference"] not in ref_ids:
                check.fail((name, index, "reference"),
                           f"{_name((name, index))} cites unknown reference '{item['reference']}'")
    for index, item in enumerate(fields.get("outcomes", [])):
        for arm in item.get("values", {}):
            if arm not in arm_ids:
                check.fail(("outcomes", index, "values", arm),
                           f"{_name(('outcomes', index))} gives a value for unknown arm '{arm}'")


def _close_match(word, candidates):
    import difflib
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.75)
    return matches[0] if matches else None
