#!/usr/bin/env bash
# Rate shopping's cost: ShopRates over ten carriers with contracts in force
# against a single QuoteRate, one call at a time, through the gateway of a
# real `recourse standalone` on a fresh PostgreSQL database (issue 11: at
# most 2x). Everything stays on 127.0.0.1; the database is dropped at the
# end.
#
#   bash tests/bench/shop.sh
#
# Knobs (environment): CARRIERS REQUESTS, PROFILE (release, or debug to
# reuse a debug build), PGHOST PGPORT PGUSER (trust auth expected).
set -euo pipefail

cd "$(dirname "$0")/../.."

CARRIERS=${CARRIERS:-10}
REQUESTS=${REQUESTS:-2000}
PROFILE=${PROFILE:-release}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}

# shellcheck source=tests/bench/lib.sh
source tests/bench/lib.sh
bench_setup shopbench

bench_build
bench_database

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

echo "== $REQUESTS ShopRates over $CARRIERS carriers and $REQUESTS QuoteRate, one at a time"
"$LOAD" --target "http://127.0.0.1:$PORT" --token "$TOKEN" shop \
    --carriers "$CARRIERS" --requests "$REQUESTS"
echo "== $(nproc) cores, $(psql -qtA -d postgres -c 'SHOW server_version'), $PROFILE build"
