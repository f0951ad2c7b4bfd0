"""Sensitive account changes (deleting the account, changing its email) need the password,
unless the credential in use proved it within REAUTH_WINDOW: a token issued moments ago
by POST /api/v1/auth/token/, or a session that logged in moments ago."""

from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

SESSION_KEY = "accounts_authenticated_at"
PASSWORD_NEEDED = "Confirm with your current password (field `password`)."  # noqa: S105 - a message


@receiver(user_logged_in)
def _remember_login_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = timezone.now().timestamp()


def _proved_at(request):
    token = getattr(request, "auth", None)
    created = getattr(token, "created", None)
    if created is not None:
        return created
    session = getattr(request, "session", None)
    if token is None and session is not None and session.get(SESSION_KEY):
        return datetime.fromtimestamp(session[SESSION_KEY], tz=UTC)
    return None


def password_confirmed(request, password: str | None) -> bool:
    """True when `password` is the user's, or the credential in use is fresh from it."""
    user = request.user
    if password:
        return user.check_password(password)
    proved_at = _proved_at(request)
    return proved_at is not None and timezone.now() - proved_at <= settings.REAUTH_WINDOW
