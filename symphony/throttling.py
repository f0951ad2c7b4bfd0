"""Rate limits: DRF's scoped throttle keyed on the real client address, and the same
limits for plain Django views (`@rate_limited("scope")`). Rates live in
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], one place for both."""

from functools import wraps

from django.shortcuts import render
from rest_framework import throttling

from symphony.clientip import client_ip

TOO_MANY = "Too many requests from you just now. Please wait {wait} and try again."


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    """Per user when logged in, else per client address (never a header the client writes)."""

    def get_ident(self, request):
        return client_ip(request) or ""


def _wait_text(seconds: float | None) -> str:
    seconds = max(1, int(seconds or 60))
    return f"{seconds} seconds" if seconds < 120 else f"{seconds // 60} minutes"


def rate_limited(scope: str, methods: tuple[str, ...] = ("POST",)):
    """Limit a Django view like an API with `throttle_scope = scope`; 429 page when over."""

    class _View:
        throttle_scope = scope

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods:
                throttle = ScopedRateThrottle()
                if not throttle.allow_request(request, _View()):
                    wait = throttle.wait()
                    context = {"title": "Too many requests", "message": TOO_MANY.format(wait=_wait_text(wait))}
                    response = render(request, "request_refused.html", context, status=429)
                    response["Retry-After"] = str(max(1, int(wait or 60)))
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
