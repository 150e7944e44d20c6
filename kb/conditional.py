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
304 after two small queries instead of the page's dozens. Cache-Control lets
browsers and proxies reuse a page for ``KB_PAGE_MAX_AGE`` seconds, then
revalidate.

The same ETag keys a cache of the rendered page (Django's cache, local
memory per worker by default): a page is drawn once per load per worker,
not once per request, which is what keeps p99 under 100 ms at 64 concurrent
readers on two cores (BENCHMARKS.md). A load changes every key, so the cache
never serves a page of an older load and needs no invalidation. Requests with
a query string (?q= in the header's search box) are never cached.
"""
import datetime
import hashlib
from functools import lru_cache, wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import condition

from kb import live
from kb.models import Article, ContentLoad


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


def latest_load():
    """``(id, finished_at)`` of the newest applied load, or ``(0, None)``."""
    row = ContentLoad.objects.order_by("-finished_at", "-id").values_list(
        "id", "finished_at").first()
    return row or (0, None)


def _article_and_load(slug):
    """``(kind, content_hash, updated_at, load id, load finished_at)`` in one query.

    Raw SQL on the hot path: every article request, cached or not, runs it,
    and the ORM's query building cost more than the query (bench/loadtest.sh).
    """
    quote = connection.ops.quote_name
    article, load = quote(Article._meta.db_table), quote(ContentLoad._meta.db_table)
    newest = f"FROM {load} ORDER BY {quote('finished_at')} DESC, {quote('id')} DESC LIMIT 1"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('kind')}, {quote('content_hash')}, {quote('updated_at')}, "
            f"(SELECT {quote('id')} {newest}), (SELECT {quote('finished_at')} {newest}) "
            f"FROM {article} WHERE {quote('slug')} = %s", [slug])
        row = cursor.fetchone()
    if row is None:
        return None
    kind, content_hash, updated_at, load_id, load_finished = row
    return (kind, content_hash, _datetime(updated_at), load_id or 0,
            _datetime(load_finished) if load_finished else None)


def _datetime(value):
    """Raw SQLite rows hold datetimes as text (UTC); PostgreSQL gives datetimes."""
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
    row = _article_and_load(slug)
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
    load_id, load_finished = latest_load()
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


def conditional_page(validators):
    """ETag/Last-Modified, 304 answers, Cache-Control and the rendered-page cache for a view.

    ``validators(request, *args, **kwargs) -> (etag, last_modified)``, with
    ``(None, None)`` for answers that get none (redirects, 404s).
    """
    def decorator(view):
        @wraps(view)
        def cached(request, *args, **kwargs):
            key = _cache_key(request, validators(request, *args, **kwargs)[0])
            hit = cache.get(key) if key else None
            if hit is not None:
                content, content_type = hit
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if key and response.status_code == 200 and not response.streaming:
                cache.set(key, (response.content, response["Content-Type"]),
                          settings.KB_PAGE_CACHE_SECONDS)
            return response

        conditional = condition(
            etag_func=lambda request, *args, **kwargs: validators(request, *args, **kwargs)[0],
            last_modified_func=lambda request, *args, **kwargs: validators(request, *args, **kwargs)[1],
        )(cached)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = conditional(request, *args, **kwargs)
            if response.status_code in (200, 304) and validators(request, *args, **kwargs)[0]:
                patch_cache_control(response, public=True, max_age=settings.KB_PAGE_MAX_AGE)
            return response

        return wrapper
    return decorator


def _article_validators(request, *args, folder, slug, **kwargs):
    return article_validators(request, folder, slug)


conditional_article = conditional_page(_article_validators)
conditional_site_page = conditional_page(site_validators)
