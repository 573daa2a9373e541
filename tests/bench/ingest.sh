#!/usr/bin/env bash
# Tracking ingest and QuoteRate throughput against a real `recourse
# standalone` on a fresh PostgreSQL database, plus a COPY baseline for the
# same rows. Everything stays on 127.0.0.1; the database is dropped at the end.
#
#   bash tests/bench/ingest.sh
#
# Knobs (environment): SHIPMENTS EVENTS BATCH STREAMS QUOTES QUOTE_CONCURRENCY,
# PGHOST PGPORT PGUSER (trust auth expected).
set -euo pipefail

cd "$(dirname "$0")/../.."

SHIPMENTS=${SHIPMENTS:-20000}
EVENTS=${EVENTS:-400000}
BATCH=${BATCH:-1000}
STREAMS=${STREAMS:-4}
QUOTES=${QUOTES:-50000}
QUOTE_CONCURRENCY=${QUOTE_CONCURRENCY:-32}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}

# shellcheck source=tests/bench/lib.sh
source tests/bench/lib.sh
bench_setup bench

# The value of KEY in the RESULT lines of FILE.
result() {
    grep '^RESULT ' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | tail -n 1
}

echo "== build (release)"
cargo build --release -q -p recourse --bin recourse -p recourse-e2e --bin recourse-load
RECOURSE=target/release/recourse
LOAD=target/release/recourse-load

echo "== database $DB on $PGHOST:$PGPORT"
psql -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$DB\""
DB_CREATED=1

PORT=$(free_port)
TARGET="http://127.0.0.1:$PORT"
echo "== server on 127.0.0.1:$PORT (log: $WORK/server.log)"
"$RECOURSE" standalone --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" \
    --database-url "postgres://$PGUSER@$PGHOST:$PGPORT/$DB" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
wait_listening "$PORT"
TOKEN=$("$RECOURSE" token --role admin --data-dir "$WORK/data")

echo "== ingest: $SHIPMENTS shipments, $EVENTS events, $BATCH per message, $STREAMS streams"
"$LOAD" --target "$TARGET" --token "$TOKEN" ingest \
    --shipments "$SHIPMENTS" --events "$EVENTS" --batch "$BATCH" --streams "$STREAMS" | tee "$WORK/ingest.out"

echo "== quote: $QUOTES requests, $QUOTE_CONCURRENCY in flight"
"$LOAD" --target "$TARGET" --token "$TOKEN" quote \
    --requests "$QUOTES" --concurrency "$QUOTE_CONCURRENCY" | tee "$WORK/quote.out"

echo "== stopping the server"
stop_server

echo "== COPY baseline: the same $EVENTS rows into a copy of tracking_events"
COLUMNS="carrier_id, carrier_event_id, shipment_id, event_type, occurred_at, location, exception_reason, received_at"
psql -q -v ON_ERROR_STOP=1 -d "$DB" \
    -c "\\copy (SELECT $COLUMNS FROM tracking_events) TO '$WORK/events.csv' WITH (FORMAT csv)" \
    -c "CREATE TABLE copy_bench (LIKE tracking_events INCLUDING ALL)"
CSV_ROWS=$(wc -l <"$WORK/events.csv")
if [[ "$CSV_ROWS" -ne "$EVENTS" ]]; then
    echo "expected $EVENTS rows in tracking_events, found $CSV_ROWS" >&2
    exit 1
fi
START=$(date +%s.%N)
psql -q -v ON_ERROR_STOP=1 -d "$DB" -c "\\copy copy_bench ($COLUMNS) FROM '$WORK/events.csv' WITH (FORMAT csv)"
END=$(date +%s.%N)
COPIED=$(psql -qtA -d "$DB" -c "SELECT count(*) FROM copy_bench")
if [[ "$COPIED" -ne "$EVENTS" ]]; then
    echo "COPY stored $COPIED rows, expected $EVENTS" >&2
    exit 1
fi
COPY_SECONDS=$(awk -v s="$START" -v e="$END" 'BEGIN { printf "%.3f", e - s }')
COPY_RATE=$(awk -v n="$EVENTS" -v t="$COPY_SECONDS" 'BEGIN { printf "%.0f", n / t }')
echo "copy: $EVENTS rows in ${COPY_SECONDS}s ($COPY_RATE rows/s)"

INGEST_RATE=$(result ingest_events_per_sec "$WORK/ingest.out")
INGEST_SECONDS=$(result ingest_seconds "$WORK/ingest.out")
QUOTE_RATE=$(result quote_per_sec "$WORK/quote.out")
P50=$(result quote_p50_ms "$WORK/quote.out")
P99=$(result quote_p99_ms "$WORK/quote.out")
RATIO=$(awk -v a="$INGEST_RATE" -v b="$COPY_RATE" 'BEGIN { printf "%.2f", a / b }')

echo
echo "== summary ($(nproc) cores, $(psql -qtA -d postgres -c 'SHOW server_version'))"
printf '%-34s %14s %10s\n' "measure" "rate" "seconds"
printf '%-34s %14s %10s\n' "gRPC ingest (events/s)" "$INGEST_RATE" "$INGEST_SECONDS"
printf '%-34s %14s %10s\n' "COPY same rows (rows/s)" "$COPY_RATE" "$COPY_SECONDS"
printf '%-34s %14s\n' "ingest / COPY" "$RATIO"
printf '%-34s %14s\n' "QuoteRate (req/s)" "$QUOTE_RATE"
printf '%-34s %14s\n' "QuoteRate p50 / p99 (ms)" "$P50 / $P99"
