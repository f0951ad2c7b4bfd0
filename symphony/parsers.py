"""Request parsers (a module of their own: DRF imports them while building APIView)."""

import json

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
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
    """JSONParser for untrusted bodies: a size cap, and only what can be stored and answered.

    - Over REQUEST_BODY_LIMITS["json"] is a 413 on every route, also those whose
      middleware limit is an upload's (DRF reads JSON straight from the stream).
    - Nesting deep enough to exhaust the parser's recursion is a 400, not a RecursionError.
    - A lone UTF-16 surrogate ("\\ud800") is valid JSON but not Unicode: it could
      be neither stored nor echoed back in an error message, so it is a 400 too.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.REQUEST_BODY_LIMITS["json"]
        request = (parser_context or {}).get("request")
        if request is not None and declared_length(request) > limit:
            raise RequestTooLarge()
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply.") from exc
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ParseError("JSON parse error - the text holds an unpaired surrogate (not valid Unicode).") from exc
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply.") from exc
        return data
