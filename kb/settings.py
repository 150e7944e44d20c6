"""Settings for the CD38 knowledge base.

Every value that differs between a laptop and a server comes from the
environment, with a safe default for local development (issue #2).
"""
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DJANGO_DEBUG", True)
# Production is DJANGO_DEBUG=0: the switch for everything below that must be
# strict on a server and would only get in the way on a laptop (issue #7).
PRODUCTION = not DEBUG
if PRODUCTION and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    # Refuse to start rather than sign anything with a key that is in the repository.
    raise ImproperlyConfigured(
        "DJANGO_DEBUG=0 needs DJANGO_SECRET_KEY: a random value of 50 or more characters, "
        "not the development key (e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
# Origins (scheme://host[:port]) trusted for unsafe requests behind a proxy or on another port.
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# The public address of the site (https://guide.example.org, no trailing slash):
# canonical links, OpenGraph, the sitemap and the feed use it. Empty: the
# address of each request.
KB_BASE_URL = os.environ.get("KB_BASE_URL", "").rstrip("/")
# Where the search box of a static export sends readers (a live instance's
# /search/ address); empty: the export's own A-Z page (export_site --search-url).
KB_EXPORT_SEARCH_URL = os.environ.get("KB_EXPORT_SEARCH_URL", "")

# The Markdown articles. One named setting per path (STYLE.md #9).
KB_CONTENT_DIR = Path(os.environ.get("KB_CONTENT_DIR", BASE_DIR / "content")).resolve()
# Files larger than this are refused by the loader: an article is never this big,
# and a runaway file should not stall a load.
KB_MAX_FILE_BYTES = int(os.environ.get("KB_MAX_FILE_BYTES", 1024 * 1024))
# Where load_content keeps what each file parsed to, so a reload re-reads only
# the files that changed (kb/ingest/readcache.py; issue 8). Empty: next to the
# SQLite database file (db.sqlite3.load-cache/); with PostgreSQL in the
# project's var/load-cache/. "off" turns it off. Never inside content/.
KB_LOAD_CACHE_DIR = os.environ.get("KB_LOAD_CACHE_DIR", "")

# No django.contrib.admin, auth or sessions: content is edited as Markdown files
# and loaded by a command, so there is no login to attack and no default
# password to forget (issue #7).
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    "kb",
]

MIDDLEWARE = [
    # First, so every response (static files and errors too) gets the headers.
    "kb.security.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files before anything that touches the database.
    "kb.static.StaticFilesMiddleware",
    "django.middleware.common.CommonMiddleware",
    # No form posts today; kept so any future one is protected from the start.
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Every page reads one committed load, never half of two (issue #7).
    "kb.snapshot.ReadSnapshotMiddleware",
]

ROOT_URLCONF = "kb.urls"
WSGI_APPLICATION = "kb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "kb.context_processors.site",
                "kb.web.meta",
                # DEBUG only: content errors banner and "Edit source" (issue #9).
                "kb.live.editor_tools",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", 60)),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: the article page's one big join (a table per kind) looks costly
    # to the planner, which then spends ~1 s compiling it to run a query of a
    # millisecond (measured on PostgreSQL 15; issue #7).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers keep reading the last committed load while load_content
    # writes the next one; IMMEDIATE takes the write lock up front so two
    # loaders queue instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# whitenoise serves static files from the app servers in every mode, so tests
# exercise the same path as production. In production: files from
# `collectstatic`, gzip-compressed, with content-hashed names served with
# far-future cache headers; elsewhere straight from static/ (no collectstatic).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": (
        "whitenoise.storage.CompressedManifestStaticFilesStorage" if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage")},
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# Security headers (kb/security.py adds the Content-Security-Policy and
# Permissions-Policy; SecurityMiddleware the rest).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# In production the app servers listen on 127.0.0.1 behind a proxy or load
# balancer that ends TLS and says so in X-Forwarded-Proto: trust that header,
# send plain-HTTP visitors to HTTPS (except /healthz, which load balancers
# probe over plain HTTP), and tell browsers to stay on HTTPS (HSTS).
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31536000 if PRODUCTION else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", PRODUCTION)
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION

# Article pages: browsers and proxies may reuse a page this many seconds, then
# must revalidate (cheap: ETag/Last-Modified give a 304; kb/conditional.py).
KB_PAGE_MAX_AGE = int(os.environ.get("KB_PAGE_MAX_AGE", 60))
# Rendered pages, keyed by their ETag (kb/conditional.py): a load changes
# every key, so nothing stale is ever served. Each worker keeps its recent
# pages in memory, bounded to KB_PAGE_MEMORY_BYTES (so memory does not grow
# with the pages served), in front of Django's cache. With KB_PAGE_CACHE_DIR
# (what `make serve-prod` sets) that cache is a folder shared by all worker
# processes of a server, so each page is drawn once per load, not once per
# worker; without it, Django's local-memory cache holds only the token that
# lets cache.clear() empty every worker's pages. kb/wsgi.py keeps, within the
# same bound, the answers (headers and body) it gives again before Django.
KB_PAGE_MEMORY_BYTES = int(os.environ.get("KB_PAGE_MEMORY_BYTES", 8 * 1024 * 1024))
KB_PAGE_CACHE_SECONDS = int(os.environ.get("KB_PAGE_CACHE_SECONDS", 3600))
KB_PAGE_CACHE_DIR = os.environ.get("KB_PAGE_CACHE_DIR", "")
CACHES = {
    "default": {
        "BACKEND": ("django.core.cache.backends.filebased.FileBasedCache" if KB_PAGE_CACHE_DIR
                    else "django.core.cache.backends.locmem.LocMemCache"),
        "LOCATION": KB_PAGE_CACHE_DIR or "kb-pages",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("KB_PAGE_CACHE_ENTRIES", 2000))},
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
