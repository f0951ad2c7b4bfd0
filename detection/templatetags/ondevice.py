"""The "Analyse on this device" choice: the switch, and the URLs of what the browser runs."""

import json
from functools import cache

from django import template
from django.conf import settings

from ml import browser

register = template.Library()


@cache
def _runtime_version() -> str:
    # package.json pins the runtime; bin/setup copies it into static/vendor/litertjs-<version>/.
    package = json.loads((settings.BASE_DIR / "package.json").read_text())
    return package["dependencies"]["@litertjs/core"]


@cache
def device_assets() -> dict[str, str]:
    """Where the runtime, the models and the pipeline's definition are served. The folders carry
    their versions, so browsers keep the files across visits (WHITENOISE_IMMUTABLE_FILE_TEST)."""
    spec = browser.load_pipeline()
    models = f"{settings.STATIC_URL}vendor/{browser.folder_name(spec)}/"
    runtime = f"{settings.STATIC_URL}vendor/litertjs-{_runtime_version()}/"
    return {
        "pipeline": models + "pipeline.json",
        "models": models,
        "runtime": runtime + "litert.mjs",
        "wasm": runtime + "wasm/",
    }


@register.inclusion_tag("detection/_on_device.html", takes_context=True)
def on_device_choice(context):
    """The switch, on when the user chose it before (hidden until the page's script finds it can run)."""
    user = context["request"].user
    return {"assets": device_assets(), "chosen": getattr(user, "analyse_on_device", False)}
