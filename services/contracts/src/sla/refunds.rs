//! Refund candidates: late deliveries on guaranteed services whose refund
//! window is open, with what a refund claim asks for.
//!
//! - Found through `idx_shipments_delivered` (carrier, delivered time) over a
//!   bounded horizon: deliveries since `as_of` minus the longest refund
//!   window of the carrier's guaranteed terms (plus [`INVOICE_LAG_DAYS`]
//!   when a window counts from the invoice date), never the whole history.
//! - Ordered by (delivered time, shipment id); the page token holds that
//!   key and the carrier, and names `as_of` only when the caller gave one,
//!   so pages of an unset `as_of` chain whatever the clock says.
//! - Each shipment is judged by the version in force on its local ship
//!   date: guaranteed service, promise date (destination local) not in a
//!   guarantee suspension, window open on as_of's destination-local date.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use recourse_contracts_domain::promise::{local_date, parse_zone};
use recourse_contracts_domain::rating::{FUEL_CODE, Parcel};
use recourse_contracts_domain::refund::{
    KnownCharges, RatedCharges, RefundBasis, late_minutes, refund_amount, refund_deadline,
    suspended,
};
use recourse_contracts_domain::terms::RefundAnchor;
use recourse_contracts_domain::versions::ContractVersion;
use recourse_money::Money;
use recourse_platform::ApiError;
use recourse_platform::pagination::PageRequest;

use super::SlaDesk;
use crate::error::ContractsError;
use crate::quoting::local_ship_date;
use crate::repo::contracts as repo_contracts;
use crate::repo::deliveries::{self, DeliveryKey};
use crate::repo::shipments::ShipmentRecord;

/// How long after delivery an invoice may still open a refund window that
/// counts from the invoice date (bounds the search horizon).
pub const INVOICE_LAG_DAYS: u32 = 180;

/// Rows read per query while filling a page.
const SCAN_BATCH: u64 = 500;

/// A late delivery whose refund may still be asked for.
#[derive(Debug, Clone)]
pub struct RefundCandidate {
    pub shipment: ShipmentRecord,
    pub delivered: DateTime<Utc>,
    pub late_minutes: u32,
    pub request_deadline: NaiveDate,
    pub contract_version: String,
    pub refund: Option<(Money, RefundBasis)>,
    pub window_anchor_date: NaiveDate,
    /// DELIVERY_DATE, INVOICE_DATE or DELIVERY_DATE_NO_INVOICE.
    pub window_anchor: &'static str,
}

fn zone(name: &str) -> Tz {
    parse_zone(name).unwrap_or(chrono_tz::UTC)
}

/// The page-token fingerprint: the carrier, and `as_of` only when given.
pub fn fingerprint(carrier_id: &str, as_of: Option<DateTime<Utc>>) -> String {
    match as_of {
        Some(t) => format!("{carrier_id}|{}", t.timestamp_micros()),
        None => format!("{carrier_id}|now"),
    }
}

/// Nanoseconds: the key must compare equal to the stored time exactly.
fn encode_key(s: &ShipmentRecord) -> String {
    let at = s
        .delivered_at
        .and_then(|d| d.timestamp_nanos_opt())
        .unwrap_or_default();
    format!("{at}|{}", s.id)
}

fn decode_key(token: &str) -> Result<DeliveryKey, ApiError> {
    let bad = || {
        ApiError::from(ContractsError::invalid(
            "page_token",
            "is not a token this API issued",
        ))
    };
    let (at, id) = token.split_once('|').ok_or_else(bad)?;
    let nanos = at.parse::<i64>().map_err(|_| bad())?;
    Ok(DeliveryKey {
        delivered_at: DateTime::from_timestamp_nanos(nanos),
        id: id.to_owned(),
    })
}

impl SlaDesk {
    pub async fn refund_candidates(
        &self,
        carrier_id: &str,
        as_of: Option<DateTime<Utc>>,
        page: &PageRequest,
    ) -> Result<(Vec<RefundCandidate>, String), ApiError> {
        let as_of = as_of.unwrap_or_else(Utc::now);
        let mut after = page.after.as_deref().map(decode_key).transpose()?;
        let versions = repo_contracts::in_force_versions(&self.db, carrier_id).await?;
        let horizon = versions
            .iter()
            .filter_map(|v| v.terms.refund_horizon_days(INVOICE_LAG_DAYS))
            .max();
        let Some(horizon) = horizon else {
            return Ok((Vec::new(), String::new()));
        };
        // One more day: the window counts destination-local dates.
        let since = as_of - Duration::days(i64::from(horizon) + 1);
        let mut out = Vec::new();
        loop {
            let rows = deliveries::late_between(
                &self.db,
                carrier_id,
                since,
                as_of,
                after.as_ref(),
                SCAN_BATCH,
            )
            .await?;
            let exhausted = (rows.len() as u64) < SCAN_BATCH;
            for s in &rows {
                if let Some(candidate) = candidate(s, &versions, as_of)? {
                    out.push(candidate);
                    if out.len() as u64 >= page.fetch_limit() {
                        break;
                    }
                }
            }
            if out.len() as u64 >= page.fetch_limit() || exhausted {
                break;
            }
            after = rows.last().map(|s| DeliveryKey {
                delivered_at: s.delivered_at.unwrap_or(since),
                id: s.id.clone(),
            });
        }
        Ok(page.finish(out, |c| encode_key(&c.shipment)))
    }
}

/// The candidate for one late delivery; `None` when it is not (yet, or any
/// longer) refundable.
fn candidate(
    s: &ShipmentRecord,
    versions: &[ContractVersion],
    as_of: DateTime<Utc>,
) -> Result<Option<RefundCandidate>, ContractsError> {
    let Some(delivered) = s.delivered_at else {
        return Ok(None);
    };
    let Some(version) = versions.iter().find(|v| v.span.covers(local_ship_date(s))) else {
        return Ok(None);
    };
    let Some(sla) = version.terms.sla(&s.service_level) else {
        return Ok(None);
    };
    judge(s, delivered, version, sla, as_of)
}

fn judge(
    s: &ShipmentRecord,
    delivered: DateTime<Utc>,
    version: &ContractVersion,
    sla: &recourse_contracts_domain::terms::SlaTerms,
    as_of: DateTime<Utc>,
) -> Result<Option<RefundCandidate>, ContractsError> {
    let currency = version.terms.currency;
    let destination = zone(&s.destination_time_zone);
    if !sla.guaranteed
        || suspended(
            &sla.suspended_days(),
            local_date(s.promised_at, destination),
        )
    {
        return Ok(None);
    }
    let delivery_date = local_date(delivered, destination);
    let (anchor, anchor_name) = match (sla.refund_anchor, s.invoice_date) {
        (RefundAnchor::DeliveryDate, _) => (delivery_date, "DELIVERY_DATE"),
        (RefundAnchor::InvoiceDate, Some(invoiced)) => (invoiced, "INVOICE_DATE"),
        (RefundAnchor::InvoiceDate, None) => (delivery_date, "DELIVERY_DATE_NO_INVOICE"),
    };
    let Some(deadline) = refund_deadline(
        s.promised_at,
        delivered,
        anchor,
        sla.refund_window_days,
        local_date(as_of, destination),
    ) else {
        return Ok(None);
    };
    let known = KnownCharges {
        billed_transportation: s
            .billed_transportation_minor
            .map(|m| Money::new(m, currency)),
        billed_total: s.billed_charge_minor.map(|m| Money::new(m, currency)),
        rated: rated(s, version),
    };
    let refund =
        refund_amount(&known, sla.refund_scope).map_err(|error| ContractsError::Overflow {
            version: version.name(),
            error,
        })?;
    Ok(Some(RefundCandidate {
        shipment: s.clone(),
        delivered,
        late_minutes: late_minutes(s.promised_at, delivered),
        request_deadline: deadline,
        contract_version: version.name(),
        refund,
        window_anchor_date: anchor,
        window_anchor: anchor_name,
    }))
}

/// The contract's price of the shipment as tendered (requested services as
/// accessorials), split into base, fuel and accessorials.
fn rated(s: &ShipmentRecord, version: &ContractVersion) -> Option<RatedCharges> {
    let card = version.terms.rate_card(&s.service_level)?;
    let quote = card
        .quote(&Parcel {
            origin: s.origin.clone(),
            destination: s.destination.clone(),
            weight: s.weight,
            dimensions: s.dimensions,
            accessorials: s.requested_services.clone(),
        })
        .ok()?;
    let currency = version.terms.currency;
    let sum = |fuel: bool| {
        Money::sum(
            currency,
            quote
                .surcharges
                .iter()
                .filter(|c| (c.code == FUEL_CODE) == fuel)
                .map(|c| c.amount),
        )
        .ok()
    };
    Some(RatedCharges {
        base: quote.base_charge,
        fuel: sum(true)?,
        accessorials: sum(false)?,
    })
}
