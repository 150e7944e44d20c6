"""WSGI entry point (gunicorn kb.wsgi), with the pages it answers before Django (issue #7).

Under load most requests ask a worker again for a page it has just sent,
unchanged since. Django's request cycle for it (the request object, eight
middlewares, the URL resolver, the validators) costs about 0.4 ms of CPU,
the answer itself a dict look-up. So the first answer for an address, a 200
or a 304, is kept here exactly as Django gave it (status line, the full
header list: CSP, HSTS, ETag, Content-Length ..., and the body) with the
content version it was read under (kb/conditional.py, ``content_version``),
and a GET for the same address is answered from it while that version
holds. The version changes with every commit to the database (a load),
every ``cache.clear()`` and at midnight, and the request that records a page
reads it before its validators: the first request after a load commits goes
through Django again, as before.

Kept only what kb/conditional.py marks (``KNOWN_PAGE``): a GET without a
query string answered by a conditional page, read outside a transaction on
SQLite. Never kept: answers that set a cookie or carry Vary, which depend on
more of the request than its address. The key is every environ value Django
builds the address from (path, host, scheme and the proxy header that sets
it), so an answer only goes to the address it was drawn for. HEAD, other
methods, If-Match and If-Unmodified-Since go through Django.
"""
import os
from collections import namedtuple

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
django_application = get_wsgi_application()

# After Django's set-up: these import the models.
from django.conf import settings  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.utils.cache import get_conditional_response  # noqa: E402

from kb import conditional  # noqa: E402

# What is known of an address: its validators and the answers seen, each
# (status, headers) or None. The body is the PageMemory entry's content.
Known = namedtuple("Known", "etag last_modified ok not_modified")

ADDRESS = ("PATH_INFO", "SCRIPT_NAME", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "wsgi.url_scheme")


def address(environ):
    """The environ values Django reads to know which page, for which address."""
    names = ADDRESS
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy:
        names += (proxy[0],)
    if settings.USE_X_FORWARDED_HOST:
        names += ("HTTP_X_FORWARDED_HOST",)
    if settings.USE_X_FORWARDED_PORT:
        names += ("HTTP_X_FORWARDED_PORT",)
    return tuple(environ.get(name) for name in names)


class _Conditions:
    """What ``get_conditional_response`` reads of a request."""
    method = "GET"

    def __init__(self, environ):
        self.META = environ


class KnownPages:
    """A WSGI application: answers known pages itself, everything else through ``app``."""

    def __init__(self, app, limit):
        self.app = app
        self.pages = conditional.PageMemory(limit)   # address -> (version, body, Known)

    def __call__(self, environ, start_response):
        key = None
        if environ.get("REQUEST_METHOD") == "GET" and not environ.get("QUERY_STRING"):
            key = address(environ)
            try:
                answer = self.answer(key, environ)
            except Exception:
                # Whatever failed here (the cache, the database) fails again in
                # Django, whose handler answers and logs it as for any page.
                answer = None
            if answer is not None:
                (status, headers), body = answer
                start_response(status, list(headers))
                return [body]
        sent = []

        def start(status, headers, exc_info=None):
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        result = self.app(environ, start)
        mark = environ.get(conditional.KNOWN_PAGE)
        if mark is not None and key is not None and sent:
            self.record(key, mark, sent[0], sent[1], result)
        return result

    def answer(self, key, environ):
        """``((status, headers), body)`` for this request, or None: ask Django."""
        entry = self.pages.peek(key)
        if entry is None:
            return None
        version, body, known = entry
        if version != conditional.content_version():
            return None
        if "HTTP_IF_MATCH" in environ or "HTTP_IF_UNMODIFIED_SINCE" in environ:
            return None   # a 412 is for Django to give (and log)
        if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
            # A browser's revalidation sends back the very ETag: that is a 304
            # whatever else it sends, and needs none of Django's parsing.
            if environ.get("HTTP_IF_NONE_MATCH") == known.etag or get_conditional_response(
                    _Conditions(environ), etag=known.etag,
                    last_modified=known.last_modified) is not None:
                return (known.not_modified, b"") if known.not_modified else None
        return (known.ok, body) if known.ok else None

    def record(self, key, mark, status, headers, result):
        """Keep Django's answer for ``key`` if it is one this layer may give again."""
        version, etag, last_modified = mark
        names = {name.lower(): value for name, value in headers}
        if "set-cookie" in names or "vary" in names or names.get("etag") != etag:
            return
        entry = self.pages.peek(key)
        same = entry is not None and entry[0] == version and entry[2].etag == etag
        body, known = (entry[1], entry[2]) if same else (b"", Known(etag, last_modified, None, None))
        answer = (status, tuple(headers))
        if status.startswith("200 "):
            if not isinstance(result, HttpResponse) or result.streaming:
                return
            body, known = result.content, known._replace(ok=answer)
        elif status.startswith("304 "):
            known = known._replace(not_modified=answer)
        else:
            return
        self.pages.set(key, version, body, known)


application = KnownPages(django_application, settings.KB_PAGE_MEMORY_BYTES)
