"""Rendering in a process pool gives exactly what rendering in one process gives (issue 8)."""
import pytest

from bench.corpus import generate
from kb.ingest import parallel
from kb.ingest.loader import load, read_all
from kb.models import Article, Therapy


@pytest.mark.django_db
def test_pool_and_single_process_agree(tmp_path, monkeypatch):
    if not parallel.can_fork():
        pytest.skip("the pool forks: needs the fork start method and a single-threaded process")
    generate(40, tmp_path)
    # One broken link, so that errors come back from the workers too.
    page = next((tmp_path / "topics").glob("*.md"))
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [[no-such-page]].\n",
                    encoding="utf-8")

    serial = load(tmp_path, full=True)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    pooled = load(tmp_path, full=True)

    assert [str(e) for e in pooled.errors] == [str(e) for e in serial.errors]
    assert any("unknown link target [[no-such-page]]" in str(e) for e in pooled.errors)
    assert list(pooled.plan.rendered) == list(serial.plan.rendered)
    assert pooled.plan.rendered == serial.plan.rendered
    assert pooled.plan.faces == serial.plan.faces
    assert pooled.plan.glossary_targets == serial.plan.glossary_targets


@pytest.mark.django_db
def test_what_a_writing_load_keeps_of_each_page_is_the_same_from_the_workers(tmp_path,
                                                                              monkeypatch):
    """Spooled text, link lines and body notes are worked out in the workers (issue 8)."""
    if not parallel.can_fork():
        pytest.skip("the pool forks: needs the fork start method and a single-threaded process")
    generate(40, tmp_path)
    serial = load(tmp_path)
    Therapy.objects.all().delete()  # (their classes are protected while they exist)
    Article.objects.all().delete()  # the next load writes every page again
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    pooled = load(tmp_path)

    assert pooled.plan.spool is not None and serial.plan.spool is not None
    assert [str(e) for e in pooled.errors] == [str(e) for e in serial.errors]
    assert pooled.applied == serial.applied
    for plan in (serial.plan, pooled.plan):
        assert set(plan.link_lines) == set(plan.body_notes) == set(plan.rendered)
        assert all(rendered.html is None for rendered in plan.rendered.values())  # spooled
    assert pooled.plan.faces == serial.plan.faces
    assert pooled.plan.glossary_targets == serial.plan.glossary_targets
    assert pooled.plan.link_lines == serial.plan.link_lines
    assert any(pooled.plan.link_lines.values())
    assert pooled.plan.body_notes == serial.plan.body_notes
    assert ({slug: r.sections for slug, r in pooled.plan.rendered.items()}.__repr__()
            == {slug: r.sections for slug, r in serial.plan.rendered.items()}.__repr__())


# No database needed, but marked so that pytest-django runs it with the database
# tests, before the tests that start a live server thread (no pool may fork then).
@pytest.mark.django_db
def test_files_read_in_the_pool_read_as_in_one_process(tmp_path, monkeypatch):
    """A first load reads its files in the pool too (parallel.read_many): same records, same errors."""
    if not parallel.can_fork():
        pytest.skip("the pool forks: needs the fork start method and a single-threaded process")
    generate(60, tmp_path)
    (tmp_path / "topics" / "bad-yaml.md").write_text("---\ntitle: [unclosed\n---\nBody.\n",
                                                     encoding="utf-8")
    (tmp_path / "topics" / "latin-1.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")
    (tmp_path / "nowhere").mkdir()
    (tmp_path / "nowhere" / "lost.md").write_text("---\ntitle: Lost\n---\n", encoding="utf-8")

    serial = read_all(tmp_path, 10 ** 6)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(parallel, "READ_CHUNK", 7)  # several tasks per worker
    pooled = read_all(tmp_path, 10 ** 6)

    def described(result):
        found, errors = result
        return ([(r.path, r.kind, r.slug, r.fields, r.lines.tree, r.body, r.body_line,
                  r.content_hash, r.broken) for r in found], [str(e) for e in errors])

    assert described(pooled) == described(serial)
    assert len(serial[0]) == 61 and len(serial[1]) >= 3  # the broken files' errors are there
