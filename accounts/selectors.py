"""Reads on accounts: the data export (JSON, and a ZIP archive with the kept files)."""

import json
import tempfile
import zipfile
from typing import IO, Any

from axes.models import AccessFailureLog, AccessLog
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from accounts import data_rights
from accounts.consent import CONSENT_VERSION
from accounts.models import User
from accounts.tokens import api_tokens_summary

EXPORT_FORMAT_VERSION = 2
# Archives larger than this spill from memory to a temporary file.
_ARCHIVE_MEMORY_BYTES = 8 * 1024 * 1024

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


def login_failures(user: User) -> list[dict[str, Any]]:
    """Failed logins on the user's name: when, from which address and browser, and whether it locked."""
    return [
        {
            "attempt_time": log.attempt_time,
            "ip_address": log.ip_address,
            "user_agent": log.user_agent,
            "locked_out": log.locked_out,
        }
        for log in AccessFailureLog.objects.filter(username=user.get_username()).order_by("attempt_time")
    ]


def user_data_export(user: User) -> dict[str, Any]:
    """Every record about the user: their row (minus the password hash), their
    login history, and each registered app's contribution under its name."""
    export: dict[str, Any] = {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now(),
        "current_consent_version": CONSENT_VERSION,
        "user": user_record(user),
        "login_records": {"logins": login_history(user), "failures": login_failures(user)},
        # When each API token was made and expires, never the token: the export may be shared.
        "api_tokens": api_tokens_summary(user),
    }
    for contributor in data_rights.contributors():
        export[contributor.name] = contributor.export(user)
    return export


def user_data_archive(user: User) -> tuple[IO[bytes], str]:
    """The export as a ZIP: data.json plus every stored file an app lists (kept face images).

    Returns an open file positioned at its start, and a download name.
    """
    archive = tempfile.SpooledTemporaryFile(max_size=_ARCHIVE_MEMORY_BYTES)
    with zipfile.ZipFile(archive, "w") as zf:
        body = json.dumps(user_data_export(user), cls=DjangoJSONEncoder, indent=2)
        zf.writestr("data.json", body, compress_type=zipfile.ZIP_DEFLATED)
        for contributor in data_rights.contributors():
            for arcname, stored in contributor.files(user) if contributor.files else []:
                try:
                    with default_storage.open(stored, "rb") as source:
                        # JPEGs do not compress further: store them as they are.
                        with zf.open(f"{contributor.name}/{arcname}", "w") as target:
                            while chunk := source.read(1024 * 1024):
                                target.write(chunk)
                except FileNotFoundError:
                    continue  # deleted since it was listed (purged, or the user deleted it)
    archive.seek(0)
    return archive, f"emotion-symphony-{user.get_username()}-{timezone.now():%Y%m%d}.zip"
