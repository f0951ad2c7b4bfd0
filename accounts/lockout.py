"""What a locked-out client sees (django-axes AXES_LOCKOUT_CALLABLE).

Two locks exist (settings.AXES_LOCKOUT_PARAMETERS): one account from one
address, and one address over all accounts. A password reset lifts the first
(accounts.services.user_password_reset_done) but not the second, so the message
says which one applies and promises only what is true.
"""

from datetime import timedelta

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from symphony.api import error_response
from symphony.clientip import client_ip

ACCOUNT_LOCKED = (
    "Too many failed login attempts on this account from your address. Try again in {minutes} minutes, "
    "or reset your password: that lifts the lock at once."
)
ADDRESS_LOCKED = (
    "Too many failed login attempts from this address, on several accounts. Try again in {minutes} minutes."
)


def _failures(**filters) -> int:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(attempt_time__gte=since, **filters).aggregate(n=Sum("failures_since_start"))
    return total["n"] or 0


def account_locked_for_address(username: str | None, ip: str | None) -> bool:
    return bool(username) and _failures(username=username, ip_address=ip) >= settings.AXES_FAILURE_LIMIT


def lockout_response(request, original_response=None, credentials=None):
    minutes = max(1, int(settings.AXES_COOLOFF_TIME / timedelta(minutes=1)))
    username = get_client_username(request, credentials)
    reset_helps = account_locked_for_address(username, client_ip(request))
    message = (ACCOUNT_LOCKED if reset_helps else ADDRESS_LOCKED).format(minutes=minutes)
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        response = error_response(status, "locked_out", message)
    else:
        context = {"message": message, "reset_helps": reset_helps}
        response = render(request, "accounts/locked_out.html", context, status=status)
    response["Retry-After"] = str(minutes * 60)
    return response
