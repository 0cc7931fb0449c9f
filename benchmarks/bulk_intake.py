"""Bulk intake throughput (issue 3): one POST /api/v1/tickets/bulk/ of N new tickets, in-process (no HTTP
server), on the database in DATABASE_URL. Prints tickets/s and the queries per item. BULK_WEBHOOK=1 gives the
tenant a webhook subscription to ticket.created first (an outbox row and a delivery task per new ticket; no
worker runs, the tasks wait in the broker, which CELERY_BROKER_URL names: use a scratch Redis database).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dispatch_bench .venv/bin/python benchmarks/bulk_intake.py
"""

import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dispatch_platform.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

N = int(os.environ.get("BULK_N", "1000"))
ROUNDS = int(os.environ.get("BULK_ROUNDS", "5"))


def main():
    from dispatch_platform.sites.models import Customer, Site
    from dispatch_platform.tenancy.services import api_client_create, organization_create
    from sla.services import sla_policy_save
    from tests.conftest import STANDARD_TARGETS

    call_command("flush", interactive=False, verbosity=0)
    org = organization_create(slug="bulk", name="Bulk")
    sla_policy_save(organization=org, data={"name": "Std", "targets": [dict(t) for t in STANDARD_TARGETS]})
    customer = Customer.objects.create(organization=org, name="C")
    Site.objects.create(organization=org, customer=customer, name="S", external_id="S1", latitude=41.88,
                        longitude=-87.63, timezone="America/Chicago", holidays={"country": "US"})
    _, token = api_client_create(organization=org, name="bulk", rate_limit="1000000/min")
    if os.environ.get("BULK_WEBHOOK") == "1":
        from outbound.models import WebhookSubscription

        WebhookSubscription.objects.create(organization=org, url="http://127.0.0.1:9/hook", secret="s",
                                           events=["ticket.created"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    def batch():
        run = uuid.uuid4().hex[:8]
        return [{"source": "bulk", "external_id": f"{run}-{i}", "title": "Printer jam", "priority": "P3",
                 "site_external_id": "S1", "required_skills": ["printers"]} for i in range(N)]

    def post(items):
        response = client.post("/api/v1/tickets/bulk/", {"tickets": items}, content_type="application/json")
        assert response.status_code == 200, response.content[:300]
        return sum(1 for r in response.json() if r["status"] == "created")

    post(batch()[:10])  # warm-up: imports, connection, first-use caches
    walls, cpus = [], []
    for _ in range(ROUNDS):
        items = batch()
        start, cpu = time.perf_counter(), time.process_time()
        created = post(items)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        assert created == N, created
    # Counted on a separate batch: capturing queries slows every statement down.
    with CaptureQueriesContext(connection) as queries:
        post(batch())
    best, median = min(walls), sorted(walls)[len(walls) // 2]
    webhook = " with a webhook subscription" if os.environ.get("BULK_WEBHOOK") == "1" else ""
    print(f"database: {connection.vendor}{webhook}; {N} new tickets per bulk POST, {ROUNDS} rounds: median {median:.2f} s "
          f"= {N / median:.0f} tickets/s (best {N / best:.0f}/s); {len(queries)} queries per POST "
          f"({len(queries) / N:.3f} per item); web process CPU per POST median {sorted(cpus)[len(cpus) // 2]:.2f} s")

if __name__ == "__main__":
    main()
