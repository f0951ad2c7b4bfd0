"""Request-body limits, enforced first in the middleware chain.

Django's CSRF check reads request.POST, and reading a multipart body spools
its files to disk: so the size is checked here, from the declared
Content-Length, before any other middleware or the view sees the request.
Each route has a kind ("form", "json", "upload", "import"); its limit is
settings.REQUEST_BODY_LIMITS[kind]. A view declares its kind with
@body_limit("upload") (functions) or `body_limit = "upload"` (class views);
other routes are "json" for JSON bodies and "form" for everything else.
"""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

from symphony.api import error_response

TOO_LARGE = "Request body is too large: at most {limit} for this address."
NO_LENGTH = "Send the request body with a Content-Length header (chunked bodies are not accepted)."


def body_limit(kind: str):
    """Mark a function view as taking bodies up to REQUEST_BODY_LIMITS[kind]."""

    def decorator(view):
        view.body_limit = kind
        return view

    return decorator


def _declared_length(request) -> int | None:
    value = request.META.get("CONTENT_LENGTH")
    if not value:
        return None
    try:
        return max(0, int(value))
    except ValueError:
        return None


def _route_kind(request) -> str:
    try:
        callback = resolve(request.path_info).func
    except Resolver404:
        callback = None
    kind = getattr(callback, "body_limit", None) or getattr(getattr(callback, "view_class", None), "body_limit", None)
    if kind:
        return kind
    return "json" if "json" in request.META.get("CONTENT_TYPE", "").lower() else "form"


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):.4g} MB" if limit >= 1024 * 1024 else f"{limit / 1024:.4g} KB"


def _refuse(request, status: int, code: str, title: str, message: str) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return error_response(status, code, message)
    return render(request, "request_refused.html", {"title": title, "message": message}, status=status)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = _declared_length(request)
        if length is None:
            # Without a length Django reads the body as empty: refuse instead of
            # silently dropping what the client sent.
            if request.META.get("HTTP_TRANSFER_ENCODING"):
                return _refuse(request, 411, "length_required", "Length required", NO_LENGTH)
        else:
            limit = settings.REQUEST_BODY_LIMITS[_route_kind(request)]
            if length > limit:
                return _refuse(
                    request, 413, "request_too_large", "That was too large", TOO_LARGE.format(limit=_size(limit))
                )
        return self.get_response(request)
