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

DB="recourse_shopbench_$(date +%s)_$$"
WORK=$(mktemp -d -t recourse-shopbench.XXXXXX)
SERVER_PID=""
DB_CREATED=""

stop_server() {
    [[ -n "$SERVER_PID" ]] || return 0
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        for _ in $(seq 1 100); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

cleanup() {
    local status=$?
    stop_server
    if [[ -n "$DB_CREATED" ]]; then
        psql -q -d postgres -c "DROP DATABASE IF EXISTS \"$DB\"" >/dev/null || true
    fi
    if [[ $status -ne 0 && -f "$WORK/server.log" ]]; then
        echo "--- last lines of the server log ---" >&2
        tail -n 20 "$WORK/server.log" >&2 || true
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT

free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 20000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "no free port found" >&2
    return 1
}

echo "== build ($PROFILE)"
if [[ "$PROFILE" == release ]]; then
    cargo build --release -q -p recourse --bin recourse -p recourse-e2e --bin recourse-load
else
    cargo build -q -p recourse --bin recourse -p recourse-e2e --bin recourse-load
    PROFILE=debug
fi
RECOURSE=target/$PROFILE/recourse
LOAD=target/$PROFILE/recourse-load

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
for i in $(seq 1 150); do
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited during start" >&2; exit 1; }
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    [[ $i -eq 150 ]] && { echo "server not listening after 30s" >&2; exit 1; }
    sleep 0.2
done
TOKEN=$("$RECOURSE" token --role admin --data-dir "$WORK/data")

echo "== $REQUESTS ShopRates over $CARRIERS carriers and $REQUESTS QuoteRate, one at a time"
"$LOAD" --target "http://127.0.0.1:$PORT" --token "$TOKEN" shop \
    --carriers "$CARRIERS" --requests "$REQUESTS"
echo "== $(nproc) cores, $(psql -qtA -d postgres -c 'SHOW server_version'), $PROFILE build"
