"""Project-wide API helpers: the one exception handler and error shape, strict input, ids.

Every error answer, from DRF, a service or the request-body middleware, has drf-standardized-errors'
shape: `{"type": "validation_error" | "client_error" | "server_error", "errors": [{"code", "detail",
"attr"}]}` (docs/api.md, "Errors"; the schema's components are symphony.schema's)."""

import re
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import JsonResponse
from django.views.defaults import page_not_found
from drf_standardized_errors.handler import ExceptionHandler as StandardizedExceptionHandler
from rest_framework import exceptions, serializers

from symphony.parsers import RequestTooLarge


def error_body(status: int, code: str, detail: str) -> dict:
    """The error shape for answers made outside DRF (middleware, django-axes)."""
    return {"type": "client_error" if status < 500 else "server_error", "errors": [error(code, detail)]}


def error(code: str, detail: str, attr: str | None = None) -> dict:
    return {"code": code, "detail": detail, "attr": attr}


def error_response(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(error_body(status, code, detail), status=status)


def not_found(request, exception):
    """Django's 404 for an address no route matches: JSON in the error shape under /api/."""
    if request.path_info.startswith("/api/"):
        return error_response(404, "not_found", "Not found.")
    return page_not_found(request, exception)


class ExceptionHandler(StandardizedExceptionHandler):
    """The one place where exceptions become error answers (DRF_STANDARDIZED_ERRORS in settings).

    Services raise Django's ValidationError, so APIs call them without a try/except of their own:
    a code of "too_large" (an upload over a limit) is a 413, anything else a 400 with the
    service's field names and codes."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, RequestDataTooBig):
            # Raised while DRF parses the body; otherwise a 500 instead of the 413 a client can act on.
            return RequestTooLarge()
        if isinstance(exc, TooManyFilesSent):
            # Django counts the parts while DRF parses a multipart body: more than a burst can hold.
            message = f"Too many files: at most {settings.MAX_BURST_FRAMES} frames allowed."
            return exceptions.ValidationError(message, code="too_many_files")
        if isinstance(exc, DjangoValidationError):
            if getattr(exc, "code", None) == "too_large":
                return RequestTooLarge(" ".join(exc.messages))
            return exceptions.ValidationError(serializers.as_serializer_error(exc))
        return super().convert_known_exceptions(exc)


# RFC 7240's `wait` preference: "Prefer: wait=10", perhaps among others ("respond-async, wait=10").
_PREFER_WAIT = re.compile(
    r"(?:^|[,;\s])wait\s*=\s*\"?([0-9]{1,6}(?:\.[0-9]{1,6})?)\"?\s*(?:[,;]|$)", re.IGNORECASE | re.ASCII
)


def preferred_wait(request, limit: float) -> float:
    """Seconds the client asked to wait for the outcome (`Prefer: wait=S`), at most `limit`; 0 without.
    Like any preference, one that cannot be read is ignored, never an error (RFC 7240)."""
    match = _PREFER_WAIT.search(request.headers.get("Prefer", ""))
    return min(float(match.group(1)), limit) if match else 0.0


def validated_query(serializer_class: type[serializers.Serializer], request) -> dict:
    """The query string read by an input serializer (a 400 on bad input).

    A plain dict, not the QueryDict: DRF reads form-like input's empty value (`?to=`) as "not sent",
    so a parameter the schema says is a date would quietly accept nothing; here it is a 400."""
    filters = serializer_class(data=request.query_params.dict())
    filters.is_valid(raise_exception=True)
    return filters.validated_data


class StrictInputSerializer(serializers.Serializer):
    """Input serializer that answers 400 for fields it does not know, instead of
    silently ignoring them (a typo like "keep_image" would otherwise look saved), and for a
    number or list where the schema says text (DRF would turn `"username": 0` into "0")."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            not_text = [
                name
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField)
                and data.get(name) is not None
                and not isinstance(data[name], str | UploadedFile)
            ]
            if not_text:
                raise serializers.ValidationError({name: ["Not a valid string."] for name in not_text}, code="invalid")
        return super().to_internal_value(data)

    def validate(self, attrs):
        unknown = sorted(set(getattr(self, "initial_data", {}) or {}) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown}, code="unknown_field")
        return super().validate(attrs)


class ObjectIdField(serializers.IntegerField):
    """A row id from the client: positive and within a 64-bit column, so lookups never overflow (SQLite raises)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)
