"""The REST API's settings (DRF, drf-standardized-errors, drf-spectacular), read by symphony/settings.py."""

from datetime import timedelta

from symphony.env import env, env_int

__all__ = [
    "API_TOKEN_TTL", "API_TOKENS_PER_USER", "DRF_STANDARDIZED_ERRORS", "REST_FRAMEWORK", "REST_KNOX",
    "SPECTACULAR_SETTINGS",
]  # fmt: skip

REST_FRAMEWORK = {
    # Token first: DRF's 401 challenge comes from the first class, and only a token has one
    # (`WWW-Authenticate: Token`); with the session first, missing or bad credentials were a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # One pagination style for every list (symphony.pagination).
    "DEFAULT_PAGINATION_CLASS": "symphony.pagination.Pagination",
    # JSON bodies are size-checked like form bodies (413), see symphony.parsers.
    "DEFAULT_PARSER_CLASSES": [
        "symphony.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Component names include the view for nested In/OutputSerializers (symphony.schema).
    "DEFAULT_SCHEMA_CLASS": "symphony.schema.AutoSchema",
    # A view with a throttle_scope is limited per user when logged in, else per
    # client address (symphony.throttling, which also limits plain pages).
    "DEFAULT_THROTTLE_CLASSES": ["symphony.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "auth": env("AUTH_THROTTLE_RATE", "20/min"),
        "password_reset": env("PASSWORD_RESET_THROTTLE_RATE", "5/hour"),
        "check_ins": env("CHECK_IN_THROTTLE_RATE", "120/min"),
        "recommendations": env("RECOMMENDATION_THROTTLE_RATE", "60/min"),
        "history": env("HISTORY_THROTTLE_RATE", "120/min"),
    },
    # drf-standardized-errors' handler, through ours (symphony.api.ExceptionHandler): one error shape.
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
}
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "symphony.api.ExceptionHandler",
    # The statuses the schema lists, each where it can happen (symphony.schema.AutoSchema).
    "ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "405", "406", "413", "415", "429", "500"],
    "ERROR_SCHEMAS": {
        "400": "symphony.schema.ValidationErrorResponseSerializer",
        "403": "symphony.schema.ErrorResponse403Serializer",
        "413": "symphony.schema.ErrorResponse413Serializer",
        "429": "symphony.schema.ErrorResponse429Serializer",
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Emotion Symphony API",
    "DESCRIPTION": "Selfies in, mood and songs out. docs/api.md in the repository describes the v1 contract.",
    "VERSION": "1.5.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from the sidecar package: the docs page works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Deep links put a link inside each operation's toggle button: one control nested in another,
    # which screen readers and the keyboard meet twice (axe's nested-interactive, tests/browser/test_axe.py).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    # Several apps take a goal (profile, recommendations): one shared enum component.
    # The eight emotion names keep one enum component however many fields use them.
    "ENUM_NAME_OVERRIDES": {
        "Goal": "accounts.models.Goal",
        "EmotionEnum": "ml.labels.EMOTIONS",
        # drf-standardized-errors' documented names for its enums.
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
    },
    # Bodies are documented as JSON (forms and multipart are for the pages, and for uploads, which
    # name their media types themselves).
    "PARSER_WHITELIST": ["symphony.parsers.LimitedJSONParser"],
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "symphony.schema.add_links",
    ],
}

# --- API tokens (django-rest-knox) ----------------------------------------
# A new token at each login, shown once and stored hashed. Sliding expiry: a
# token dies API_TOKEN_TTL after its last use, and never lives past a year.
# Password changes and resets revoke every token (accounts.services).
API_TOKEN_TTL = timedelta(days=env_int("API_TOKEN_TTL_DAYS", 30))
API_TOKENS_PER_USER = 10  # the oldest goes when a login would make one more
REST_KNOX = {
    "TOKEN_TTL": API_TOKEN_TTL,
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=365),
    "MIN_REFRESH_INTERVAL": 60,
}
