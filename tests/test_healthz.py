from datetime import timedelta

from django.utils import timezone

from dispatch_platform.common.models import WorkerHeartbeat


def test_it_reports_database_and_broker_ok_and_worker_stale_without_heartbeat(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["worker"] == "stale"
    assert body["version"]


def test_it_reports_worker_ok_after_a_recent_heartbeat(client, db):
    WorkerHeartbeat.objects.create(node="w1", beat_at=timezone.now())
    assert client.get("/healthz").json()["worker"] == "ok"


def test_it_reports_worker_stale_after_an_old_heartbeat(client, db):
    WorkerHeartbeat.objects.create(node="w1", beat_at=timezone.now() - timedelta(minutes=5))
    assert client.get("/healthz").json()["worker"] == "stale"


def test_heartbeat_task_records_a_beat(db):
    from dispatch_platform.common.tasks import heartbeat

    heartbeat.delay()
    assert WorkerHeartbeat.objects.count() == 1
