"""The Celery application: worker and beat both start from here (`celery -A settings`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.dev")

app = Celery("lianluo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
