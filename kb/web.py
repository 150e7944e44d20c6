"""Web conventions around the pages: /healthz, robots.txt, sitemap.xml, page meta, 500.

Small views that fetch and answer (STYLE.md example 3); the Atom feed is in
kb/feeds.py, conditional GET in kb/conditional.py.
"""
import logging

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Max
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from kb import kinds
from kb.models import Article, ContentLoad, Link, Section

logger = logging.getLogger(__name__)


def base_url(request):
    """The public address: ``KB_BASE_URL``, or the address this request came to."""
    if settings.KB_BASE_URL:
        return settings.KB_BASE_URL
    return f"{request.scheme}://{request.get_host()}{request.META.get('SCRIPT_NAME', '')}".rstrip("/")


def absolute(request, path):
    """An absolute URL for a site path (``reverse()`` result or ``request.path_info``)."""
    return base_url(request) + path


def meta(request):
    """Context processor: what templates/includes/meta.html needs."""
    try:
        canonical = absolute(request, request.path_info)
    except Exception:  # DisallowedHost while rendering an error page: no canonical link
        canonical = ""
    return {"canonical_url": canonical}


@require_safe
def healthz(request):
    """For load balancers: 200 when the database answers and content is loaded, else 503."""
    try:
        counts = {
            "articles": Article.objects.count(),
            "sections": Section.objects.count(),
            "links": Link.objects.count(),
        }
        last = ContentLoad.objects.aggregate(at=Max("finished_at"))["at"]
    except DatabaseError:
        logger.exception("healthz: database unreachable")
        response = JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    else:
        loaded = counts["articles"] > 0
        response = JsonResponse({
            "status": "ok" if loaded else "error",
            "database": "ok",
            "content_loaded": loaded,
            "last_load": last.isoformat() if last else None,
            **counts,
        }, status=200 if loaded else 503)
    patch_cache_control(response, no_store=True)
    return response


@require_safe
def robots_txt(request):
    text = (
        "User-agent: *\n"
        # Search result pages are endless variations of the articles.
        f"Disallow: {reverse('search')}\n"
        f"Sitemap: {absolute(request, reverse('sitemap'))}\n"
    )
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@require_safe
def sitemap(request):
    """Home, every section index and every article, with the date each last changed."""
    last = ContentLoad.objects.aggregate(at=Max("finished_at"))["at"]
    site_date = last.date().isoformat() if last else ""
    entries = [(reverse("home"), site_date)]
    entries += [(reverse("kind_index", args=[kind.folder]), site_date) for kind in kinds.KINDS]
    for kind, slug, updated_at, reviewed in (Article.objects.order_by("kind", "slug").values_list(
            "kind", "slug", "updated_at", "last_reviewed")):
        changed = max(updated_at.date(), reviewed).isoformat()
        entries.append((reverse("article", kwargs={"folder": kind, "slug": slug}), changed))
    response = render(request, "kb/sitemap.xml", {
        "entries": [(absolute(request, path), date) for path, date in entries]},
        content_type="application/xml; charset=utf-8")
    patch_cache_control(response, public=True, max_age=settings.KB_PAGE_MAX_AGE)
    return response


# Shown when even the site's layout cannot be drawn.
FALLBACK_500 = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Something went wrong'
    '</title></head><body><main><h1>Something went wrong</h1><p>The page could not be shown. '
    'Please try again in a minute, or go to the <a href="/">home page</a>.</p></main></body></html>')


def server_error(request):
    """handler500: the site's layout, with no database query (the database may be the problem)."""
    try:
        return render(request, "500.html", {"server_error": True}, status=500)
    except Exception:
        logger.exception("the 500 page itself failed; sending the plain fallback")
        return HttpResponseServerError(FALLBACK_500)
