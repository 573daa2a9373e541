//! One scorecard row from what the read models hold: the KPIs beside
//! their contract targets, RAG, the weighted score and the trend against
//! the previous period. Definitions and worked examples: docs/rules.md
//! ("Reporting") and the tests below.

use super::extras::{BILLING_ADJUSTMENT_MAX_BP, Extras, TENDER_ACCEPTANCE_TARGET_BP, sum_in};
use super::kpi::{Direction, Rag, per_unit, percentile, rag, rate_bp};
use super::score::{Ratings, Weights, points, weighted_score};

/// One group's shipment figures (definitions: docs/rules.md).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShipmentCounts {
    pub carrier_id: String,
    /// "" when summed over every service level.
    pub service_level: String,
    pub shipments: u64,
    pub excused: u64,
    pub measured: u64,
    pub on_time: u64,
    pub with_exception: u64,
    /// Delivered or due before as_of (excused or not) with a stated scan
    /// compliance; of those, compliant.
    pub scan_measured: u64,
    pub scan_compliant: u64,
    pub billed_minor: i64,
    pub charged: u64,
    /// The charged shipments' currency; "" when none or several.
    pub currency: String,
}

/// A submitted claim as the scorecard reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRecord {
    pub carrier_id: String,
    pub service_level: String,
    pub claim_type: String,
    pub status: String,
    pub currency: String,
    pub claimed_minor: i64,
    pub submitted_at: i64,
    pub decided_at: Option<i64>,
    pub acknowledge_due: Option<String>,
    pub decision_due: Option<String>,
    pub approved_minor: Option<i64>,
    pub recovered_minor: i64,
}

/// A service level's SLA targets (basis points; 0 = no target).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Targets {
    pub on_time_min_bp: i64,
    pub exception_max_bp: i64,
    pub claims_max_bp: i64,
    pub scan_min_bp: i64,
}

/// Claims handling has no contract target: decided within the carrier's
/// decision clock at least 95.00 % of the time is green.
pub const DECIDED_ON_CLOCK_TARGET_BP: i64 = 9_500;

/// One KPI of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiValue {
    pub name: &'static str,
    /// "bp" or "hours".
    pub unit: &'static str,
    pub actual: Option<i64>,
    /// 0 = no target.
    pub target: i64,
    pub rag: Rag,
    pub previous: Option<i64>,
}

impl KpiValue {
    fn new(name: &'static str, unit: &'static str, actual: Option<i64>) -> Self {
        KpiValue {
            name,
            unit,
            actual,
            target: 0,
            rag: Rag::NotRated,
            previous: None,
        }
    }

    fn against(mut self, target: i64, direction: Direction) -> Self {
        self.target = target;
        self.rag = rag(self.actual, target, direction);
        self
    }

    /// actual − target when both exist.
    pub fn variance(&self) -> Option<i64> {
        self.actual
            .filter(|_| self.target != 0)
            .map(|a| a - self.target)
    }

    /// actual − previous when both exist.
    pub fn trend(&self) -> Option<i64> {
        self.actual.zip(self.previous).map(|(a, p)| a - p)
    }
}

/// One carrier (× service level) × period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub carrier_id: String,
    pub service_level: String,
    pub shipments: u64,
    pub claims: u64,
    pub kpis: Vec<KpiValue>,
    /// (minor units, currency).
    pub cost_per_shipment: Option<(i64, String)>,
    pub score: Option<i64>,
    pub previous_score: Option<i64>,
    pub sla_evaluations: u32,
    pub sla_breaches: u32,
    /// (minor units, currency) each.
    pub service_credits: Option<(i64, String)>,
    pub service_bonuses: Option<(i64, String)>,
    pub refunds_filed: u64,
    pub refunds_claimed: Option<(i64, String)>,
    pub refunds_recovered: Option<(i64, String)>,
    pub open_escalations: u64,
}

/// Damage and loss claims count in the claims rate; delay claims are the
/// on-time KPI's business.
fn is_damage_or_loss(claim_type: &str) -> bool {
    claim_type != REFUND_CLAIM
}

/// Guaranteed-service refunds are DELAY claims.
const REFUND_CLAIM: &str = "CLAIM_TYPE_DELAY";

/// The row of `counts` with the claims of its carrier (and service level)
/// submitted or decided in `[from, to)` (epoch seconds).
pub fn row(
    counts: &ShipmentCounts,
    claims: &[&ClaimRecord],
    (from, to): (i64, i64),
    targets: Targets,
    weights: &Weights,
    extras: &Extras<'_>,
) -> Row {
    let within = |t: i64| (from..to).contains(&t);
    let filed = claims
        .iter()
        .filter(|c| within(c.submitted_at) && is_damage_or_loss(&c.claim_type))
        .count() as u64;
    let decided: Vec<(&ClaimRecord, i64)> = claims
        .iter()
        .filter_map(|c| c.decided_at.filter(|d| within(*d)).map(|d| (*c, d)))
        .collect();
    let on_clock = decided
        .iter()
        .filter(|(c, d)| {
            let day = chrono::DateTime::from_timestamp(*d, 0)
                .map(|t| t.date_naive().format("%Y-%m-%d").to_string());
            c.decision_due
                .as_ref()
                .zip(day)
                .is_some_and(|(due, day)| day <= *due)
        })
        .count() as u64;
    let mut hours: Vec<i64> = decided
        .iter()
        .map(|(c, d)| (d - c.submitted_at).max(0) / 3_600)
        .collect();
    let currency = &counts.currency;
    let (approved, recovered) = decided
        .iter()
        .filter(|(c, _)| currency.is_empty() || c.currency == *currency)
        .filter_map(|(c, _)| c.approved_minor.map(|a| (a, c.recovered_minor)))
        .fold((0i64, 0i64), |(a, r), (x, y)| {
            (a.saturating_add(x), r.saturating_add(y))
        });
    let refunds: Vec<&&ClaimRecord> = claims
        .iter()
        .filter(|c| within(c.submitted_at) && c.claim_type == REFUND_CLAIM)
        .collect();
    let refunds_claimed = sum_in(
        refunds
            .iter()
            .map(|c| (c.currency.as_str(), c.claimed_minor)),
        currency,
    );
    let service_credits = sum_in(
        extras
            .evaluations
            .iter()
            .map(|e| (e.currency.as_str(), e.credit_minor)),
        currency,
    );
    let service_bonuses = sum_in(
        extras
            .evaluations
            .iter()
            .filter_map(|e| Some((e.currency.as_str(), e.bonus_minor?))),
        currency,
    );
    // Billing: what came back (credits owed, refunds claimed) over what
    // was billed, in the row's currency.
    let in_row = |m: &Option<(i64, String)>| {
        m.as_ref()
            .filter(|(_, c)| c == currency)
            .map_or(0, |(a, _)| *a)
    };
    let adjustments = in_row(&service_credits).saturating_add(in_row(&refunds_claimed));
    let billing = u64::try_from(counts.billed_minor)
        .ok()
        .filter(|_| !currency.is_empty())
        .and_then(|billed| rate_bp(u64::try_from(adjustments).unwrap_or(0), billed));
    let tender = extras.tender.unwrap_or_default();
    let kpis = vec![
        KpiValue::new(
            "on_time_rate",
            "bp",
            rate_bp(counts.on_time, counts.measured),
        )
        .against(targets.on_time_min_bp, Direction::AtLeast),
        KpiValue::new(
            "exception_rate",
            "bp",
            rate_bp(counts.with_exception, counts.measured),
        )
        .against(targets.exception_max_bp, Direction::AtMost),
        KpiValue::new("claims_rate", "bp", rate_bp(filed, counts.shipments))
            .against(targets.claims_max_bp, Direction::AtMost),
        KpiValue::new(
            "decided_on_clock_rate",
            "bp",
            rate_bp(on_clock, decided.len() as u64),
        )
        .against(DECIDED_ON_CLOCK_TARGET_BP, Direction::AtLeast),
        KpiValue::new("claim_cycle_median", "hours", percentile(&mut hours, 50)),
        KpiValue::new("claim_cycle_p90", "hours", percentile(&mut hours, 90)),
        KpiValue::new(
            "recovery_rate",
            "bp",
            u64::try_from(approved)
                .ok()
                .and_then(|a| rate_bp(u64::try_from(recovered).unwrap_or(0), a)),
        ),
        KpiValue::new(
            "scan_compliance",
            "bp",
            rate_bp(counts.scan_compliant, counts.scan_measured),
        )
        .against(targets.scan_min_bp, Direction::AtLeast),
        KpiValue::new(
            "tender_acceptance",
            "bp",
            rate_bp(tender.accepted, tender.tendered),
        )
        .against(
            if tender.allocated {
                TENDER_ACCEPTANCE_TARGET_BP
            } else {
                0
            },
            Direction::AtLeast,
        ),
        KpiValue::new("billing_adjustment_rate", "bp", billing)
            .against(BILLING_ADJUSTMENT_MAX_BP, Direction::AtMost),
    ];
    let rag_of = |name: &str| {
        kpis.iter()
            .find(|k| k.name == name)
            .map_or(Rag::NotRated, |k| k.rag)
    };
    let ratings = Ratings {
        on_time: points(&[rag_of("on_time_rate")]),
        damage_claims: points(&[rag_of("claims_rate")]),
        claims_handling: points(&[rag_of("decided_on_clock_rate")]),
        tracking: points(&[rag_of("scan_compliance")]),
        billing: points(&[rag_of("billing_adjustment_rate")]),
        other: points(&[rag_of("exception_rate"), rag_of("tender_acceptance")]),
    };
    Row {
        carrier_id: counts.carrier_id.clone(),
        service_level: counts.service_level.clone(),
        shipments: counts.shipments,
        claims: filed,
        cost_per_shipment: per_unit(counts.billed_minor, counts.charged)
            .filter(|_| !currency.is_empty())
            .map(|c| (c, currency.clone())),
        score: weighted_score(weights, &ratings),
        kpis,
        previous_score: None,
        sla_evaluations: u32::try_from(extras.evaluations.len()).unwrap_or(u32::MAX),
        sla_breaches: u32::try_from(extras.evaluations.iter().filter(|e| e.breached).count())
            .unwrap_or(u32::MAX),
        service_credits,
        service_bonuses,
        refunds_filed: refunds.len() as u64,
        refunds_claimed,
        refunds_recovered: sum_in(
            extras
                .refunds_recovered
                .iter()
                .map(|r| (r.currency.as_str(), r.amount_minor)),
            currency,
        ),
        open_escalations: extras.open_escalations,
    }
}

/// `row` with the previous period's figures beside its own.
pub fn with_previous(mut row: Row, previous: Option<&Row>) -> Row {
    if let Some(p) = previous {
        for k in &mut row.kpis {
            k.previous = p
                .kpis
                .iter()
                .find(|q| q.name == k.name)
                .and_then(|q| q.actual);
        }
        row.previous_score = p.score;
    }
    row
}

/// Per-carrier counts from per-level ones.
pub fn carrier_totals(levels: &[ShipmentCounts]) -> Vec<ShipmentCounts> {
    totals(levels, false)
}

/// Counts summed per carrier (and service level with `by_level`), in the
/// order each first appears: every figure is a sum; the currency is the
/// parts' one when all charged parts agree, else "". The database counts
/// each (carrier, level, day) once; periods, levels and carriers are
/// their sums, so no second pass over the shipments.
pub fn totals<'c>(
    parts: impl IntoIterator<Item = &'c ShipmentCounts>,
    by_level: bool,
) -> Vec<ShipmentCounts> {
    let mut out: Vec<(ShipmentCounts, Option<Option<String>>)> = Vec::new();
    let mut index: std::collections::HashMap<(String, String), usize> =
        std::collections::HashMap::new();
    for l in parts {
        let level = if by_level {
            l.service_level.clone()
        } else {
            String::new()
        };
        let key = (l.carrier_id.clone(), level.clone());
        let at = match index.get(&key) {
            Some(i) => *i,
            None => {
                out.push((
                    ShipmentCounts {
                        carrier_id: l.carrier_id.clone(),
                        service_level: level,
                        ..ShipmentCounts::default()
                    },
                    None,
                ));
                index.insert(key, out.len() - 1);
                out.len() - 1
            }
        };
        let Some((t, currency)) = out.get_mut(at) else {
            continue;
        };
        t.shipments += l.shipments;
        t.excused += l.excused;
        t.measured += l.measured;
        t.on_time += l.on_time;
        t.with_exception += l.with_exception;
        t.scan_measured += l.scan_measured;
        t.scan_compliant += l.scan_compliant;
        t.billed_minor = t.billed_minor.saturating_add(l.billed_minor);
        t.charged += l.charged;
        if l.charged > 0 {
            // None: no charged level yet; Some(None): they disagree.
            *currency = match currency.take() {
                None => Some(Some(l.currency.clone()).filter(|c| !c.is_empty())),
                Some(Some(c)) if c == l.currency => Some(Some(c)),
                Some(_) => Some(None),
            };
        }
    }
    out.into_iter()
        .map(|(mut t, currency)| {
            t.currency = currency.flatten().unwrap_or_default();
            t
        })
        .collect()
}

#[cfg(test)]
mod tests;

/// A carrier's targets over all its service levels: each target weighted
/// by the shipments of the levels that set it, floored; 0 when none does.
pub fn weighted_targets(levels: &[(u64, Targets)]) -> Targets {
    let weigh = |pick: fn(&Targets) -> i64| {
        let (sum, n) = levels
            .iter()
            .filter(|(_, t)| pick(t) != 0)
            .fold((0i128, 0i128), |(s, n), (w, t)| {
                (s + i128::from(*w) * i128::from(pick(t)), n + i128::from(*w))
            });
        if n == 0 {
            0
        } else {
            i64::try_from(sum / n).unwrap_or(0)
        }
    };
    Targets {
        on_time_min_bp: weigh(|t| t.on_time_min_bp),
        exception_max_bp: weigh(|t| t.exception_max_bp),
        claims_max_bp: weigh(|t| t.claims_max_bp),
        scan_min_bp: weigh(|t| t.scan_min_bp),
    }
}
