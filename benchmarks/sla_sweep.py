"""SLA engine at scale, on the database in DATABASE_URL (use PostgreSQL):

1. one sweep pass over 100,000 running clocks, when nothing is due and when 2,000 clocks change state;
2. due-time computation for 10,000 ticket intakes (calendar arithmetic only, and through ticket_upsert).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dispatch_bench .venv/bin/python benchmarks/sla_sweep.py

The database is emptied and migrated first. Prints one line per figure.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dispatch_platform.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

CLOCKS = int(os.environ.get("BENCH_CLOCKS", "100000"))
INTAKES = int(os.environ.get("BENCH_INTAKES", "10000"))


def setup():
    from dispatch_platform.sites.models import Customer, Site
    from dispatch_platform.tenancy.services import organization_create
    from sla.services import sla_policy_save
    from tests.conftest import STANDARD_TARGETS

    call_command("flush", interactive=False, verbosity=0)
    org = organization_create(slug="bench", name="Bench")
    customer = Customer.objects.create(organization=org, name="C")
    zones = [("America/New_York", 40.7, -74.0, "NY"), ("America/Chicago", 41.9, -87.6, "IL"),
             ("America/Denver", 39.7, -105.0, "CO"), ("America/Phoenix", 33.4, -112.1, "AZ"),
             ("America/Los_Angeles", 34.1, -118.2, "CA")]
    sites = [Site.objects.create(organization=org, customer=customer, name=f"S{i}", latitude=lat, longitude=lon,
                                 timezone=tz, holidays={"country": "US", "subdivision": st})
             for i, (tz, lat, lon, st) in enumerate(zones * 4)]
    policy = sla_policy_save(organization=org, data={"name": "Std", "targets": [dict(t) for t in STANDARD_TARGETS]})
    return org, sites, policy


def bulk_clocks(org, sites, policy, n):
    from sla.models import SlaClock
    from tickets.models import Ticket

    rng = random.Random(1)
    now = timezone.now()
    tickets = Ticket.objects.bulk_create(
        Ticket(organization=org, source="bench", external_id=str(i), number=f"B{i:07d}", title="t", priority="P3",
               site=sites[i % len(sites)], opened_at=now)
        for i in range(n)
    )
    clocks = []
    for t in tickets:
        due = now + dt.timedelta(minutes=rng.randint(10, 60 * 24 * 5))
        clocks.append(SlaClock(organization=org, ticket=t, kind="response", policy=policy, priority="P3",
                               target={"kind": "next_business_day"}, started_at=now, due_at=due,
                               at_risk_at=due - dt.timedelta(minutes=60)))
    SlaClock.objects.bulk_create(clocks, batch_size=5000)
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("ANALYZE sla_slaclock")
    return now


def timed(fn, repeat=5):
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return result, runs


def fmt(runs):
    return f"median {statistics.median(runs) * 1000:.1f} ms (min {min(runs) * 1000:.1f}, max {max(runs) * 1000:.1f}, n={len(runs)})"


def main():
    from dispatch_platform.common.calendar import compute_due
    from dispatch_platform.sites.selectors import site_calendar
    from sla.models import SlaClock
    from sla.services import sla_sweep
    from tests.conftest import STANDARD_TARGETS

    print(f"database: {connection.vendor}; clocks: {CLOCKS:,}; intakes: {INTAKES:,}")
    org, sites, policy = setup()
    now = bulk_clocks(org, sites, policy, CLOCKS)
    print(f"running clocks: {SlaClock.objects.filter(state='running').count():,}")

    counts, runs = timed(lambda: sla_sweep(now=now), repeat=5)
    print(f"sweep pass, nothing due ({counts}): {fmt(runs)}")

    # Move time on until ~1,000 clocks go at risk and ~1,000 breach in one pass.
    dues = sorted(SlaClock.objects.values_list("due_at", flat=True))
    later = dues[999] + dt.timedelta(microseconds=1)
    start = time.perf_counter()
    counts = sla_sweep(now=later)
    busy = time.perf_counter() - start
    print(f"sweep pass that changes {counts['at_risk'] + counts['breached']:,} clocks ({counts}): {busy * 1000:.1f} ms")
    counts, runs = timed(lambda: sla_sweep(now=later), repeat=3)
    print(f"sweep pass right after (nothing new, {counts}): {fmt(runs)}")

    rng = random.Random(2)
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    openings = [base + dt.timedelta(minutes=rng.randint(0, 365 * 24 * 60)) for _ in range(INTAKES)]
    targets = [t[k] for t in STANDARD_TARGETS for k in ("response", "resolution")]

    def calendar_only():
        for i, opened in enumerate(openings):
            compute_due(targets[i % len(targets)], opened, site_calendar(sites[i % len(sites)], org))

    _, runs = timed(calendar_only, repeat=3)
    print(f"due times for {INTAKES:,} intakes (calendar per intake, site's hours/holidays/DST): {fmt(runs)}")


if __name__ == "__main__":
    main()
