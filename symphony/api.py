"""Project-wide API helpers: error handling, body size limits, strict input."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = "request_too_large"


def exception_handler(exc, context):
    # Django raises RequestDataTooBig while DRF parses the body; without this it
    # would surface as a 500 instead of the 413 a client can act on.
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": RequestTooLarge.default_detail}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    return drf_exception_handler(exc, context)


class LimitedJSONParser(JSONParser):
    """JSONParser that refuses bodies above DATA_UPLOAD_MAX_MEMORY_SIZE.

    DRF reads JSON straight from the request stream, so Django's own size check
    (which guards request.body and request.POST) never runs for it.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        if limit is not None and request is not None:
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit:
                raise RequestTooLarge()
        return super().parse(stream, media_type, parser_context)


class StrictInputSerializer(serializers.Serializer):
    """Input serializer that answers 400 for fields it does not know, instead of
    silently ignoring them (a typo like "keep_image" would otherwise look saved)."""

    def validate(self, attrs):
        unknown = sorted(set(getattr(self, "initial_data", {}) or {}) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().validate(attrs)
