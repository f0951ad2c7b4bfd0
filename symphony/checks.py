"""Project-wide system checks (registered by symphony.apps.SymphonyConfig): settings no single app owns.

The development SECRET_KEY with DEBUG off is refused by symphony/settings.py itself, the one place
of that rule: gunicorn never runs the checks, and nothing can start with such settings."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def check_celery_visibility_timeout(app_configs, **kwargs):
    # With late acks, Redis hands an unacknowledged message to another worker
    # after the visibility timeout: shorter than the hard limit, a slow task
    # would run twice at once.
    timeout = (settings.CELERY_BROKER_TRANSPORT_OPTIONS or {}).get("visibility_timeout", 3600)
    if settings.CELERY_TASK_TIME_LIMIT and timeout <= settings.CELERY_TASK_TIME_LIMIT:
        return [
            Warning(
                f"CELERY_VISIBILITY_TIMEOUT ({timeout}s) is not above CELERY_TASK_TIME_LIMIT "
                f"({settings.CELERY_TASK_TIME_LIMIT}s).",
                hint="Raise CELERY_VISIBILITY_TIMEOUT, or tasks may be delivered twice.",
                id="symphony.W001",
            )
        ]
    return []
