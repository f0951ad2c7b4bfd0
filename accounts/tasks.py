from celery import shared_task
from django.conf import settings

from accounts.services import login_records_purge
from accounts.tokens import api_tokens_expired_purge


@shared_task
def login_records_purge_task() -> int:
    return login_records_purge(older_than_days=settings.LOGIN_HISTORY_DAYS)


@shared_task
def api_tokens_expired_purge_task() -> int:
    return api_tokens_expired_purge()
