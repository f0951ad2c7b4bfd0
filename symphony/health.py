"""Liveness for deployments and load tests: is the database and the broker reachable?"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ok() -> bool | None:
    if not settings.CELERY_BROKER_URL:
        return None  # eager mode: there is no broker to reach
    from symphony.celery import app

    try:
        # The URL from settings (not the app's cached config), so what is
        # checked is what the settings say right now.
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def healthz(request):
    database, broker = _database_ok(), _broker_ok()
    healthy = database and broker is not False
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": "ok" if database else "down",
        "broker": {None: "eager", True: "ok", False: "down"}[broker],
    }
    return JsonResponse(body, status=200 if healthy else 503)
