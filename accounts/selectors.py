"""Reads on accounts: the data export."""

from typing import Any

from axes.models import AccessLog
from django.utils import timezone

from accounts import data_rights
from accounts.consent import CONSENT_VERSION
from accounts.models import User

EXPORT_FORMAT_VERSION = 1

# Credentials and internals are not "data about the user" a person can use.
_USER_EXPORT_EXCLUDE = {"password"}


def user_record(user: User) -> dict[str, Any]:
    record = {
        field.name: getattr(user, field.attname)
        for field in User._meta.concrete_fields
        if field.name not in _USER_EXPORT_EXCLUDE
    }
    record["groups"] = sorted(user.groups.values_list("name", flat=True))
    return record


def login_history(user: User) -> list[dict[str, Any]]:
    return [
        {
            "attempt_time": log.attempt_time,
            "logout_time": log.logout_time,
            "ip_address": log.ip_address,
            "user_agent": log.user_agent,
        }
        for log in AccessLog.objects.filter(username=user.get_username()).order_by("attempt_time")
    ]


def user_data_export(user: User) -> dict[str, Any]:
    """Every record about the user: their row (minus the password hash), their
    login history, and each registered app's contribution under its name."""
    export: dict[str, Any] = {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now(),
        "current_consent_version": CONSENT_VERSION,
        "user": user_record(user),
        "login_history": login_history(user),
    }
    api_token = getattr(user, "auth_token", None)
    # The token's existence and age, never its key: the export may be shared.
    export["api_token"] = {"created": api_token.created} if api_token else None
    for contributor in data_rights.contributors():
        export[contributor.name] = contributor.export(user)
    return export
