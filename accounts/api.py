"""Auth and account API (shared/API.md "Auth and account")."""

from typing import NoReturn

from django.contrib.auth import authenticate, logout
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.consent import CONSENT_TITLE, CONSENT_VERSION, consent_sections, consent_text
from accounts.models import Goal, User
from accounts.selectors import user_data_export
from accounts.services import user_consent_give, user_consent_withdraw, user_create, user_delete, user_update
from symphony.api import StrictInputSerializer

BAD_CREDENTIALS = "Unable to log in with the username and password provided."


def _raise_drf(exc: DjangoValidationError) -> NoReturn:
    """Re-raise a service's Django ValidationError as DRF's, keeping per-field messages."""
    raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


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
            "consent_version",
            "consent_at",
            "has_current_consent",
        )
        read_only_fields = fields


class AuthSignupApi(APIView):
    # Signing up creates no session, so there is nothing for CSRF to protect here;
    # without this, a logged-in browser would need a CSRF token to call it.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    class InputSerializer(StrictInputSerializer):
        username = serializers.CharField(max_length=150)
        email = serializers.EmailField()
        password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128)

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = User
            fields = ("id", "username", "email")

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer}, auth=[])
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Same username rules as the signup page (letters, digits and @.+-_).
        username_field = User._meta.get_field("username")
        try:
            username_field.run_validators(serializer.validated_data["username"])
            user = user_create(**serializer.validated_data)
        except DjangoValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise ValidationError({"username": exc.messages}) from exc
            _raise_drf(exc)
        return Response(self.OutputSerializer(user).data, status=status.HTTP_201_CREATED)


class AuthTokenApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    class InputSerializer(StrictInputSerializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(trim_whitespace=False, max_length=128)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(description="Wrong username or password (same answer for both)."),
            429: OpenApiResponse(description="Locked out after repeated failures, or throttled."),
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
            return Response({"detail": BAD_CREDENTIALS}, status=status.HTTP_400_BAD_REQUEST)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(StrictInputSerializer):
        email = serializers.EmailField(required=False)
        goal = serializers.ChoiceField(choices=Goal.choices, required=False)
        keep_images = serializers.BooleanField(required=False)

    @extend_schema(responses={200: MeOutputSerializer})
    def get(self, request):
        return Response(MeOutputSerializer(request.user).data)

    @extend_schema(request=InputSerializer, responses={200: MeOutputSerializer})
    def patch(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = user_update(request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            _raise_drf(exc)
        return Response(MeOutputSerializer(user).data)

    @extend_schema(responses={204: None})
    def delete(self, request):
        user_delete(request.user)
        # End a browser session too (no-op for token clients: their token is gone with the user).
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeConsentApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(StrictInputSerializer):
        version = serializers.CharField(max_length=20)

    @extend_schema(request=InputSerializer, responses={200: MeOutputSerializer})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = user_consent_give(request.user, version=serializer.validated_data["version"])
        except DjangoValidationError as exc:
            _raise_drf(exc)
        return Response(MeOutputSerializer(user).data)

    @extend_schema(request=None, responses={200: MeOutputSerializer}, description="Withdraw consent (one call).")
    def delete(self, request):
        return Response(MeOutputSerializer(user_consent_withdraw(request.user)).data)


class ConsentApi(APIView):
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
