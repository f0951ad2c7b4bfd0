"""OpenAPI schema generation: drf-spectacular, with drf-standardized-errors' error responses."""

from drf_spectacular.plumbing import is_serializer
from drf_spectacular.utils import OpenApiParameter
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ValidationErrorEnum
from rest_framework import serializers
from rest_framework.settings import api_settings

from symphony.api import StrictInputSerializer

BODY_METHODS = ("POST", "PUT", "PATCH")
UNSAFE_METHODS = (*BODY_METHODS, "DELETE")


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable and machine-readable: `required`, `invalid`, `not_found`, …")
    detail = serializers.CharField(help_text="For a person to read.")
    attr = serializers.CharField(
        allow_null=True, help_text="The field at fault (`a.0.b` when nested, `non_field_errors` for the whole input)."
    )


class ValidationErrorResponseSerializer(serializers.Serializer):
    """A 400: the input broke a rule (`validation_error`, one entry per broken rule) or was not parseable."""

    type = serializers.ChoiceField(choices=ValidationErrorEnum.choices + ClientErrorEnum.choices)
    errors = ErrorSerializer(many=True)

    class Meta:
        ref_name = "ErrorResponse400"


def client_error_serializer(status: int, doc: str) -> type[serializers.Serializer]:
    """A 4xx other than 400: always one error, its code saying which."""
    meta = type("Meta", (), {"ref_name": f"ErrorResponse{status}"})
    return type(
        f"ErrorResponse{status}Serializer",
        (serializers.Serializer,),
        {
            "__doc__": doc,
            "type": serializers.ChoiceField(choices=ClientErrorEnum.choices),
            "errors": ErrorSerializer(many=True),
            "Meta": meta,
        },
    )


# drf-standardized-errors' own 403 and 429 components allow one code each; ours have more
# (`consent_required`, `password_required`, `locked_out`), and 413 is ours (symphony.middleware).
ErrorResponse403Serializer = client_error_serializer(403, "Authenticated, but not allowed (or a CSRF failure).")
ErrorResponse413Serializer = client_error_serializer(413, "The body, or a file in it, is over a limit.")
ErrorResponse429Serializer = client_error_serializer(429, "Throttled, or locked out after failed logins.")


# A pattern that needs one character of a class (`\S`: not only spaces), as the class's complement.
_NEEDS_ONE = {r"\S": r"\s", r"\D": r"\d"}


def _refuse_nul(schema: dict) -> None:
    r"""DRF refuses text with a NUL character (PostgreSQL cannot store it): the pattern says so too.

    One pattern per field, and no lookahead (not every generator knows it), so "no NUL, and one
    character that is not a space" is `^[^NUL]*[^\sNUL][^NUL]*$`."""
    if "format" in schema:
        return  # an email, a date, a link: no NUL fits the format
    pattern = schema.get("pattern")
    if pattern is None:
        schema["pattern"] = r"^[^\u0000]*$"
    elif pattern in _NEEDS_ONE:
        schema["pattern"] = rf"^[^\u0000]*[^{_NEEDS_ONE[pattern]}\u0000][^\u0000]*$"


class AutoSchema(StandardizedErrorsAutoSchema):
    """Component names from the view for nested serializers, one paginator, and exact error statuses.

    Our APIs nest `InputSerializer`/`OutputSerializer` in each view (docs/architecture.md, "Conventions");
    by class name alone every one would be the component "Input" or "Output"
    and overwrite the others in the schema. `AuthSignupApi.InputSerializer`
    becomes "AuthSignupInput".
    """

    def get_serializer_name(self, serializer, direction):
        cls = serializer.__class__
        outer, _, inner = cls.__qualname__.rpartition(".")
        if outer and "<locals>" not in outer:
            return outer.removesuffix("Api").replace(".", "") + inner.removesuffix("Serializer")
        return cls.__name__

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and not field.allow_blank
            and schema.get("type") == "string"
        ):
            # DRF refuses an empty text, and one of spaces only once trimmed: say so.
            schema.setdefault("minLength", 1)
            if field.trim_whitespace and "format" not in schema and "pattern" not in schema:
                schema["pattern"] = r"\S"
        return schema

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictInputSerializer):
            schema["additionalProperties"] = False  # unknown fields are a 400 (symphony.api)
        if direction == "response":
            # A validator's regex is Python's (`\w` is any letter, "é" too); as a JSON Schema pattern
            # it would be ECMA-262's (ASCII only) and call a valid answer, a Unicode username, wrong.
            for field_schema in schema.get("properties", {}).values():
                field_schema.pop("pattern", None)
        if direction == "request":
            for name, field in serializer.fields.items():
                field_schema = schema.get("properties", {}).get(name, {})
                if isinstance(field, serializers.CharField) and field_schema.get("type") == "string":
                    _refuse_nul(field_schema)
            # Rules across fields (one of two, not both), stated beside the validate() that keeps them.
            schema.update(getattr(serializer, "schema_rules", {}))
        return schema

    def _get_request_for_media_type(self, serializer, direction="request"):
        schema, required = super()._get_request_for_media_type(serializer, direction)
        # A body that must send one of two fields is required, though neither field is.
        return schema, required or bool(getattr(serializer, "schema_rules", None))

    def _get_paginator(self):
        # APIViews paginate by hand (symphony.pagination); a GET answering many rows is paginated
        # unless the view says `pagination_class = None` (a short, fixed list).
        pagination_class = getattr(self.view, "pagination_class", api_settings.DEFAULT_PAGINATION_CLASS)
        if pagination_class and self.method == "GET" and self._is_list_view():
            return pagination_class()
        return None

    def _query_serializers(self) -> list:
        return [parameter for parameter in self.get_override_parameters() if is_serializer(parameter)]

    def _has_request_body(self) -> bool:
        return self.method in BODY_METHODS and self.get_request_serializer() is not None

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        if status_code in responses:
            return False
        if status_code == "413":
            return self._has_request_body()
        if status_code == "400" and (self._query_serializers() or self._has_request_body()):
            return True
        if status_code == "403" and self.method in UNSAFE_METHODS and any(self.get_auth()):
            # A session's unsafe request without its CSRF token is a 403.
            return True
        return super()._should_add_error_response(responses, status_code)

    def _should_add_http429_error_response(self) -> bool:
        # Only views with a throttle_scope have a rate (symphony.throttling).
        return bool(getattr(self.view, "throttle_scope", None)) and super()._should_add_http429_error_response()


def sent(**types: str) -> dict:
    """JSON Schema for "each of these fields is sent, and not null" (`sent(playlist="integer")`):
    OpenAPI 3.0 has no null type, but a type without `nullable` refuses null."""
    return {"required": list(types), "properties": {name: {"type": kind} for name, kind in types.items()}}


def one_of(*names: str) -> dict:
    """Exactly one of these fields is sent."""
    return {"oneOf": [{"required": [name]} for name in names]}


def add_links(result, generator, request, public):
    """OpenAPI links (SPECTACULAR_SETTINGS' postprocessing hook): the id in a created object's answer
    feeds every operation on its detail paths, so clients and Schemathesis' stateful phase can follow
    a check-in, list or playlist from its creation (`POST /checkins/` → `GET /checkins/{check_in_id}/`)."""
    paths = result["paths"]
    for collection, operations in paths.items():
        created = operations.get("post", {}).get("responses", {})
        for path, detail_operations in paths.items():
            rest = path.removeprefix(collection)
            if rest == path or not rest.startswith("{"):
                continue
            parameter = rest[1 : rest.index("}")]
            for method, operation in detail_operations.items():
                link = {"operationId": operation["operationId"], "parameters": {parameter: "$response.body#/id"}}
                for status in ("201", "202"):
                    if status in created:
                        created[status].setdefault("links", {})[f"{method}_{operation['operationId']}"] = link
    return result


def error_response(status: int, description: str):
    """An error status in our words (when it happens); its body is the one error shape."""
    from drf_spectacular.utils import OpenApiResponse
    from drf_standardized_errors.openapi_serializers import ErrorResponse401Serializer, ErrorResponse404Serializer

    shapes = {
        400: ValidationErrorResponseSerializer,
        401: ErrorResponse401Serializer,
        403: ErrorResponse403Serializer,
        404: ErrorResponse404Serializer,
        413: ErrorResponse413Serializer,
        429: ErrorResponse429Serializer,
    }
    return OpenApiResponse(shapes[status], description=description)


def prefer_wait_parameter(work: str) -> OpenApiParameter:
    """The `Prefer: wait=S` request header (symphony.api.preferred_wait) in the schema."""
    return OpenApiParameter(
        "Prefer",
        str,
        OpenApiParameter.HEADER,
        description=f"`wait=S` (RFC 7240; at most 20): hold the answer until {work} is finished, at most S seconds, "
        "and then answer with the outcome: one request instead of a submit and a long poll.",
    )
