from celery import shared_task
from django.conf import settings

from accounts.services import login_records_purge


@shared_task
def login_records_purge_task() -> int:
    return login_records_purge(older_than_days=settings.LOGIN_HISTORY_DAYS)
