"""Starts real Celery worker processes against the test database and the configured broker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("Integration tests need DATABASE_URL=postgres://... (run them through .ci/run)")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    user = db.get("USER") or "postgres"
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def worker_env() -> dict[str, str]:
    """The environment of a worker or beat process: the test database, the configured broker."""
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DB_CONN_MAX_AGE": "0",
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",  # the webhook receivers listen on 127.0.0.1
    }


def start_worker(name: str, queues: str = "default,sla,optimize,webhooks", concurrency: int = 2,
                 **extra_env: str) -> subprocess.Popen:
    env = {**worker_env(), **extra_env}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dispatch_platform", "worker", "--hostname", f"{name}@%h",
         "--queues", queues, "--concurrency", str(concurrency), "--loglevel", "WARNING", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT,
        env=env,
    )


def start_beat(schedule_file: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dispatch_platform", "beat", "--loglevel", "WARNING",
         "--schedule", str(schedule_file)],
        cwd=ROOT, env={**worker_env(), **env},
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def real_broker():
    """Tasks sent from the test process go to the broker (unit tests run them eagerly)."""
    from dispatch_platform.celery import app

    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = True


def purge_queues(app) -> None:
    """A clean broker: tasks left by an earlier test must not leak into this one."""
    with app.connection_for_write() as conn:
        for queue in ("default", "sla", "optimize", "webhooks"):
            try:
                conn.default_channel.queue_purge(queue)
            except Exception:  # noqa: BLE001 - a queue that was never declared has nothing to purge
                pass


@pytest.fixture
def celery_worker_process(transactional_db, real_broker):
    purge_queues(real_broker)
    process = start_worker("itest")
    time.sleep(1)
    assert process.poll() is None, "the Celery worker exited at start"
    yield process
    stop(process)
