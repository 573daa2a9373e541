//! Report requests into domain parameters; every violation is collected
//! with its field path before anything is read.

use chrono::{DateTime, Utc};
use recourse_platform::proto_types::{date_in_range, timestamp_in_range};
use recourse_platform::{ApiError, Violations};
use recourse_proto::reporting as pb;

use crate::domain::period::{Period, PeriodKind};
use crate::domain::score::Weights;

/// Largest weight a category may be given.
pub const MAX_WEIGHT: u32 = 1_000;
/// Longest carrier id accepted (a UUID is 36 characters).
const MAX_ID: usize = 64;

/// `carriers/{id}` → id ("" → `None` when `optional`).
pub fn carrier(v: &mut Violations, field: &str, name: &str, optional: bool) -> Option<String> {
    if name.is_empty() && optional {
        return None;
    }
    let id = name.strip_prefix("carriers/").filter(|id| {
        !id.is_empty()
            && id.len() <= MAX_ID
            && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if id.is_none() {
        v.add(field, "must be `carriers/{id}`");
    }
    id.map(str::to_owned)
}

pub fn period(v: &mut Violations, field: &str, p: Option<&pb::Period>) -> Option<Period> {
    let Some(p) = p else {
        v.add(field, "is required");
        return None;
    };
    let kind = match pb::PeriodKind::try_from(p.kind) {
        Ok(pb::PeriodKind::Week) => Some(PeriodKind::Week),
        Ok(pb::PeriodKind::Month) => Some(PeriodKind::Month),
        Ok(pb::PeriodKind::Quarter) => Some(PeriodKind::Quarter),
        Ok(pb::PeriodKind::Unspecified) | Err(_) => {
            v.add(format!("{field}.kind"), "must be WEEK, MONTH or QUARTER");
            None
        }
    };
    let date = date_in_range(v, &format!("{field}.date"), p.date.as_ref());
    Period::containing(kind?, date?)
}

pub fn weights(v: &mut Violations, field: &str, w: Option<&pb::Weights>) -> Weights {
    let Some(w) = w else {
        return Weights::default();
    };
    let all = [
        ("on_time", w.on_time),
        ("damage_claims", w.damage_claims),
        ("claims_handling", w.claims_handling),
        ("tracking", w.tracking),
        ("billing", w.billing),
        ("other", w.other),
    ];
    for (name, value) in all {
        v.check(
            value <= MAX_WEIGHT,
            format!("{field}.{name}"),
            format!("must be at most {MAX_WEIGHT}"),
        );
    }
    if all.iter().all(|(_, value)| *value == 0) {
        return Weights::default();
    }
    Weights {
        on_time: w.on_time,
        damage_claims: w.damage_claims,
        claims_handling: w.claims_handling,
        tracking: w.tracking,
        billing: w.billing,
        other: w.other,
    }
}

/// An optional instant; now when absent.
pub fn as_of(v: &mut Violations, field: &str, t: Option<&prost_types::Timestamp>) -> DateTime<Utc> {
    match t {
        None => Utc::now(),
        Some(t) => timestamp_in_range(v, field, Some(t)).unwrap_or_else(Utc::now),
    }
}

/// A parsed scorecard request.
pub struct ScorecardQuery {
    pub carrier: String,
    pub period: Period,
    pub weights: Weights,
    pub as_of: DateTime<Utc>,
}

pub fn scorecard(r: &pb::GetCarrierScorecardRequest) -> Result<ScorecardQuery, ApiError> {
    let mut v = Violations::new();
    let carrier = carrier(&mut v, "carrier", &r.carrier, false);
    let period = period(&mut v, "period", r.period.as_ref());
    let weights = weights(&mut v, "weights", r.weights.as_ref());
    let as_of = as_of(&mut v, "as_of", r.as_of.as_ref());
    v.into_result()?;
    match (carrier, period) {
        (Some(carrier), Some(period)) => Ok(ScorecardQuery {
            carrier,
            period,
            weights,
            as_of,
        }),
        _ => Err(ApiError::invalid("request", "is invalid")),
    }
}

pub struct ComparisonQuery {
    pub period: Period,
    pub weights: Weights,
    pub as_of: DateTime<Utc>,
}

pub fn comparison(r: &pb::CompareCarriersRequest) -> Result<ComparisonQuery, ApiError> {
    let mut v = Violations::new();
    let period = period(&mut v, "period", r.period.as_ref());
    let weights = weights(&mut v, "weights", r.weights.as_ref());
    let as_of = as_of(&mut v, "as_of", r.as_of.as_ref());
    v.into_result()?;
    let period = period.ok_or_else(|| ApiError::invalid("period", "is invalid"))?;
    Ok(ComparisonQuery {
        period,
        weights,
        as_of,
    })
}

pub fn aging(
    r: &pb::GetClaimsAgingRequest,
) -> Result<(Option<String>, chrono::NaiveDate), ApiError> {
    let mut v = Violations::new();
    let carrier = carrier(&mut v, "carrier", &r.carrier, true);
    let as_of = match &r.as_of {
        None => Some(Utc::now().date_naive()),
        Some(d) => date_in_range(&mut v, "as_of", Some(d)),
    };
    v.into_result()?;
    let as_of = as_of.ok_or_else(|| ApiError::invalid("as_of", "is invalid"))?;
    Ok((carrier, as_of))
}

pub fn reconciliation(
    r: &pb::GetRecoveryReconciliationRequest,
) -> Result<(Option<String>, Period), ApiError> {
    let mut v = Violations::new();
    let carrier = carrier(&mut v, "carrier", &r.carrier, true);
    let period = period(&mut v, "period", r.period.as_ref());
    v.into_result()?;
    let period = period.ok_or_else(|| ApiError::invalid("period", "is invalid"))?;
    Ok((carrier, period))
}

pub struct QbrQuery {
    pub carrier: String,
    pub quarter: Period,
    pub as_of: DateTime<Utc>,
}

pub fn qbr(r: &pb::GetQbrPackRequest) -> Result<QbrQuery, ApiError> {
    let mut v = Violations::new();
    let carrier = carrier(&mut v, "carrier", &r.carrier, false);
    let date = date_in_range(&mut v, "quarter_date", r.quarter_date.as_ref());
    let as_of = as_of(&mut v, "as_of", r.as_of.as_ref());
    v.into_result()?;
    let quarter = date.and_then(|d| Period::containing(PeriodKind::Quarter, d));
    match (carrier, quarter) {
        (Some(carrier), Some(quarter)) => Ok(QbrQuery {
            carrier,
            quarter,
            as_of,
        }),
        _ => Err(ApiError::invalid("request", "is invalid")),
    }
}
