"""Auth and account API (docs/api.md, "Accounts")."""

from django.contrib.auth import authenticate, logout, password_validation, update_session_auth_hash
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import RegexValidator
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.consent import CONSENT_TITLE, CONSENT_VERSION, consent_sections, consent_text
from accounts.models import Goal, User
from accounts.selectors import user_data_archive, user_data_export
from accounts.services import (
    user_consent_give,
    user_consent_withdraw,
    user_create,
    user_delete,
    user_password_set,
    user_update,
)
from accounts.tokens import api_token_create, api_token_revoke
from symphony.api import StrictInputSerializer
from symphony.schema import error_response

BAD_CREDENTIALS = "Unable to log in with the username and password provided."


class MeOutputSerializer(serializers.ModelSerializer):
    has_current_consent = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = (
            "id",
            "username",
            "email",
            "goal",
            "keep_images",
            "analyse_on_device",
            "consent_version",
            "consent_at",
            "has_current_consent",
        )
        read_only_fields = fields


def _password_min_length() -> int:
    # The schema states the rule AUTH_PASSWORD_VALIDATORS enforces (the other validators cannot be stated).
    lengths = [getattr(v, "min_length", 0) for v in password_validation.get_default_password_validators()]
    return max(lengths, default=1)


class AuthSignupApi(APIView):
    # Signing up creates no session, so there is nothing for CSRF to protect here;
    # without this, a logged-in browser would need a CSRF token to call it.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "auth"

    class InputSerializer(StrictInputSerializer):
        # The model's username rule (letters, digits and @.+-_), so the schema states it too.
        username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
        email = serializers.EmailField()
        password = serializers.CharField(
            write_only=True,
            trim_whitespace=False,
            min_length=_password_min_length(),
            max_length=128,
            # NumericPasswordValidator's rule as a pattern the schema can state.
            validators=[RegexValidator(r"\D", message="This password is entirely numeric.")],
            help_text="Not only digits, not a common password, not like the username or email.",
        )

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = User
            fields = ("id", "username", "email")

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer}, auth=[])
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_create(**serializer.validated_data)
        return Response(self.OutputSerializer(user).data, status=status.HTTP_201_CREATED)


class AuthTokenApi(APIView):
    """POST: log in for a new API token (shown this once). DELETE: log out (revoke the token in use)."""

    throttle_scope = "auth"

    class InputSerializer(StrictInputSerializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(trim_whitespace=False, max_length=128)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField(help_text="Send as `Authorization: Token <token>`. Shown only this once.")
        expires_at = serializers.DateTimeField(
            help_text="When it expires unless used; each use moves this on (sliding expiry)."
        )

    def _logging_in(self) -> bool:
        # No request while drf-spectacular builds the schema.
        return getattr(getattr(self, "request", None), "method", None) == "POST"

    def get_authenticators(self):
        # Logging in creates no session, so there is nothing for CSRF to protect:
        # without credentials checked, a logged-in browser can still ask for a token.
        return [] if self._logging_in() else super().get_authenticators()

    def get_permissions(self):
        return [AllowAny()] if self._logging_in() else [IsAuthenticated()]

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: error_response(400, "Wrong username or password (same answer for both)."),
            429: error_response(429, "Locked out after repeated failures (`locked_out`), or throttled."),
        },
        auth=[],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The Django request, not DRF's wrapper: django-axes flags lockouts on the
        # object the middleware sees, and counts this failure like a page login.
        user = authenticate(request._request, **serializer.validated_data)
        if user is None:
            # One message whether the user exists or not (no account probing).
            raise ValidationError(BAD_CREDENTIALS, code="bad_credentials")
        token, expires_at = api_token_create(user)
        return Response(self.OutputSerializer({"token": token, "expires_at": expires_at}).data)

    @extend_schema(request=None, responses={204: None}, description="Log out: the token in use stops working.")
    def delete(self, request):
        if isinstance(request.auth, AuthToken):
            api_token_revoke(request.auth)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Whoever holds a session or token must still know the password to take over or erase the account.
REAUTH_HELP = "Needs `password`, the current one."
PASSWORD_NEEDED = "Confirm with your current password (field `password`)."  # noqa: S105 - a message


def _require_password(request, password: str | None) -> None:
    if not password:
        raise PermissionDenied(PASSWORD_NEEDED, code="password_required")
    if not request.user.check_password(password):
        raise PermissionDenied("That is not your current password.", code="password_required")


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(StrictInputSerializer):
        email = serializers.EmailField(required=False, help_text="Changing it: " + REAUTH_HELP)
        goal = serializers.ChoiceField(choices=Goal.choices, required=False)
        keep_images = serializers.BooleanField(
            required=False, help_text="Switching it off deletes the images kept so far."
        )
        analyse_on_device = serializers.BooleanField(
            required=False, help_text="Analyse faces in the browser: only the results are sent (no image)."
        )
        password = serializers.CharField(
            required=False, write_only=True, trim_whitespace=False, max_length=128, help_text="The current password."
        )

    class DeleteInputSerializer(StrictInputSerializer):
        password = serializers.CharField(
            required=False, trim_whitespace=False, max_length=128, help_text="The current password."
        )

    @extend_schema(responses={200: MeOutputSerializer})
    def get(self, request):
        return Response(MeOutputSerializer(request.user).data)

    @extend_schema(
        request=InputSerializer,
        responses={200: MeOutputSerializer, 403: error_response(403, "An email change without the password.")},
    )
    def patch(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        password = data.pop("password", None)
        if "email" in data and data["email"] != request.user.email:
            _require_password(request, password)
        user = user_update(request.user, **data)
        return Response(MeOutputSerializer(user).data)

    @extend_schema(
        request=DeleteInputSerializer,
        responses={204: None, 403: error_response(403, "Without the password (`password_required`).")},
        description="Delete the account and all its data. " + REAUTH_HELP,
    )
    def delete(self, request):
        serializer = self.DeleteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _require_password(request, serializer.validated_data.get("password"))
        user_delete(request.user)
        # End a browser session too (no-op for token clients: their token is gone with the user).
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MePasswordApi(APIView):
    """Change the password. Every API token is revoked; a token caller gets a new one."""

    permission_classes = [IsAuthenticated]
    # Guessing the current password through this form is a login attempt in disguise.
    throttle_scope = "auth"

    class InputSerializer(StrictInputSerializer):
        password = serializers.CharField(trim_whitespace=False, max_length=128, help_text="The current password.")
        new_password = serializers.CharField(trim_whitespace=False, max_length=128)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField(allow_null=True, help_text="A new token when the call was made with one.")
        expires_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        used_token = isinstance(request.auth, AuthToken)
        user = user_password_set(request.user, **serializer.validated_data)
        token = expires_at = None
        if used_token:
            token, expires_at = api_token_create(user)
        else:
            # Keep this browser session; others end with the old password hash.
            update_session_auth_hash(request._request, user)
        return Response(self.OutputSerializer({"token": token, "expires_at": expires_at}).data)


@extend_schema_field({"type": "string", "enum": [CONSENT_VERSION]})
class CurrentConsentVersionField(serializers.CharField):
    """Only the current text's version can be agreed to (user_consent_give's 400 says which it is)."""


class MeConsentApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(StrictInputSerializer):
        version = CurrentConsentVersionField(max_length=20)

    @extend_schema(request=InputSerializer, responses={200: MeOutputSerializer})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_consent_give(request.user, version=serializer.validated_data["version"])
        return Response(MeOutputSerializer(user).data)

    @extend_schema(request=None, responses={200: MeOutputSerializer}, description="Withdraw consent (one call).")
    def delete(self, request):
        return Response(MeOutputSerializer(user_consent_withdraw(request.user)).data)


class ConsentApi(APIView):
    # Public text: credentials are not even read, so a stale token cannot make it a 401.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        auth=[],
        responses={
            200: inline_serializer(
                "Consent",
                {
                    "version": serializers.CharField(),
                    "title": serializers.CharField(),
                    "text": serializers.CharField(),
                    "sections": serializers.ListField(child=serializers.DictField(child=serializers.CharField())),
                },
            )
        },
    )
    def get(self, request):
        return Response(
            {"version": CONSENT_VERSION, "title": CONSENT_TITLE, "text": consent_text(), "sections": consent_sections()}
        )


class MeExportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OpenApiResponse(description="Every record about the user, as JSON.")})
    def get(self, request):
        return Response(user_data_export(request.user))


class MeExportArchiveApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="A ZIP: data.json (the JSON export) and every kept face image."
            )
        }
    )
    def get(self, request):
        archive, filename = user_data_archive(request.user)
        return FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
