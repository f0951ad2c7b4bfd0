"""Celery app. Settings (with the reasons for each) live in symphony.settings under CELERY_."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symphony.settings")

app = Celery("symphony")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
