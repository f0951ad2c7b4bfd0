"""Project-wide system checks (registered by symphony.apps.SymphonyConfig): settings no single app owns."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security)
def check_secret_key(app_configs, **kwargs):
    # The development key is in the repository: with it, anyone could forge
    # session cookies and password reset links.
    if not settings.DEBUG and settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is the development default while DEBUG is off.",
                hint="Set the SECRET_KEY environment variable to a long random value.",
                id="symphony.E001",
            )
        ]
    return []


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
