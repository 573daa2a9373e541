//! The measurement facts every shipment event carries (`Event.measure`):
//! local ship date, due time, the delivery's verdict and an exception's
//! excusability, decided with the SLA terms of the version the shipment
//! was registered under (the version in force on its ship date), so
//! readers of the feed never re-derive SLA rules.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use recourse_contracts_domain::sla::{
    ExcuseCategory, MetricDefinition, Verdict, due_time, scans_comply, verdict,
};
use recourse_contracts_domain::versions::ContractVersion;
use sea_orm::{ConnectionTrait, DbErr};

use crate::quoting::local_ship_date;
use crate::repo::contracts as repo_contracts;
use crate::repo::shipments::ShipmentRecord;

/// An exception as measured: the carrier's code and, when the terms
/// excuse it, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasuredException {
    pub code: String,
    pub excuse: Option<ExcuseCategory>,
}

/// One shipment's facts as of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    pub ship_date: NaiveDate,
    pub due: Option<DateTime<Utc>>,
    pub verdict: Verdict,
    pub exception: Option<MeasuredException>,
    pub contract_version: String,
    /// Whether its scans (those stored when the event is written) meet the
    /// terms' scan rules (`sla::scans_comply`).
    pub scan_compliant: bool,
}

/// No SLA terms for the service level: nothing is excused and the promise
/// itself is the due time.
const NO_TERMS: MetricDefinition = MetricDefinition {
    grace_minutes: 0,
    first_scan_hours: 0,
    max_scan_gap_hours: 0,
};

/// Measures `s` with `version`'s terms (its own); `exception` is the code
/// of the exception event being announced, if that is what it is; `scans`
/// the instants of its scan-type tracking events stored so far.
pub fn measure(
    s: &ShipmentRecord,
    version: Option<&ContractVersion>,
    exception: Option<&str>,
    scans: &[DateTime<Utc>],
) -> Measure {
    let rule = version.and_then(|v| v.terms.sla(&s.service_level));
    let metric = rule.map_or(NO_TERMS, |r| r.metric);
    Measure {
        ship_date: local_ship_date(s),
        due: due_time(s.promised_at, &metric),
        verdict: verdict(s.promised_at, s.delivered_at, &metric),
        exception: exception.map(|code| MeasuredException {
            code: code.to_owned(),
            excuse: rule.and_then(|r| r.excuse(code)),
        }),
        contract_version: s.contract_version.clone(),
        scan_compliant: scans_comply(&metric, s.ship_time, scans.to_vec()),
    }
}

/// The scan instants (scan-type tracking events, as the SLA evaluation
/// counts them) of `ids`, by shipment id.
pub async fn scans_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[String],
) -> Result<HashMap<String, Vec<DateTime<Utc>>>, DbErr> {
    Ok(crate::repo::tracking::of_shipments(conn, ids)
        .await?
        .into_iter()
        .map(|(id, events)| {
            let scans = events
                .iter()
                .filter(|e| e.kind.is_scan())
                .map(|e| e.occurred_at)
                .collect();
            (id, scans)
        })
        .collect())
}

/// The versions `shipments` were registered under, by name: one read per
/// distinct version (a batch has a handful).
pub async fn versions_of<'s, C: ConnectionTrait>(
    conn: &C,
    shipments: impl IntoIterator<Item = &'s ShipmentRecord>,
) -> Result<HashMap<String, ContractVersion>, DbErr> {
    let mut out = HashMap::new();
    for s in shipments {
        if out.contains_key(&s.contract_version) {
            continue;
        }
        let mut ignored = recourse_platform::Violations::new();
        let Some((contract, number)) =
            crate::convert::common::version_name(&mut ignored, "", &s.contract_version)
        else {
            continue;
        };
        if let Some(v) = repo_contracts::find_version(conn, &contract, number, None).await? {
            out.insert(s.contract_version.clone(), v);
        }
    }
    Ok(out)
}
