"""A first load writes pages while the others render, and still all or nothing (issue 8).

Into an empty database, ``sync.EarlyWriter`` writes each chunk of pages as
it comes back from the render workers, inside the load's one transaction;
the rest (links, approvals, relations) is written once every page is known.
What ends up stored must be what writing everything at the end stores, and
a load that fails a check after pages were written must leave nothing.
"""
import pytest
from django.db import connection

from bench.corpus import generate
from kb.ingest import sync
from kb.ingest.loader import load
from kb.models import (
    MODEL_FOR_KIND, Alias, Approval, Article, ContentLoad, Link, Reference, Section,
)
from kb.search import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def flushes(monkeypatch):
    """Each early write: (pages rendered so far, pages written by it)."""
    seen = []
    flush = sync.EarlyWriter.flush

    def spy(self):
        seen.append((len(self.plan.rendered), len(self._waiting)))
        flush(self)

    monkeypatch.setattr(sync.EarlyWriter, "STEP", 5)
    monkeypatch.setattr(sync.EarlyWriter, "flush", spy)
    return seen


def test_pages_are_written_while_later_ones_are_still_to_come(tmp_path, pooled, flushes):
    generate(40, tmp_path)

    result = load(tmp_path)

    assert result.applied
    written = [count for _, count in flushes if count]
    assert sum(written) == 40 == Article.objects.count()
    assert flushes[0][0] < 40  # the first write came before the last page was rendered


def test_early_and_end_of_load_writes_store_the_same_rows(content_dir, pooled, flushes,
                                                          monkeypatch):
    assert load(content_dir).applied
    assert any(count for _, count in flushes)
    early = _stored()
    _empty_database()

    monkeypatch.setattr(sync.EarlyWriter, "add", lambda self, slug: None)  # all written by apply
    assert load(content_dir).applied

    assert _stored() == early
    assert early["approvals"] and early["links"] and early["relations"]  # the test has teeth


def test_a_first_load_that_fails_a_later_check_leaves_the_database_empty(tmp_path, pooled,
                                                                         flushes):
    generate(40, tmp_path)
    page = sorted((tmp_path / "trials").glob("*.md"))[-1]
    other = sorted((tmp_path / "therapies").glob("*.md"))[0].stem
    page.write_text(page.read_text(encoding="utf-8") + f"\nSee [[{other}#no-such-heading]].\n",
                    encoding="utf-8")

    result = load(tmp_path)

    assert not result.applied
    assert any("no heading with id 'no-such-heading'" in str(e) for e in result.errors)
    assert sum(count for _, count in flushes) > 0  # pages had been written before the check
    _assert_empty()


def test_a_page_that_fails_to_render_stops_the_early_writes(tmp_path, pooled, flushes):
    generate(40, tmp_path)
    slugs = sorted(path.stem for path in tmp_path.glob("*/*.md"))
    page = next(tmp_path.glob(f"*/{slugs[len(slugs) // 2]}.md"))
    page.write_text(page.read_text(encoding="utf-8") + "\nA claim [@no-such-reference].\n",
                    encoding="utf-8")

    result = load(tmp_path)

    assert not result.applied
    assert any("[@no-such-reference]" in str(e) for e in result.errors)
    assert sum(count for _, count in flushes) < 40
    _assert_empty()


def _assert_empty():
    for model in (Article, Section, Link, Reference, Approval, Alias, ContentLoad):
        assert not model.objects.exists(), model.__name__
    if connection.vendor == "sqlite":
        from kb.search import sqlite
        with connection.cursor() as cursor:
            for table in (sqlite.TABLE, sqlite.NAMES_TABLE):
                cursor.execute(f"SELECT count(*) FROM {table}")
                assert cursor.fetchone()[0] == 0, table


def _empty_database():
    MODEL_FOR_KIND["therapies"].objects.all().delete()  # their classes are protected
    Article.objects.all().delete()
    ContentLoad.objects.all().delete()
    if connection.vendor == "sqlite":
        from kb.search import sqlite
        with connection.cursor() as cursor:
            for table in (sqlite.TABLE, sqlite.NAMES_TABLE):
                cursor.execute(f"DELETE FROM {table}")


def _stored():
    """Every row a load writes, by natural keys (ids differ between two loads)."""
    slug = dict(Article.objects.values_list("id", "slug"))
    skip = {"id", "article_ptr", "created_at", "updated_at"}
    articles = {}
    relations = set()
    for kind, model in MODEL_FOR_KIND.items():
        for row in model.objects.all():
            fields = {}
            for field in model._meta.concrete_fields:
                if field.name in skip:
                    continue
                value = getattr(row, field.attname)
                fields[field.name] = slug[value] if field.is_relation else value
            articles[row.slug] = fields
            for field in model._meta.many_to_many:
                for target in getattr(row, field.name).values_list("slug", flat=True):
                    relations.add((row.slug, field.name, target))
    reference_key = dict(Reference.objects.values_list("id", "key"))
    # PostgreSQL keeps the search vectors on the section rows (written with them, early).
    vectors = set(Section.objects.values_list(
        "article__slug", "position", "search_vector", "names_vector")) \
        if connection.vendor == "postgresql" else None
    return {
        "vectors": vectors,
        "articles": articles,
        "relations": relations,
        "sections": set(Section.objects.values_list(
            "article__slug", "position", "anchor", "heading", "level", "text")),
        "links": set(Link.objects.values_list(
            "source__slug", "target__slug", "target_anchor", "source_anchor", "source_heading",
            "position")),
        "references": set(Reference.objects.values_list(
            "article__slug", "position", "key", "citation", "doi", "pmid", "url")),
        "approvals": {(slug[a.article_id], a.position, a.agency, a.date, a.type, a.setting,
                       a.summary, reference_key[a.reference_id],
                       tuple(sorted(a.basis.values_list("slug", flat=True))))
                      for a in Approval.objects.all()},
        "aliases": set(Alias.objects.values_list("article__slug", "name", "slug", "automatic")),
        # What each query finds (PostgreSQL orders equal scores as rows lie on disk).
        "search": {query: sorted((hit.article.slug, sorted(s.anchor for s in hit.sections))
                                 for hit in search(query).hits)
                   for query in ("daratumumab", "CD38", "infusion reactions", "Darzalex",
                                 "complement", "trial")},
    }
