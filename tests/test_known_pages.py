"""Pages answered before Django (kb/wsgi.py) and validators read once per load
(kb/conditional.py, ``content_version``), issue #7.

What must hold: an answer given by kb/wsgi.py is byte for byte the one
Django gives (status, every header, body), for the address it was drawn for
only; the first request after a load commits, a ``cache.clear()`` or
midnight goes through Django again; a page is never half of two loads.

These tests commit (``transactional_db``): inside a test's transaction the
views remember nothing, because that connection sees writes no commit has
announced yet.
"""
import datetime
import io
import sys
import threading
import time

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.http import HttpResponse

from kb import conditional
from kb.ingest.loader import load
from kb.wsgi import KnownPages, address
from tests import corpus
from tests.test_reload_under_load import TAG_RE, write_version

DARA = "/therapies/daratumumab/"

# The content version is SQLite's ``PRAGMA data_version``; PostgreSQL has no
# token that cheap, so there every request goes through Django, as before
# (test_without_a_content_version_every_request_goes_through_django).
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite",
                                 reason="answers before Django need SQLite's data_version")


class Counting:
    """Django's WSGI application, counting the requests that reach it."""

    def __init__(self):
        self.django = WSGIHandler()   # middleware built from the settings of the test
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.django(environ, start_response)


def environ(path, method="GET", query="", **headers):
    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
           "SCRIPT_NAME": "", "SERVER_NAME": "testserver", "SERVER_PORT": "80",
           "HTTP_HOST": "testserver", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
           "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr}
    env.update({f"HTTP_{name.upper()}": value for name, value in headers.items()})
    return env


def call(app, path, **kwargs):
    """``(status, headers, body)`` of one request to a WSGI application."""
    sent = []
    result = app(environ(path, **kwargs), lambda status, headers, exc_info=None: sent.append(
        (status, list(headers))))
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return sent[0][0], sent[0][1], body


@pytest.fixture
def committed(content_dir, transactional_db):
    """The test corpus, loaded and committed."""
    assert load(content_dir).ok
    return content_dir


@pytest.fixture
def production_headers(settings):
    """What a production server adds for HTTPS requests behind its proxy (HSTS)."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True


@pytest.fixture
def app():
    counting = Counting()
    pages = KnownPages(counting, limit=10_000_000)
    pages.counting = counting
    return pages


@sqlite_only
@pytest.mark.parametrize("path", [DARA, "/", "/therapies/"])
def test_a_known_page_is_answered_exactly_as_django_answers_it(committed, production_headers,
                                                               app, path):
    first = call(app, path, x_forwarded_proto="https")
    again = call(app, path, x_forwarded_proto="https")
    assert app.counting.calls == 1                       # the second never reached Django
    assert again == first
    assert again == call(WSGIHandler(), path, x_forwarded_proto="https")
    headers = dict(again[1])
    for name in ("Content-Security-Policy", "Permissions-Policy", "X-Content-Type-Options",
                 "Referrer-Policy", "X-Frame-Options", "Strict-Transport-Security", "ETag",
                 "Last-Modified", "Cache-Control", "Content-Length"):
        assert name in headers, name
    assert headers["Content-Length"] == str(len(again[2]))


@sqlite_only
@pytest.mark.parametrize("condition", ["etag", "date"])
def test_a_known_304_is_answered_exactly_as_django_answers_it(committed, app, condition):
    status, headers, _ = call(app, DARA)
    headers = dict(headers)
    ask = ({"if_none_match": headers["ETag"]} if condition == "etag"
           else {"if_modified_since": headers["Last-Modified"]})
    assert call(app, DARA, **ask)[0] == "304 Not Modified"   # Django's, now known
    calls = app.counting.calls
    again = call(app, DARA, **ask)
    assert app.counting.calls == calls
    assert again == call(WSGIHandler(), DARA, **ask)
    assert again[0] == "304 Not Modified" and again[2] == b""
    # Another ETag is not this page's: the page itself.
    assert call(app, DARA, if_none_match='"something-else"')[0] == "200 OK"
    assert app.counting.calls == calls


def test_an_answer_goes_only_to_the_address_it_was_drawn_for(committed, production_headers, app):
    https = call(app, DARA, x_forwarded_proto="https")
    plain = call(app, DARA)
    other_host = call(app, DARA, host="localhost")
    assert app.counting.calls == 3
    assert "Strict-Transport-Security" in dict(https[1])
    assert "Strict-Transport-Security" not in dict(plain[1])
    assert b"https://testserver/therapies/daratumumab/" in https[2]
    assert b"http://localhost/therapies/daratumumab/" in other_host[2]
    assert address(environ(DARA, x_forwarded_proto="https")) != address(environ(DARA))


def test_the_first_request_after_a_load_goes_through_django(committed, app):
    before = call(app, DARA)
    call(app, DARA)
    corpus.edit(committed, "therapies/daratumumab.md", "Infusion reactions are common",
                "Infusion reactions are frequent")
    assert load(committed).ok
    calls = app.counting.calls
    after = call(app, DARA)
    assert app.counting.calls == calls + 1
    assert dict(after[1])["ETag"] != dict(before[1])["ETag"]
    assert b"Infusion reactions are frequent" in after[2]
    assert call(app, DARA, if_none_match=dict(before[1])["ETag"])[0] == "200 OK"


@sqlite_only
def test_emptying_django_s_cache_and_a_new_day_empty_it_too(committed, app, monkeypatch):
    from django.core.cache import cache
    from django.utils import timezone

    call(app, DARA)
    cache.clear()
    call(app, DARA)
    assert app.counting.calls == 2
    call(app, DARA)
    assert app.counting.calls == 2
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    call(app, DARA)
    assert app.counting.calls == 3


@sqlite_only
def test_only_plain_gets_are_answered_before_django(committed, app):
    call(app, DARA)
    call(app, DARA, method="HEAD")
    call(app, DARA, query="q=anything")
    etag = dict(call(app, DARA)[1])["ETag"]
    assert call(app, DARA, if_match='"something-else"')[0].startswith("412")
    assert call(app, DARA, if_match=etag)[0] == "200 OK"
    assert app.counting.calls == 5


def test_without_a_content_version_every_request_goes_through_django(committed, app,
                                                                    monkeypatch):
    """PostgreSQL (and an in-memory SQLite database) has no cheap version token."""
    if connection.vendor == "sqlite":
        monkeypatch.setattr(conditional, "content_version", lambda: None)
    first = call(app, DARA)
    assert first[0].startswith("200 ")
    assert call(app, DARA) == first
    etag = dict(first[1])["ETag"]
    assert call(app, DARA, if_none_match=etag)[0].startswith("304 ")
    assert app.counting.calls == 3


def test_answers_that_set_a_cookie_or_vary_are_not_kept():
    pages = KnownPages(lambda environ, start_response: None, limit=1000)
    key, mark = ("/",), ("version", '"e"', None)
    for extra in [("Set-Cookie", "a=b"), ("Vary", "Cookie")]:
        pages.record(key, mark, "200 OK", [("ETag", '"e"'), extra], HttpResponse(b"page"))
        assert pages.pages.peek(key) is None
    pages.record(key, mark, "200 OK", [("ETag", '"e"')], HttpResponse(b"page"))
    assert pages.pages.peek(key)[1] == b"page"


def test_views_remember_validators_only_outside_a_transaction(loaded, client):
    response = client.get(DARA)
    assert conditional.KNOWN_PAGE not in response.wsgi_request.environ
    assert response.wsgi_request._kb_version is None


@sqlite_only
def test_validators_are_read_once_per_load(committed, client, django_assert_num_queries):
    first = client.get(DARA)
    with django_assert_num_queries(0):                   # validators remembered, page in memory
        again = client.get(DARA)
    assert again["ETag"] == first["ETag"]
    corpus.edit(committed, "therapies/daratumumab.md", "Infusion reactions are common",
                "Infusion reactions are frequent")
    assert load(committed).ok
    after = client.get(DARA)
    assert after["ETag"] != first["ETag"] and "Infusion reactions are frequent" in after.content.decode()


@sqlite_only
def test_the_version_is_read_on_a_connection_that_never_writes(committed):
    version = conditional.content_version()
    assert conditional.content_version() == version
    corpus.edit(committed, "therapies/daratumumab.md", "Infusion reactions are common",
                "Infusion reactions are frequent")
    assert load(committed).ok                            # committed on Django's own connection
    assert conditional.content_version() != version


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_no_version_without_a_database_file(settings):
    settings.DATABASES = {"default": {**settings.DATABASES["default"], "NAME": ":memory:"}}
    assert conditional.content_version() is None
    settings.DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "kb"}}
    assert conditional.content_version() is None


def test_pages_stay_whole_and_loads_show_at_once_while_answered_before_django(
        content_dir, transactional_db):
    """Reload under load through the WSGI application: every page is of one
    load, and once a load has committed the very next request shows it."""
    root = content_dir.parent / "versioned"
    write_version(root, 1)
    assert load(root).ok
    app = KnownPages(WSGIHandler(), limit=10_000_000)
    paths = [f"/topics/page-{n}/" for n in range(4)] + ["/topics/"]
    stop, problems, counts = threading.Event(), [], {"requests": 0}

    def reader(offset):
        i = offset
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            status, _, body = call(app, path)
            tags = set(TAG_RE.findall(body.decode()))
            counts["requests"] += 1
            if status != "200 OK" or len(tags) != 1:
                problems.append(f"{path}: {status}, versions {sorted(tags)}")

    threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(3)]
    for thread in threads:
        thread.start()
    try:
        for version in range(2, 6):
            time.sleep(0.2)
            write_version(root, version)
            assert load(root).ok
            for path in paths:
                body = call(app, path)[2].decode()
                assert set(TAG_RE.findall(body)) == {str(version)}, (path, version)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert problems == []
    assert counts["requests"] >= 20
