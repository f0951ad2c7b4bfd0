"""Project-wide API helpers: error handling, strict input, and deprecated URLs."""

from datetime import UTC, datetime

from django.core.exceptions import RequestDataTooBig
from django.urls import reverse
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from symphony.parsers import RequestTooLarge


def exception_handler(exc, context):
    # Django raises RequestDataTooBig while DRF parses the body; without this it
    # would surface as a 500 instead of the 413 a client can act on.
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": RequestTooLarge.default_detail}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    return drf_exception_handler(exc, context)


class StrictInputSerializer(serializers.Serializer):
    """Input serializer that answers 400 for fields it does not know, instead of
    silently ignoring them (a typo like "keep_image" would otherwise look saved)."""

    def validate(self, attrs):
        unknown = sorted(set(getattr(self, "initial_data", {}) or {}) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().validate(attrs)


class ObjectIdField(serializers.IntegerField):
    """A row id from the client: positive and within a 64-bit column, so lookups never overflow (SQLite raises)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)


# RFC 9745: the moment the old URLs were deprecated, as a structured-field date (@ + Unix time).
DEPRECATED_AT = f"@{int(datetime(2026, 11, 29, tzinfo=UTC).timestamp())}"


class DeprecatedApiMixin:
    """An old URL kept for one version: it answers like its successor, adding `Deprecation` and a
    `Link: <new>; rel="successor-version"` header. The schema marks it deprecated (symphony.schema).

    `successor` is the URL name of the new route; `renamed_kwargs` maps old URL keyword names
    to the successor's (e.g. {"submission_id": "check_in_id"})."""

    successor: str = ""
    renamed_kwargs: dict[str, str] = {}

    def dispatch(self, request, *args, **kwargs):
        kwargs = {self.renamed_kwargs.get(name, name): value for name, value in kwargs.items()}
        return super().dispatch(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Deprecation"] = DEPRECATED_AT
        response["Link"] = f'<{reverse(self.successor, kwargs=kwargs)}>; rel="successor-version"'
        return response
