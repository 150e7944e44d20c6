"""Rendering in a process pool gives exactly what rendering in one process gives (issue 8)."""
import pytest

from bench.corpus import generate
from kb.ingest import parallel
from kb.ingest.loader import load
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
