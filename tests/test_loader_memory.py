"""What a load holds while it checks 10,000 files stays small (issue 8: memory).

A record keeps the front matter parts only its own page uses, and its line
numbers, pickled; the query log of a DEBUG process keeps each query cut
short. None of it may change what a load reads, reports or writes.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.ingest import records, sync
from kb.ingest.frontmatter import Lines
from kb.ingest.loader import load, read_all
from kb.models import Article, Reference

pytestmark = pytest.mark.django_db

TRIAL = "trials/sirius.md"


def test_a_compact_record_reads_as_the_record_as_written(content_dir):
    found, _ = read_all(content_dir, 1024 * 1024)
    trial = next(r for r in found if r.path == TRIAL)
    whole = records.Record(trial.path, trial.kind, trial.slug, trial.fields,
                           Lines.from_tree(trial.lines.tree), trial.body, trial.body_line,
                           trial.content_hash)

    assert trial.packed is not None  # read records come compact
    assert "references" in trial.fields and "references" not in trial.head
    assert trial == whole
    assert [trial.line_of("references", 0), trial.line_of("title")] == \
        [whole.line_of("references", 0), whole.line_of("title")]


def test_the_checks_across_files_rewrite_the_head_and_keep_it(content_dir):
    result = load(content_dir, full=True)
    daratumumab = result.plan.records["daratumumab"]

    daratumumab.head["see_also"] = ["cd38"]

    assert daratumumab.fields["see_also"] == ["cd38"]
    assert daratumumab.fields["references"][0]["id"] == "lonial-2016"


def test_the_query_log_keeps_every_query_of_a_load_cut_short(content_dir, monkeypatch):
    monkeypatch.setattr(sync, "LOGGED_SQL_CHARS", 200)
    with CaptureQueriesContext(connection) as queries:
        result = load(content_dir)

    assert result.applied
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert any(sql.endswith(" characters)") for sql in writes)
    assert max(len(sql) for sql in writes) < 260
    assert not any("Daratumumab works through" in q["sql"] for q in queries.captured_queries)
    assert Article.objects.count() == len(result.plan.records)  # and all was written
    assert Reference.objects.filter(article__slug="sirius").exists()
