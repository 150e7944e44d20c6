"""Security headers on every response: CSP, Permissions-Policy and friends (issue #7).

Django 5.2 has no Content-Security-Policy of its own and django-csp would be a
dependency for one header, so this small middleware sets it. The pages run no
script of their own and load nothing from other sites (readers' privacy), so
the policy allows only this origin and no inline script or style at all: even
if hostile HTML ever got past the sanitizer (kb/ingest/sanitize.py), the
browser would refuse to run it. ``SecurityMiddleware`` adds nosniff,
Referrer-Policy, COOP and HSTS; ``XFrameOptionsMiddleware`` X-Frame-Options.

The policy is a setting (``KB_CSP``: directive -> list of sources) so a site
that adds, say, its own analytics host changes one line in settings.
"""
from django.conf import settings

DEFAULT_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],           # no data: needed: no inline images anywhere
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "media-src": ["'none'"],
    "object-src": ["'none'"],
    "frame-src": ["'none'"],
    "worker-src": ["'none'"],
    "manifest-src": ["'self'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],   # the CSP form of X-Frame-Options: DENY
}

# Features no page here needs; () denies them to this page and any frame.
# Only names Chromium knows, so the console stays free of warnings.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture",
    "encrypted-media", "fullscreen", "geolocation", "gyroscope", "hid", "idle-detection",
    "magnetometer", "microphone", "midi", "payment", "picture-in-picture",
    "publickey-credentials-get", "screen-wake-lock", "serial", "sync-xhr", "usb",
    "xr-spatial-tracking",
))


def content_security_policy():
    policy = dict(getattr(settings, "KB_CSP", DEFAULT_CSP))
    if getattr(settings, "SECURE_SSL_REDIRECT", False):
        # Behind HTTPS in production: any stray http:// subresource is upgraded.
        policy.setdefault("upgrade-insecure-requests", [])
    return "; ".join(" ".join([name, *sources]) for name, sources in policy.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # Other sites may not embed our files (images, CSS) in theirs.
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
