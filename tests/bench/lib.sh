# Shared by the benchmark scripts (sourced from the repository root): a
# scratch directory, a fresh PostgreSQL database dropped on exit (kept with
# KEEP_DB=1), the server started in the background and stopped with
# SIGTERM (SIGKILL after 20 s), and free loopback ports.
# shellcheck shell=bash

# bench_setup NAME: the scratch directory, the database name and the exit trap.
bench_setup() {
    DB="recourse_${1}_$(date +%s)_$$"
    WORK=$(mktemp -d -t "recourse-$1.XXXXXX")
    SERVER_PID=""
    DB_CREATED=""
    trap bench_cleanup EXIT
}

# bench_build: builds `recourse` and `recourse-load` for PROFILE (release
# unless PROFILE names another; anything else is the debug build) and sets
# PROFILE, RECOURSE and LOAD.
bench_build() {
    PROFILE=${PROFILE:-release}
    echo "== build ($PROFILE)"
    if [[ "$PROFILE" == release ]]; then
        cargo build --release -q -p recourse --bin recourse -p recourse-e2e --bin recourse-load
    else
        cargo build -q -p recourse --bin recourse -p recourse-e2e --bin recourse-load
        PROFILE=debug
    fi
    RECOURSE=target/$PROFILE/recourse
    LOAD=target/$PROFILE/recourse-load
}

# bench_database: creates DB (dropped by the exit trap unless KEEP_DB=1).
bench_database() {
    echo "== database $DB on $PGHOST:$PGPORT"
    psql -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$DB\""
    DB_CREATED=1
}

stop_server() {
    [[ -n "$SERVER_PID" ]] || return 0
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        for _ in $(seq 1 100); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "server did not stop after SIGTERM; killing it" >&2
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

bench_cleanup() {
    local status=$?
    stop_server
    if [[ -n "$DB_CREATED" && -z "${KEEP_DB:-}" ]]; then
        psql -q -d postgres -c "DROP DATABASE IF EXISTS \"$DB\"" >/dev/null || true
    fi
    if [[ $status -ne 0 && -f "$WORK/server.log" ]]; then
        echo "--- last lines of the server log ---" >&2
        tail -n 20 "$WORK/server.log" >&2 || true
    fi
    rm -rf "$WORK"
    exit "$status"
}

# A free port on 127.0.0.1 (bounded number of tries).
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

# wait_listening PORT: until the server (SERVER_PID) accepts on PORT, 30 s at most.
wait_listening() {
    local i
    for i in $(seq 1 150); do
        kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited during start" >&2; exit 1; }
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        [[ $i -eq 150 ]] && { echo "server not listening after 30s" >&2; exit 1; }
        sleep 0.2
    done
}
