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
