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


# Scripts only from the studio's own static files (no inline scripts or on...= handlers: those
# live in static/studio.js); inline styles stay allowed for style="" attributes, htmx's indicator
# rules and the API docs page; nothing may frame the studio.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy header with every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
