//! The SLA computation itself; definitions are in the module doc of `sla`.

use chrono::TimeDelta;
use recourse_money::{Currency, Money, MoneyError};

use super::{CreditSchedule, Evaluation, Kpi, KpiResult, MetricDefinition, ShipmentFacts, Targets};

/// Evaluates one period's shipments against the contract's targets.
/// Fails only on money problems: a credit schedule or a billed amount in
/// another currency than `currency`, or overflow.
pub fn evaluate(
    facts: &[ShipmentFacts],
    claims: Option<u32>,
    metric: &MetricDefinition,
    targets: &Targets,
    credits: &CreditSchedule,
    currency: Currency,
) -> Result<Evaluation, MoneyError> {
    // Checked up front so a mismatch fails the same way breached or not.
    let zero = Money::zero(currency);
    zero.checked_add(credits.credit_per_point)?;
    zero.checked_add(credits.cap_per_period)?;

    let shipments = u32::try_from(facts.len()).map_err(|_| MoneyError::Overflow)?;
    let (mut delivered, mut on_time, mut scan_compliant, mut with_exception) =
        (0u32, 0u32, 0u32, 0u32);
    // Each counter is at most `shipments`, which fits in u32, so += 1 cannot overflow.
    for f in facts {
        delivered += u32::from(f.delivered.is_some());
        on_time += u32::from(is_on_time(f, metric.grace_minutes));
        scan_compliant += u32::from(is_scan_compliant(f, metric));
        with_exception += u32::from(f.exception);
    }

    let rate = |count: Option<u32>| count.and_then(|c| rate_bp(c, shipments));
    let kpis = vec![
        kpi(
            Kpi::OnTimeRate,
            rate(Some(on_time)),
            targets.on_time_rate_min_bp,
            credits,
        )?,
        kpi(
            Kpi::ScanCompliance,
            rate(Some(scan_compliant)),
            targets.scan_compliance_min_bp,
            credits,
        )?,
        kpi(
            Kpi::ExceptionRate,
            rate(Some(with_exception)),
            targets.exception_rate_max_bp,
            credits,
        )?,
        kpi(
            Kpi::ClaimsRate,
            rate(claims),
            targets.claims_rate_max_bp,
            credits,
        )?,
    ];

    let uncapped = Money::sum(currency, kpis.iter().map(|k| k.credit))?;
    let service_credit = if credits.cap_per_period.amount_minor() > 0 {
        uncapped.min(credits.cap_per_period)?
    } else {
        uncapped
    };
    let total_billed = Money::sum(currency, facts.iter().filter_map(|f| f.billed))?;
    let cost_per_shipment = match shipments {
        0 => None,
        n => Some(total_billed.mul_ratio(1, i64::from(n))?),
    };

    Ok(Evaluation {
        shipments,
        delivered,
        on_time,
        scan_compliant,
        with_exception,
        claims,
        breached: kpis.iter().any(|k| k.breached),
        kpis,
        total_billed,
        cost_per_shipment,
        service_credit,
    })
}

/// floor(count × 10000 / shipments); `None` when there is nothing to
/// measure. Rates above u32::MAX bp (claims far beyond shipments) saturate:
/// they are breaches either way.
fn rate_bp(count: u32, shipments: u32) -> Option<u32> {
    if shipments == 0 {
        return None;
    }
    let bp = u64::from(count) * 10_000 / u64::from(shipments);
    Some(u32::try_from(bp).unwrap_or(u32::MAX))
}

/// Whether `kpi` is a "higher is better" indicator (minimum target).
fn is_minimum(kpi: Kpi) -> bool {
    matches!(kpi, Kpi::OnTimeRate | Kpi::ScanCompliance)
}

/// Compares one KPI with its target and prices the shortfall.
fn kpi(
    kpi: Kpi,
    actual_bp: Option<u32>,
    target_bp: u32,
    credits: &CreditSchedule,
) -> Result<KpiResult, MoneyError> {
    let breached = target_bp > 0
        && actual_bp.is_some_and(|a| {
            if is_minimum(kpi) {
                a < target_bp
            } else {
                a > target_bp
            }
        });
    let shortfall_bp = match actual_bp {
        Some(a) if breached => a.abs_diff(target_bp),
        _ => 0,
    };
    // One point is 100 bp.
    let credit = credits
        .credit_per_point
        .mul_ratio(i64::from(shortfall_bp), 100)?;
    Ok(KpiResult {
        kpi,
        actual_bp,
        target_bp,
        breached,
        shortfall_bp,
        credit,
    })
}

/// Delivered at or before the promise plus grace.
fn is_on_time(f: &ShipmentFacts, grace_minutes: u32) -> bool {
    let Some(delivered) = f.delivered else {
        return false;
    };
    match TimeDelta::try_minutes(i64::from(grace_minutes))
        .and_then(|grace| f.promised.checked_add_signed(grace))
    {
        Some(deadline) => delivered <= deadline,
        // A deadline beyond the representable future has not passed.
        None => true,
    }
}

/// First scan in time and no over-long silence between scans.
fn is_scan_compliant(f: &ShipmentFacts, metric: &MetricDefinition) -> bool {
    let mut scans = f.scans.clone();
    scans.sort_unstable();
    let Some(first) = scans.first() else {
        return false;
    };
    if metric.first_scan_hours > 0 {
        let deadline = TimeDelta::try_hours(i64::from(metric.first_scan_hours))
            .and_then(|h| f.ship_time.checked_add_signed(h));
        if deadline.is_some_and(|deadline| *first > deadline) {
            return false;
        }
    }
    if metric.max_scan_gap_hours > 0
        && let Some(max_gap) = TimeDelta::try_hours(i64::from(metric.max_scan_gap_hours))
    {
        let mut gaps = scans.iter().zip(scans.iter().skip(1)).map(|(a, b)| *b - *a);
        if gaps.any(|gap| gap > max_gap) {
            return false;
        }
    }
    true
}
