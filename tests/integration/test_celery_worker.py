"""A real Celery worker subprocess on the configured broker (Redis in .ci/run) and database (PostgreSQL)."""

import time

import pytest
from django.utils import timezone

from dispatch_platform.celery import app
from dispatch_platform.common.models import WorkerHeartbeat

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_consumes_the_heartbeat_and_healthz_sees_it(celery_worker_process, client):
    assert client.get("/healthz").json()["worker"] == "stale"
    app.send_task("dispatch_platform.common.tasks.heartbeat", queue="default")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not WorkerHeartbeat.objects.exists():
        time.sleep(0.2)
    beat = WorkerHeartbeat.objects.get()
    assert (timezone.now() - beat.beat_at).total_seconds() < 60
    body = client.get("/healthz").json()
    assert body == {**body, "database": "ok", "broker": "ok", "worker": "ok"}
