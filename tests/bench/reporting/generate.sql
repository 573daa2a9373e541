-- A generated year (2025) straight into reporting's read models, as the
-- feeds would have left them: 10 carriers, 1,000,000 shipments (their
-- 5,000,000 tracking events are what the contracts service folded into
-- each row's verdict, exception flags and scan compliance — the read
-- model holds no tracking event), 20,000 claims with their money
-- movements, the carriers' allocations, SLA targets, monthly SLA
-- evaluations and 500 escalations. Deterministic (no random()).
-- psql -v shipments=1000000 -v claims=20000 -f generate.sql
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO reporting_carriers (carrier_id, code, display_name, status)
SELECT 'carrier-' || lpad(c::text, 4, '0'), 'BENCH' || c, 'Bench carrier ' || c, 'CARRIER_STATUS_ACTIVE'
FROM generate_series(0, 9) c;
-- 300 parcels a day each (a year's 100,000 a carrier is ~274 a day: busy
-- days go over).
INSERT INTO reporting_allocations (carrier_id, first_day, last_day, peak, daily_parcels)
SELECT 'carrier-' || lpad(c::text, 4, '0'), '0000-01-01', '9999-12-31', 0, 300
FROM generate_series(0, 9) c;
INSERT INTO reporting_targets (version, carrier_id, service_level, effective_from, effective_to,
    on_time_min_bp, exception_max_bp, claims_max_bp, scan_min_bp)
SELECT 'contracts/bench-' || c || '/versions/1', 'carrier-' || lpad(c::text, 4, '0'), l,
       '2024-01-01', NULL, 9500, 500, 100, 9000
FROM generate_series(0, 9) c, unnest(ARRAY['GROUND', 'NEXT_DAY']) l;
INSERT INTO reporting_shipments (shipment_id, carrier_id, service_level, ship_date, due_at,
    delivered_at, verdict, charge_minor, currency, excused, with_exception, scan_compliant)
SELECT 'shipment-' || lpad(i::text, 12, '0'), 'carrier-' || lpad((i % 10)::text, 4, '0'),
       CASE WHEN i % 4 = 0 THEN 'NEXT_DAY' ELSE 'GROUND' END,
       to_char(DATE '2025-01-01' + (i % 365), 'YYYY-MM-DD'),
       due, delivered,
       CASE WHEN delivered IS NULL THEN 'NOT_DELIVERED' WHEN delivered <= due THEN 'ON_TIME' ELSE 'LATE' END,
       800 + i % 500, 'USD', (i % 97 = 0)::int, (i % 41 = 0)::int, ((i * 31) % 100 < 92)::int
FROM (
    SELECT i,
           extract(epoch FROM DATE '2025-01-01' + (i % 365))::bigint + 3 * 86400 AS due,
           CASE WHEN i % 200 = 0 THEN NULL
                ELSE extract(epoch FROM DATE '2025-01-01' + (i % 365))::bigint + 3 * 86400 - 3600
                     + CASE WHEN (i::bigint * 7919) % 10000 > 9300 THEN 7200 ELSE 0 END END AS delivered
    FROM generate_series(1, :shipments) i
) s;
INSERT INTO reporting_claims (claim_id, number, carrier_id, service_level, claim_type, status,
    currency, claimed_minor, approved_minor, recovered_minor, written_off_minor, submitted_at,
    decided_at, acknowledged_at, acknowledge_due, decision_due, withdrawn_at)
SELECT 'claim-' || lpad(j::text, 12, '0'), 'CLM-' || j, 'carrier-' || lpad((j % 10)::text, 4, '0'),
       CASE WHEN j % 4 = 0 THEN 'NEXT_DAY' ELSE 'GROUND' END,
       (ARRAY['CLAIM_TYPE_LOSS', 'CLAIM_TYPE_DAMAGE', 'CLAIM_TYPE_DELAY'])[1 + j % 3],
       CASE WHEN j % 5 = 0 THEN 'CLAIM_STATUS_UNDER_REVIEW' WHEN j % 7 = 0 THEN 'CLAIM_STATUS_DENIED'
            ELSE 'CLAIM_STATUS_SETTLED' END,
       'USD', 5000 + j % 20000,
       CASE WHEN j % 5 = 0 OR j % 7 = 0 THEN NULL ELSE 4000 + j % 20000 END,
       CASE WHEN j % 5 = 0 OR j % 7 = 0 THEN 0 ELSE 4000 + j % 20000 END,
       0, submitted,
       CASE WHEN j % 5 = 0 THEN NULL ELSE submitted + (j % 40) * 86400 END,
       submitted + 86400,
       to_char(to_timestamp(submitted) AT TIME ZONE 'UTC' + interval '5 days', 'YYYY-MM-DD'),
       to_char(to_timestamp(submitted) AT TIME ZONE 'UTC' + interval '30 days', 'YYYY-MM-DD'),
       NULL
FROM (SELECT j, extract(epoch FROM TIMESTAMP '2025-01-01') ::bigint + (j::bigint * 1571) % (365 * 86400) AS submitted
      FROM generate_series(1, :claims) j) c;
INSERT INTO reporting_claim_movements (position, claim_id, carrier_id, kind, amount_minor, currency, effective_date)
SELECT row_number() OVER (ORDER BY claim_id, k), claim_id, carrier_id, k, approved_minor, 'USD',
       to_char(to_timestamp(decided_at + CASE k WHEN 'recovered' THEN 20 * 86400 ELSE 0 END) AT TIME ZONE 'UTC', 'YYYY-MM-DD')
FROM reporting_claims, unnest(ARRAY['approved', 'recovered']) k
WHERE approved_minor IS NOT NULL;
INSERT INTO reporting_sla_evaluations (evaluation_id, carrier_id, service_level, period_last,
    currency, credit_minor, bonus_minor, breached)
SELECT 'evaluation-' || c || '-' || l || '-' || m, 'carrier-' || lpad(c::text, 4, '0'), l,
       to_char((DATE '2025-01-01' + make_interval(months => m))::date - 1, 'YYYY-MM-DD'),
       'USD', (c * 37 + m * 11) % 3 * 2500, NULL, ((c * 37 + m * 11) % 3 > 0)::int
FROM generate_series(0, 9) c, unnest(ARRAY['GROUND', 'NEXT_DAY']) l, generate_series(1, 12) m;
INSERT INTO reporting_escalations (escalation_id, carrier_id, kind, resolved)
SELECT 'escalation-' || e, 'carrier-' || lpad((e % 10)::text, 4, '0'),
       'ESCALATION_KIND_CLAIM_DECISION_OVERDUE', (e % 3 > 0)::int
FROM generate_series(1, 500) e;
COMMIT;
ANALYZE;
