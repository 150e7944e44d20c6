"""Pass 4: write a validated load to the database, in one transaction.

Only called when the whole load is free of errors, so the site switches from
the last good state to the next one at commit and readers never see a
half-applied load (STYLE.md example 1: parse, then sync).
"""

from django.db import transaction
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


def apply(plan):
    """Apply a ``loader.Plan``; return the ContentLoad row."""
    now = timezone.now()
    with transaction.atomic():
        ids = {row["slug"]: row["id"] for row in plan.existing.values()}
        touched = [*plan.changed, *plan.rerendered]
        stale_sections = list(Section.objects.filter(article_id__in=[
            ids[slug] for slug in [*touched, *plan.removed, *plan.kind_changed] if slug in ids
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
        for slug in sorted(plan.changed, key=lambda s: plan.records[s].kind == "therapies"):
            record = plan.records[slug]
            ids[slug] = _save_article(record, plan.rendered[slug], plan.faces[slug],
                                      ids.get(slug), now)
        for slug in plan.rerendered:
            rendered = plan.rendered[slug]
            Article.objects.filter(id=ids[slug]).update(
                body_html=rendered.html, toc=rendered.toc, word_count=rendered.word_count,
                reading_grade=rendered.reading_grade)

        touched_ids = [ids[slug] for slug in touched]
        old_anchors = _anchors_by_article(touched_ids)
        Section.objects.filter(article_id__in=touched_ids).delete()
        Link.objects.filter(source_id__in=touched_ids).delete()
        Section.objects.bulk_create(
            Section(article_id=ids[slug], position=position, anchor=s.anchor or "top",
                    heading=s.heading or plan.records[slug].title, level=s.level, text=s.text)
            for slug in touched for position, s in enumerate(plan.rendered[slug].sections))
        Link.objects.bulk_create(
            Link(source_id=ids[slug], target_id=ids[link.target], target_anchor=link.anchor,
                 source_anchor=link.source_anchor, source_heading=headings.get(
                     link.source_anchor, ""), position=position)
            for slug in touched
            for headings in [{s.anchor: s.heading for s in plan.rendered[slug].sections}]
            for position, link in enumerate(plan.rendered[slug].links))
        for slug in touched:
            _record_anchor_moves(ids[slug], old_anchors.get(ids[slug], []),
                                 plan.rendered[slug].sections)

        changed_ids = [ids[slug] for slug in plan.changed]
        for model in (Reference, Approval):
            model.objects.filter(article_id__in=changed_ids).delete()
        Alias.objects.filter(article_id__in=changed_ids, automatic=False).delete()
        for slug in plan.changed:
            _save_details(plan.records[slug], ids)
        _save_relations(plan, ids)

        for old_slug, new_slug in plan.renamed.items():
            if not Alias.objects.filter(slug=old_slug).exists():
                Alias.objects.create(article_id=ids[new_slug], name=old_slug, slug=old_slug,
                                     automatic=True)
        # An automatic alias must not shadow a name that is now taken.
        Alias.objects.filter(automatic=True, slug__in=list(plan.taken_names)).exclude(
            article_id__in=[ids[s] for s in plan.renamed.values()]).delete()
        Article.objects.filter(id__in=gone).delete()
        search.index(touched_ids, stale_sections)

        return ContentLoad.objects.create(
            finished_at=now, created=len(plan.created), updated=len(plan.updated),
            removed=len(plan.removed), unchanged=len(plan.unchanged), changes=plan.changes())


def _save_article(record, rendered, face, article_id, now):
    model = MODEL_FOR_KIND[record.kind]
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
        values["therapy_class_id"] = Article.objects.values_list("id", flat=True).get(
            slug=fields["therapy_class"], kind="therapy-classes")
    if article_id is None:
        obj = model(created_at=now, **values)
        obj.save()
        return obj.pk
    obj = model.objects.get(pk=article_id)
    for key, value in values.items():
        setattr(obj, key, value)
    obj.save()
    return obj.pk


def _save_details(record, ids):
    article_id = ids[record.slug]
    refs = Reference.objects.bulk_create(
        Reference(article_id=article_id, position=position, key=ref["id"],
                  citation=ref["citation"], doi=ref["doi"], pmid=ref["pmid"], url=ref["url"])
        for position, ref in enumerate(record.fields.get("references", [])))
    ref_ids = {ref.key: ref.pk for ref in refs}
    if not all(ref_ids.values()):  # backends that do not return ids from bulk_create
        ref_ids = dict(Reference.objects.filter(article_id=article_id).values_list("key", "id"))
    for position, item in enumerate(record.fields.get("approvals", [])):
        approval = Approval.objects.create(
            article_id=article_id, position=position, agency=item["agency"], date=item["date"],
            type=item["type"], setting=item["setting"], summary=item["summary"],
            reference_id=ref_ids[item["reference"]])
        approval.basis.set([ids[slug] for slug in item["basis"]])
    seen = {record.slug}
    aliases = []
    for name in record.fields.get("aliases", []):
        key = slugify(name)
        if key not in seen:
            seen.add(key)
            aliases.append(Alias(article_id=article_id, name=name, slug=key))
    Alias.objects.filter(slug__in=[a.slug for a in aliases], automatic=True).delete()
    Alias.objects.bulk_create(aliases)


def _save_relations(plan, ids):
    for slug in plan.changed:
        record = plan.records[slug]
        article_id = ids[slug]
        obj = MODEL_FOR_KIND[record.kind](pk=article_id)
        for key in M2M_FIELDS.get(record.kind, ()):
            getattr(obj, key).set([ids[target] for target in record.fields.get(key, [])])
        Article(pk=article_id).see_also.set(
            [ids[target] for target in record.fields.get("see_also", [])])


def _anchors_by_article(article_ids):
    result = {}
    for article_id, anchor, heading in (Section.objects.filter(article_id__in=article_ids)
                                        .order_by("position")
                                        .values_list("article_id", "anchor", "heading")):
        result.setdefault(article_id, []).append((anchor, heading))
    return result


def _record_anchor_moves(article_id, old, new_sections):
    """Keep old #anchors working (issue #4): map each vanished anchor to its successor."""
    new_anchors = [s.anchor for s in new_sections if s.anchor]
    if not old or not new_anchors:
        return
    article = Article.objects.only("anchor_moves").get(pk=article_id)
    live = set(new_anchors)
    moves = {old_id: new_id for old_id, new_id in article.anchor_moves.items() if old_id not in live}
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
    if moves != article.anchor_moves:
        Article.objects.filter(pk=article_id).update(anchor_moves=moves)
