"""The read cache: a reload re-reads only the files that changed (issue 8).

kb/ingest/readcache.py keeps each file's parsed record by its stamp (size,
mtime, ctime, inode). These tests pin down what must never go wrong: an
edited file is always read again, a broken cache costs only speed, and
errors of files that did not change are reported on every load.
"""
import os
import time

import pytest

from kb.ingest import readcache, records
from kb.ingest.loader import cache_folder, load
from kb.models import Article
from tests.corpus import edit

pytestmark = pytest.mark.django_db

PAGE = "therapies/daratumumab.md"


@pytest.fixture
def cache_dir(tmp_path, settings):
    settings.KB_LOAD_CACHE_DIR = str(tmp_path / "cache")
    return tmp_path / "cache"


@pytest.fixture
def trusting(monkeypatch):
    """Trust stamps at once (files in tests are seconds old, so racily clean)."""
    monkeypatch.setattr(readcache, "RACY_NS", 0)


@pytest.fixture
def reads(monkeypatch):
    """The relative paths ``records.read`` is called for."""
    seen = []
    real = records.read

    def counting(relative, *args, **kwargs):
        seen.append(relative)
        return real(relative, *args, **kwargs)

    monkeypatch.setattr(records, "read", counting)
    return seen


def reload(content_dir):
    time.sleep(0.05)  # past the file system's clock tick: an edit gets a new stamp
    result = load(content_dir)
    assert result.ok, [str(e) for e in result.errors]
    return result


def test_a_reload_reads_only_the_edited_file(content_dir, cache_dir, trusting, reads):
    reload(content_dir)
    reads.clear()
    edit(content_dir, PAGE, "## ", "A new first sentence.\n\n## ")

    result = reload(content_dir)

    assert reads == [PAGE]
    assert result.plan.updated == ["daratumumab"]
    assert "A new first sentence." in Article.objects.get(slug="daratumumab").body_html


def test_a_page_rendered_again_for_its_links_is_rendered_from_its_file(content_dir, cache_dir,
                                                                       trusting):
    # lenalidomide links to daratumumab#side-effects: a new title re-renders
    # it, and its record comes from the cache without its body.
    reload(content_dir)
    edit(content_dir, PAGE, "title: Daratumumab", "title: Daratumumab (Darzalex)")

    result = reload(content_dir)

    assert "lenalidomide" in result.plan.rerendered
    expected = load(content_dir, full=True).plan.rendered["lenalidomide"].html
    assert Article.objects.get(slug="lenalidomide").body_html == expected


def test_an_edit_that_keeps_size_and_mtime_is_still_read(content_dir, cache_dir, reads):
    # The racy case: same size, mtime set back, within a second of the last read.
    reload(content_dir)
    path = content_dir / PAGE
    before = path.stat()
    path.write_text(path.read_text().replace("common at", "common on", 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    reads.clear()

    result = load(content_dir)

    assert PAGE in reads
    assert result.plan.updated == ["daratumumab"]
    assert "common on the first dose" in Article.objects.get(slug="daratumumab").body_html


def test_a_changed_ctime_is_read_even_when_old_stamps_are_trusted(content_dir, cache_dir,
                                                                  trusting, reads):
    reload(content_dir)
    path = content_dir / PAGE
    before = path.stat()
    text = path.read_text()
    time.sleep(0.05)
    path.write_text(text.replace("common at", "common on", 1))  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    reads.clear()

    result = reload(content_dir)

    assert reads == [PAGE]
    assert result.plan.updated == ["daratumumab"]


def test_a_garbage_cache_is_ignored(content_dir, cache_dir, trusting, reads):
    reload(content_dir)
    for cache_file in cache_dir.iterdir():
        cache_file.write_bytes(b"not a pickle at all")
    reads.clear()

    result = reload(content_dir)

    assert len(reads) == len(result.plan.records)
    assert result.plan.changed == []
    reads.clear()
    reload(content_dir)
    assert reads == []  # and it was written again


def test_other_code_invalidates_the_cache(content_dir, cache_dir, trusting, reads, monkeypatch):
    reload(content_dir)
    monkeypatch.setattr(readcache, "CODE", "another version of the reading code")
    reads.clear()

    result = reload(content_dir)

    assert len(reads) == len(result.plan.records)


def test_errors_of_unchanged_files_are_reported_on_every_load(content_dir, cache_dir, trusting,
                                                              reads, monkeypatch):
    reload(content_dir)
    edit(content_dir, PAGE, "title: Daratumumab", "title: Daratumumab\ncolour: red")
    time.sleep(0.05)
    first = load(content_dir)
    reads.clear()
    bodies = []
    body_if_unchanged = records.body_if_unchanged
    monkeypatch.setattr(records, "body_if_unchanged",
                        lambda record, path: bodies.append(record.path)
                        or body_if_unchanged(record, path))

    second = load(content_dir)

    # Only the body of the page with the error is read again, not its front
    # matter: it differs from the site, so every load renders it to check it.
    assert reads == [] and bodies == [PAGE]
    assert [str(e) for e in second.errors] == [str(e) for e in first.errors]
    assert any("unknown key 'colour'" in str(e) and e.path == PAGE for e in second.errors)
    assert not second.applied


def test_an_unchanged_file_s_new_error_names_its_line(content_dir, cache_dir, trusting, reads):
    # daratumumab's record comes from the cache; its relation to cd38 breaks.
    reload(content_dir)
    (content_dir / "biomarkers" / "cd38.md").unlink()
    reads.clear()

    result = load(content_dir)

    assert PAGE not in reads
    expected = [str(e) for e in load(content_dir, full=True).errors if e.path == PAGE]
    assert [str(e) for e in result.errors if e.path == PAGE] == expected
    assert any(str(e).startswith(f"{PAGE}:8: targets: no article 'cd38'") for e in result.errors)


def test_a_removed_file_leaves_the_cache(content_dir, cache_dir, trusting, reads):
    reload(content_dir)
    (content_dir / "topics" / "infusion-reactions.md").unlink()
    result = load(content_dir)
    cached = readcache.ReadCache(readcache.cache_path(cache_dir, content_dir),
                                 result.plan.max_bytes).open()
    assert "topics/infusion-reactions.md" not in cached.entries
    assert PAGE in cached.entries


def shard_stamps(cache_dir, content_dir):
    """Each shard file of the content folder's cache -> its inode (a rewrite is a new file)."""
    base = readcache.cache_path(cache_dir, content_dir)
    return {path.name: path.stat().st_ino for path in cache_dir.glob(f"{base.name}-*.pickle")}


def test_a_reload_after_one_edit_rewrites_only_that_file_s_shard(content_dir, cache_dir,
                                                                 trusting):
    # At 10,000 files the whole cache is 21 MB; one edit rewrites ~1.3 MB of it (issue 8).
    reload(content_dir)
    reload(content_dir)
    before = shard_stamps(cache_dir, content_dir)
    edit(content_dir, PAGE, "## ", "A new first sentence.\n\n## ")

    reload(content_dir)

    after = shard_stamps(cache_dir, content_dir)
    rewritten = {name for name in after if after[name] != before.get(name)}
    shard = readcache.cache_path(cache_dir, content_dir).name + \
        f"-{readcache.shard_of(PAGE):02d}.pickle"
    assert rewritten == {shard}


def test_a_damaged_shard_costs_a_read_of_its_files_only(content_dir, cache_dir, trusting, reads):
    reload(content_dir)
    number = readcache.shard_of(PAGE)
    cache = readcache.ReadCache(readcache.cache_path(cache_dir, content_dir), 1)
    cache.shard_path(number).write_bytes(b"not a pickle at all")
    reads.clear()

    result = reload(content_dir)

    assert PAGE in reads
    assert sorted(reads) == sorted(record.path for record in result.plan.records.values()
                                   if readcache.shard_of(record.path) == number)
    assert result.plan.changed == []


def test_a_load_leaves_the_garbage_collector_as_it_found_it(content_dir, cache_dir, trusting):
    """Reading pauses the collector and freezes what it read (loader.py): both end with it."""
    import gc

    reload(content_dir)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.freeze()  # someone else's frozen objects (a server's start-up) stay frozen
    try:
        frozen = gc.get_freeze_count()
        reload(content_dir)
        assert gc.isenabled() and gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


def test_a_check_of_every_file_does_not_use_the_cache(content_dir, cache_dir, trusting, reads):
    reload(content_dir)
    reads.clear()

    result = load(content_dir, full=True)

    assert len(reads) == len(result.plan.records)


@pytest.fixture
def relation_checks(monkeypatch):
    """The paths of the records each ``graph.check_relations`` call checks."""
    from kb.ingest import graph
    calls = []
    real = graph.check_relations

    def recording(records_, index):
        calls.append([record.path for record in records_])
        return real(records_, index)

    monkeypatch.setattr(graph, "check_relations", recording)
    return calls


def test_unchanged_files_relations_are_not_checked_again_while_names_stay(
        content_dir, cache_dir, trusting, relation_checks):
    reload(content_dir)
    edit(content_dir, PAGE, "targets: [cd38]", "targets: [cd-39]")
    time.sleep(0.05)
    first = load(content_dir)
    edit(content_dir, "biomarkers/cd38.md", "## ", "A new sentence.\n\n## ")
    relation_checks.clear()
    time.sleep(0.05)

    second = load(content_dir)

    assert relation_checks == [["biomarkers/cd38.md"]]
    assert [str(e) for e in second.errors if e.path == PAGE] == \
        [str(e) for e in first.errors if e.path == PAGE]
    assert any(str(e).startswith(f"{PAGE}:8: targets: no article 'cd-39'")
               for e in second.errors)


def test_an_unchanged_file_s_relation_follows_a_name_given_elsewhere(content_dir, cache_dir,
                                                                      trusting):
    # daratumumab names cd-38-protein, unknown until cd38.md takes it as an alias.
    reload(content_dir)
    edit(content_dir, PAGE, "targets: [cd38]", "targets: [cd-38-protein]")
    time.sleep(0.05)
    errors = [str(e) for e in load(content_dir).errors]
    assert f"{PAGE}:8: targets: no article 'cd-38-protein'" in errors, errors
    edit(content_dir, "biomarkers/cd38.md", "aliases: [CD38 antigen]",
         "aliases: [CD38 antigen, CD-38 protein]")

    result = reload(content_dir)

    assert result.plan.records["daratumumab"].fields["targets"] == ["cd38"]
    assert list(Article.objects.get(slug="daratumumab").therapy.targets
                .values_list("slug", flat=True)) == ["cd38"]


def test_relations_from_the_cache_are_canonical_slugs_as_in_a_full_check(content_dir, cache_dir,
                                                                         trusting):
    edit(content_dir, PAGE, "targets: [cd38]", "targets: [cd38-antigen]")
    reload(content_dir)
    reload(content_dir)  # every record from the cache, relations not checked again

    result = reload(content_dir)

    full = load(content_dir, full=True)
    assert {slug: record.fields for slug, record in result.plan.records.items()} == \
        {slug: record.fields for slug, record in full.plan.records.items()}


def test_pyphen_s_parsed_patterns_are_kept_in_the_cache_folder(tmp_path, monkeypatch):
    """Parsing pyphen's dictionary is a twentieth of a one-file reload: kept between runs."""
    import pyphen

    source = pyphen.LANGUAGES[pyphen.language_fallback("en_US")]
    monkeypatch.setattr(pyphen, "hdcache", {})
    readcache.warm_hyphenation(tmp_path)
    parsed = pyphen.hdcache[source]
    [kept] = tmp_path.glob("pyphen-*.pickle")

    monkeypatch.setattr(pyphen, "hdcache", {})
    readcache.warm_hyphenation(tmp_path)
    assert pyphen.hdcache[source] is not parsed
    assert pyphen.hdcache[source].patterns == parsed.patterns

    kept.write_bytes(b"not a pickle")           # damaged: left to pyphen, which parses its own
    monkeypatch.setattr(pyphen, "hdcache", {})
    readcache.warm_hyphenation(tmp_path)
    assert source not in pyphen.hdcache
    pyphen.Pyphen(lang="en_US")
    assert pyphen.hdcache[source].patterns == parsed.patterns


def test_a_body_read_again_is_the_body_the_file_reads_to(content_dir):
    # The load cache keeps no bodies; a page rendered again gets its body cut
    # from the file at body_line (records.body_if_unchanged), as read() cuts it.
    path = content_dir / PAGE
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    record, _ = records.read(PAGE, path, content_dir, 10 ** 6)
    body = record.body
    record.body = None

    assert records.body_if_unchanged(record, path) == body
    path.write_bytes(path.read_bytes() + b"One more line.\r\n")
    assert records.body_if_unchanged(record, path) is None  # changed: read it all again



@pytest.mark.parametrize("setting, vendor, name, expected", [
    ("", "sqlite", "/srv/kb/db.sqlite3", "/srv/kb/db.sqlite3.load-cache"),
    ("", "postgresql", "kb", "/srv/kb/var/load-cache"),
    ("", "sqlite", ":memory:", None),
    ("", "sqlite", "file:memorydb_default?mode=memory&cache=shared", None),
    ("/var/cache/kb", "postgresql", "kb", "/var/cache/kb"),
    ("off", "sqlite", "/srv/kb/db.sqlite3", None),
])
def test_where_the_cache_is_kept(setting, vendor, name, expected):
    # Beside a database file; with a database server (PostgreSQL), which has
    # none, in the project's var/: without it a reload read every file again.
    assert cache_folder(setting, vendor, name, "/srv/kb") == expected


def test_with_postgresql_a_reload_with_nothing_changed_reads_no_file(content_dir, settings,
                                                                     tmp_path, trusting, reads):
    from django.db import connection
    if connection.vendor == "sqlite":
        pytest.skip("SQLite keeps the cache beside its file (test_where_the_cache_is_kept)")
    settings.KB_LOAD_CACHE_DIR = ""
    settings.BASE_DIR = tmp_path / "project"
    reload(content_dir)
    reads.clear()

    result = reload(content_dir)

    assert reads == [] and result.plan.updated == []
    assert any((tmp_path / "project" / "var" / "load-cache").iterdir())
