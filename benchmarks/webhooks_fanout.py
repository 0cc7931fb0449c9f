"""Webhook fan-out (issue 3): EVENTS events over TICKETS tickets to a local receiver, delivered by real Celery
workers on PostgreSQL + Redis. Checks every event arrives exactly once and in order per ticket.

    psql -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS dispatch_fanout" -c "CREATE DATABASE dispatch_fanout"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dispatch_fanout CELERY_BROKER_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python benchmarks/webhooks_fanout.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dispatch_platform.settings")
# The receiver listens on 127.0.0.1 (this process and the workers it starts read it).
os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

TICKETS = int(os.environ.get("TICKETS", "1000"))
PER_TICKET = int(os.environ.get("PER_TICKET", "10"))
WORKERS = int(os.environ.get("WORKERS", "2"))


def main():
    from dispatch_platform.celery import app
    from dispatch_platform.sites.models import Customer, Site
    from dispatch_platform.tenancy.services import organization_create
    from outbound.models import WebhookDelivery, WebhookSubscription
    from outbound.services import webhook_events_emit
    from tests.outbound.conftest import Receiver
    from tickets.services import SYSTEM, tickets_create_many

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("webhooks")
    receiver = Receiver()
    org = organization_create(slug="fanout", name="Fanout")
    customer = Customer.objects.create(organization=org, name="C")
    site = Site.objects.create(organization=org, customer=customer, name="S", latitude=41.88, longitude=-87.63,
                               timezone="America/Chicago")
    tickets = tickets_create_many(organization=org, actor=SYSTEM, items=[
        ("fan", f"F{i}", {"title": "x", "priority": "P3", "site": site}) for i in range(TICKETS)])
    WebhookSubscription.objects.create(organization=org, url=receiver.url, secret="s" * 24)
    # The events are written before any worker starts, so the run measures delivery alone.
    app.conf.task_always_eager = False
    with transaction.atomic():
        for step in range(PER_TICKET):
            webhook_events_emit(organization_id=org.pk, events=[
                (t, "ticket.status_changed", {"step": step}) for t in tickets])
    total = WebhookDelivery.objects.count()
    env = {**os.environ, "DB_CONN_MAX_AGE": "0"}
    workers = [subprocess.Popen([sys.executable, "-m", "celery", "-A", "dispatch_platform", "worker", "--hostname",
                                 f"fan{i}@%h", "--queues", "webhooks", "--concurrency", "2", "--loglevel", "WARNING",
                                 "--without-gossip", "--without-mingle"], cwd=ROOT, env=env) for i in range(WORKERS)]
    start = time.perf_counter()
    try:
        while WebhookDelivery.objects.exclude(status="succeeded").exists():
            if time.perf_counter() - start > 900:
                raise SystemExit("not all delivered within 15 minutes")
            time.sleep(0.5)
        wall = time.perf_counter() - start
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(30)
        receiver.server.shutdown()
    ok = [r["json"] for r in receiver.requests if r["status"] == 204]
    dupes = sum(n - 1 for n in Counter(r["id"] for r in ok).values() if n > 1)
    steps = defaultdict(list)
    for r in ok:
        steps[r["ticket"]["number"]].append(r["data"]["step"])
    in_order = all(s == sorted(s) for s in steps.values())
    print(f"{total:,} deliveries ({TICKETS} tickets × {PER_TICKET}) by {WORKERS} workers × 2 processes: "
          f"{wall:.1f} s = {total / wall:.0f} deliveries/s; received {len(ok):,}, duplicates {dupes}, "
          f"in order per ticket: {in_order}")


if __name__ == "__main__":
    main()
