"""What a locked-out client sees (django-axes AXES_LOCKOUT_CALLABLE)."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

LOCKOUT_MESSAGE = "Too many failed login attempts. Try again in {minutes} minutes, or reset your password."


def lockout_response(request, original_response=None, credentials=None):
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    message = LOCKOUT_MESSAGE.format(minutes=minutes)
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=status)
    else:
        response = render(request, "accounts/locked_out.html", {"message": message}, status=status)
    response["Retry-After"] = str(minutes * 60)
    return response
