"""Conditional GET and a rendered-page cache for pages built from loaded content (issue #7).

A page changes only when a load changes it, or when the code and templates
that draw it change. So its validators are cheap to compute before
rendering anything:

- ETag: for an article, a hash of its ``content_hash`` and ``updated_at``,
  the latest ``ContentLoad`` (any load may change the page's panels and
  backlinks, which come from other files), the release (a hash of the
  templates, static files and code, the same on every app server) and the
  day (a page says when its review is a year old). For the home and index
  pages: the latest load, the release and the day.
- Last-Modified: the later of the article's ``updated_at`` and that load.

A request whose If-None-Match (or If-Modified-Since) still matches gets a
304 after one small query instead of the page's dozens. Cache-Control lets
browsers and proxies reuse a page for ``KB_PAGE_MAX_AGE`` seconds, then
revalidate.

The same ETag keys a cache of the rendered page, in two tiers: each worker
keeps the pages it served last in its own memory, bounded in bytes
(``PageMemory``, ``KB_PAGE_MEMORY_BYTES``), in front of Django's cache when
that is shared by the workers (``KB_PAGE_CACHE_DIR``, what ``make
serve-prod`` sets). A page is drawn once per load, not once per request. A
load changes every key, so the cache never serves a page of an older load
and needs no invalidation. Requests with a query string (?q= in the
header's search box) are never cached.

A cached page costs one query and no transaction (issue #7): 0.5 ms of CPU
in-process for an article, against 1.15 ms with a transaction, the file
cache and ``condition`` on every hit (bench/loadtest.sh, BENCHMARKS.md).

On SQLite even that query is mostly skipped: ``content_version`` says, for
a few microseconds (``PRAGMA data_version``), whether anything was committed
since the validators were last read, so each worker reads an article's
validators once per load. The same token lets kb/wsgi.py answer a page it has
already sent, with the very same headers, before Django's middleware.
"""
import datetime
import hashlib
import os
import sqlite3
import threading
import time
import uuid
from collections import OrderedDict
from functools import lru_cache, wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date

from kb import live
from kb.models import Article, ContentLoad
from kb.snapshot import read_snapshot


@lru_cache(maxsize=1)
def release():
    """A hash of what draws the pages: templates, static files and the kb package."""
    digest = hashlib.sha256()
    roots = [Path(settings.BASE_DIR) / "templates", Path(settings.BASE_DIR) / "static",
             Path(__file__).resolve().parent]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    digest.update(settings.KB_BASE_URL.encode())
    return digest.hexdigest()[:16]


def latest_load(version=None):
    """``(id, finished_at)`` of the newest applied load, or ``(0, None)``.

    With a ``content_version`` the answer is remembered until that changes.
    """
    if version is not None:
        return _remembered(version, "latest-load", latest_load)
    with connection.cursor() as cursor:
        cursor.execute(_latest_load_sql(connection.vendor))
        row = cursor.fetchone()
    return (row[0], _datetime(row[1])) if row else (0, None)


@lru_cache(maxsize=4)
def _latest_load_sql(vendor):
    quote = connection.ops.quote_name
    load = quote(ContentLoad._meta.db_table)
    return (f"SELECT {quote('id')}, {quote('finished_at')} FROM {load} "
            f"ORDER BY {quote('finished_at')} DESC, {quote('id')} DESC LIMIT 1")


@lru_cache(maxsize=4)
def _validators_sql(vendor):
    """The validators query of an article page, built once per database backend."""
    quote = connection.ops.quote_name
    article = quote(Article._meta.db_table)
    newest = _latest_load_sql(vendor)
    return (f"SELECT a.{quote('kind')}, a.{quote('content_hash')}, a.{quote('updated_at')}, "
            f"l.{quote('id')}, l.{quote('finished_at')} "
            f"FROM {article} a LEFT JOIN ({newest}) l ON 1 = 1 WHERE a.{quote('slug')} = %s")


def _article_and_load(slug, version=None):
    """``(kind, content_hash, updated_at, load id, load finished_at)`` in one query.

    Raw SQL on the hot path: every article request, cached or not, runs it,
    and the ORM's query building cost more than the query (bench/loadtest.sh).
    One statement also reads one committed state, so it needs no transaction.
    With a ``content_version`` the row is remembered until that changes.
    """
    if version is not None:
        return _remembered(version, ("article", slug), lambda: _article_and_load(slug))
    with connection.cursor() as cursor:
        cursor.execute(_validators_sql(connection.vendor), [slug])
        row = cursor.fetchone()
    if row is None:
        return None
    kind, content_hash, updated_at, load_id, load_finished = row
    return (kind, content_hash, _datetime(updated_at), load_id or 0,
            _datetime(load_finished) if load_finished else None)


@lru_cache(maxsize=4096)
def _datetime(value):
    """Raw SQLite rows hold datetimes as text (UTC); PostgreSQL gives datetimes.

    Memoized: the same few values (the latest load's time above all) come
    back on every request.
    """
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.timezone.utc)
    return value


def article_validators(request, folder, slug):
    """``(etag, last_modified)`` of an article page, or ``(None, None)``.

    None for a slug that redirects (alias, wrong folder) or does not exist:
    those answers are cheap and carry no validators. Computed once per request.
    """
    cached = getattr(request, "_kb_validators", None)
    if cached is not None:
        return cached
    row = _article_and_load(slug, getattr(request, "_kb_version", None))
    if row is None or row[0] != folder:
        result = (None, None)
    else:
        _, content_hash, updated_at, load_id, load_finished = row
        # The day too: a page says so when its review is a year old.
        parts = [release(), slug, content_hash, updated_at.isoformat(), str(load_id),
                 load_finished.isoformat() if load_finished else "",
                 timezone.localdate().isoformat(), str(settings.DEBUG), live.validator_part()]
        etag = '"%s"' % hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
        result = (etag, max(filter(None, [updated_at, load_finished])))
    request._kb_validators = result
    return result


def site_validators(request, *args, **kwargs):
    """``(etag, last_modified)`` of a page drawn from the whole site (home, indexes)."""
    cached = getattr(request, "_kb_validators", None)
    if cached is not None:
        return cached
    load_id, load_finished = latest_load(getattr(request, "_kb_version", None))
    parts = [release(), request.path, str(load_id),
             load_finished.isoformat() if load_finished else "", timezone.localdate().isoformat(),
             str(settings.DEBUG), live.validator_part()]
    etag = '"%s"' % hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    request._kb_validators = (etag, load_finished)
    return request._kb_validators


def _cache_key(request, etag):
    if not etag or request.META.get("QUERY_STRING"):
        return None
    # The page shows its own address (canonical link) and nothing else of the request.
    return f"kb-page:{etag}:{request.scheme}://{request.get_host()}{request.path}"


class PageMemory:
    """The rendered pages a worker keeps in its own memory, bounded by bytes.

    Least recently used pages go first once ``limit`` bytes of HTML are held,
    so a worker's memory stops growing however many distinct pages it serves
    (issue #8: Django's LocMemCache bounds entries, not bytes, and pages weigh
    20-400 KB). A page in memory costs a dict look-up; one in the shared file
    cache an open, a read, zlib and unpickling (issue #7).

    Entries carry the *generation* they were stored under (see ``_generation``),
    so emptying Django's cache empties this one too.
    """

    def __init__(self, limit):
        self.limit = limit
        self.size = 0
        self.pages = OrderedDict()   # key -> (generation, content, content_type)
        self.lock = threading.Lock()

    def get(self, key, generation):
        with self.lock:
            entry = self.pages.get(key)
            if entry is None:
                return None
            if entry[0] != generation:
                self._drop(key)
                return None
            self.pages.move_to_end(key)
            return entry[1], entry[2]

    def peek(self, key):
        """``(generation, content, content_type)`` whatever its generation, or None.

        For kb/wsgi.py, which compares the generation (a content version) only
        for addresses it has an answer for: most requests it sees have none.
        """
        with self.lock:
            entry = self.pages.get(key)
            if entry is not None:
                self.pages.move_to_end(key)
            return entry

    def set(self, key, generation, content, content_type):
        if len(content) > self.limit:
            return
        with self.lock:
            if key in self.pages:
                self._drop(key)
            self.pages[key] = (generation, content, content_type)
            self.size += len(content)
            while self.size > self.limit:
                self._drop(next(iter(self.pages)))

    def clear(self):
        with self.lock:
            self.pages.clear()
            self.size = 0

    def _drop(self, key):
        self.size -= len(self.pages.pop(key)[1])


memory = PageMemory(settings.KB_PAGE_MEMORY_BYTES)
GENERATION_KEY = "kb-page-generation"


GENERATION_RECHECK_SECONDS = 1.0
_checked = {"token": None, "at": float("-inf")}


def _generation():
    """A token kept in Django's cache; a new one after every ``cache.clear()``.

    Emptying Django's cache (tests, bench/serve.py, an operator) must empty
    every tier, and each worker's memory is out of anyone else's reach: its
    entries are valid only under the token they were stored with.

    With a shared cache (a folder) reading the token is a file read and an
    unpickle, 7% of a cached article's time under load (bench/loadtest.sh,
    py-spy), so a worker re-reads it at most once a second. That delay never
    serves a stale page: keys are ETags, which change with every load; a
    clear only stops being visible to a worker for up to a second.
    """
    shared = _shared()
    now = time.monotonic()
    if shared and _checked["token"] is not None and now - _checked["at"] < GENERATION_RECHECK_SECONDS:
        return _checked["token"]
    token = cache.get(GENERATION_KEY)
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(GENERATION_KEY, token, None):
            token = cache.get(GENERATION_KEY, token)
    if shared:
        _checked.update(token=token, at=now)
    return token


def _shared():
    """Whether Django's cache is shared by the workers (a folder, a cache server).

    A per-process LocMemCache would only hold a second, entry-bounded copy of
    what ``memory`` holds, so pages are not put there.
    """
    return not isinstance(caches["default"], (LocMemCache, DummyCache))


class _DataVersion:
    """SQLite's ``PRAGMA data_version``, read on a connection of this process's own.

    The number changes whenever another connection commits to the database
    file: a load, from whichever process, a migration, anything. This
    connection never writes, so it counts every commit. There is one per
    process, shared by its threads under a lock, because each connection
    numbers commits its own way (``serial`` tells connections apart). It
    is opened with ``mode=rw``: it must not create a database that
    ``migrate`` has not.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.opened_for = None   # (pid, path): a forked process opens its own
        self.serial = 0
        self.connection = None

    def read(self, path):
        with self.lock:
            try:
                if self.opened_for != (os.getpid(), path):
                    self._open(path)
                return self.serial, self.connection.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error:
                self.opened_for = None
                return None

    def _open(self, path):
        if self.connection is not None and self.opened_for and self.opened_for[0] == os.getpid():
            self.connection.close()
        self.connection = None
        uri = Path(path).resolve().as_uri() + "?mode=rw"
        self.connection = sqlite3.connect(uri, uri=True, check_same_thread=False,
                                          isolation_level=None)
        self.opened_for = (os.getpid(), path)
        self.serial += 1


_data_version = _DataVersion()


def content_version():
    """A token that changes whenever a page's validators may have, or None.

    Its parts: the database's data version (any commit), the cache
    generation (``cache.clear()`` empties every tier), the day (ETags carry
    it), DEBUG and the editors' banner (``live.validator_part``). Reading it
    costs a few microseconds; the validators query it saves, with Django's
    cursor around it, ten times that (issue #7). None where no such cheap
    token exists (PostgreSQL, an in-memory SQLite database): every request
    then reads its validators, as it always did.
    """
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return None
    name = str(database["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    data = _data_version.read(name)
    if data is None:
        return None
    return (data, _generation(), timezone.localdate(), settings.DEBUG, live.validator_part())


_memo = (None, {})


def _remembered(version, key, read):
    """``read()``, remembered while ``version`` is the content version.

    One dict per version, replaced whole when the version changes: a request
    that still holds an older version can only write into the older dict,
    which nobody reads any more. Nothing is kept for a missing slug (a 404
    or a redirect), so the dict holds at most one row per article.
    """
    global _memo
    memo_version, values = _memo
    if memo_version != version:
        values = {}
        _memo = (version, values)
    value = values.get(key)
    if value is None:
        value = read()
        if value is not None:
            values[key] = value
    return value


# The environ key through which a view tells kb/wsgi.py what it may answer itself.
KNOWN_PAGE = "kb.known_page"


def _mark_known(request, response, version, etag, last_modified):
    """Mark a 200 or 304 of a GET that kb/wsgi.py may give again while ``version`` holds."""
    if (version is not None and request.method == "GET" and not request.META.get("QUERY_STRING")
            and response.status_code in (200, 304) and not response.streaming):
        request.environ[KNOWN_PAGE] = (version, etag, last_modified)


def cached_page(key):
    """``(content, content_type)`` of a rendered page, or None."""
    generation = _generation()
    hit = memory.get(key, generation)
    if hit is None and _shared():
        hit = cache.get(key)
        if hit is not None:
            memory.set(key, generation, *hit)
    return hit


def store_page(key, content, content_type):
    memory.set(key, _generation(), content, content_type)
    if _shared():
        cache.set(key, (content, content_type), settings.KB_PAGE_CACHE_SECONDS)


def _timestamp(moment):
    return int(moment.timestamp()) if moment else None


def _set_validators(request, response, etag, last_modified):
    """What ``django.views.decorators.http.condition`` adds to an answer, plus Cache-Control."""
    if request.method in ("GET", "HEAD"):
        if last_modified and not response.has_header("Last-Modified"):
            response.headers["Last-Modified"] = http_date(last_modified)
        response.headers.setdefault("ETag", etag)
    if response.status_code in (200, 304):
        patch_cache_control(response, public=True, max_age=settings.KB_PAGE_MAX_AGE)
    return response


def conditional_page(validators):
    """ETag/Last-Modified, 304 answers, Cache-Control and the rendered-page cache for a view.

    ``validators(request, *args, **kwargs) -> (etag, last_modified)``, with
    ``(None, None)`` for answers that get none (redirects, 404s).

    The fast path, a 304 or a cached page, runs at most one query (the
    validators; none while ``content_version`` has not changed since this
    worker read them) and no transaction: one statement sees one committed
    load. A 200 or 304 of a plain GET is marked for kb/wsgi.py, which then
    gives the same answer itself while the version holds. Anything else
    (drawing the page, redirects, 404s, other methods) runs in a read
    snapshot, as every other view does; ``ReadSnapshotMiddleware`` leaves
    these views alone. The snapshot begins after the validators were read,
    so a page is never older than the load its ETag and cache key name: at
    worst, when a load commits in between, a page of the newer load is kept
    under the older key, which only requests that read their validators
    before that load can ask for (issue #7).
    """
    def decorator(view):
        def draw(request, *args, **kwargs):
            with read_snapshot():
                return view(request, *args, **kwargs)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            # Read before the validators: a load committing in between changes
            # the version, so nothing read after it is kept under this one. In a
            # transaction (a test's) this connection may see writes that no
            # commit announced yet: nothing is remembered there.
            version = None if connection.in_atomic_block else content_version()
            request._kb_version = version
            etag, last_modified = validators(request, *args, **kwargs)
            if etag is None:
                return draw(request, *args, **kwargs)   # redirects, 404s: no validators
            last_modified = _timestamp(last_modified)
            response = get_conditional_response(request, etag=etag, last_modified=last_modified)
            if response is None:
                key = _cache_key(request, etag) if request.method in ("GET", "HEAD") else None
                hit = cached_page(key) if key else None
                if hit is not None:
                    response = HttpResponse(hit[0], content_type=hit[1])
                else:
                    response = draw(request, *args, **kwargs)
                    if key and response.status_code == 200 and not response.streaming:
                        store_page(key, response.content, response["Content-Type"])
            response = _set_validators(request, response, etag, last_modified)   # 200, 304, 412
            _mark_known(request, response, version, etag, last_modified)
            return response

        wrapper.kb_own_snapshot = True
        return wrapper
    return decorator


def _article_validators(request, *args, folder, slug, **kwargs):
    return article_validators(request, folder, slug)


conditional_article = conditional_page(_article_validators)
conditional_site_page = conditional_page(site_validators)
