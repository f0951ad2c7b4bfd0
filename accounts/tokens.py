"""API tokens: issue one per login, revoke one or all (django-rest-knox's model)."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import User


def api_token_create(user: User) -> tuple[str, datetime]:
    """A new token for `user`; the clear text is returned once and stored only hashed.

    The user's oldest tokens go when there would be more than API_TOKENS_PER_USER, and so do their
    expired ones (authentication checks only the token presented).
    """
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    instance, token = AuthToken.objects.create(user, expiry=settings.API_TOKEN_TTL)
    keep = (
        AuthToken.objects.filter(user=user)
        .order_by("-created")
        .values_list("pk", flat=True)[: settings.API_TOKENS_PER_USER]
    )
    AuthToken.objects.filter(user=user).exclude(pk__in=list(keep)).delete()
    return token, instance.expiry


def api_token_revoke(token: AuthToken) -> None:
    token.delete()


def api_tokens_revoke_all(user: User) -> int:
    return AuthToken.objects.filter(user=user).delete()[0]


def api_tokens_summary(user: User) -> list[dict]:
    """For the data export: when each token was made and when it expires, never a secret."""
    return [
        {"created": token.created, "expires_at": token.expiry}
        for token in AuthToken.objects.filter(user=user).order_by("created")
    ]


def api_tokens_expired_purge() -> int:
    """Delete every expired token (the daily job): nobody can use them, and they name a device."""
    return AuthToken.objects.filter(expiry__lt=timezone.now()).delete()[0]
