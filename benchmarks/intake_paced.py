"""Ticket intake at a given pace (issue 3): CLIENTS clients (20) each POST a new ticket, wait a random think
time (uniform in 0..2×THINK_MS, so they do not move in lock-step) and POST again, for DURATION seconds; prints
the offered and achieved rate and the latency distribution. wrk measures the closed loop (every client
re-posting the moment it is answered: the server's saturation); this is an ITSM posting at its own pace.
(wrk's own `delay()` cannot do this against gunicorn's sync workers: they close every connection, and the
reconnects after a delay were counted into wrk's latencies — 350 ms medians for /healthz.)
Called by intake_load.sh with BASE_URL, TOKEN, SITE_ID.
"""

import http.client
import json
import os
import random
import threading
import time
import uuid
from urllib.parse import urlparse

URL = urlparse(os.environ["BASE_URL"])
CLIENTS = int(os.environ.get("CLIENTS", "20"))
THINK_MS = float(os.environ.get("THINK_MS", "1000"))
DURATION = float(os.environ.get("DURATION", "20"))


def client(seed: int, latencies: list[float], errors: list[str], stop_at: float) -> None:
    rng = random.Random(seed)
    run = uuid.uuid4().hex[:8]
    n = 0
    while True:
        time.sleep(rng.uniform(0, 2 * THINK_MS) / 1000)
        if time.monotonic() >= stop_at:
            return
        n += 1
        body = json.dumps({"source": "paced", "external_id": f"{run}-{n}", "title": "Receipt printer offline",
                           "priority": "P3", "site": int(os.environ["SITE_ID"]), "required_skills": ["printers"],
                           "asset": {"make": "Epson", "model": "TM-T88VI"}})
        start = time.perf_counter()
        connection = http.client.HTTPConnection(URL.hostname, URL.port, timeout=30)
        try:
            connection.request("POST", "/api/v1/tickets/", body=body, headers={
                "Content-Type": "application/json", "Authorization": f"Bearer {os.environ['TOKEN']}"})
            response = connection.getresponse()
            response.read()
            if response.status != 201:
                errors.append(str(response.status))
        except OSError as exc:
            errors.append(type(exc).__name__)
        finally:
            connection.close()
        latencies.append(time.perf_counter() - start)


def main():
    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.monotonic() + DURATION
    threads = [threading.Thread(target=client, args=(i, latencies, errors, stop_at)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    print(f"paced intake: {CLIENTS} clients, think {THINK_MS:g} ms on average (offered ≈ "
          f"{CLIENTS / (THINK_MS / 1000):.0f} req/s): {len(latencies)} POSTs in {DURATION:g} s = "
          f"{len(latencies) / DURATION:.1f} req/s; latency p50 {pct(50):.0f} ms, p90 {pct(90):.0f} ms, "
          f"p99 {pct(99):.0f} ms, max {latencies[-1] * 1000:.0f} ms; errors {len(errors)}")


if __name__ == "__main__":
    main()
