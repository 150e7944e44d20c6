"""Pass 3: everything that needs all files at once.

- the site index: every slug and alias, and what a link to it shows;
- relations in front matter point at existing articles of the right kind;
- [[links#anchors]] point at sections that exist.
"""
import difflib
import hashlib
from dataclasses import dataclass, field

from kb.ingest.errors import ContentError
import re

from kb.ingest.markdown import GlossaryEntry, Target
from kb.ingest.schema import fields_for
from kb.ingest.slugs import slugify


def article_url(kind, slug):
    # Same shape as the "article" route in kb/urls.py; no reverse() so worker
    # processes need no URLconf.
    return f"/{kind}/{slug}/"


@dataclass
class SiteIndex:
    targets: dict = field(default_factory=dict)   # slug -> Target
    names: dict = field(default_factory=dict)     # slugified slug or alias -> slug
    owners: dict = field(default_factory=dict)    # slugified name -> path that claimed it
    glossary: list = field(default_factory=list)  # GlossaryEntry

    def resolve(self, name):
        # Most links name a slug as it is: a key of ``names`` is its own slugify.
        slug = self.names.get(name) or self.names.get(slugify(name))
        return self.targets.get(slug) if slug else None

    def suggest(self, name):
        matches = difflib.get_close_matches(slugify(name), list(self.names), n=1, cutoff=0.7)
        return self.names[matches[0]] if matches else None


def build_index(records):
    """Index every record's slug and aliases; report clashes."""
    index = SiteIndex()
    errors = []
    for record in records:
        if record.slug in index.targets:
            other = index.owners[record.slug]
            line = record.line_of("slug") if "slug" in record.head else None
            errors.append(ContentError(record.path, line,
                                       f"slug '{record.slug}' is already used by {other}"))
            continue
        index.targets[record.slug] = Target(record.slug, record.kind, record.title,
                                            article_url(record.kind, record.slug))
        index.names[record.slug] = record.slug
        index.owners[record.slug] = record.path
    for record in records:
        for position, alias in enumerate(record.head.get("aliases", [])):
            key = slugify(alias)
            # Looked up only for an error: a cached record unpacks its line
            # numbers on first use (readcache.py).
            line = record.line_of("aliases", position) if not key or index.names.get(
                key, record.slug) != record.slug else None
            if not key:
                errors.append(ContentError(record.path, line,
                                           f"alias {alias!r} has no letters or digits"))
                continue
            owner = index.names.get(key)
            if owner == record.slug:
                continue  # e.g. alias "D-Rd" of the article d-rd
            if owner is not None:
                errors.append(ContentError(
                    record.path, line,
                    f"alias '{alias}' is already the name of {index.owners[key]}"))
                continue
            index.names[key] = record.slug
            index.owners[key] = record.path
    index.glossary = glossary_entries(records)
    return index, errors


def glossary_entries(records):
    """Phrases that link to each glossary entry: its ``matches``, else title and aliases.

    "Progression-free survival (PFS)" gives both "Progression-free survival" and "PFS".
    """
    entries, claimed = [], set()
    for record in records:
        if record.kind != "glossary" or record.broken or not record.summary:
            continue
        phrases = record.head.get("matches")
        if not phrases:
            title = record.title
            phrases = [re.sub(r"\s*\([^)]*\)", "", title).strip(),
                       *re.findall(r"\(([^)]+)\)", title), *record.head.get("aliases", [])]
        unique = []
        for phrase in phrases:
            if phrase and phrase.lower() not in claimed:
                claimed.add(phrase.lower())
                unique.append(phrase)
        entries.append(GlossaryEntry(record.slug, article_url(record.kind, record.slug),
                                     record.summary, unique))
    return entries


def check_relations(records, index):
    """Every slug named in front matter exists and is of a kind the key allows.

    Names are replaced by canonical slugs on the way, so an alias may stand
    for a slug in relations as it may in links.
    """
    errors = []
    # Each name is looked up once per load, not once per use (37,000 uses at
    # 10,000 articles; issue 8), and a name that checks out costs one look-up.
    targets = _Targets(index)
    relation_keys = {}
    for record in records:
        fields = record.head  # the relations are there, not in the packed part

        def canonical(key, name, allowed, line):
            # ``line``: a number, or the front matter path of one (looked up
            # only for an error: line numbers are kept packed, records.py).
            hit = targets.get(name)
            if hit is not None and hit[1] in allowed and hit[2] != record.path:
                return hit[0]
            problem, slug = _check_target(record, index, key, name, allowed, line)
            if problem:
                errors.append(problem)
            return slug or name

        keys = relation_keys.get(record.kind)
        if keys is None:
            keys = relation_keys[record.kind] = [
                (key, spec) for key, spec in fields_for(record.kind).items()
                if spec.type in ("slug", "slugs") and key != "slug"]
        for key, spec in keys:
            if key not in fields:
                continue
            if spec.type == "slug":
                fields[key] = canonical(key, fields[key], spec.kinds, (key,))
            else:
                fields[key] = [canonical(key, name, spec.kinds, (key, position))
                               for position, name in enumerate(fields[key])]
        for position, approval in enumerate(fields.get("approvals", [])):
            approval["basis"] = [canonical(f"approvals[{position + 1}].basis", name, ("trials",),
                                           approval["line"]) for name in approval["basis"]]
        for arm in fields.get("arms", []):
            if arm["regimen"]:
                arm["regimen"] = canonical("arms.regimen", arm["regimen"],
                                           ("combinations", "therapies"), arm["line"])
    return errors


class _Targets(dict):
    """name -> (slug, kind, path that claimed it) of the article it names, or None."""

    def __init__(self, index):
        super().__init__()
        self.index = index

    def get(self, name):
        try:
            return self[name]
        except TypeError:  # not a name at all: the slow path words the error
            return None

    def __missing__(self, name):
        target = self.index.targets.get(self.index.names.get(slugify(name), ""))
        hit = self[name] = None if target is None else (
            target.slug, target.kind, self.index.owners.get(target.slug))
        return hit


def index_signature(index):
    """A digest of everything ``check_relations`` looks up in ``index``.

    Two loads with the same signature resolve every name the same way, so
    an unchanged file's relations check out as they did (readcache.py).
    """
    digest = hashlib.sha256()
    for part in (index.names, index.owners,
                 {slug: target.kind for slug, target in index.targets.items()}):
        digest.update("\x1e".join(f"{key}\x1f{value}" for key, value in part.items()).encode())
        digest.update(b"\x1d")
    return digest.hexdigest()


def _check_target(record, index, key, name, allowed, line):
    problem, slug = _target_problem(record, index, key, name, allowed)
    if problem is None:
        return None, slug
    if isinstance(line, tuple):
        line = record.line_of(*line)
    return ContentError(record.path, line, problem), None


def _target_problem(record, index, key, name, allowed):
    target = index.targets.get(index.names.get(slugify(name), ""))
    if target is None:
        hint = index.suggest(name)
        return f"{key}: no article '{name}'" + (f" (did you mean '{hint}'?)" if hint else ""), None
    if target.kind not in allowed:
        return (f"{key}: '{name}' is a {target.kind} article; "
                f"expected {' or '.join(allowed)}"), None
    if index.owners.get(target.slug) == record.path:
        return f"{key}: an article cannot relate to itself", None
    return None, target.slug


def check_anchors(record, links, anchors_of, line_of):
    """Each link's #anchor exists on its target (``anchors_of(slug) -> set``)."""
    errors = []
    for link in links:
        if link.anchor and link.anchor not in anchors_of(link.target):
            known = sorted(anchors_of(link.target))
            close = difflib.get_close_matches(link.anchor, known, n=1, cutoff=0.6)
            hint = f" (did you mean '#{close[0]}'?)" if close else ""
            errors.append(ContentError(record.path, line_of(link.raw),
                                       f"unknown section in {link.raw}: page '{link.target}' has "
                                       f"no heading with id '{link.anchor}'{hint}"))
    return errors


def face_hash(record, anchors):
    """What other pages show of this one: when it changes, pages linking here re-render."""
    parts = [record.kind, record.slug, record.title, record.summary,
             "|".join(sorted(record.head.get("aliases", []))), "|".join(anchors)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
