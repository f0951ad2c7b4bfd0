"""The client's address, the one rule for lockouts, throttles and login records.

Behind NUM_PROXIES trusted reverse proxies, each appends the address it saw to
X-Forwarded-For, so the client is the NUM_PROXIES-th entry from the right:
everything left of it was written by the client and proves nothing. With no
proxy (NUM_PROXIES = 0) the header is ignored. The same rule as DRF's
NUM_PROXIES and Werkzeug's ProxyFix, plus a check that the entry is an address.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    hops = settings.NUM_PROXIES
    if not hops:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(entries) < hops:
        # The proxy did not add its entry (a request that bypassed it): only the socket is known.
        return remote
    candidate = entries[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
