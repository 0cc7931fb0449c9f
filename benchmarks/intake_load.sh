#!/usr/bin/env bash
# Ticket intake under load (issue 3): gunicorn on loopback over PostgreSQL, wrk from a second process with
# 20 connections POSTing new tickets for DURATION seconds. Prints wrk's latency distribution, then checks
# the database holds exactly as many new tickets as wrk counted 2xx answers; then bulk intake over HTTP
# (benchmarks/bulk_http.py; BULK=0 skips it) and 20 clients posting at their own pace (benchmarks/intake_paced.py,
# THINK_MS=1000 on average, THINK_MS=500 doubles the pace; PACED=0 skips it; CLOSED=0 skips wrk).
#   bash benchmarks/intake_load.sh            (needs: apt-get install wrk; local PostgreSQL and Redis)
set -euo pipefail
cd "$(dirname "$0")/.."
DB=dispatch_load
PORT=${PORT:-8765}
DURATION=${DURATION:-20}
WORKERS=${WORKERS:-3}
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${DB}"
export CELERY_BROKER_URL="redis://127.0.0.1:6379/9" CACHE_URL="rediscache://127.0.0.1:6379/10"
psql -h 127.0.0.1 -U postgres -d postgres -q -c "DROP DATABASE IF EXISTS ${DB};" -c "CREATE DATABASE ${DB};" 2>/dev/null
redis-cli -n 9 flushdb >/dev/null; redis-cli -n 10 flushdb >/dev/null
.venv/bin/python manage.py migrate -v0
read -r TOKEN SITE_ID < <(.venv/bin/python - <<'PY'
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dispatch_platform.settings")
django.setup()
from dispatch_platform.sites.models import Customer, Site
from dispatch_platform.tenancy.services import api_client_create, organization_create
from sla.services import sla_policy_save
from tests.conftest import STANDARD_TARGETS
org = organization_create(slug="load", name="Load")
sla_policy_save(organization=org, data={"name": "Std", "targets": [dict(t) for t in STANDARD_TARGETS]})
customer = Customer.objects.create(organization=org, name="C")
site = Site.objects.create(organization=org, customer=customer, name="S", latitude=41.88, longitude=-87.63,
                           timezone="America/Chicago", holidays={"country": "US", "subdivision": "IL"})
client, token = api_client_create(organization=org, name="load", rate_limit="1000000/min")
print(token, site.pk)
PY
)
export TOKEN SITE_ID
.venv/bin/gunicorn dispatch_platform.wsgi --bind "127.0.0.1:${PORT}" --workers "${WORKERS}" --threads 1 \
    --log-level warning >/tmp/intake-gunicorn.log 2>&1 &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:${PORT}/healthz" >/dev/null && break; sleep 0.2; done
# Warm every worker (imports, connections) before measuring.
wrk -t2 -c"${WORKERS}" -d2s -s benchmarks/post_ticket.lua "http://127.0.0.1:${PORT}/api/v1/tickets/" >/dev/null
if [ "${CLOSED:-1}" = 1 ]; then
    BEFORE=$(psql -h 127.0.0.1 -U postgres -d "${DB}" -tAc "SELECT count(*) FROM tickets_ticket")
    wrk -t2 -c20 -d"${DURATION}s" --latency -s benchmarks/post_ticket.lua "http://127.0.0.1:${PORT}/api/v1/tickets/" | tee /tmp/intake-wrk.txt
    AFTER=$(psql -h 127.0.0.1 -U postgres -d "${DB}" -tAc "SELECT count(*) FROM tickets_ticket")
    echo "tickets created during the run: $((AFTER - BEFORE))"
    echo "queries per intake request: $(.venv/bin/python benchmarks/intake_queries.py)"
fi
if [ "${PACED:-1}" = 1 ]; then
    BASE_URL="http://127.0.0.1:${PORT}" DURATION="${DURATION}" .venv/bin/python benchmarks/intake_paced.py
fi
if [ "${BULK:-1}" = 1 ]; then
    BASE_URL="http://127.0.0.1:${PORT}" .venv/bin/python benchmarks/bulk_http.py
fi
