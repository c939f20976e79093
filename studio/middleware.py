import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session has ended would otherwise swap the whole login page into a
    fragment (a polled card, say); send the browser to the login page instead."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.login_path = None

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "htmx", False) and response.status_code == 302:
            if self.login_path is None:
                self.login_path = urlparse(resolve_url(settings.LOGIN_URL)).path
            if urlparse(response["Location"]).path == self.login_path:
                return HttpResponseClientRedirect(response["Location"])
        return response


def _inline_style_hashes(*templates):
    """CSP source expressions ('sha256-...') for the one <style> element of each template: the
    error page carries its own few rules so that it shows whatever else has failed."""
    hashes = []
    for name in templates:
        text = (Path(__file__).resolve().parent.parent / "templates" / name).read_text()
        match = re.search(r"<style>(.*?)</style>", text, re.S)
        digest = base64.b64encode(hashlib.sha256(match.group(1).encode()).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return " ".join(hashes)


def _policy(styles):
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {styles}",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


# Scripts and styles only from the studio's own static files: no inline scripts or on...=
# handlers (those live in static/studio.js), no style="" attributes or <style> elements (bars take
# their size from data attributes, htmx's indicator rules are in studio.css), but for the error
# page's own <style>, allowed by its hash; nothing may frame the studio. Django's admin, used by
# the studio's administrators only, keeps inline styles (its templates have style="" attributes).
CONTENT_SECURITY_POLICY = _policy(f"'self' {_inline_style_hashes('500.html')}")
ADMIN_CONTENT_SECURITY_POLICY = _policy("'self' 'unsafe-inline'")


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy header with every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        admin = request.path.startswith("/admin/")
        response.headers.setdefault(
            "Content-Security-Policy", ADMIN_CONTENT_SECURITY_POLICY if admin else CONTENT_SECURITY_POLICY
        )
        return response
