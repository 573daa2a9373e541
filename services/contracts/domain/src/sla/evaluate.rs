//! The SLA computation itself; definitions are in the module doc of `sla`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeDelta, Utc};
use recourse_money::{Currency, Money, MoneyError};

use super::{
    CreditSchedule, Evaluation, ExceptionFact, Exclusion, ExclusionReason, ExcuseCategory,
    ExcusedCode, Kpi, KpiResult, ShipmentFacts, Targets,
};

/// Evaluates one period's shipments as of `as_of` against the contract's
/// targets: [`Tally`] over `facts`, then [`Tally::finish`]. Fails only on
/// money problems: a credit schedule or a billed amount in another
/// currency than `currency`, or overflow.
pub fn evaluate(
    facts: &[ShipmentFacts],
    as_of: DateTime<Utc>,
    claims: Option<u32>,
    targets: &Targets,
    credits: &CreditSchedule,
    currency: Currency,
) -> Result<Evaluation, MoneyError> {
    let mut tally = Tally::new(as_of, currency);
    for f in facts {
        tally.add(f)?;
    }
    tally.finish(claims, targets, credits)
}

/// A period's evaluation built one shipment at a time, so a period of any
/// size is measured in bounded memory: what it keeps is counters, the
/// running billed total and the excusable codes seen (a handful).
#[derive(Debug, Clone)]
pub struct Tally {
    as_of: DateTime<Utc>,
    currency: Currency,
    shipments: u32,
    c: Counts,
    codes: BTreeMap<(String, ExcuseCategory), u32>,
    charged: u32,
    total_billed: Money,
}

impl Tally {
    /// An empty period measured as of `as_of`, money in `currency`.
    pub fn new(as_of: DateTime<Utc>, currency: Currency) -> Self {
        Tally {
            as_of,
            currency,
            shipments: 0,
            c: Counts::default(),
            codes: BTreeMap::new(),
            charged: 0,
            total_billed: Money::zero(currency),
        }
    }

    /// Measures one more shipment of the period.
    pub fn add(&mut self, f: &ShipmentFacts) -> Result<(), MoneyError> {
        let as_of = self.as_of;
        self.shipments = self.shipments.checked_add(1).ok_or(MoneyError::Overflow)?;
        if let Some(billed) = f.billed {
            self.total_billed = self.total_billed.checked_add(billed)?;
            self.charged += 1;
        }
        // Every counter is at most `shipments`, so += 1 cannot overflow.
        let c = &mut self.c;
        let delivered = f.delivered.filter(|d| *d <= as_of);
        c.delivered += u32::from(delivered.is_some());
        let due = due(f);
        if delivered.is_none() && due.is_none_or(|due| as_of < due) {
            c.not_yet_due += 1;
            return Ok(());
        }
        c.scan_compliant += u32::from(is_scan_compliant(f, as_of));
        let known: Vec<&ExceptionFact> = f.exceptions.iter().filter(|e| e.at <= as_of).collect();
        let excuses: BTreeSet<(String, ExcuseCategory)> = known
            .iter()
            .filter_map(|e| e.excuse.map(|cat| (e.code.clone(), cat)))
            .collect();
        if !excuses.is_empty() {
            c.excused += 1;
            for key in excuses {
                *self.codes.entry(key).or_default() += 1;
            }
            return Ok(());
        }
        c.on_time += u32::from(delivered.zip(due).is_some_and(|(d, due)| d <= due));
        c.with_exception += u32::from(!known.is_empty());
        Ok(())
    }

    /// The period's KPIs, credits and costs from everything added.
    pub fn finish(
        self,
        claims: Option<u32>,
        targets: &Targets,
        credits: &CreditSchedule,
    ) -> Result<Evaluation, MoneyError> {
        let Tally {
            currency,
            shipments,
            c,
            codes,
            charged,
            total_billed,
            ..
        } = self;
        // Checked up front so a mismatch fails the same way breached or not.
        let zero = Money::zero(currency);
        zero.checked_add(credits.credit_per_point)?;
        zero.checked_add(credits.cap_per_period)?;
        let measured = shipments - c.not_yet_due;
        let unexcused = measured - c.excused;
        let not_yet_due = exclusion(ExclusionReason::NotYetDue, c.not_yet_due, Vec::new());
        let excused = exclusion(
            ExclusionReason::Excused,
            c.excused,
            codes
                .keys()
                .map(|(code, _)| code.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        );
        let both: Vec<Exclusion> = not_yet_due.iter().chain(&excused).cloned().collect();
        let kpis = vec![
            kpi(
                Kpi::OnTimeRate,
                Some(c.on_time),
                unexcused,
                both.clone(),
                targets.on_time_rate_min_bp,
                credits,
            )?,
            kpi(
                Kpi::ScanCompliance,
                Some(c.scan_compliant),
                measured,
                not_yet_due.clone().into_iter().collect(),
                targets.scan_compliance_min_bp,
                credits,
            )?,
            kpi(
                Kpi::ExceptionRate,
                Some(c.with_exception),
                unexcused,
                both,
                targets.exception_rate_max_bp,
                credits,
            )?,
            kpi(
                Kpi::ClaimsRate,
                claims,
                measured,
                not_yet_due.into_iter().collect(),
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
        let cost_per_shipment = match charged {
            0 => None,
            n => Some(total_billed.mul_ratio(1, i64::from(n))?),
        };
        Ok(Evaluation {
            shipments,
            not_yet_due: c.not_yet_due,
            excused: c.excused,
            excused_codes: codes
                .into_iter()
                .map(|((code, category), shipments)| ExcusedCode {
                    code,
                    category,
                    shipments,
                })
                .collect(),
            charged,
            delivered: c.delivered,
            on_time: c.on_time,
            scan_compliant: c.scan_compliant,
            with_exception: c.with_exception,
            claims,
            breached: kpis.iter().any(|k| k.breached),
            kpis,
            total_billed,
            cost_per_shipment,
            service_credit,
        })
    }
}

#[derive(Debug, Clone, Default)]
struct Counts {
    delivered: u32,
    not_yet_due: u32,
    excused: u32,
    on_time: u32,
    scan_compliant: u32,
    with_exception: u32,
}

fn exclusion(reason: ExclusionReason, shipments: u32, codes: Vec<String>) -> Option<Exclusion> {
    (shipments > 0).then_some(Exclusion {
        reason,
        shipments,
        codes,
    })
}

/// The promise plus grace; `None` beyond the representable future (never due).
fn due(f: &ShipmentFacts) -> Option<DateTime<Utc>> {
    TimeDelta::try_minutes(i64::from(f.metric.grace_minutes))
        .and_then(|grace| f.promised.checked_add_signed(grace))
}

/// floor(count × 10000 / denominator); `None` when there is nothing to
/// measure. Rates above u32::MAX bp (claims far beyond shipments) saturate:
/// they are breaches either way.
fn rate_bp(count: u32, denominator: u32) -> Option<u32> {
    if denominator == 0 {
        return None;
    }
    let bp = u64::from(count) * 10_000 / u64::from(denominator);
    Some(u32::try_from(bp).unwrap_or(u32::MAX))
}

/// Whether `kpi` is a "higher is better" indicator (minimum target).
fn is_minimum(kpi: Kpi) -> bool {
    matches!(kpi, Kpi::OnTimeRate | Kpi::ScanCompliance)
}

/// Compares one KPI with its target and prices the shortfall.
fn kpi(
    kpi: Kpi,
    numerator: Option<u32>,
    denominator: u32,
    exclusions: Vec<Exclusion>,
    target_bp: u32,
    credits: &CreditSchedule,
) -> Result<KpiResult, MoneyError> {
    let actual_bp = numerator.and_then(|n| rate_bp(n, denominator));
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
        numerator: numerator.unwrap_or_default(),
        denominator,
        exclusions,
    })
}

/// First scan in time and no over-long silence between scans.
fn is_scan_compliant(f: &ShipmentFacts, as_of: DateTime<Utc>) -> bool {
    let scans: Vec<DateTime<Utc>> = f.scans.iter().copied().filter(|s| *s <= as_of).collect();
    scans_comply(&f.metric, f.ship_time, scans)
}

/// Whether `scans` (any order) meet `metric`'s scan rules for a shipment
/// handed over at `ship_time`: a first scan within `first_scan_hours` and
/// no gap over `max_scan_gap_hours` (0 = that check is not in the
/// contract); no scan at all is not compliant. The SLA evaluation applies
/// it to the scans known at `as_of`; the feed's `measure.scan_compliant`
/// to those stored when the event is written.
pub fn scans_comply(
    metric: &super::MetricDefinition,
    ship_time: DateTime<Utc>,
    mut scans: Vec<DateTime<Utc>>,
) -> bool {
    scans.sort_unstable();
    let Some(first) = scans.first() else {
        return false;
    };
    if metric.first_scan_hours > 0 {
        let deadline = TimeDelta::try_hours(i64::from(metric.first_scan_hours))
            .and_then(|h| ship_time.checked_add_signed(h));
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
