#!/usr/bin/env bash
# The load benchmark of the write paths users run at volume, against a real
# release `recourse standalone` on a fresh PostgreSQL database (fsync as the
# server has it), and in the same run the physical limit of the same work:
#
#   - claims: CreateClaim, SubmitClaim (with its calls to contracts), the
#     carrier's transitions and a remittance import, CONCURRENCY in flight;
#   - CreateClaim's twin: a pgbench custom script issuing exactly the
#     statements of one CreateClaim (idempotency lookup; then in one
#     transaction the idempotency row, the claim number (`nextval`), the
#     claim row unless one is open, the outbox row, the stored response),
#     built from rows the server wrote, with the same number of clients;
#   - tracking ingest, and COPY of the same rows into a twin table;
#   - QuoteRate;
#   - the server's resident memory idle (after start) and at its peak under
#     the load (VmHWM).
#
# It prints the ratios and the targets (README, "Performance"). Everything
# stays on 127.0.0.1; the database is dropped at the end.
#
#   bash tests/bench/load.sh
#
# Knobs (environment): CLAIMS CONCURRENCY CONNECTIONS SHIPMENTS EVENTS BATCH
# STREAMS QUOTES, SKIP_BUILD=1 (use the release binaries as built), KEEP_DB=1 (keep the database to look at), PGHOST PGPORT
# PGUSER (trust auth expected).
set -euo pipefail

cd "$(dirname "$0")/../.."

CLAIMS=${CLAIMS:-5000}
CONCURRENCY=${CONCURRENCY:-64}
CONNECTIONS=${CONNECTIONS:-8}
SHIPMENTS=${SHIPMENTS:-20000}
EVENTS=${EVENTS:-400000}
BATCH=${BATCH:-1000}
STREAMS=${STREAMS:-4}
QUOTES=${QUOTES:-20000}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}

# shellcheck source=tests/bench/lib.sh
source tests/bench/lib.sh
bench_setup load

# The value of KEY in the last RESULT line of FILE that has `phase=PHASE`
# (any line when PHASE is empty).
result() {
    grep '^RESULT ' "$3" | grep -- "${2:+phase=$2 }" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# Resident memory of the server in MB: VmRSS (now) or VmHWM (peak).
rss_mb() {
    awk -v k="$1:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v ok="$1" 'BEGIN { print (ok ? "met" : "MISSED") }'; }

if [[ -z "${SKIP_BUILD:-}" ]]; then
    echo "== build (release)"
    cargo build --release -q -p recourse --bin recourse -p recourse-e2e --bin recourse-load
fi
RECOURSE=target/release/recourse
LOAD=target/release/recourse-load

echo "== database $DB on $PGHOST:$PGPORT (fsync $(psql -qtA -d postgres -c 'SHOW fsync'), synchronous_commit $(psql -qtA -d postgres -c 'SHOW synchronous_commit'))"
psql -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$DB\""
DB_CREATED=1

PORT=$(free_port)
TARGET="http://127.0.0.1:$PORT"
echo "== standalone on 127.0.0.1:$PORT (calls go through the gateway, as users' do)"
"$RECOURSE" standalone --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" \
    --database-url "postgres://$PGUSER@$PGHOST:$PGPORT/$DB" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
wait_listening "$PORT"
sleep 2
IDLE_RSS=$(rss_mb VmRSS)
echo "idle RSS: $IDLE_RSS MB"
TOKEN=$("$RECOURSE" token --role admin --data-dir "$WORK/data" 2>/dev/null)
DECIDER=$("$RECOURSE" token --role admin --subject load-decider --data-dir "$WORK/data" 2>/dev/null)

echo "== claims: $CLAIMS claims, $CONCURRENCY in flight, $CONNECTIONS connections"
RECOURSE_DECIDER_TOKEN="$DECIDER" "$LOAD" --target "$TARGET" --token "$TOKEN" claims \
    --claims "$CLAIMS" --concurrency "$CONCURRENCY" --connections "$CONNECTIONS" | tee "$WORK/claims.out"

echo "== ingest: $SHIPMENTS shipments, $EVENTS events, $BATCH per message, $STREAMS streams"
"$LOAD" --target "$TARGET" --token "$TOKEN" ingest \
    --shipments "$SHIPMENTS" --events "$EVENTS" --batch "$BATCH" --streams "$STREAMS" | tee "$WORK/ingest.out"

echo "== quote: $QUOTES requests, $CONCURRENCY in flight"
"$LOAD" --target "$TARGET" --token "$TOKEN" quote \
    --requests "$QUOTES" --concurrency "$CONCURRENCY" | tee "$WORK/quote.out"

PEAK_RSS=$(rss_mb VmHWM)
AFTER_RSS=$(rss_mb VmRSS)
echo "peak RSS under load: $PEAK_RSS MB; after the load: $AFTER_RSS MB"
stop_server

echo "== CreateClaim's twin: pgbench, $CONCURRENCY clients, $CLAIMS transactions"
# Literals of a row the server wrote, with the per-call values replaced by
# pgbench variables (a fresh claim id, shipment and request id each time).
literals() { # table, where, `column=expression` replacements, `-column` to leave out
    local table=$1 where=$2
    shift 2
    local cases="" skip="''"
    for r in "$@"; do
        if [[ $r == -* ]]; then
            skip+=", '${r#-}'"
        else
            cases+=" WHEN '${r%%=*}' THEN \$r\$${r#*=}\$r\$"
        fi
    done
    psql -qtA -v ON_ERROR_STOP=1 -d "$DB" -c "
        SELECT string_agg(quote_ident(key), ', ' ORDER BY ord) || E'\\t' ||
               string_agg(CASE key $cases ELSE bench_literal(value, type) END, ', ' ORDER BY ord)
        FROM (SELECT t.key, t.value, a.attnum AS ord, format_type(a.atttypid, a.atttypmod) AS type
              FROM (SELECT * FROM $table WHERE $where LIMIT 1) AS row_,
                   json_each_text(row_to_json(row_)) AS t
              JOIN pg_attribute a ON a.attrelid = '$table'::regclass AND a.attname = t.key
              WHERE t.key NOT IN ($skip) AND a.attidentity = '' AND COALESCE(pg_get_expr(
                  (SELECT adbin FROM pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum),
                  a.attrelid), '') NOT LIKE 'nextval%') AS cols"
}
# pgbench reads `:word` as a variable even inside a quoted literal (a
# timestamp, a scope such as `CreateClaim:admin:…`), so a colon is spelled
# chr(58): immutable, folded when the statement is planned, so the
# statement still uses its index.
psql -q -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<'SQL'
CREATE FUNCTION bench_literal(value text, type text) RETURNS text LANGUAGE sql AS $f$
    SELECT CASE WHEN value IS NULL THEN 'NULL' ELSE format('CAST((%s) AS %s)',
        'E''' || replace(replace(replace(value, E'\\', E'\\\\'), '''', ''''''),
                         ':', ''' || chr(58) || E''') || '''',
        type) END
$f$;
SQL
CLAIM_ROW=$(literals claims "submitted_at IS NULL" \
    "id='twin-' || CAST(:n AS text)" "number='CLM-2026-' || lpad(CAST(:seq AS text), 6, '0')" \
    "shipment_id='twin-s-' || CAST(:n AS text)")
# The relay numbers outbox rows after the commit: CreateClaim writes none.
OUTBOX_ROW=$(literals claims_outbox "event_type = 'claim.created'" "subject='claims/twin-' || CAST(:n AS text)" -position)
IDEM_ROW=$(literals claims_idempotency "request_id LIKE 'load-claim-%'" \
    "request_id='twin-r-' || CAST(:n AS text)" "response=NULL")
RESPONSE=$(psql -qtA -d "$DB" -c "SELECT bench_literal(response::text, 'bytea') FROM claims_idempotency WHERE request_id LIKE 'load-claim-%' LIMIT 1")
SCOPE=$(psql -qtA -d "$DB" -c "SELECT bench_literal(scope, 'text') FROM claims_idempotency WHERE request_id LIKE 'load-claim-%' LIMIT 1")
cat >"$WORK/create_claim.sql" <<SQL
\\set n random(1, 9000000000000000000)
SELECT request_hash, response FROM claims_idempotency WHERE scope = $SCOPE AND request_id = 'twin-r-' || CAST(:n AS text);
BEGIN;
INSERT INTO claims_idempotency (${IDEM_ROW%%$'\t'*}) VALUES (${IDEM_ROW#*$'\t'});
SELECT nextval('claim_numbers') AS seq \\gset
INSERT INTO claims (${CLAIM_ROW%%$'\t'*}) VALUES (${CLAIM_ROW#*$'\t'}) ON CONFLICT (shipment_id, claim_type) WHERE status NOT IN ('closed', 'withdrawn') DO NOTHING;
INSERT INTO claims_outbox (${OUTBOX_ROW%%$'\t'*}) VALUES (${OUTBOX_ROW#*$'\t'});
UPDATE claims_idempotency SET response = $RESPONSE WHERE scope = $SCOPE AND request_id = 'twin-r-' || CAST(:n AS text);
COMMIT;
SQL
PER_CLIENT=$(( (CLAIMS + CONCURRENCY - 1) / CONCURRENCY ))
pgbench -n -M prepared -c "$CONCURRENCY" -j 2 -t "$PER_CLIENT" -r -f "$WORK/create_claim.sql" "$DB" \
    >"$WORK/pgbench.out" 2>&1 || { cat "$WORK/pgbench.out" >&2; exit 1; }
grep -E 'tps|latency|failed' "$WORK/pgbench.out" | grep -v '^ ' || true
TWIN_RATE=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/pgbench.out" | head -n 1)
TWIN_LAT=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$WORK/pgbench.out")

echo "== COPY: the same $EVENTS tracking rows into a copy of tracking_events"
COLUMNS="carrier_id, carrier_event_id, shipment_id, event_type, occurred_at, location, exception_reason, received_at"
psql -q -v ON_ERROR_STOP=1 -d "$DB" \
    -c "\\copy (SELECT $COLUMNS FROM tracking_events) TO '$WORK/events.csv' WITH (FORMAT csv)" \
    -c "CREATE TABLE copy_bench (LIKE tracking_events INCLUDING ALL)"
START=$(date +%s.%N)
psql -q -v ON_ERROR_STOP=1 -d "$DB" -c "\\copy copy_bench ($COLUMNS) FROM '$WORK/events.csv' WITH (FORMAT csv)"
END=$(date +%s.%N)
COPIED=$(psql -qtA -d "$DB" -c "SELECT count(*) FROM copy_bench")
[[ "$COPIED" -eq "$EVENTS" ]] || { echo "COPY stored $COPIED rows, expected $EVENTS" >&2; exit 1; }
COPY_RATE=$(awk -v n="$EVENTS" -v s="$START" -v e="$END" 'BEGIN { printf "%.0f", n / (e - s) }')

CREATE_RATE=$(result per_sec create "$WORK/claims.out")
CREATE_P99=$(result p99_ms create "$WORK/claims.out")
INGEST_RATE=$(result ingest_events_per_sec "" "$WORK/ingest.out")
CREATE_RATIO=$(ratio "$CREATE_RATE" "$TWIN_RATE")
INGEST_RATIO=$(ratio "$INGEST_RATE" "$COPY_RATE")

echo
echo "== summary: $(nproc) cores, $(free -g | awk '/^Mem/ { print $2 }') GB, PostgreSQL $(psql -qtA -d postgres -c 'SHOW server_version'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-26s %10s %9s %9s\n' "path ($CONCURRENCY in flight)" "per s" "p50 ms" "p99 ms"
for phase in create submit acknowledge review approve; do
    printf '%-26s %10s %9s %9s\n' "$phase" "$(result per_sec $phase "$WORK/claims.out")" \
        "$(result p50_ms $phase "$WORK/claims.out")" "$(result p99_ms $phase "$WORK/claims.out")"
done
printf '%-26s %10s\n' "import (rows)" "$(result per_sec import "$WORK/claims.out")"
printf '%-26s %10s %9s %9s\n' "quote" "$(result quote_per_sec "" "$WORK/quote.out")" \
    "$(result quote_p50_ms "" "$WORK/quote.out")" "$(result quote_p99_ms "" "$WORK/quote.out")"
printf '%-26s %10s\n' "ingest (events)" "$INGEST_RATE"
echo
printf '%-44s %10s  %s\n' "target" "measured" ""
printf '%-44s %10s  %s\n' "CreateClaim / pgbench twin ($TWIN_RATE tps) >= 0.60" "$CREATE_RATIO" \
    "$(verdict "$(awk -v r="$CREATE_RATIO" 'BEGIN { print r >= 0.60 }')")"
printf '%-44s %10s  %s\n' "CreateClaim p99 <= 50 ms (twin avg $TWIN_LAT ms)" "$CREATE_P99" \
    "$(verdict "$(awk -v r="$CREATE_P99" 'BEGIN { print r <= 50 }')")"
printf '%-44s %10s  %s\n' "ingest / COPY ($COPY_RATE rows/s) >= 0.60" "$INGEST_RATIO" \
    "$(verdict "$(awk -v r="$INGEST_RATIO" 'BEGIN { print r >= 0.60 }')")"
printf '%-44s %10s  %s\n' "idle RSS <= 60 MB" "$IDLE_RSS" \
    "$(verdict "$(awk -v r="$IDLE_RSS" 'BEGIN { print r <= 60 }')")"
printf '%-44s %10s  %s\n' "peak RSS under load <= 250 MB" "$PEAK_RSS" \
    "$(verdict "$(awk -v r="$PEAK_RSS" 'BEGIN { print r <= 250 }')")"
