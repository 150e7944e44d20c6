"""Rendering in a process pool gives exactly what rendering in one process gives (issue 8)."""
import pytest

from bench.corpus import generate
from kb.ingest import parallel
from kb.ingest.loader import load


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
