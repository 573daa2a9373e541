#!/usr/bin/env bash
# Invoice audit's cost (issue 12): a 100,000-line carrier invoice imported
# and audited against the same-sized invoice imported without audit
# (`record_only`), both streamed to a real `recourse standalone` on a fresh
# PostgreSQL database in the same run; prints the ratio (the bar: at most
# 3x). The parcels the audited invoice bills are registered and picked up
# first (untimed). Everything stays on 127.0.0.1; the database is dropped
# at the end.
#
#   bash tests/bench/audit.sh
#
# Knobs (environment): LINES, PROFILE (release, or debug to reuse a debug
# build), PGHOST PGPORT PGUSER (trust auth expected).
set -euo pipefail

cd "$(dirname "$0")/../.."

LINES=${LINES:-100000}
PROFILE=${PROFILE:-release}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}

# shellcheck source=tests/bench/lib.sh
source tests/bench/lib.sh
bench_setup auditbench

bench_build
bench_database

PORT=$(free_port)
INTERNAL=$(free_port)
echo "== standalone on 127.0.0.1:$PORT (log: $WORK/server.log)"
RECOURSE__GATEWAY__INTERNAL_LISTEN="127.0.0.1:$INTERNAL" \
    "$RECOURSE" standalone --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" \
    --database-url "postgres://$PGUSER@$PGHOST:$PGPORT/$DB" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
wait_listening "$PORT"
TOKEN=$("$RECOURSE" token --role admin --data-dir "$WORK/data")

echo "== $LINES-line invoice: record-only import, then audited import"
"$LOAD" --target "http://127.0.0.1:$PORT" --token "$TOKEN" audit --lines "$LINES" | tee "$WORK/audit.out"
RATIO=$(grep '^RESULT ' "$WORK/audit.out" | tr ' ' '\n' | sed -n 's/^ratio=//p')
echo "== audited / plain = $RATIO (bar: <= 3.00); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(psql -qtA -d postgres -c 'SHOW server_version'), $PROFILE build"
