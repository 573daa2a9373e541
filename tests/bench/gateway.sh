#!/usr/bin/env bash
# The gateway's cost: GetCarrier and QuoteRate timed directly against the
# services (their internal listener, internal token) and through the gateway
# (the public address, an API key) in one run of a real `recourse
# standalone` on a fresh PostgreSQL database. Everything stays on
# 127.0.0.1; the database is dropped at the end.
#
#   bash tests/bench/gateway.sh
#
# Knobs (environment): REQUESTS WARMUP CONCURRENCY CONNECTIONS LATENCY_REQUESTS
# ROUNDS, SKIP_BUILD=1,
# PGHOST PGPORT PGUSER (trust auth expected).
set -euo pipefail

cd "$(dirname "$0")/../.."

REQUESTS=${REQUESTS:-20000}
WARMUP=${WARMUP:-2000}
CONCURRENCY=${CONCURRENCY:-32}
CONNECTIONS=${CONNECTIONS:-4}
LATENCY_REQUESTS=${LATENCY_REQUESTS:-4000}
# Short rounds alternating direct and gateway, so load from anything else
# on the machine falls on both paths alike.
ROUNDS=${ROUNDS:-20}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}

# shellcheck source=tests/bench/lib.sh
source tests/bench/lib.sh
bench_setup gwbench

if [[ -z "${SKIP_BUILD:-}" ]]; then
    echo "== build (release)"
    cargo build --release -q -p recourse --bin recourse -p recourse-e2e --bin recourse-load \
        --bin recourse-passthrough
fi
RECOURSE=target/release/recourse
LOAD=target/release/recourse-load

echo "== database $DB on $PGHOST:$PGPORT"
psql -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$DB\""
DB_CREATED=1

PORT=$(free_port)
INTERNAL=$(free_port)
echo "== standalone: gateway on 127.0.0.1:$PORT, services on 127.0.0.1:$INTERNAL"
# Access-log lines go to the log file like any other; info level as shipped.
RECOURSE__GATEWAY__INTERNAL_LISTEN="127.0.0.1:$INTERNAL" \
    "$RECOURSE" standalone --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" \
    --database-url "postgres://$PGUSER@$PGHOST:$PGPORT/$DB" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
wait_listening "$PORT"
TOKEN=$("$RECOURSE" token --role admin --data-dir "$WORK/data")
API_KEY=$("$RECOURSE" apikey create --role admin --name "gateway bench" \
    --target "http://127.0.0.1:$PORT" --data-dir "$WORK/data" 2>/dev/null)

echo "== throughput: $REQUESTS calls per method and path ($WARMUP warm-up), $CONCURRENCY in flight, $CONNECTIONS connections"
RECOURSE_API_KEY="$API_KEY" "$LOAD" --target "http://127.0.0.1:$PORT" --token "$TOKEN" gateway \
    --direct "http://127.0.0.1:$INTERNAL" --requests "$REQUESTS" --warmup "$WARMUP" \
    --concurrency "$CONCURRENCY" --connections "$CONNECTIONS" --rounds "$ROUNDS" | tee "$WORK/gateway.out"
# The floor: the same calls through a bare hyper HTTP/2 pass-through
# (recourse-passthrough: no routing, credentials, limits, log or span), so
# the gateway's ratio can be read against what any proxy hop costs here.
PASS=$(free_port)
RECOURSE_TOKEN="$TOKEN" target/release/recourse-passthrough --listen "127.0.0.1:$PASS" \
    --upstream "127.0.0.1:$INTERNAL" >"$WORK/passthrough.log" 2>&1 &
PASS_PID=$!
wait_listening "$PASS"
echo "== floor: the same through a bare hyper HTTP/2 pass-through (\"gateway\" below is the pass-through)"
RECOURSE_API_KEY=unused "$LOAD" --target "http://127.0.0.1:$PASS" --token "$TOKEN" gateway \
    --direct "http://127.0.0.1:$INTERNAL" --requests "$REQUESTS" --warmup "$WARMUP" \
    --concurrency "$CONCURRENCY" --connections "$CONNECTIONS" --rounds "$ROUNDS" | tee "$WORK/floor.out"
kill "$PASS_PID" 2>/dev/null || true
wait "$PASS_PID" 2>/dev/null || true
# One call at a time: the hop's own latency, without queueing behind the
# other calls in flight.
echo "== latency: $LATENCY_REQUESTS calls per method and path, 1 in flight, 1 connection"
RECOURSE_API_KEY="$API_KEY" "$LOAD" --target "http://127.0.0.1:$PORT" --token "$TOKEN" gateway \
    --direct "http://127.0.0.1:$INTERNAL" --requests "$LATENCY_REQUESTS" --warmup 500 \
    --concurrency 1 --connections 1 --rounds "$ROUNDS" | tee "$WORK/latency.out"
echo "== load average $(cut -d' ' -f1-3 /proc/loadavg) (anything above ~2 means other work shared the cores)"
echo "== $(nproc) cores, $(psql -qtA -d postgres -c 'SHOW server_version')"
