"""Health of the three moving parts: database, broker, worker (GET /healthz)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

import dispatch_platform

from .models import WorkerHeartbeat

# Beats come every HEARTBEAT_INTERVAL_SECONDS; three missed beats make the worker stale.
STALE_AFTER = timedelta(seconds=3 * settings.HEARTBEAT_INTERVAL_SECONDS)


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ok", reported as text
        return f"error: {exc.__class__.__name__}"


def check_broker() -> str:
    from dispatch_platform.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"


def check_worker() -> str:
    try:
        newest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    except Exception:  # noqa: BLE001
        return "stale"
    if newest and timezone.now() - newest <= STALE_AFTER:
        return "ok"
    return "stale"


def health_report() -> tuple[dict, bool]:
    report = {
        "database": check_database(),
        "broker": check_broker(),
        "worker": check_worker(),
        "version": dispatch_platform.__version__,
    }
    healthy = report["database"] == "ok" and report["broker"] == "ok"
    return report, healthy
