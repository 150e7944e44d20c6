import os

# Playwright's sync API keeps an asyncio loop running on the main thread
# (shared/notes/browser-testing.md); Django would refuse ORM calls otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest

from tests.corpus import write_corpus


@pytest.fixture
def content_dir(tmp_path, settings):
    """A valid content folder in tmp_path, set as KB_CONTENT_DIR."""
    root = write_corpus(tmp_path / "content")
    settings.KB_CONTENT_DIR = root
    return root


@pytest.fixture
def loaded(content_dir, db):
    """The test corpus, loaded into the database."""
    from kb.ingest.loader import load

    result = load(content_dir)
    assert result.ok, [str(e) for e in result.errors]
    return content_dir
