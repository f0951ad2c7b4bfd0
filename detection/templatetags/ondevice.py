"""The "Analyse on this device" choice: the switch, and the URLs of what the browser runs."""

from django import template

from detection.ondevice import device_assets

register = template.Library()


@register.inclusion_tag("detection/_on_device.html", takes_context=True)
def on_device_choice(context):
    """The switch, on when the user chose it before (hidden until the page's script finds it can run)."""
    user = context["request"].user
    return {"assets": device_assets(), "chosen": getattr(user, "analyse_on_device", False)}
