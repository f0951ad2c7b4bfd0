"""DRF permissions other apps use: `permission_classes = [IsAuthenticated, HasConsent]`."""

from rest_framework.permissions import BasePermission

from accounts.consent import CONSENT_VERSION


class HasConsent(BasePermission):
    """Allows only users who agreed to the current consent text (403 otherwise)."""

    message = (
        f"Consent to face analysis is required (version {CONSENT_VERSION}). "
        "Read it at GET /api/v1/consent/ and agree with POST /api/v1/me/consent/."
    )
    code = "consent_required"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_current_consent)
