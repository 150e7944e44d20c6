"""Remember what each content file parsed to, so a reload re-reads only edited files.

Reading and checking 10,000 files costs ~10 s, against a target of 2 s for
a reload after a one-file edit (issue 8). A reload re-reads a file only when
its stamp changed; every other file's record (without its body) and its
errors come from this cache, so errors of unchanged files are still reported
on every load.

The stamp is what git keeps for the same purpose: size, mtime, ctime and
inode (``os.stat``, in nanoseconds). An edit that changes the content always
changes ctime, which no tool can set back (``touch -d``, ``cp -p`` and
``rsync -t`` restore mtime only). The one gap is an edit within the file
system's clock tick of the read: both writes carry the same stamp. As git
does with "racily clean" entries, a file whose stamp is less than
``RACY_NS`` older than the moment it was read is not trusted and is read
again on the next load, until a load reads it when it is old enough.
Checking a content hash of every file instead would cost most of what the
cache saves.

The cache is a set of ``SHARDS`` pickles per content folder in
``KB_LOAD_CACHE_DIR`` (never inside the content folder); a file's entry is
in the shard its path hashes to. A reload writes only the shards whose
entries changed: after a one-file edit one sixteenth of the cache, not the
25 MB of all of it at 10,000 files (issue 8). Each entry stands on its own
(its stamp, and the index signature its relations were checked under), so
shards written by different loads, or one left behind by a crash, never
make a wrong record, only a slower load. It is only a speed-up: a missing,
unreadable or stale shard (other code, other RENDER_VERSION, other
file-size limit) is ignored and rewritten. Bodies are not kept: the loader
reads the few it renders again (``body_of``).
"""
import hashlib
import os
import pickle
import stat as stat_mod
import tempfile
import time
import zlib
from pathlib import Path

from kb.ingest import errors as errors_mod, frontmatter, graph, records as records_mod, schema
from kb.ingest import slugs
from kb.ingest.errors import ContentError
from kb.ingest.records import Record

FORMAT = 5
# Shards per content folder: ~1.5 MB each at 10,000 files.
SHARDS = 16
# A stamp younger than this at read time may not change on the next edit.
RACY_NS = 2_000_000_000


def _code_digest():
    """What a cached record depends on: the code that reads and checks a file."""
    from kb import kinds
    digest = hashlib.sha256(records_mod.RENDER_VERSION.encode())
    for module in (records_mod, frontmatter, schema, slugs, errors_mod, kinds, graph):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


CODE = _code_digest()


def cache_path(cache_dir, content_dir):
    """Where the cache of ``content_dir`` is kept: the shards are ``<this>-NN.pickle``."""
    name = hashlib.sha256(str(Path(content_dir).resolve()).encode()).hexdigest()[:16]
    return Path(cache_dir) / f"records-{name}"


def shard_of(relative):
    """The shard a file's entry is kept in: the same in every process (``hash`` is not)."""
    return zlib.crc32(relative.encode()) % SHARDS


def stamp(path):
    """``(size, mtime_ns, ctime_ns, inode)`` of a plain file, or None (not cached)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat_mod.S_ISREG(info.st_mode):
        return None  # a symbolic link may point elsewhere without changing stamp: always read
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


class ReadCache:
    """Entries: relative path -> (stamp, read_at_ns, packed record or None, packed errors,
    and once checked: (index signature, checked head or None if as written,
    packed relation errors))."""

    def __init__(self, path, max_bytes):
        self.path = Path(path) if path else None
        self.header = (FORMAT, CODE, max_bytes, SHARDS)
        self.entries = {}
        self.shards = [{} for _ in range(SHARDS)]  # as read: what ``save`` compares with
        self.fresh = {}
        self._reading = {}  # relative path -> (stamp, time) of a file being read (``lookup``)
        # relative path -> the index signature under which the head of the
        # record read from this cache has its relation names checked
        # (graph.check_relations), or None: the head as written in the file.
        self.checked_under = {}

    def shard_path(self, number):
        return self.path.with_name(f"{self.path.name}-{number:02d}.pickle")

    def open(self):
        if self.path is None:
            return self
        for number in range(SHARDS):
            try:
                with open(self.shard_path(number), "rb") as handle:
                    header, entries = pickle.load(handle)
                if header == (*self.header, number) and isinstance(entries, dict):
                    self.shards[number] = entries
                    self.entries.update(entries)
            except Exception:  # noqa: BLE001 - any unreadable shard only costs speed
                pass
        return self

    def lookup(self, relative, path):
        """What ``records.read`` returned last time for this file's stamp, or None: read it.

        After None, give what the file reads to ``remember``.
        """
        now = time.time_ns()
        current = stamp(path)
        entry = self.entries.get(relative)
        if current is not None and entry is not None and entry[0] == current \
                and max(current[1], current[2]) < entry[1] - RACY_NS:
            checked = entry[4] if len(entry) > 4 else None
            try:
                record = _unpack_record(entry[2], checked[1] if checked else None)
                problems = [ContentError(*e) for e in entry[3]]
            except Exception:  # noqa: BLE001 - a damaged entry: read the file
                pass
            else:
                self.fresh[relative] = entry
                if record is not None and checked:
                    self.checked_under[relative] = checked[0]
                return record, problems
        # The stamp and the time before the read: an edit after it is seen next time.
        self._reading[relative] = (current, now)
        return None

    def remember(self, relative, record, problems):
        """Keep what ``relative`` read to, after ``lookup`` found nothing for it."""
        current, now = self._reading.pop(relative)
        if current is not None:
            self.fresh[relative] = (current, now, _pack_record(record),
                                    [_pack_error(e) for e in problems])

    def known_relations(self, records, signature):
        """Split ``records`` into those to check and the relation errors of the others.

        A record read from this cache whose relations were checked under the
        same index ``signature`` (``graph.index_signature``: every name, its
        article, kind and file) already has its names made canonical, and
        checking it again would give the errors it gave last time: 37,000
        look-ups at 10,000 articles, for a reload after a one-file edit
        (issue 8). A record checked under another signature gets its head as
        written back first: its names may now mean other articles.
        """
        unchecked, errors = [], []
        for record in records:
            under = self.checked_under.get(record.path)
            if under is not None and under == signature:
                errors += [ContentError(*e) for e in self.fresh[record.path][4][2]]
                continue
            if under is not None:
                entry = self.fresh[record.path]
                record.replace_head(pickle.loads(entry[2][3]))
                del self.checked_under[record.path]
            unchecked.append(record)
        return unchecked, errors

    def remember_relations(self, records, errors, signature):
        """Keep the checked heads of ``records`` and their ``errors`` for the next load."""
        by_path = {}
        for error in errors:
            by_path.setdefault(error.path, []).append(_pack_error(error))
        for record in records:
            entry = self.fresh.get(record.path)
            if entry is None or entry[2] is None:
                continue
            head = pickle.dumps(record.head, protocol=pickle.HIGHEST_PROTOCOL)
            if head == entry[2][3]:
                head = None  # as written (most files): kept once
            self.fresh[record.path] = (*entry[:4], (signature, head, by_path.get(record.path, [])))

    def save(self):
        """Write the shards whose entries changed in this load (files gone since are dropped).

        An entry this load did not change is the very object read from its
        shard. Each shard is written to a temporary file, then renamed over
        the old one, so a crash or a second loader never leaves half a shard.
        """
        if self.path is None:
            return
        shards = [{} for _ in range(SHARDS)]
        for relative, entry in self.fresh.items():
            shards[shard_of(relative)][relative] = entry
        written = False
        for number, (entries, before) in enumerate(zip(shards, self.shards)):
            if entries.keys() != before.keys() or any(
                    entry is not before[relative] for relative, entry in entries.items()):
                write_pickle(self.shard_path(number), ((*self.header, number), entries))
                written = True
        if written:
            # The one-file cache of earlier versions (FORMAT 4), 25 MB at 10,000 files.
            try:
                self.path.with_name(f"{self.path.name}.pickle").unlink(missing_ok=True)
            except OSError:
                pass


def write_pickle(path, value):
    """Pickle ``value`` to ``path`` through a temporary file renamed over it.

    A crash or a second loader never leaves half a file; a folder that cannot
    be written only costs the speed-up.
    """
    path = Path(path)
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False,
                                         prefix=f".{path.stem}-", suffix=".tmp") as handle:
            temporary = handle.name
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        if temporary:
            Path(temporary).unlink(missing_ok=True)


def warm_hyphenation(cache_dir):
    """Give pyphen its parsed en_US patterns from ``cache_dir``, or parse and keep them there.

    The reading grade (kb/ingest/render.py) asks pyphen for syllables; parsing
    its dictionary costs ~0.1 s, a twentieth of a reload after a one-file edit
    (issue 8); reading the parsed patterns back 0.01 s. The file is named for
    pyphen's version and the dictionary's size and mtime; anything unreadable
    is parsed again (the same patterns either way).
    """
    import pyphen

    source = pyphen.LANGUAGES[pyphen.language_fallback("en_US")]
    if source in pyphen.hdcache:
        return
    try:
        info = os.stat(source)
    except OSError:
        return
    path = Path(cache_dir) / f"pyphen-{pyphen.__version__}-{info.st_size}-{info.st_mtime_ns}.pickle"
    try:
        with open(path, "rb") as handle:
            patterns = pickle.load(handle)
        if isinstance(patterns, pyphen.HyphDict):
            pyphen.hdcache[source] = patterns
            return
    except FileNotFoundError:
        pass
    except Exception:  # noqa: BLE001 - only costs the parse
        return
    pyphen.hdcache[source] = pyphen.HyphDict(source)
    write_pickle(path, pyphen.hdcache[source])


def _pack_record(record):
    # A tuple of plain values, taken right after reading: the head is
    # pickled now because the loader later rewrites relation names in it
    # (graph.check_relations; the checked head is kept apart,
    # ``remember_relations``). The parts a record keeps packed (records.py:
    # the bulky front matter keys, the line numbers) stay bytes here, so a
    # reload unpacks only what the checks across files look at.
    if record is None:
        return None
    record.compact()
    head = pickle.dumps(record.head, protocol=pickle.HIGHEST_PROTOCOL)
    return (record.path, record.kind, record.slug, head, record.packed, record.lines.packed,
            record.body_line, record.content_hash, record.broken)


def _unpack_record(packed, checked_head=None):
    """The record of ``_pack_record``; with the head its relations were checked to, if given."""
    if packed is None:
        return None
    path, kind, slug, head, rest, lines, body_line, content_hash, broken = packed
    return Record(path, kind, slug, pickle.loads(checked_head or head),
                  frontmatter.PackedLines(lines), "" if broken else None, body_line,
                  content_hash, broken=broken, packed=rest)


def _pack_error(error):
    return (error.path, error.line, error.message, error.level, error.code)


def body_of(record, content_dir, max_bytes):
    """Fill in the body of a record that came from the cache (it is about to be rendered).

    The file was not changed when the load began (its stamp matched); if it
    changed since, this body is newer than the record's hash, and the next
    load sees the new stamp and loads the file again.
    """
    if record.body is None:
        path = Path(content_dir) / record.path
        record.body = records_mod.body_if_unchanged(record, path)
    if record.body is None:  # changed since: the whole file again
        fresh, _ = records_mod.read(record.path, path, content_dir, max_bytes)
        record.body = fresh.body if fresh is not None and fresh.body is not None else ""
    return record
