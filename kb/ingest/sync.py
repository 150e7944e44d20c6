"""Pass 4: write a validated load to the database, in one transaction.

Only called when the whole load is free of errors, so the site switches from
the last good state to the next one at commit and readers never see a
half-applied load (STYLE.md example 1: parse, then sync).
"""

import collections
import contextlib
import itertools
from functools import partial

from django.db import connections, router, transaction
from django.utils import timezone

from kb import search
from kb.ingest.slugs import slugify
from kb.models import (
    MODEL_FOR_KIND, Alias, Approval, Article, ContentLoad, Link, Reference,
    Section,
)

# Front matter keys stored as plain fields on the kind's model.
SCALAR_FIELDS = {
    "biomarkers": ("gene",),
    "mechanisms": ("category",),
    "therapy-classes": ("role",),
    "therapies": ("status",),
    "combinations": ("settings",),
    "trials": ("phase", "setting", "comparator", "prior_lines", "nct", "enrolled",
               "primary_endpoint", "arms", "outcomes"),
    "topics": (),
    "glossary": ("matches",),
}
# Front matter keys that are many-to-many relations: key -> model attribute.
M2M_FIELDS = {
    "therapies": ("targets", "mechanisms"),
    "combinations": ("components",),
    "trials": ("tests",),
}


# Rows per INSERT, and pages written (then let go of) per step: a 10,000-page
# load never builds every Section and Link instance at once (issue 8).
BATCH = 500
CHUNK = 500


def apply(plan, early=None):
    """Apply a ``loader.Plan``; return the ContentLoad row.

    Every table is written with a few statements per chunk of pages, not a
    few per page (issue 8: row-by-row writing cost ~8 ms per article).
    ``early``: the ``EarlyWriter`` that already wrote some of this load's new
    pages, in the same transaction (a first load); what is left of them is
    what needs every page: links, approvals, relations.
    """
    written = early.written if early is not None else set()
    now = early.now if early is not None else timezone.now()
    with _short_query_log(connections[router.db_for_write(Article)]), transaction.atomic():
        ids = {row["slug"]: row["id"] for row in plan.existing.values()}
        if early is not None:
            ids.update(early.ids)
        touched = [*plan.changed, *plan.rerendered]
        stale_sections = list(Section.objects.filter(article_id__in=[
            ids[slug] for slug in [*touched, *plan.removed, *plan.kind_changed]
            if slug in ids and slug not in written
        ]).values_list("id", flat=True))
        # An article that moved to another kind folder is a new row of another model.
        for slug in plan.kind_changed:
            Article.objects.filter(id=ids.pop(slug)).delete()
        # Removed articles are deleted last (after relations no longer point at
        # them), but their slug and path may be reused by this load right away.
        gone = [ids.pop(slug) for slug in plan.removed]
        for article_id in gone:
            Article.objects.filter(id=article_id).update(
                slug=f"removed-{article_id}", source_path=f"removed/{article_id}")

        # Therapies last: their class must exist first.
        changed = therapies_last(plan.changed, plan.records)
        new = [slug for slug in changed if slug not in ids]
        edited = [slug for slug in changed if slug in ids and slug not in written]
        _save_articles(plan, new, ids, now, create=True)
        _save_articles(plan, edited, ids, now, create=False)
        for chunk in _chunks(plan.rerendered):
            _restore(plan, chunk)
            _update_rows(Article, ("body_html", "toc", "word_count", "reading_grade"), (
                (ids[slug], r.html, r.toc, r.word_count, r.reading_grade)
                for slug in chunk for r in [plan.rendered[slug]]))
            _release(plan, chunk)

        for chunk in _chunks([slug for slug in touched if slug not in written]):
            _save_sections(plan, chunk, ids)
        for chunk in _chunks(touched):
            _write_links(plan, chunk, ids)

        rewritten = [slug for slug in plan.changed if slug not in written]
        for id_chunk in _chunks([ids[slug] for slug in rewritten]):
            for model in (Reference, Approval):
                model.objects.filter(article_id__in=id_chunk).delete()
            Alias.objects.filter(article_id__in=id_chunk, automatic=False).delete()
        for chunk in _chunks(rewritten):
            records = [plan.records[slug] for slug in chunk]
            _save_references(records, ids)
            _save_approvals(records, ids)
            _save_aliases(records, ids)
        for chunk in _chunks([slug for slug in plan.changed if slug in written]):
            _save_approvals([plan.records[slug] for slug in chunk], ids)
        _save_relations(plan, ids)

        for old_slug, new_slug in plan.renamed.items():
            if not Alias.objects.filter(slug=old_slug).exists():
                Alias.objects.create(article_id=ids[new_slug], name=old_slug, slug=old_slug,
                                     automatic=True)
        # An automatic alias must not shadow a name that is now taken.
        for name_chunk in _chunks(sorted(plan.taken_names)):
            Alias.objects.filter(automatic=True, slug__in=name_chunk).exclude(
                article_id__in=[ids[s] for s in plan.renamed.values()]).delete()
        Article.objects.filter(id__in=gone).delete()
        indexed = early.indexed if early is not None else 0
        touched_ids = [ids[slug] for slug in touched if slug not in written]
        for number, id_chunk in enumerate(_chunks(touched_ids) or [[]]):
            indexed += search.index(id_chunk, stale_sections if number == 0 else ())
        search.after_load(indexed)

        return ContentLoad.objects.create(
            finished_at=now, created=len(plan.created), updated=len(plan.updated),
            removed=len(plan.removed), unchanged=len(plan.unchanged), changes=plan.changes())


def therapies_last(slugs, records):
    """``slugs`` in the order their rows are written: a therapy needs its class's row first."""
    return sorted(slugs, key=lambda slug: records[slug].kind == "therapies")


class EarlyWriter:
    """Write a first load's pages while the rest are still rendering (issue 8).

    A first load (an empty database: ``make run`` on a fresh machine, CI)
    renders every page in worker processes; writing afterwards left both
    cores to one process for ~2.5 s of 1,000 pages. This writes each page as
    soon as it is rendered, inside the load's transaction, which the loader
    rolls back if any check fails afterwards, so the site is left as it was
    (``loader._check_and_apply``). Only what needs nothing but the page's
    own row is written here (the article, its sections, references,
    aliases and search rows); ``apply(plan, early=self)`` writes the rest.
    Pages must come in the order ``therapies_last`` gives.
    """

    STEP = 100  # pages per write: small enough to follow the workers closely

    def __init__(self, plan):
        self.plan = plan
        self.now = timezone.now()
        self.ids = {}
        self.written = set()
        self.indexed = 0
        self._waiting = []
        self._log = None

    def __enter__(self):
        self._log = _short_query_log(connections[router.db_for_write(Article)])
        self._log.__enter__()
        return self

    def __exit__(self, *exc_info):
        return self._log.__exit__(*exc_info)

    def add(self, slug):
        self._waiting.append(slug)
        if len(self._waiting) >= self.STEP:
            self.flush()

    def flush(self):
        slugs, self._waiting = self._waiting, []
        if not slugs:
            return
        plan, ids = self.plan, self.ids
        _save_articles(plan, slugs, ids, self.now, create=True)
        records = [plan.records[slug] for slug in slugs]
        _save_references(records, ids)
        _save_aliases(records, ids)
        # After the names they are searched by (title, aliases): on
        # PostgreSQL each section row is written once, with its vectors.
        vectors = search.vectors_on_sections()
        _save_sections(plan, slugs, ids, with_vectors=vectors)
        if not vectors:
            self.indexed += search.index([ids[slug] for slug in slugs])
        self.written.update(slugs)


# Longest SQL a query log entry keeps while a load writes (see _short_query_log).
LOGGED_SQL_CHARS = 2000


class _ShortLog(collections.deque):
    """A query log whose entries keep only the start of their SQL."""

    def append(self, entry):
        sql = entry.get("sql")
        if isinstance(sql, str) and len(sql) > LOGGED_SQL_CHARS:
            entry = {**entry, "sql": f"{sql[:LOGGED_SQL_CHARS]}... ({len(sql):,} characters)"}
        super().append(entry)


@contextlib.contextmanager
def _short_query_log(connection):
    """Keep the query log (DEBUG, tests) from holding the whole load's values.

    With DEBUG on (the default in development, and in the load benchmark),
    Django logs each query's SQL with its values written in, for the last
    9,000 queries: a bulk INSERT of 500 articles logs their HTML, and a
    10,000-page load kept the whole site's HTML (~150 MB) in the log
    (issue 8). The log keeps every entry (counts, times), each cut short.
    """
    log = connection.queries_log
    connection.queries_log = _ShortLog(log, maxlen=log.maxlen)
    try:
        yield
    finally:
        entries, connection.queries_log = connection.queries_log, log
        log.clear()
        log.extend(entries)


def _restore(plan, slugs):
    """Bring back the HTML and section text of ``slugs`` from the load's spool."""
    if plan.spool is not None:
        for slug in slugs:
            plan.spool.restore(slug, plan.rendered[slug])


def _release(plan, slugs):
    if plan.spool is not None:
        for slug in slugs:
            plan.spool.release(slug, plan.rendered[slug])


def _insert_rows(model, columns, rows, prepare=False):
    """INSERT ``rows`` (tuples in the order of ``columns``, field names) into ``model``'s table.

    ``prepare``: pass each value through its field's ``get_db_prep_save``
    first, as Django does (JSON, dates); without it, values go as they are.
    """
    connection, quote, fields = _table(model, columns)
    sql = (f"INSERT INTO {quote(model._meta.db_table)} "
           f"({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    if prepare:
        rows = map(_preparer(fields, connection), rows)
    _run_in_batches(connection, sql, rows)


def _update_rows(model, columns, rows):
    """UPDATE ``columns`` of ``model``'s rows: ``rows`` are ``(pk, value, ...)`` tuples.

    One statement run for each row, not Django's ``bulk_update``, whose
    CASE WHEN per field per row cost ~6 ms a page when the most linked
    page's title changed (1,616 pages rendered again at 10,000; issue 8).
    """
    connection, quote, fields = _table(model, columns)
    sql = (f"UPDATE {quote(model._meta.db_table)} SET "
           f"{', '.join(f'{quote(f.column)} = %s' for f in fields)} "
           f"WHERE {quote(model._meta.pk.column)} = %s")
    prepare = _preparer(fields, connection)
    _run_in_batches(connection, sql, (prepare(row[1:]) + [row[0]] for row in rows))


def _table(model, columns):
    connection = connections[router.db_for_write(model)]
    return connection, connection.ops.quote_name, [model._meta.get_field(c) for c in columns]


def _preparer(fields, connection):
    """A function turning a row of Python values into what the database is given, as Django does."""
    preps = [partial(f.get_db_prep_save, connection=connection) for f in fields]
    return lambda row: [prep(value) for prep, value in zip(preps, row)]


def _run_in_batches(connection, sql, rows):
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, BATCH)):
            cursor.executemany(sql, batch)


def _chunks(items, size=CHUNK):
    items = list(items)
    return [items[start:start + size] for start in range(0, len(items), size)]


def _article_values(record, rendered, face, now, ids):
    fields = record.fields
    values = {
        "kind": record.kind, "slug": record.slug, "title": fields["title"],
        "summary": fields["summary"], "body_html": rendered.html, "toc": rendered.toc,
        "last_reviewed": fields["last_reviewed"], "word_count": rendered.word_count,
        "reading_grade": rendered.reading_grade,
        "source_path": record.path, "content_hash": record.content_hash, "face_hash": face,
        "updated_at": now,
    }
    defaults = {"settings": [], "matches": [], "arms": [], "outcomes": [], "enrolled": None}
    for key in SCALAR_FIELDS[record.kind]:
        values[key] = fields.get(key, defaults.get(key, ""))
    if record.kind == "therapies":
        # check_relations made it the canonical slug of a therapy class of this load.
        values["therapy_class_id"] = ids[fields["therapy_class"]]
    return values


def _save_articles(plan, slugs, ids, now, create):
    """Write the rows of changed pages: new ones in bulk, one model's table at a time."""
    if not create:
        for slug in slugs:  # an edit: a few pages, each a row of its kind's model
            record = plan.records[slug]
            _restore(plan, [slug])
            obj = MODEL_FOR_KIND[record.kind].objects.get(pk=ids[slug])
            for key, value in _article_values(record, plan.rendered[slug], plan.faces[slug],
                                              now, ids).items():
                setattr(obj, key, value)
            obj.save()
            _release(plan, [slug])
        return
    # Therapies come last in ``slugs`` and need their class's id: write in
    # groups of one kind, in the order given.
    groups = []
    for slug in slugs:
        kind = plan.records[slug].kind
        if not groups or groups[-1][0] != kind or len(groups[-1][1]) >= CHUNK:
            groups.append((kind, []))
        groups[-1][1].append(slug)
    for kind, group in groups:
        model = MODEL_FOR_KIND[kind]
        _restore(plan, group)
        values = [{"created_at": now, **_article_values(plan.records[slug], plan.rendered[slug],
                                                         plan.faces[slug], now, ids)}
                  for slug in group]
        # Plain rows, as Django's multi-table save would write them (it
        # refuses to bulk_create these models): the Article rows, their new
        # ids by slug, then the kind's own table. Model instances cost more
        # than the INSERTs (issue 8).
        parent = [f for f in Article._meta.concrete_fields if not f.primary_key]
        _insert_rows(Article, [f.name for f in parent],
                     ([_value(row, f) for f in parent] for row in values), prepare=True)
        ids.update(Article.objects.filter(slug__in=group).values_list("slug", "id"))
        for row, slug in zip(values, group):
            row["article_ptr"] = ids[slug]
        own = model._meta.local_concrete_fields
        _insert_rows(model, [f.name for f in own],
                     ([_value(row, f) for f in own] for row in values), prepare=True)
        _release(plan, group)


def _value(values, field):
    """``field``'s value in ``values`` (by name or column attribute), else its default."""
    if field.name in values:
        return values[field.name]
    if field.attname in values:
        return values[field.attname]
    return field.get_default()


def _save_sections(plan, slugs, ids, with_vectors=False):
    _restore(plan, slugs)
    try:
        _write_sections(plan, slugs, ids, with_vectors)
    finally:
        _release(plan, slugs)


def _write_sections(plan, slugs, ids, with_vectors=False):
    """``with_vectors``: the search vectors too, on the rows (``search.insert_sections``)."""
    touched_ids = [ids[slug] for slug in slugs]
    old_anchors = _anchors_by_article(touched_ids)
    Section.objects.filter(article_id__in=touched_ids).delete()
    # The two largest tables (~8 sections and ~13 links per page) are written
    # as plain rows: building a model instance per row cost more than the
    # INSERT itself (issue 8).
    rows = ((ids[slug], position, s.anchor or "top", s.heading or plan.records[slug].title,
             s.level, s.text)
            for slug in slugs for position, s in enumerate(plan.rendered[slug].sections))
    if with_vectors:
        search.insert_sections(rows)
    else:
        _insert_rows(Section, ("article", "position", "anchor", "heading", "level", "text"), rows)
    moved = {ids[slug]: plan.rendered[slug].sections for slug in slugs
             if old_anchors.get(ids[slug])}
    if moved:
        stored = dict(Article.objects.filter(id__in=list(moved))
                      .values_list("id", "anchor_moves"))
        updates = []
        for article_id, sections in moved.items():
            moves = anchor_moves(stored.get(article_id) or {}, old_anchors[article_id], sections)
            if moves is not None and moves != stored.get(article_id):
                updates.append(Article(id=article_id, anchor_moves=moves))
        Article.objects.bulk_update(updates, ["anchor_moves"], batch_size=BATCH)


def _write_links(plan, slugs, ids):
    """The links of ``slugs``: written once every page they may point at has its row."""
    Link.objects.filter(source_id__in=[ids[slug] for slug in slugs]).delete()
    _insert_rows(Link, ("source", "target", "target_anchor", "source_anchor", "source_heading",
                        "position"), (
        (ids[slug], ids[link.target], link.anchor, link.source_anchor,
         headings.get(link.source_anchor, ""), position)
        for slug in slugs
        for headings in [{s.anchor: s.heading for s in plan.rendered[slug].sections}]
        for position, link in enumerate(plan.rendered[slug].links)))


def _save_references(records, ids):
    """Write the references of ``records`` (plain rows: ~3.5 a page)."""
    _insert_rows(Reference, ("article", "position", "key", "citation", "doi", "pmid", "url"), (
        (ids[record.slug], position, ref["id"], ref["citation"], ref["doi"], ref["pmid"],
         ref["url"])
        for record in records
        for position, ref in enumerate(record.fields.get("references", []))))


def _reference_ids(records, ids):
    return {(article_id, key): pk for article_id, key, pk in Reference.objects.filter(
        article_id__in=[ids[r.slug] for r in records]).values_list("article_id", "key", "id")}


def _save_approvals(records, ids):
    """Write the approvals of ``records`` (their references are written)."""
    if not any(record.fields.get("approvals") for record in records):
        return
    ref_ids = _reference_ids(records, ids)
    approvals, bases = [], []
    for record in records:
        article_id = ids[record.slug]
        for position, item in enumerate(record.fields.get("approvals", [])):
            approvals.append(Approval(
                article_id=article_id, position=position, agency=item["agency"],
                date=item["date"], type=item["type"], setting=item["setting"],
                summary=item["summary"], reference_id=ref_ids[(article_id, item["reference"])]))
            bases.append(item["basis"])
    approvals = Approval.objects.bulk_create(approvals, batch_size=BATCH)
    if approvals and any(a.pk is None for a in approvals):
        by_key = {(a.article_id, a.position): a.pk for a in Approval.objects.filter(
            article_id__in=[ids[r.slug] for r in records])}
        for approval in approvals:
            approval.pk = by_key[(approval.article_id, approval.position)]
    _insert_rows(Approval.basis.through, ("approval", "trial"), (
        (approval.pk, ids[slug])
        for approval, basis in zip(approvals, bases) for slug in dict.fromkeys(basis)))


def _save_aliases(records, ids):
    aliases = []
    for record in records:
        seen = {record.slug}
        for name in record.fields.get("aliases", []):
            key = slugify(name)
            if key not in seen:
                seen.add(key)
                aliases.append(Alias(article_id=ids[record.slug], name=name, slug=key))
    for alias_chunk in _chunks(aliases):
        Alias.objects.filter(slug__in=[a.slug for a in alias_chunk], automatic=True).delete()
    Alias.objects.bulk_create(aliases, batch_size=BATCH)


def _save_relations(plan, ids):
    """Front matter relations, one through table at a time."""
    rows = {}   # through model -> (source column, target column, [(source id, target id)])
    sources = {}  # through model -> source ids whose rows are replaced
    fields = [(kind, key) for kind, keys in M2M_FIELDS.items() for key in keys]
    for slug in plan.changed:
        record = plan.records[slug]
        article_id = ids[slug]
        keys = [(MODEL_FOR_KIND[record.kind], key) for kind, key in fields if kind == record.kind]
        keys.append((Article, "see_also"))
        for model, key in keys:
            field = model._meta.get_field(key)
            through = field.remote_field.through
            entry = rows.setdefault(through, (field.m2m_column_name(),
                                              field.m2m_reverse_name(), []))
            sources.setdefault(through, []).append(article_id)
            entry[2].extend((article_id, ids[target])
                            for target in dict.fromkeys(record.fields.get(key, [])))
    for through, (source, target, pairs) in rows.items():
        for id_chunk in _chunks(sources[through]):
            through.objects.filter(**{f"{source}__in": id_chunk}).delete()
        _insert_rows(through, (source, target), pairs)


def _anchors_by_article(article_ids):
    result = {}
    for article_id, anchor, heading in (Section.objects.filter(article_id__in=article_ids)
                                        .order_by("position")
                                        .values_list("article_id", "anchor", "heading")):
        result.setdefault(article_id, []).append((anchor, heading))
    return result


def anchor_moves(current, old, new_sections):
    """Keep old #anchors working (issue #4): map each vanished anchor to its successor.

    ``current`` is the article's stored map, ``old`` its (anchor, heading)
    pairs of the last load; returns the new map, or None to keep ``current``.
    """
    new_anchors = [s.anchor for s in new_sections if s.anchor]
    if not old or not new_anchors:
        return None
    live = set(new_anchors)
    moves = {old_id: new_id for old_id, new_id in current.items() if old_id not in live}
    by_heading = {s.heading: s.anchor for s in new_sections if s.anchor}
    old_with_anchor = [(a, h) for a, h in old if a and a != "top"]
    for position, (anchor, heading) in enumerate(old_with_anchor):
        if anchor not in live:
            moves[anchor] = by_heading.get(heading) or new_anchors[min(position, len(new_anchors) - 1)]
    # Chains: a move that points at an anchor that vanished now points at its successor.
    for old_id in moves:
        target, seen = moves[old_id], set()
        while target not in live and target in moves and target not in seen:
            seen.add(target)
            target = moves[target]
        moves[old_id] = target if target in live else new_anchors[0]
    return moves
