"""Recommendation latency with 500 technicians (each with 0–4 open jobs on their route).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dispatch_bench .venv/bin/python benchmarks/recommend.py

The database is emptied first. Times 50 tickets × BENCH_ROUNDS (default 4) calls after one warm-up call and
prints p50/p99/max, the process's own CPU time per call (what other load on the machine cannot inflate
much), the query count of one call and the load average before and after (p99 on a shared machine says
as much about the neighbours as about the code).
"""

from __future__ import annotations

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
from django.test.utils import CaptureQueriesContext  # noqa: E402

TECHNICIANS = int(os.environ.get("BENCH_TECHNICIANS", "500"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
ALL_DAY = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def main():
    from dispatch_platform.dispatch.recommend import ticket_recommendations
    from dispatch_platform.sites.models import Customer, Site
    from dispatch_platform.tenancy.services import organization_create
    from sla.services import sla_policy_save
    from technicians.models import Certification, Skill, Technician
    from tests.conftest import STANDARD_TARGETS
    from tickets.selectors import ticket_get
    from tickets.services import SYSTEM, ticket_assign, ticket_upsert

    call_command("flush", interactive=False, verbosity=0)
    rng = random.Random(7)
    org = organization_create(slug="bench", name="Bench")
    sla_policy_save(organization=org, data={"name": "Std", "targets": [dict(t) for t in STANDARD_TARGETS]})
    customer = Customer.objects.create(organization=org, name="C")
    sites = [Site.objects.create(organization=org, customer=customer, name=f"S{i}", latitude=rng.uniform(30, 47),
                                 longitude=rng.uniform(-120, -75), timezone="America/Chicago", business_hours=ALL_DAY)
             for i in range(100)]
    skills = [Skill.objects.create(organization=org, code=c) for c in ("desktop", "network", "server", "pos")]
    techs = []
    for i in range(TECHNICIANS):
        site = rng.choice(sites)
        t = Technician.objects.create(organization=org, name=f"T{i}", home_latitude=site.latitude + rng.uniform(-0.5, 0.5),
                                      home_longitude=site.longitude + rng.uniform(-0.5, 0.5),
                                      timezone="America/Chicago", shift=ALL_DAY, max_jobs_per_day=8)
        t.skills.set(rng.sample(skills, 2))
        Certification.objects.create(technician=t, code="comptia-a+")
        techs.append(t)
    # Give each technician 0–4 open jobs so that insertion has routes to work on.
    n = 0
    for t in techs:
        for _ in range(rng.randint(0, 4)):
            n += 1
            ticket, _ = ticket_upsert(organization=org, actor=SYSTEM, source="b", external_id=f"R{n}",
                                      data={"title": "x", "priority": "P" + rng.choice("1234"),
                                            "site": rng.choice(sites)})
            ticket_assign(organization=org, actor=SYSTEM, ticket=ticket, technician=t)
    probes = []
    for i in range(50):
        ticket, _ = ticket_upsert(organization=org, actor=SYSTEM, source="b", external_id=f"N{i}",
                                  data={"title": "x", "priority": "P2", "site": rng.choice(sites),
                                        "required_skills": [rng.choice(skills).code]})
        probes.append(ticket.pk)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics, as autovacuum would have them on a live database
    print(f"database: {connection.vendor}; technicians: {TECHNICIANS}; jobs on routes: {n}")
    ticket_recommendations(organization=org, ticket=ticket_get(organization=org, ticket_id=probes[-1]))  # warm-up
    load_before = os.getloadavg()
    times, cpu = [], []
    for _ in range(ROUNDS):
        for pk in probes:
            start, cpu_start = time.perf_counter(), time.process_time()
            ticket = ticket_get(organization=org, ticket_id=pk)
            result = ticket_recommendations(organization=org, ticket=ticket)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - cpu_start)
            assert result
    load_after = os.getloadavg()
    times.sort()
    with CaptureQueriesContext(connection) as ctx:
        ticket_recommendations(organization=org, ticket=ticket_get(organization=org, ticket_id=probes[0]))
    print(f"recommendations (load ticket + rank, top 5): p50 {statistics.median(times) * 1000:.0f} ms, "
          f"p99 {times[int(len(times) * 0.99) - 1] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms, n={len(times)}; "
          f"cpu p50 {statistics.median(cpu) * 1000:.0f} ms; {len(ctx.captured_queries)} queries per call")
    print("load average (1/5/15 min): before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}; {} cores".format(
        *load_before, *load_after, os.cpu_count()))


if __name__ == "__main__":
    main()
