"""Request parsers (a module of their own: DRF imports them while building APIView)."""

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.parsers import JSONParser


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = "request_too_large"


def declared_length(request) -> int:
    """The request's Content-Length, or 0 when it is missing or malformed (as Django's own parsers read it)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class LimitedJSONParser(JSONParser):
    """JSONParser that refuses bodies above DATA_UPLOAD_MAX_MEMORY_SIZE with 413.

    DRF reads JSON straight from the request stream, so Django's own size check
    (which guards request.body and request.POST) never runs for it.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        if limit is not None and request is not None:
            if declared_length(request) > limit:
                raise RequestTooLarge()
        return super().parse(stream, media_type, parser_context)
