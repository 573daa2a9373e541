-- The quarterly scorecard of every carrier written by hand as one SQL
-- statement over the same rows: Q4 2025 and, for the trend, Q3 (one
-- pass over both quarters, grouped by quarter): shipments, measured, on
-- time, exceptions, scan compliance, billed, tender acceptance against
-- the daily allocation, damage/loss claims and refunds filed, claims
-- decided (on the clock, median and p90 cycle hours, approved,
-- recovered), SLA evaluations, breaches, credits and bonuses, open
-- escalations. :asof is epoch seconds (pgbench \set by reporting.sh).
WITH s AS (
    SELECT carrier_id, ship_date >= '2025-10-01' AS cur, ship_date, COUNT(*) AS n,
        SUM(CASE WHEN excused = 0 AND (delivered_at IS NOT NULL OR due_at < :asof) THEN 1 ELSE 0 END) AS measured,
        SUM(CASE WHEN excused = 0 AND verdict = 'ON_TIME' THEN 1 ELSE 0 END) AS on_time,
        SUM(CASE WHEN with_exception = 1 AND excused = 0 AND (delivered_at IS NOT NULL OR due_at < :asof) THEN 1 ELSE 0 END) AS exc,
        SUM(CASE WHEN scan_compliant IS NOT NULL AND (delivered_at IS NOT NULL OR due_at < :asof) THEN 1 ELSE 0 END) AS scan_n,
        SUM(CASE WHEN scan_compliant = 1 AND (delivered_at IS NOT NULL OR due_at < :asof) THEN 1 ELSE 0 END) AS scan_ok,
        SUM(charge_minor) AS billed, COUNT(charge_minor) AS charged
    FROM reporting_shipments WHERE ship_date >= '2025-07-01' AND ship_date <= '2025-12-31'
    GROUP BY carrier_id, ship_date
), ship AS (
    SELECT s.carrier_id, s.cur, SUM(n) AS n, SUM(measured) AS measured, SUM(on_time) AS on_time,
        SUM(exc) AS exc, SUM(scan_n) AS scan_n, SUM(scan_ok) AS scan_ok, SUM(billed) AS billed,
        SUM(charged) AS charged,
        SUM(LEAST(n, COALESCE(NULLIF(a.daily_parcels, 0), n))) AS accepted
    FROM s LEFT JOIN reporting_allocations a ON a.carrier_id = s.carrier_id AND a.peak = 0
    GROUP BY s.carrier_id, s.cur
), filed AS (
    SELECT carrier_id, submitted_at >= 1759276800 AS cur,
        COUNT(*) FILTER (WHERE claim_type <> 'CLAIM_TYPE_DELAY') AS claims,
        COUNT(*) FILTER (WHERE claim_type = 'CLAIM_TYPE_DELAY') AS refunds,
        SUM(claimed_minor) FILTER (WHERE claim_type = 'CLAIM_TYPE_DELAY') AS refunds_claimed
    FROM reporting_claims
    WHERE submitted_at >= 1751328000 AND submitted_at < 1767225600 AND withdrawn_at IS NULL
    GROUP BY 1, 2
), decided AS (
    SELECT carrier_id, decided_at >= 1759276800 AS cur, COUNT(*) AS decided,
        COUNT(*) FILTER (WHERE to_char(to_timestamp(decided_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') <= decision_due) AS on_clock,
        percentile_disc(0.5) WITHIN GROUP (ORDER BY (decided_at - submitted_at) / 3600) AS median_h,
        percentile_disc(0.9) WITHIN GROUP (ORDER BY (decided_at - submitted_at) / 3600) AS p90_h,
        SUM(approved_minor) AS approved, SUM(recovered_minor) FILTER (WHERE approved_minor IS NOT NULL) AS recovered
    FROM reporting_claims
    WHERE decided_at >= 1751328000 AND decided_at < 1767225600 AND withdrawn_at IS NULL
    GROUP BY 1, 2
), sla AS (
    SELECT carrier_id, period_last >= '2025-10-01' AS cur, COUNT(*) AS evaluations,
        SUM(breached) AS breaches, SUM(credit_minor) AS credits, SUM(bonus_minor) AS bonuses
    FROM reporting_sla_evaluations WHERE period_last >= '2025-07-01' AND period_last <= '2025-12-31'
    GROUP BY 1, 2
), esc AS (
    SELECT carrier_id, COUNT(*) AS open FROM reporting_escalations WHERE resolved = 0 GROUP BY 1
)
SELECT ship.*, filed.claims, filed.refunds, filed.refunds_claimed, decided.decided,
    decided.on_clock, decided.median_h, decided.p90_h, decided.approved, decided.recovered,
    sla.evaluations, sla.breaches, sla.credits, sla.bonuses, esc.open
FROM ship
LEFT JOIN filed USING (carrier_id, cur)
LEFT JOIN decided USING (carrier_id, cur)
LEFT JOIN sla USING (carrier_id, cur)
LEFT JOIN esc USING (carrier_id)
ORDER BY carrier_id, cur;
