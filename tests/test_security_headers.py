"""Headers on every response, production settings, the admin kept off (issue #7)."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.templatetags.static import static

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.django_db


def csp_directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


@pytest.mark.parametrize("path", ["/", "/therapies/", "/therapies/daratumumab/", "/search/?q=cd38",
                                  "/no-such-page/", "/healthz", "/feed.xml", "/sitemap.xml",
                                  "/robots.txt"])
def test_security_headers_on_every_response(loaded, client, path):
    response = client.get(path)
    csp = csp_directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert csp["img-src"] == ["'self'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions


def test_static_files_get_the_headers_too(client):
    response = client.get(static("kb/site.css"))
    assert response.status_code == 200
    assert "Content-Security-Policy" in response and response["X-Content-Type-Options"] == "nosniff"


def test_no_admin_and_no_login(client):
    assert "django.contrib.admin" not in settings.INSTALLED_APPS
    assert "django.contrib.auth" not in settings.INSTALLED_APPS
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404


def test_development_mode_is_not_hardened_for_https(settings):
    # Locally (DJANGO_DEBUG unset) http://127.0.0.1 must keep working.
    assert settings.SECURE_SSL_REDIRECT is False and settings.SECURE_HSTS_SECONDS == 0


# Production settings are read at start-up: each check runs a fresh process.

def production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KB_"))}
    env.update({
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "guide.example.org,testserver",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://guide.example.org",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        **extra,
    })
    return env


def run(args, env):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                 production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("key", [None, "dev-only-insecure-key-do-not-use-in-production", "short"])
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, key):
    env = production_env(tmp_path)
    if key is None:
        del env["DJANGO_SECRET_KEY"]
    else:
        env["DJANGO_SECRET_KEY"] = key
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "DJANGO_DEBUG=0 needs DJANGO_SECRET_KEY" in result.stderr


PRODUCTION_PROBE = """
import django, json
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.templatetags.static import static
call_command("collectstatic", interactive=False, verbosity=0)
call_command("migrate", verbosity=0)
client = Client()
css = static("kb/site.css")
out = {
    "trusted": settings.CSRF_TRUSTED_ORIGINS,
    "css_url": css,
    "css": dict(client.get(css, secure=True).headers),
    "css_gzip": client.get(css, secure=True, HTTP_ACCEPT_ENCODING="gzip").headers.get("Content-Encoding"),
    "plain_http": [client.get("/").status_code, client.get("/").headers.get("Location")],
    "healthz_http": client.get("/healthz").status_code,
    "https": dict(client.get("/", secure=True).headers),
    "proxied": dict(client.get("/", HTTP_X_FORWARDED_PROTO="https").headers),
    "missing": client.get("/no-such-page/", secure=True).content.decode(),
}
print(json.dumps(out))
"""


def test_production_serves_hashed_compressed_static_files_and_https_only(tmp_path):
    import json

    result = run(["-c", PRODUCTION_PROBE], production_env(tmp_path, DJANGO_SETTINGS_MODULE="kb.settings"))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["trusted"] == ["https://guide.example.org"]
    # Content-hashed name, cached for ever, gzip available.
    assert out["css_url"].startswith("/static/kb/site.") and out["css_url"] != "/static/kb/site.css"
    assert "immutable" in out["css"]["Cache-Control"] and "max-age=315360000" in out["css"]["Cache-Control"]
    assert out["css_gzip"] == "gzip"
    # Plain HTTP goes to HTTPS, except the load balancers' health check.
    assert out["plain_http"] == [301, "https://testserver/"]
    assert out["healthz_http"] == 503  # answered (no content loaded), not redirected
    for response in (out["https"], out["proxied"]):
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert "upgrade-insecure-requests" in response["Content-Security-Policy"]
    # DEBUG is off: the 404 page is the site's, not Django's technical page.
    assert "Page not found" in out["missing"] and "URLconf" not in out["missing"]
