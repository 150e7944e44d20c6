import os

# Playwright's sync API keeps an asyncio loop running on the main thread
# (shared/notes/browser-testing.md); Django would refuse ORM calls otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import datetime

import pytest

from tests.corpus import write_corpus

# The day warnings measure review dates from, so the corpus's dates never age.
TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def fixed_review_day(monkeypatch):
    monkeypatch.setattr("kb.ingest.warnings.today", lambda: TODAY)


@pytest.fixture
def content_dir(tmp_path, settings):
    """A valid content folder in tmp_path, set as KB_CONTENT_DIR."""
    root = write_corpus(tmp_path / "content")
    settings.KB_CONTENT_DIR = root
    return root


@pytest.fixture
def pooled(monkeypatch):
    """Render (and read) in a pool of two forked workers, however few the pages."""
    from kb.ingest import parallel
    if not parallel.can_fork():
        pytest.skip("the pool forks: needs the fork start method and a single-threaded process")
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "workers", lambda: 2)


@pytest.fixture
def loaded(content_dir, db):
    """The test corpus, loaded into the database."""
    from kb.ingest.loader import load

    result = load(content_dir)
    assert result.ok, [str(e) for e in result.errors]
    return content_dir


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests use a database file (one per session), not memory.

    With an in-memory database pytest-django's live server shares the test
    thread's one connection with its threads, so they would see a load's
    uncommitted rows; with a file each thread has its own connection and sees
    only committed loads, as real servers do (issue #7: reload under load).
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    elif not settings.KB_LOAD_CACHE_DIR:
        # The loader's read cache would go to the project's var/ (one folder per
        # test's content): a session folder instead, as SQLite's lies beside its file.
        settings.KB_LOAD_CACHE_DIR = str(tmp_path_factory.mktemp("load-cache"))


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with no rendered pages cached (kb/conditional.py), as
    each starts with its own database: a rolled-back test may reuse ids and,
    with a frozen clock, timestamps, which production never does."""
    from django.core.cache import cache

    cache.clear()
