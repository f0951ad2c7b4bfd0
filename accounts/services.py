"""Writes and workflows on accounts: sign up, profile, password, consent, deletion."""

import logging
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts import data_rights
from accounts.consent import CONSENT_VERSION
from accounts.models import Goal, User
from accounts.tokens import api_tokens_revoke_all

logger = logging.getLogger(__name__)

TAKEN_RACE = "That username or email address was just taken; choose another."


def email_is_taken(email: str, exclude: User | None = None) -> bool:
    users = User.objects.filter(email__iexact=email)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return users.exists()


def username_is_taken(username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()


def user_create(*, username: str, email: str, password: str) -> User:
    """Create a user after the same checks the signup form makes (for API callers).

    Raises ValidationError with a per-field dict, so both the form and the API
    can show messages next to the field that caused them.
    """
    errors: dict[str, list[str]] = {}
    if username_is_taken(username):
        errors["username"] = ["A user with that username already exists."]
    if email_is_taken(email):
        errors["email"] = ["An account with this email address already exists."]
    try:
        validate_password(password, user=User(username=username, email=email))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, email=email, password=password)
    except IntegrityError as exc:
        # Someone took the name or address between the check above and the insert.
        raise ValidationError({"username": [TAKEN_RACE]}) from exc


def _email_change_notify(user: User, old_email: str) -> None:
    """Tell the old address: if someone else changed it, this is how the owner finds out."""
    context = {"user": user, "old_email": old_email, "new_email": user.email}
    send_mail(
        "Your Emotion Symphony email address was changed",
        render_to_string("registration/email_changed.txt", context),
        None,
        [old_email],
        fail_silently=True,
    )


def user_update(
    user: User,
    *,
    email: str | None = None,
    goal: str | None = None,
    keep_images: bool | None = None,
    analyse_on_device: bool | None = None,
) -> User:
    """Change profile fields. Callers check the password first for an email change (accounts.api)."""
    fields = []
    old_email = user.email
    stops_keeping = keep_images is not None and user.keep_images and not keep_images
    if email is not None and email != user.email:
        if email_is_taken(email, exclude=user):
            raise ValidationError({"email": ["An account with this email address already exists."]})
        user.email = email
        fields.append("email")
    if goal is not None:
        if goal not in Goal.values:
            raise ValidationError({"goal": [f"Choose one of: {', '.join(Goal.values)}."]})
        user.goal = goal
        fields.append("goal")
    for name, value in (("keep_images", keep_images), ("analyse_on_device", analyse_on_device)):
        if value is not None:
            setattr(user, name, bool(value))
            fields.append(name)
    if fields:
        try:
            with transaction.atomic():
                user.save(update_fields=fields)
                if stops_keeping:
                    data_rights.images_forget(user, cancel_pending=False)
        except IntegrityError as exc:
            raise ValidationError({"email": ["An account with this email address already exists."]}) from exc
        if "email" in fields:
            transaction.on_commit(lambda: _email_change_notify(user, old_email))
    return user


def user_consent_give(user: User, *, version: str) -> User:
    """Record agreement to the consent text. Only the current version can be agreed to:
    a client showing an old text must fetch the new one first."""
    if version != CONSENT_VERSION:
        raise ValidationError(
            {"version": [f"The current consent version is {CONSENT_VERSION!r}; read it and agree to that one."]}
        )
    user.consent_version = version
    user.consent_at = timezone.now()
    user.save(update_fields=["consent_version", "consent_at"])
    return user


def user_consent_withdraw(user: User) -> User:
    """Stop all face analysis for the user: kept pictures go, and analyses not yet run are cancelled."""
    with transaction.atomic():
        user.consent_version = ""
        user.consent_at = None
        user.save(update_fields=["consent_version", "consent_at"])
        data_rights.images_forget(user, cancel_pending=True)
    return user


def user_password_changed(user: User) -> None:
    """After any password change: every API token dies (sessions die by Django's session hash)."""
    api_tokens_revoke_all(user)


def user_password_reset_done(user: User) -> None:
    """After a reset through the emailed link: as a change, and the owner's login lock is lifted
    (the lockout message promises it; a lock on an address trying many accounts stays)."""
    user_password_changed(user)
    AccessAttempt.objects.filter(username__iexact=user.get_username()).delete()


def user_password_set(user: User, *, password: str, new_password: str) -> User:
    """Change the password, given the current one (API; the pages use Django's forms)."""
    if not user.check_password(password):
        raise ValidationError({"password": ["That is not your current password."]})
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise ValidationError({"new_password": list(exc.messages)}) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        user_password_changed(user)
    return user


def _login_records(username: str):
    return (
        AccessLog.objects.filter(username=username),
        AccessFailureLog.objects.filter(username=username),
        AccessAttempt.objects.filter(username=username),
    )


def login_records_delete(username: str) -> None:
    for queryset in _login_records(username):
        queryset.delete()


def login_records_purge(*, older_than_days: int) -> int:
    """Delete login records older than the retention period the consent text promises."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted = 0
    deleted += AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    deleted += AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    deleted += AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()[0]
    return deleted


def user_delete(user: User) -> None:
    """Delete the account and everything about it.

    Files go first, because each app finds them through the user's rows; the
    rows then go with the user through on_delete=CASCADE. One transaction: if
    any delete fails, no row is left half-deleted and the user can try again.
    """
    with transaction.atomic():
        for contributor in data_rights.contributors():
            if contributor.delete_files is not None:
                contributor.delete_files(user)
        login_records_delete(user.get_username())
        user_id = user.pk
        user.delete()
    logger.info("Deleted account %s and its data", user_id)
