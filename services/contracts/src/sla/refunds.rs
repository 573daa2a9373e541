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

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use recourse_contracts_domain::promise::{local_date, parse_zone};
use recourse_contracts_domain::rating::{FUEL_CODE, Parcel};
use recourse_contracts_domain::refund::{
    KnownCharges, RatedCharges, late_minutes, refund_amount, refund_deadline, suspended,
};
use recourse_money::{Currency, Money};
use recourse_platform::ApiError;
use recourse_platform::Violations;
use recourse_platform::pagination::PageRequest;
use recourse_platform::proto_types::timestamp_to_proto;
use recourse_proto::contracts as pb;

use super::{SlaDesk, sla_terms_of};
use crate::convert::common::{carrier_name, date_out, money_to_proto, version_resource_name};
use crate::convert::sla_terms::{self, Anchor};
use crate::convert::terms;
use crate::quoting::local_ship_date;
use crate::repo::contracts::{self as repo_contracts, VersionRecord};
use crate::repo::deliveries::{self, DeliveryKey};
use crate::repo::shipments::ShipmentRecord;

/// How long after delivery an invoice may still open a refund window that
/// counts from the invoice date (bounds the search horizon).
pub const INVOICE_LAG_DAYS: i64 = 180;

/// Rows read per query while filling a page.
const SCAN_BATCH: u64 = 500;

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
    let bad = || ApiError::invalid("page_token", "is not a token this API issued");
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
    ) -> Result<(Vec<pb::RefundCandidate>, String), ApiError> {
        let as_of = as_of.unwrap_or_else(Utc::now);
        let mut after = page.after.as_deref().map(decode_key).transpose()?;
        let versions = repo_contracts::in_force_versions(&self.db, carrier_id).await?;
        let horizon = versions
            .iter()
            .flat_map(|v| v.terms.sla_terms.iter())
            .filter(|t| t.guaranteed)
            .map(|t| {
                let lag = if t.refund_window_anchor == i32::from(pb::RefundAnchor::InvoiceDate) {
                    INVOICE_LAG_DAYS
                } else {
                    0
                };
                i64::from(t.refund_window_days) + lag
            })
            .max();
        let Some(horizon) = horizon else {
            return Ok((Vec::new(), String::new()));
        };
        // One more day: the window counts destination-local dates.
        let since = as_of - Duration::days(horizon + 1);
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
        let (rows, token) = page.finish(out, |c| c.1.clone());
        Ok((rows.into_iter().map(|c| c.0).collect(), token))
    }
}

/// The candidate for one late delivery, with its page key; `None` when it
/// is not (yet, or any longer) refundable.
fn candidate(
    s: &ShipmentRecord,
    versions: &[VersionRecord],
    as_of: DateTime<Utc>,
) -> Result<Option<(pb::RefundCandidate, String)>, ApiError> {
    let Some(delivered) = s.delivered_at else {
        return Ok(None);
    };
    let Some(version) = versions.iter().find(|v| v.span.covers(local_ship_date(s))) else {
        return Ok(None);
    };
    let Some(terms) = sla_terms_of(version, &s.service_level) else {
        return Ok(None);
    };
    let currency = Currency::parse(&version.terms.currency_code).map_err(ApiError::internal)?;
    let sla = sla_terms::sla(terms, currency);
    let destination = zone(&s.destination_time_zone);
    if !sla.guaranteed || suspended(&sla.suspensions, local_date(s.promised_at, destination)) {
        return Ok(None);
    }
    let delivery_date = local_date(delivered, destination);
    let (anchor, anchor_name) = match (sla.refund_anchor, s.invoice_date) {
        (Anchor::DeliveryDate, _) => (delivery_date, "DELIVERY_DATE"),
        (Anchor::InvoiceDate, Some(invoiced)) => (invoiced, "INVOICE_DATE"),
        (Anchor::InvoiceDate, None) => (delivery_date, "DELIVERY_DATE_NO_INVOICE"),
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
        rated: rated(s, version, currency),
    };
    let refund = refund_amount(&known, sla.refund_scope).map_err(ApiError::internal)?;
    let candidate = pb::RefundCandidate {
        shipment: format!("shipments/{}", s.id),
        carrier: carrier_name(&s.carrier_id),
        tracking_number: s.tracking_number.clone(),
        service_level: s.service_level.clone(),
        promised_delivery_time: Some(timestamp_to_proto(s.promised_at)),
        delivered_time: Some(timestamp_to_proto(delivered)),
        late_minutes: late_minutes(s.promised_at, delivered),
        request_deadline: date_out(deadline),
        billed_charge: known.billed_total.map(money_to_proto),
        contract_version: version_resource_name(&version.contract_id, version.version),
        refund_amount: refund.map(|(m, _)| money_to_proto(m)),
        refund_basis: refund.map_or("", |(_, b)| b.as_str()).to_owned(),
        window_anchor_date: date_out(anchor),
        window_anchor: anchor_name.to_owned(),
    };
    Ok(Some((candidate, encode_key(s))))
}

/// The contract's price of the shipment as tendered (requested services as
/// accessorials), split into base, fuel and accessorials.
fn rated(s: &ShipmentRecord, version: &VersionRecord, currency: Currency) -> Option<RatedCharges> {
    let card = version
        .terms
        .rate_cards
        .iter()
        .find(|c| c.service_level == s.service_level)?;
    let card = terms::rate_card(&mut Violations::new(), "", card, currency)?;
    let quote = card
        .quote(&Parcel {
            origin: s.origin.clone(),
            destination: s.destination.clone(),
            weight: s.weight,
            dimensions: s.dimensions,
            accessorials: s.requested_services.clone(),
        })
        .ok()?;
    let fuel = Money::sum(
        currency,
        quote
            .surcharges
            .iter()
            .filter(|c| c.code == FUEL_CODE)
            .map(|c| c.amount),
    )
    .ok()?;
    let accessorials = Money::sum(
        currency,
        quote
            .surcharges
            .iter()
            .filter(|c| c.code != FUEL_CODE)
            .map(|c| c.amount),
    )
    .ok()?;
    Some(RatedCharges {
        base: quote.base_charge,
        fuel,
        accessorials,
    })
}
