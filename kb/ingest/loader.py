"""The whole load: files -> records -> index -> rendered -> checked -> database.

``load()`` is what ``load_content``, ``check_content`` and the live reloader
call. It reads and checks everything first; only a load without errors is
written, in one transaction, so a bad edit never reaches readers. (A first
load, into an empty database, starts writing while it still renders, inside
that transaction, and rolls it back if any check fails: ``sync.EarlyWriter``.)

A reload re-reads only the files whose stamp changed (``readcache.py``) and
renders only those and the pages whose links point at them. A load that
writes keeps rendered HTML on disk until the write (``spool.py``), so its
memory does not grow with the whole site's HTML (issue 8).
"""
import gc
import sys
from functools import partial
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from kb.ingest import graph, parallel, readcache, records as records_mod, sync, warnings
from kb.ingest import spool as spool_mod
from kb.ingest.errors import ContentError
from kb.ingest.render import Renderer, line_in_body
from kb.ingest.slugs import slugify
from kb.models import Article, Link, Section


@dataclass
class Plan:
    records: dict                  # slug -> Record (every valid file)
    existing: dict                 # slug -> {"id", "kind", "source_path", "content_hash", "face_hash"}
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    kind_changed: list = field(default_factory=list)
    rerendered: list = field(default_factory=list)   # unchanged source, re-rendered for its links
    renamed: dict = field(default_factory=dict)      # old slug -> new slug (same file)
    rendered: dict = field(default_factory=dict)     # slug -> Rendered
    faces: dict = field(default_factory=dict)        # slug -> face hash
    taken_names: set = field(default_factory=set)
    content_dir: Path | None = None  # where bodies of records from the read cache are read
    max_bytes: int = 0
    # Rendered HTML and section text wait on disk for the write (spool.py);
    # None for a check that writes nothing.
    spool: object = None
    glossary_targets: dict = field(default_factory=dict)  # slug -> glossary slugs its HTML links
    # Kept when a body is let go of after rendering: what the checks need of it.
    link_lines: dict = field(default_factory=dict)   # slug -> {link as written: file line}
    body_notes: dict = field(default_factory=dict)   # slug -> warnings.from_body(record)

    @property
    def changed(self):
        return [*self.created, *self.updated]

    def changes(self):
        rows = [("created", slug) for slug in self.created]
        # An edit that moves last_reviewed is a re-review: /changes/ lists it as such.
        rows += [("re-reviewed" if self.records[slug].head.get("last_reviewed")
                  != self.existing[slug].get("last_reviewed") else "updated", slug)
                 for slug in self.updated]
        result = [{"action": action, "kind": self.records[slug].kind, "slug": slug,
                   "title": self.records[slug].title} for action, slug in rows]
        result += [{"action": "removed", "kind": self.existing[slug]["kind"], "slug": slug,
                    "title": self.existing[slug]["title"]} for slug in self.removed]
        return result


@dataclass
class LoadResult:
    errors: list
    plan: Plan | None = None
    applied: bool = False

    @property
    def ok(self):
        return not [e for e in self.errors if e.is_error]

    def summary(self):
        if self.plan is None:
            return "nothing loaded"
        p = self.plan
        return (f"{len(p.created)} created, {len(p.updated)} updated, {len(p.removed)} removed, "
                f"{len(p.unchanged)} unchanged")


def read_all(content_dir, max_bytes, cache=None):
    """Every file's record and errors (through ``cache``, a ``ReadCache``, when given).

    The files the cache cannot answer are read together, in a process pool
    when there are many (a first load; parallel.read_many).
    """
    files = records_mod.discover(content_dir)
    results = {}
    if cache is not None:
        for relative, path in files:
            found = cache.lookup(relative, path)
            if found is not None:
                results[relative] = found
    unread = [(relative, path) for relative, path in files if relative not in results]
    # strict: the pool's generator is run to its end, which shuts the pool down.
    for (relative, _), read in zip(unread, parallel.read_many(unread, content_dir, max_bytes),
                                   strict=True):
        results[relative] = read
        if cache is not None:
            cache.remember(relative, *read)
    found, errors = [], []
    for relative, _ in files:
        record, problems = results[relative]
        errors.extend(problems)
        if record is not None:
            found.append(record)
    return found, errors


def load(content_dir=None, dry_run=False, max_bytes=None, full=False):
    """Check every file and, unless ``dry_run`` or anything is wrong, apply the load.

    ``full`` checks every file from scratch without reading the database (what
    ``check_content`` does; only warnings compare heading ids with the last
    load, when there is one); it implies ``dry_run``.
    """
    dry_run = dry_run or full
    content_dir = Path(content_dir or settings.KB_CONTENT_DIR)
    max_bytes = max_bytes or settings.KB_MAX_FILE_BYTES
    if not content_dir.is_dir():
        return LoadResult([ContentError(str(content_dir), None, "content folder not found")])

    # Someone else's frozen objects (gc.freeze) are theirs to thaw.
    thaw = gc.get_freeze_count() == 0
    try:
        return _load(content_dir, dry_run, max_bytes, full)
    finally:
        if thaw:
            gc.unfreeze()


def _load(content_dir, dry_run, max_bytes, full):
    with _collector_paused():
        existing = {} if full else {row["slug"]: row for row in Article.objects.order_by().values(
            "id", "slug", "kind", "title", "source_path", "content_hash", "face_hash",
            "last_reviewed")}
        found, index, errors = _read_and_index(content_dir, max_bytes, full, bool(existing))
    records = {}
    for record in found:
        records.setdefault(record.slug, record)

    plan = Plan(records=records, existing=existing, content_dir=content_dir, max_bytes=max_bytes,
                spool=None if dry_run else spool_mod.Spool())
    try:
        return _check_and_apply(plan, index, errors, dry_run, full, content_dir)
    finally:
        if plan.spool is not None:
            plan.spool.close()


@contextmanager
def _collector_paused():
    """Read with Python's cyclic garbage collector off; what was read is then left out of it.

    Reading builds the load's long-lived values (the last load's rows, every
    file's record): ~300,000 small dicts, lists and tuples at 10,000 files,
    from the read cache on a reload. The collector runs every 700 new
    objects and, as the heap grows, walks all of them again and again:
    0.2-0.3 s CPU of a ~1.8 s reload after a one-file edit (issue 8).
    Reading makes no cyclic garbage worth collecting (records are plain
    values), and these values live until the load ends, so they are then
    frozen (``gc.freeze``) instead of being walked by the next collections
    (~0.1 s more); ``load`` thaws them at its end.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        gc.enable()


def _read_and_index(content_dir, max_bytes, full, warm):
    """Every file's record, the site index, and the errors of both (cross-file checks too)."""
    cache = None if full else _read_cache(content_dir, max_bytes, warm=warm)
    found, errors = read_all(content_dir, max_bytes, cache)
    index, index_errors = graph.build_index(found)
    errors += index_errors
    if cache is None:
        errors += graph.check_relations(found, index)
    else:
        # Unchanged files whose names all mean what they meant last time are
        # not checked again (readcache.py: known_relations).
        signature = graph.index_signature(index)
        unchecked, known = cache.known_relations(found, signature)
        relation_errors = graph.check_relations(unchecked, index)
        errors += known + relation_errors
        cache.remember_relations(unchecked, relation_errors, signature)
        cache.save()
    return found, index, errors


def _check_and_apply(plan, index, errors, dry_run, full, content_dir):
    _classify(plan)
    if dry_run or plan.existing or any(error.is_error for error in errors):
        return _render_check_and_apply(plan, index, errors, dry_run, full, content_dir)
    # A first load writes its pages as they are rendered (sync.EarlyWriter),
    # in one transaction that is rolled back unless the whole load is applied.
    with transaction.atomic(), sync.EarlyWriter(plan) as early:
        result = _render_check_and_apply(plan, index, errors, dry_run, full, content_dir, early)
        if not result.applied:
            transaction.set_rollback(True)
    return result


def _render_check_and_apply(plan, index, errors, dry_run, full, content_dir, early=None):
    records = plan.records
    renderer = Renderer(index.resolve, index.suggest, index.glossary)
    if _glossary_changed(plan):
        # Any page may use any glossary term: render them all again.
        plan.rerendered = [slug for slug in plan.unchanged if not records[slug].broken]
        rerendered = set(plan.rerendered)
        plan.unchanged = [slug for slug in plan.unchanged if slug not in rerendered]
    # One batch, so that a full load renders in a process pool (issue 8), in
    # the order pages are written.
    changed = sync.therapies_last(
        [slug for slug in plan.changed if not records[slug].broken], records)
    _render(plan, renderer, index, [*plan.rerendered, *changed], errors, early)
    dependents = [slug for slug in _dependents(plan) if slug not in plan.rerendered]
    for slug in dependents:
        plan.rerendered.append(slug)
        plan.unchanged.remove(slug)
    _render(plan, renderer, index, dependents, errors)

    anchors_of = _anchor_lookup(plan)
    for slug, rendered in plan.rendered.items():
        record = plan.records[slug]
        lines = plan.link_lines.get(slug)
        errors += graph.check_anchors(
            record, rendered.links, anchors_of,
            lines.get if lines is not None else lambda needle, r=record: line_in_body(r, needle))

    errors += warnings.check(plan, full=full, content_dir=content_dir)
    result = LoadResult(sorted(set(errors), key=ContentError.sort_key), plan)
    if result.ok and not dry_run and (plan.changed or plan.removed or plan.rerendered):
        for record in plan.records.values():
            record.body = None  # checked and rendered: not needed to write (issue 8, memory)
        sync.apply(plan, early)
        result.applied = True
    return result


def _read_cache(content_dir, max_bytes, warm):
    """The load's ``ReadCache``; it starts empty for a first load (``warm`` False)."""
    from django.db import connection
    folder = cache_folder(settings.KB_LOAD_CACHE_DIR, connection.vendor,
                          str(connection.settings_dict.get("NAME") or ""), settings.BASE_DIR)
    if folder is None:
        return None
    readcache.warm_hyphenation(folder)  # pyphen's parsed patterns are kept there too
    cache = readcache.ReadCache(readcache.cache_path(folder, content_dir), max_bytes)
    # An empty database gets a first load read from the files alone.
    return cache.open() if warm else cache


def cache_folder(setting, vendor, database_name, base_dir):
    """Where the read cache lives: ``KB_LOAD_CACHE_DIR``, else beside the database.

    A database server (PostgreSQL) has no file to keep it beside; what the
    cache holds depends on the files alone, not on the database, so it goes
    to the project's var/, as the page cache of `make serve-prod` does.
    Without it a reload read every file again (PostgreSQL, 1,000 articles:
    0.64 s for nothing changed, 5.5% of a full load; issue 8). None: no cache.
    """
    if setting == "off":
        return None
    if setting:
        return setting
    if vendor != "sqlite":
        return str(Path(base_dir) / "var" / "load-cache")
    if not database_name or ":memory:" in database_name or database_name.startswith("file:"):
        return None  # an in-memory database: only where the setting says
    return f"{database_name}.load-cache"


def _classify(plan):
    by_path = {row["source_path"]: slug for slug, row in plan.existing.items()}
    for slug, record in plan.records.items():
        old = plan.existing.get(slug)
        if old is None:
            plan.created.append(slug)
            previous = by_path.get(record.path)
            if previous and previous not in plan.records:
                plan.renamed[previous] = slug
        elif old["kind"] != record.kind:
            plan.kind_changed.append(slug)
            plan.created.append(slug)
        elif old["content_hash"] != record.content_hash:
            plan.updated.append(slug)
        else:
            plan.unchanged.append(slug)
    plan.removed = [slug for slug in plan.existing if slug not in plan.records]
    # A file renamed (new slug) keeps its title: its old address should keep working.
    removed_titles = {plan.existing[slug]["title"]: slug for slug in plan.removed}
    for slug in plan.created:
        old = removed_titles.get(plan.records[slug].title)
        if old and old not in plan.renamed:
            plan.renamed[old] = slug
    for slug in plan.changed:
        plan.taken_names.add(slug)
        plan.taken_names.update(slugify(a) for a in plan.records[slug].head.get("aliases", []))
    # A renamed slug keeps answering, unless this load gives the name to someone else.
    plan.renamed = {old: new for old, new in plan.renamed.items() if old not in plan.taken_names}


def _glossary_changed(plan):
    if not plan.existing:
        return False  # first load or full check: everything is rendered anyway
    return (any(plan.records[slug].kind == "glossary" for slug in plan.changed)
            or any(plan.existing[slug]["kind"] == "glossary" for slug in plan.removed))


def _render(plan, renderer, index, slugs, errors, early=None):
    """Render ``slugs`` (in a process pool when there are many; parallel.py).

    ``early``: a ``sync.EarlyWriter`` given each page once it is rendered,
    until a page has an error (the load will not be applied).
    """
    slugs = list(slugs)
    for slug in slugs:
        readcache.body_of(plan.records[slug], plan.content_dir, plan.max_bytes)
    report = set(plan.changed)  # the pages warnings are given for (warnings.check)
    keep = partial(_what_to_keep, report=report, spooling=plan.spool is not None)
    for slug, rendered, kept in parallel.render_many(plan.records, index, slugs, renderer, keep):
        record = plan.records[slug]
        errors += rendered.errors
        plan.rendered[slug] = rendered
        plan.faces[slug], targets, link_lines, body_notes, spooled = kept
        # A tuple of shared strings: a set per page cost 1.7 KB (issue 8).
        plan.glossary_targets[slug] = tuple(map(sys.intern, targets))
        if plan.spool is not None:
            plan.spool.put(slug, rendered, spooled)
            plan.link_lines[slug] = link_lines
            if body_notes is not None:
                plan.body_notes[slug] = body_notes
            # A page rendered again later reads its body from its file
            # (``readcache.body_of``): ~70 MB less at 10,000 pages (issue 8).
            record.body = None
        if early is not None:
            if any(error.is_error for error in rendered.errors):
                early = None  # the load will be rolled back: write nothing more
            else:
                early.add(slug)
    if early is not None:
        early.flush()


def _what_to_keep(record, rendered, report, spooling):
    """What the load keeps of a rendered page, worked out where the page was rendered.

    In a render worker when there is a pool (parallel.py), so that the loader,
    which also reads, checks and writes alone, has less to do per page
    (issue 8). ``(face, glossary targets, link lines, body notes, spooled)``;
    when spooling, the page's text leaves ``rendered`` (``spool.pack``) and
    only what the checks need of its body is kept: the file lines of its
    #anchor links and, for the pages warnings are given for, what
    ``warnings.check`` needs (``warnings.from_body``).
    """
    face = graph.face_hash(record, [s.anchor for s in rendered.sections if s.anchor])
    targets = tuple(dict.fromkeys(warnings.GLOSSARY_HREF_RE.findall(rendered.html)))
    if not spooling:
        return face, targets, None, None, None
    link_lines = {link.raw: line_in_body(record, link.raw) for link in rendered.links
                  if link.anchor}
    body_notes = warnings.from_body(record) if record.slug in report else None
    return face, targets, link_lines, body_notes, spool_mod.pack(rendered)


def _dependents(plan):
    """Unchanged pages whose links point at a page whose face changed or vanished."""
    moved = {slug for slug in plan.changed
             if plan.faces.get(slug) != plan.existing.get(slug, {}).get("face_hash")}
    moved.update(plan.removed)
    moved.update(plan.kind_changed)
    if not moved or not plan.existing:
        return []  # nothing stored yet (or a full check): every page is rendered anyway
    sources = (Link.objects.filter(target__slug__in=list(moved))
               .values_list("source__slug", flat=True).distinct())
    return sorted(slug for slug in set(sources) if slug in plan.unchanged)


def _anchor_lookup(plan):
    """``anchors_of(slug)``: the heading ids of a page, as this load leaves it.

    A page this load rendered has them in hand; the others' are read from the
    database, all at once: a query per page cost 3.4 s when the most linked
    page's title changed at 10,000 articles (1,616 pages rendered again,
    linking with #anchors to thousands of others; issue 8).
    """
    wanted = {link.target for rendered in plan.rendered.values() for link in rendered.links
              if link.anchor and link.target not in plan.rendered}
    cache = {slug: set() for slug in wanted}
    names = sorted(wanted)
    for start in range(0, len(names), 500):
        for slug, anchor in Section.objects.filter(article__slug__in=names[start:start + 500]) \
                .values_list("article__slug", "anchor"):
            cache[slug].add(anchor)

    def anchors_of(slug):
        if plan.records.get(slug) and plan.records[slug].broken:
            return AnyAnchor()  # its own error is reported; do not add one per link
        if slug not in cache:
            cache[slug] = {s.anchor for s in plan.rendered[slug].sections if s.anchor} \
                if slug in plan.rendered else set()
        return cache[slug]

    return anchors_of


class AnyAnchor(frozenset):
    def __contains__(self, item):
        return True
