#!/usr/bin/env bash
# Where the gateway's cost goes, per call: the same workload as
# gateway.sh, but with the gateway in a process of its own (`recourse serve
# gateway`, routing to the services of a `recourse standalone`), so its CPU
# is not mixed with the services'. Prints CPU microseconds per call for
# each process (gateway, services, PostgreSQL, load generator), which is
# what decides the throughput ratio when the two cores are saturated:
#
#   direct  = load + services + PostgreSQL
#   gateway = load + gateway + services + PostgreSQL
#
# With CALLGRIND=1 the gateway runs under valgrind's callgrind instead (few
# calls, one in flight) and the script prints the instructions per proxied
# call, which other load on the machine does not change; the profile is
# kept in $CALLGRIND_OUT (default ./callgrind.gateway.out) for
# callgrind_annotate.
#
#   bash tests/bench/gateway-cpu.sh
#   CALLGRIND=1 bash tests/bench/gateway-cpu.sh
#
# PASSTHROUGH=1 puts recourse-passthrough (a bare hyper HTTP/2 hop) where
# the gateway was: the floor of any proxy's cost.
#
# Knobs: REQUESTS CONCURRENCY CONNECTIONS SKIP_BUILD=1 PGHOST PGPORT PGUSER.
set -euo pipefail

cd "$(dirname "$0")/../.."

CALLGRIND=${CALLGRIND:-}
if [[ -n "$CALLGRIND" ]]; then
    REQUESTS=${REQUESTS:-500}
    CONCURRENCY=${CONCURRENCY:-1}
    CONNECTIONS=${CONNECTIONS:-1}
else
    REQUESTS=${REQUESTS:-20000}
    CONCURRENCY=${CONCURRENCY:-32}
    CONNECTIONS=${CONNECTIONS:-4}
fi
CALLGRIND_OUT=${CALLGRIND_OUT:-$PWD/callgrind.gateway.out}
# Two processes verify each other's tokens: one shared secret (bench only).
export RECOURSE__AUTH__TOKEN_SECRET=gateway-cpu-bench-secret-0123456789abcdef
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}

# shellcheck source=tests/bench/lib.sh
source tests/bench/lib.sh
bench_setup gwcpu
GATEWAY_PID=""
stop_gateway() {
    [[ -n "$GATEWAY_PID" ]] || return 0
    kill -TERM "$GATEWAY_PID" 2>/dev/null || true
    wait "$GATEWAY_PID" 2>/dev/null || true
    GATEWAY_PID=""
}
trap 'stop_gateway; bench_cleanup' EXIT

if [[ -z "${SKIP_BUILD:-}" ]]; then
    echo "== build (release)"
    cargo build --release -q -p recourse --bin recourse -p recourse-e2e --bin recourse-load \
        --bin recourse-passthrough
fi
RECOURSE=$PWD/target/release/recourse
LOAD=$PWD/target/release/recourse-load

psql -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$DB\""
DB_CREATED=1
URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB"

PORT=$(free_port)
INTERNAL=$(free_port)
GATEWAY=$(free_port)
RECOURSE__GATEWAY__INTERNAL_LISTEN="127.0.0.1:$INTERNAL" \
    "$RECOURSE" standalone --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" \
    --database-url "$URL" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
wait_listening "$PORT"
TOKEN=$("$RECOURSE" token --role admin --data-dir "$WORK/data")
API_KEY=$("$RECOURSE" apikey create --role admin --name "gateway cpu" \
    --target "http://127.0.0.1:$PORT" --data-dir "$WORK/data" 2>/dev/null)

# The gateway alone, on the same key store, routing to the standalone's
# services.
upstream="http://127.0.0.1:$INTERNAL"
gateway_env=(
    RECOURSE__GATEWAY__UPSTREAMS__CARRIERS="$upstream"
    RECOURSE__GATEWAY__UPSTREAMS__CONTRACTS="$upstream"
    RECOURSE__GATEWAY__UPSTREAMS__CLAIMS="$upstream"
    RECOURSE__GATEWAY__UPSTREAMS__REPORTING="$upstream"
)
runner=()
if [[ -n "$CALLGRIND" ]]; then
    rm -f "$CALLGRIND_OUT" "$CALLGRIND_OUT".*
    runner=(valgrind --tool=callgrind --callgrind-out-file="$CALLGRIND_OUT")
fi
if [[ -n "${PASSTHROUGH:-}" ]]; then
    # The floor instead: a bare hyper HTTP/2 hop (no auth, limits, log).
    RECOURSE_TOKEN="$TOKEN" "${runner[@]}" "$PWD/target/release/recourse-passthrough" \
        --listen "127.0.0.1:$GATEWAY" --upstream "127.0.0.1:$INTERNAL" >"$WORK/gateway.log" 2>&1 &
else
    env "${gateway_env[@]}" "${runner[@]}" "$RECOURSE" serve gateway --listen "127.0.0.1:$GATEWAY" \
        --data-dir "$WORK/data" --database-url "$URL" >"$WORK/gateway.log" 2>&1 &
fi
GATEWAY_PID=$!
for i in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$GATEWAY") 2>/dev/null && break
    if ! kill -0 "$GATEWAY_PID" 2>/dev/null || [[ $i -eq 300 ]]; then
        echo "the gateway did not start:" >&2
        tail -n 20 "$WORK/gateway.log" >&2
        exit 1
    fi
    sleep 0.2
done

# Ticks of user+system CPU of a process and its threads.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pg_ticks() {
    local total=0 pid
    for pid in $(pgrep -u postgres postgres || true); do
        total=$((total + $(ticks "$pid" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
HZ=$(getconf CLK_TCK)

load() {
    "$LOAD" --target "http://127.0.0.1:$GATEWAY" --token "$TOKEN" gateway \
        --direct "http://127.0.0.1:$INTERNAL" --requests "$1" --warmup "$2" \
        --concurrency "$CONCURRENCY" --connections "$CONNECTIONS" --rounds "$3"
}

if [[ -n "$CALLGRIND" ]]; then
    # Warm up (connections, key cache, minted token), then count only the
    # timed calls: 2 methods x REQUESTS calls through the gateway.
    RECOURSE_API_KEY="$API_KEY" load 20 20 1 >/dev/null
    callgrind_control -z "$GATEWAY_PID" >/dev/null
    RECOURSE_API_KEY="$API_KEY" load "$REQUESTS" 0 1 | grep RESULT
    callgrind_control -d "$GATEWAY_PID" >/dev/null
    stop_gateway
    # The dump of the timed calls is the first numbered file.
    total=$(grep -h '^summary:' "$CALLGRIND_OUT".1 | awk '{print $2}')
    mv "$CALLGRIND_OUT".1 "$CALLGRIND_OUT"
    calls=$((2 * REQUESTS))
    echo "== callgrind: $total instructions in the gateway for $calls proxied calls"
    echo "RESULT instructions_per_call=$((total / calls))"
    exit 0
fi

LOAD_T0=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
gw0=$(ticks "$GATEWAY_PID"); sv0=$(ticks "$SERVER_PID"); pg0=$(pg_ticks)
t0=$(date +%s.%N)
RECOURSE_API_KEY="$API_KEY" load "$REQUESTS" 0 1 >"$WORK/load.out"; cat "$WORK/load.out"
t1=$(date +%s.%N)
gw1=$(ticks "$GATEWAY_PID"); sv1=$(ticks "$SERVER_PID"); pg1=$(pg_ticks)
# The load generator ran as this shell's child: its CPU is in cutime/cstime.
LOAD_T1=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
calls=$((2 * REQUESTS))
us() { awk -v t="$1" -v hz="$HZ" -v n="$2" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}'; }
echo "== CPU per call ($REQUESTS calls per method and path, $CONCURRENCY in flight; $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s)"
echo "gateway     $(us $((gw1 - gw0)) "$calls") us per proxied call"
echo "services    $(us $((sv1 - sv0)) $((2 * calls))) us per call (direct and proxied alike)"
echo "postgresql  $(us $((pg1 - pg0)) $((2 * calls))) us per call"
echo "load        $(us $((LOAD_T1 - LOAD_T0)) $((2 * calls))) us per call (both paths)"
echo "== load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
