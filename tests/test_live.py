"""Live reload in development (issue #9): a saved file is loaded at once; errors
print as file:line: message and show on the page, which keeps its last good version."""
import io
from unittest import mock

import pytest

from kb import live
from kb.ingest.loader import load
from kb.models import Article
from tests.corpus import edit


@pytest.fixture
def state(monkeypatch):
    """A fresh banner state for each test (the real one lives as long as the server)."""
    fresh = live.LiveState()
    monkeypatch.setattr(live, "STATE", fresh)
    return fresh


@pytest.mark.django_db(transaction=True)  # the watcher writes from its own thread
def test_the_watcher_reloads_a_saved_file_and_keeps_the_last_good_version(
        content_dir, state, client, settings):
    load(content_dir)
    out = io.StringIO()
    watcher = live.ContentWatcher(content_dir, interval=0.05, out=out, state=state)
    watcher.start()
    try:
        assert watcher.reloaded.wait(5), out.getvalue()  # the check at start
        watcher.reloaded.clear()
        edit(content_dir, "mechanisms/cdc.md", "See also [[adcc]].", "Blood proteins, see [[adcc]].")
        assert watcher.reloaded.wait(5), out.getvalue()
        assert "Blood proteins" in Article.objects.get(slug="cdc").body_html
        assert "content reloaded (mechanisms/cdc.md): 0 created, 1 updated" in out.getvalue()

        watcher.reloaded.clear()
        edit(content_dir, "mechanisms/cdc.md", "see [[adcc]]", "see [[adc]]")
        assert watcher.reloaded.wait(5), out.getvalue()
        assert (f"{content_dir}/mechanisms/cdc.md:7: unknown link target [[adc]] "
                "(did you mean 'adcc'?)") in out.getvalue().splitlines()
        assert "content NOT reloaded: 1 error in 1 file" in out.getvalue()

        settings.DEBUG = True
        page = client.get("/mechanisms/cdc/").content.decode()
        assert 'class="live-banner has-errors"' in page
        assert "mechanisms/cdc.md:7</code>: unknown link target [[adc]]" in page
        assert "Blood proteins" in page and 'href="/mechanisms/adcc/"' in page  # last good

        watcher.reloaded.clear()
        edit(content_dir, "mechanisms/cdc.md", "see [[adc]]", "see [[adcc]]")
        assert watcher.reloaded.wait(5), out.getvalue()
        assert "live-banner" not in client.get("/mechanisms/cdc/").content.decode()
    finally:
        watcher.stop()
        watcher.join(5)
    assert not watcher.is_alive()


def test_snapshot_sees_edits_and_skips_editor_files(tmp_path):
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics/a.md").write_text("one")
    (tmp_path / "topics/.a.md.swp").write_text("swap")
    (tmp_path / "topics/a.md~").write_text("backup")
    before = live.snapshot(tmp_path)
    assert list(before) == ["topics/a.md"]
    (tmp_path / "topics/a.md").write_text("one, two")
    assert live.snapshot(tmp_path) != before


@pytest.mark.django_db
def test_the_banner_names_the_page_errors_and_the_other_files(loaded, state, client, settings):
    settings.DEBUG = True
    assert "live-banner" not in client.get("/").content.decode()  # now in the page cache
    edit(loaded, "mechanisms/cdc.md", "[[adcc]]", "[[adc]]")
    state.record(load(loaded))
    page = client.get("/mechanisms/cdc/").content.decode()
    assert "<p class=\"live-banner-title\">Development only: content errors, so the site still " \
           "shows the last good version</p>" in page
    assert f"<code>{loaded}/mechanisms/cdc.md:7</code>: unknown link target [[adc]]" in page
    other = client.get("/therapies/daratumumab/").content.decode()
    assert f"Errors in <code>{loaded}/mechanisms/cdc.md</code> stopped the latest reload" in other
    # Pages drawn from the whole site are cached by the state of the content: the
    # banner is part of that state in development.
    assert "stopped the latest reload" in client.get("/").content.decode()
    settings.DEBUG = False
    assert "live-banner" not in client.get("/mechanisms/cdc/").content.decode()


@pytest.mark.django_db
def test_the_banner_shows_the_page_warnings(loaded, state, client, settings):
    settings.DEBUG = True
    edit(loaded, "mechanisms/cdc.md", "See also", "In 40% of cells. See also")
    result = load(loaded)
    assert result.applied
    state.record(result)
    page = client.get("/mechanisms/cdc/").content.decode()
    assert '<section class="live-banner"' in page
    assert "mechanisms/cdc.md:7</code>: warning: paragraph gives figures (&#x27;40%&#x27;)" in page
    assert "live-banner" not in client.get("/mechanisms/adcc/").content.decode()


@pytest.mark.django_db
def test_edit_source_and_last_change_in_development_only(loaded, state, client, settings):
    settings.DEBUG = True
    page = client.get("/therapies/daratumumab/").content.decode()
    assert f'Edit source: <code>{loaded}/therapies/daratumumab.md</code> · file last changed' in page
    settings.KB_EDITOR_TOOLS = False  # the static export's pages are for the public
    assert "Edit source" not in client.get("/therapies/daratumumab/").content.decode()
    del settings.KB_EDITOR_TOOLS
    settings.DEBUG = False
    assert "Edit source" not in client.get("/therapies/daratumumab/").content.decode()


@pytest.mark.django_db
def test_the_version_endpoint_and_script_only_in_development(loaded, state, client, settings):
    settings.DEBUG = False
    assert client.get("/__live__/version").status_code == 404
    settings.DEBUG = True
    assert client.get("/__live__/version").json() == {"version": 0, "watching": False}
    # No watcher in this process: no script polling for one.
    assert "live.js" not in client.get("/therapies/daratumumab/").content.decode()


def test_runserver_starts_one_watcher_in_the_process_that_serves(monkeypatch, settings):
    """Django's autoreloader sends autoreload_started only in runserver's serving child."""
    from django.apps import apps
    from django.utils.autoreload import autoreload_started

    started = []

    class FakeWatcher:
        def start(self):
            started.append(self)

        def is_alive(self):
            return bool(started)

    monkeypatch.setattr(live, "ContentWatcher", FakeWatcher)
    monkeypatch.setattr(live, "_watcher", None)
    settings.DEBUG = True
    apps.get_app_config("kb").ready()  # connects once (dispatch_uid), as at start-up
    reloader = mock.Mock()  # Django's own receivers ask it to watch template folders
    autoreload_started.send(sender=reloader)
    autoreload_started.send(sender=reloader)  # the reloader may send it again: still one
    assert len(started) == 1 and live.watching()
