//! Changes to a registered shipment, each under its etag: the billing facts
//! (invoice date, billed total and transportation part) and an
//! admin/internal override of the promise, recorded with its reason.

use chrono::{DateTime, NaiveDate, Utc};
use recourse_money::{Currency, Money};
use recourse_platform::{ApiError, Violations, etag};
use recourse_proto::contracts as pb;
use sea_orm::TransactionTrait;

use super::{ShipmentBook, to_proto};
use crate::events::{Data, new_event};
use crate::repo::shipments::{self as repo, ShipmentRecord};
use recourse_contracts_migration::OUTBOX;

/// Billing facts to record; `None` leaves a field alone, `Some(None)`
/// clears it.
#[derive(Debug, Clone, Default)]
pub struct ChargesPatch {
    pub invoice_date: Option<Option<NaiveDate>>,
    pub billed_charge: Option<Option<recourse_proto::common::Money>>,
    pub billed_transportation: Option<Option<recourse_proto::common::Money>>,
}

/// A replacement promise and why.
#[derive(Debug, Clone)]
pub struct PromiseOverride {
    pub at: DateTime<Utc>,
    pub reason: String,
}

/// The transportation part cannot exceed the billed total.
pub fn check_transportation_within_total(
    v: &mut Violations,
    field: &str,
    transportation: Option<Money>,
    total: Option<Money>,
) {
    if let (Some(part), Some(total)) = (transportation, total) {
        v.check(
            part.amount_minor() <= total.amount_minor(),
            field,
            format!("{part} is more than the billed charge {total}"),
        );
    }
}

impl ShipmentBook {
    /// RecordShipmentCharges: the fields in the patch, in the shipment's
    /// (contract) currency.
    pub async fn record_charges(
        &self,
        id: &str,
        given: i64,
        patch: ChargesPatch,
    ) -> Result<pb::Shipment, ApiError> {
        self.change(id, given, "shipment.charges_recorded", |mut s| {
            let currency = Currency::parse(&s.currency).map_err(ApiError::internal)?;
            let mut v = Violations::new();
            let mut amount = |field: &str, m: &Option<recourse_proto::common::Money>| {
                m.as_ref().and_then(|m| {
                    crate::convert::common::money(&mut v, field, Some(m), Some(currency), false)
                })
            };
            if let Some(total) = &patch.billed_charge {
                s.billed_charge_minor = amount("billed_charge", total).map(|m| m.amount_minor());
            }
            if let Some(part) = &patch.billed_transportation {
                s.billed_transportation_minor =
                    amount("billed_transportation_charge", part).map(|m| m.amount_minor());
            }
            if let Some(date) = patch.invoice_date {
                s.invoice_date = date;
            }
            check_transportation_within_total(
                &mut v,
                "billed_transportation_charge",
                s.billed_transportation_minor
                    .map(|m| Money::new(m, currency)),
                s.billed_charge_minor.map(|m| Money::new(m, currency)),
            );
            v.into_result()?;
            Ok(s)
        })
        .await
    }

    /// OverrideShipmentPromise (admin/internal only, checked by the API).
    pub async fn override_promise(
        &self,
        id: &str,
        given: i64,
        promise: PromiseOverride,
    ) -> Result<pb::Shipment, ApiError> {
        self.change(id, given, "shipment.promise_overridden", |mut s| {
            if promise.at <= s.ship_time {
                return Err(ApiError::invalid(
                    "promised_delivery_time",
                    "must be after the ship time",
                ));
            }
            s.promised_at = promise.at;
            s.promise_overridden = true;
            s.promise_override_reason = promise.reason;
            Ok(s)
        })
        .await
    }

    /// Reads the shipment, checks the etag, applies `decide`, writes it
    /// under the etag and appends the feed event, in one transaction.
    async fn change(
        &self,
        id: &str,
        given: i64,
        event_type: &str,
        decide: impl FnOnce(ShipmentRecord) -> Result<ShipmentRecord, ApiError>,
    ) -> Result<pb::Shipment, ApiError> {
        let name = format!("shipments/{id}");
        let txn = self.db.begin().await?;
        let current = repo::find(&txn, id)
            .await?
            .ok_or_else(|| ApiError::NotFound {
                resource: "shipment",
                name: name.clone(),
            })?;
        if current.revision != given {
            return Err(etag::stale(&name, given, current.revision));
        }
        let mut updated = decide(current)?;
        updated.revision = given + 1;
        if !repo::replace(&txn, &updated, given).await? {
            return Err(etag::stale(&name, given, given + 1));
        }
        let proto = to_proto(&updated, None);
        OUTBOX
            .append(
                &txn,
                new_event(
                    event_type,
                    name,
                    &updated.carrier_id,
                    Data::Shipment(proto.clone()),
                ),
            )
            .await?;
        txn.commit().await?;
        self.relay.poke();
        Ok(proto)
    }
}
