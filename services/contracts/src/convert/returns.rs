//! GetReturnsReport: the range parsed, the rows rendered.

use chrono::{Days, NaiveTime};
use recourse_platform::{ApiError, Violations};
use recourse_proto::contracts as pb;

use super::common::{carrier_name, date, money_to_proto};
use super::limits;
use crate::shop::ReturnsRow;

/// (from 00:00 UTC, the day after `to` 00:00 UTC).
pub fn range(
    r: &pb::GetReturnsReportRequest,
) -> Result<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>), ApiError> {
    let mut v = Violations::new();
    let from = date(&mut v, "from", r.from.as_ref());
    let to = date(&mut v, "to", r.to.as_ref());
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            v.add("to", "must not be before from");
        } else if (to - from).num_days() >= limits::REPORT_DAYS {
            v.add(
                "to",
                format!("a report covers at most {} days", limits::REPORT_DAYS),
            );
        }
    }
    v.into_result()?;
    let (Some(from), Some(to)) = (from, to) else {
        return Err(crate::api::invalid_request());
    };
    let end = to.checked_add_days(Days::new(1)).unwrap_or(to);
    Ok((
        from.and_time(NaiveTime::MIN).and_utc(),
        end.and_time(NaiveTime::MIN).and_utc(),
    ))
}

pub fn report_to_proto(rows: &[ReturnsRow]) -> pb::ReturnsReport {
    pb::ReturnsReport {
        rows: rows
            .iter()
            .map(|r| pb::ReturnsRow {
                carrier: carrier_name(&r.carrier_id),
                merchant: r.merchant.clone(),
                outbound: r.figures.outbound,
                returns: r.figures.returns,
                return_rate_bp: r.figures.return_rate_bp,
                returns_delivered: r.figures.delivered,
                returns_on_time: r.figures.on_time,
                mean_return_transit_minutes: r.figures.mean_transit_minutes,
                label_costs: r
                    .figures
                    .label_costs
                    .iter()
                    .map(|m| money_to_proto(*m))
                    .collect(),
            })
            .collect(),
    }
}
