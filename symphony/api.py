"""Project-wide API helpers: error handling and strict input."""

from django.core.exceptions import RequestDataTooBig
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
