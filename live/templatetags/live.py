from django import template
from django.conf import settings

from detection.ondevice import device_assets
from live.models import DEFAULT_INTERVAL, INTERVAL_CHOICES

register = template.Library()


@register.inclusion_tag("live/_control.html", takes_context=True)
def live_control(context, recommendation):
    """Live mode's control for a list that plays (static/js/live.js starts it; hidden without script)."""
    user = context["request"].user
    return {
        "recommendation": recommendation,
        "consented": user.is_authenticated and user.has_current_consent,
        "choices": INTERVAL_CHOICES,
        "default": DEFAULT_INTERVAL,
        "override": settings.LIVE_INTERVAL_SECONDS,
        # Readings on the device when the listener chose it (static/js/ondevice/reader.mjs).
        "device": device_assets() if getattr(user, "analyse_on_device", False) else None,
    }
