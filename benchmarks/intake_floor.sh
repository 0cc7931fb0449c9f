#!/usr/bin/env bash
# The floor of the stack beside ticket intake (issue 3): benchmarks/floor/floor.py (one validated INSERT, no
# middleware, auth, tenant, audit or SLA) under the same gunicorn (3 sync workers) on the same PostgreSQL,
# loaded by the same wrk script (20 connections, closed loop, DURATION seconds). Run it next to
# intake_load.sh in one session: this machine's speed drifts, only figures of one run compare.
#   bash benchmarks/intake_floor.sh          (needs: apt-get install wrk; local PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8767}
DURATION=${DURATION:-20}
export FLOOR_DB=dispatch_floor
psql -h 127.0.0.1 -U postgres -d postgres -q -c "DROP DATABASE IF EXISTS ${FLOOR_DB};" -c "CREATE DATABASE ${FLOOR_DB};" 2>/dev/null
(cd benchmarks/floor && ../../.venv/bin/python floor.py migrate --run-syncdb -v0)
.venv/bin/gunicorn floor --chdir benchmarks/floor --bind "127.0.0.1:${PORT}" --workers 3 --log-level warning \
    >/tmp/floor-gunicorn.log 2>&1 &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
sleep 3
export TOKEN=unused SITE_ID=0  # post_ticket.lua's body; the floor ignores the fields it does not have
wrk -t2 -c3 -d2s -s benchmarks/post_ticket.lua "http://127.0.0.1:${PORT}/api/v1/tickets/" >/dev/null
wrk -t2 -c20 -d"${DURATION}s" --latency -s benchmarks/post_ticket.lua "http://127.0.0.1:${PORT}/api/v1/tickets/"
echo "rows written: $(psql -h 127.0.0.1 -U postgres -d "${FLOOR_DB}" -tAc 'SELECT count(*) FROM floorapp_thing')"
