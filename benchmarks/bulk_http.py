"""Bulk intake through the HTTP server (issue 3): CONCURRENCY clients each POST ROUNDS bulks of BULK_N new
tickets to /api/v1/tickets/bulk/ at once; prints the aggregate tickets/s and each POST's latency.
Called by intake_load.sh (which starts gunicorn over PostgreSQL and exports BASE_URL, TOKEN, SITE_ID).

    BASE_URL=http://127.0.0.1:8765 TOKEN=... SITE_ID=1 .venv/bin/python benchmarks/bulk_http.py
"""

import json
import os
import threading
import time
import urllib.request
import uuid

BASE_URL = os.environ["BASE_URL"]
N = int(os.environ.get("BULK_N", "1000"))
CONCURRENCY = int(os.environ.get("BULK_CONCURRENCY", "2"))
ROUNDS = int(os.environ.get("BULK_ROUNDS", "3"))


def post_bulk() -> float:
    run = uuid.uuid4().hex[:10]
    body = json.dumps({"tickets": [
        {"source": "bulk-http", "external_id": f"{run}-{i}", "title": "Printer jam", "priority": "P3",
         "site": int(os.environ["SITE_ID"]), "required_skills": ["printers"]} for i in range(N)]}).encode()
    request = urllib.request.Request(f"{BASE_URL}/api/v1/tickets/bulk/", data=body, method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {os.environ['TOKEN']}"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        results = json.load(response)
    elapsed = time.perf_counter() - start
    created = sum(1 for r in results if r["status"] == "created")
    assert created == N, f"{created} of {N} created: {[r for r in results if r['status'] != 'created'][:2]}"
    return elapsed


def main():
    post_bulk()  # warm-up
    latencies: list[float] = []

    def client():
        for _ in range(ROUNDS):
            latencies.append(post_bulk())

    threads = [threading.Thread(target=client) for _ in range(CONCURRENCY)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    total = N * CONCURRENCY * ROUNDS
    print(f"bulk over HTTP: {CONCURRENCY} clients x {ROUNDS} POSTs of {N} new tickets = {total} in {wall:.2f} s "
          f"= {total / wall:.0f} tickets/s; per POST {min(latencies):.2f}-{max(latencies):.2f} s")


if __name__ == "__main__":
    main()
