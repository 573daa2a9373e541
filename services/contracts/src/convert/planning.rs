//! Forecasts (one, or a CSV of them) parsed; capacity plans rendered.
//!
//! The forecast CSV (`ImportForecasts`), header required:
//!
//! | column | format |
//! |---|---|
//! | `carrier` | `carriers/{id}` or the bare id |
//! | `service_level` | the service level's code, e.g. `GROUND` |
//! | `week` | ISO week, `2026-W48` |
//! | `parcels` | 0-10,000,000 |

use chrono::NaiveDate;
use recourse_contracts_domain::capacity::{parse_week, week_label};
use recourse_platform::proto_types::timestamp_to_proto;
use recourse_platform::{ApiError, Violations};
use recourse_proto::contracts as pb;

use super::common::{carrier_id, carrier_name, code, date, date_out};
use super::limits;
use crate::shop::{NewForecast, Plan, RowErrors};

pub const CSV_HEADER: [&str; 4] = ["carrier", "service_level", "week", "parcels"];

fn week(v: &mut Violations, field: &str, label: &str) -> Option<NaiveDate> {
    let monday = parse_week(label).filter(|m| (2000..=2099).contains(&chrono::Datelike::year(m)));
    v.check(
        monday.is_some(),
        field,
        "must be an ISO week such as 2026-W48 (years 2000-2099)",
    );
    monday
}

fn parcels(v: &mut Violations, field: &str, n: u32) -> u32 {
    v.check(
        n <= limits::FORECAST_PARCELS,
        field,
        format!("must be at most {}", limits::FORECAST_PARCELS),
    );
    n
}

fn forecast_fields(
    v: &mut Violations,
    prefix: &str,
    carrier: &str,
    service_level: &str,
    week_label_in: &str,
    count: u32,
) -> Option<NewForecast> {
    let carrier = carrier_id(v, &format!("{prefix}carrier"), carrier);
    code(v, &format!("{prefix}service_level"), service_level);
    let monday = week(v, &format!("{prefix}week"), week_label_in);
    let count = parcels(v, &format!("{prefix}parcels"), count);
    Some(NewForecast {
        carrier_id: carrier?,
        service_level: service_level.to_owned(),
        week_start: monday?,
        parcels: count,
    })
}

pub fn forecast_input(r: &pb::RecordForecastRequest) -> Result<NewForecast, ApiError> {
    let mut v = Violations::new();
    let Some(f) = &r.forecast else {
        return Err(ApiError::invalid("forecast", "is required"));
    };
    let parsed = forecast_fields(
        &mut v,
        "forecast.",
        &f.carrier,
        &f.service_level,
        &f.week,
        f.parcels,
    );
    v.into_result()?;
    parsed.ok_or_else(crate::api::invalid_request)
}

pub fn forecast_to_proto(f: &NewForecast, at: chrono::DateTime<chrono::Utc>) -> pb::Forecast {
    pb::Forecast {
        carrier: carrier_name(&f.carrier_id),
        service_level: f.service_level.clone(),
        week: week_label(f.week_start),
        parcels: f.parcels,
        update_time: Some(timestamp_to_proto(at)),
    }
}

/// A parsed forecast file: its data rows, the good ones by line, and the
/// bad ones.
#[derive(Debug)]
pub struct ParsedForecasts {
    pub rows: u64,
    pub good: Vec<(u64, NewForecast)>,
    pub errors: RowErrors,
}

/// Parses a forecast file. A file without the header or over the row
/// bound is refused whole.
pub fn parse_csv(bytes: &[u8]) -> Result<ParsedForecasts, ApiError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| ApiError::invalid("csv", format!("unreadable header: {e}")))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if header != CSV_HEADER {
        return Err(ApiError::invalid(
            "csv",
            format!("the header must be: {}", CSV_HEADER.join(",")),
        ));
    }
    let mut rows = 0u64;
    let mut good = Vec::new();
    let mut errors = RowErrors::new(limits::IMPORT_ERRORS_LISTED);
    for record in reader.records() {
        rows += 1;
        if rows > limits::FORECAST_ROWS {
            return Err(ApiError::invalid(
                "csv",
                format!(
                    "a forecast file may have at most {} rows; split it",
                    limits::FORECAST_ROWS
                ),
            ));
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(rows + 1, csv::Position::line);
                errors.push(line, e.to_string());
                continue;
            }
        };
        let line = record.position().map_or(rows + 1, csv::Position::line);
        let cell = |i: usize| record.get(i).unwrap_or_default().trim();
        if record.len() != CSV_HEADER.len() {
            errors.push(
                line,
                format!("has {} columns, not {}", record.len(), CSV_HEADER.len()),
            );
            continue;
        }
        let mut v = Violations::new();
        let count = cell(3).parse::<u32>().unwrap_or_else(|_| {
            v.add("parcels", "must be a whole number of parcels");
            0
        });
        let carrier = cell(0);
        let carrier = if carrier.starts_with("carriers/") {
            carrier.to_owned()
        } else {
            format!("carriers/{carrier}")
        };
        let parsed = forecast_fields(&mut v, "", &carrier, cell(1), cell(2), count);
        match (v.into_result(), parsed) {
            (Ok(()), Some(f)) => good.push((line, f)),
            (Err(ApiError::InvalidArgument(violations)), _) => {
                let message = violations
                    .iter()
                    .map(|x| format!("{}: {}", x.field, x.description))
                    .collect::<Vec<_>>()
                    .join("; ");
                errors.push(line, message);
            }
            (Err(other), _) => errors.push(line, other.to_string()),
            (Ok(()), None) => errors.push(line, "is invalid"),
        }
    }
    Ok(ParsedForecasts { rows, good, errors })
}

/// GetCapacityPlan: (from, to), at most 53 ISO weeks apart.
pub fn plan_input(r: &pb::GetCapacityPlanRequest) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let mut v = Violations::new();
    let from = date(&mut v, "from", r.from.as_ref());
    let to = date(&mut v, "to", r.to.as_ref());
    if let (Some(from), Some(to)) = (from, to) {
        let weeks = (recourse_contracts_domain::capacity::week_start(to)
            - recourse_contracts_domain::capacity::week_start(from))
        .num_days()
            / 7
            + 1;
        if to < from {
            v.add("to", "must not be before from");
        } else if weeks > limits::PLAN_WEEKS {
            v.add(
                "to",
                format!(
                    "a plan covers at most {} ISO weeks (this range touches {weeks})",
                    limits::PLAN_WEEKS
                ),
            );
        }
    }
    v.into_result()?;
    from.zip(to).ok_or_else(crate::api::invalid_request)
}

pub fn plan_to_proto(p: &Plan) -> pb::CapacityPlan {
    pb::CapacityPlan {
        from: date_out(p.from),
        to: date_out(p.to),
        weeks: p
            .weeks
            .iter()
            .map(|w| pb::CapacityWeek {
                carrier: carrier_name(&w.carrier_id),
                week: week_label(w.week_start),
                week_start: date_out(w.week_start),
                forecast: w.forecast,
                capacity: w.capacity,
                tendered: w.tendered,
                accepted: w.accepted,
                over_allocation: w.over_allocation(),
                acceptance_bp: w.acceptance_bp(),
                shortfall: w.shortfall,
                short: w.shortfall > 0,
                spare: w.spare,
                overflow: w
                    .overflow
                    .iter()
                    .map(|(c, n)| pb::OverflowTake {
                        carrier: carrier_name(c),
                        parcels: *n,
                    })
                    .collect(),
                uncovered: w.uncovered,
            })
            .collect(),
        acceptance: p
            .acceptance
            .iter()
            .map(|a| pb::TenderAcceptance {
                carrier: carrier_name(&a.carrier_id),
                tendered: a.tendered,
                accepted: a.accepted,
                acceptance_bp: a.acceptance_bp,
            })
            .collect(),
    }
}
