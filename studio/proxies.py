"""The client's address behind reverse proxies, for what counts per address (sign-in throttling)."""

import ipaddress

from django.conf import settings


def client_ip(request):
    """REMOTE_ADDR; behind TRUSTED_PROXIES reverse proxies, the address the outermost of them saw:
    the TRUSTED_PROXIES-th entry from the right of X-Forwarded-For (each proxy appends the address
    it was called from). Entries further left are whatever the client claimed and are ignored, so
    no header can move a person out of a lock-out or put another person into one."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXIES
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < count:
        return remote  # not through every proxy: the direct address is the client's
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote
