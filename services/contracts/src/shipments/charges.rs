//! Changes to a registered shipment, each under its etag: the billing facts
//! (invoice date, billed total and transportation part) and an
//! admin/internal override of the promise, recorded with its reason.

use chrono::{DateTime, NaiveDate, Utc};
use recourse_money::{Currency, Money};
use recourse_platform::ApiError;
use recourse_platform::error::Violation;
use sea_orm::TransactionTrait;

use super::{ShipmentBook, not_found};
use crate::error::{ContractsError, in_currency};
use crate::events;
use crate::repo::shipments::{self as repo, ShipmentRecord, ShipmentScope};
use recourse_contracts_migration::OUTBOX;

/// Billing facts to record; `None` leaves a field alone, `Some(None)`
/// clears it. Amounts as sent (the shipment's currency is checked here).
#[derive(Debug, Clone, Default)]
pub struct ChargesPatch {
    pub invoice_date: Option<Option<NaiveDate>>,
    pub billed_charge: Option<Option<Money>>,
    pub billed_transportation: Option<Option<Money>>,
}

/// A replacement promise and why.
#[derive(Debug, Clone)]
pub struct PromiseOverride {
    pub at: DateTime<Utc>,
    pub reason: String,
}

/// The transportation part cannot exceed the billed total.
pub fn transportation_beyond_total(
    field: &str,
    transportation: Option<Money>,
    total: Option<Money>,
) -> Option<Violation> {
    let (part, total) = transportation.zip(total)?;
    (part.amount_minor() > total.amount_minor()).then(|| Violation {
        field: field.to_owned(),
        description: format!("{part} is more than the billed charge {total}"),
    })
}

/// `money`'s minor units if it is in the shipment's currency.
fn minor(
    found: &mut Vec<Violation>,
    field: &str,
    money: Option<Money>,
    currency: Currency,
) -> Option<i64> {
    in_currency(found, field, money, currency, "the shipment's").map(|m| m.amount_minor())
}

impl ShipmentBook {
    /// RecordShipmentCharges: the fields in the patch, in the shipment's
    /// (contract) currency.
    pub async fn record_charges(
        &self,
        id: &str,
        given: i64,
        patch: ChargesPatch,
    ) -> Result<ShipmentRecord, ApiError> {
        self.change(id, given, "shipment.charges_recorded", |mut s| {
            let currency = Currency::parse(&s.currency).map_err(ApiError::internal)?;
            let mut found = Vec::new();
            if let Some(total) = patch.billed_charge {
                s.billed_charge_minor = minor(&mut found, "billed_charge", total, currency);
            }
            if let Some(part) = patch.billed_transportation {
                s.billed_transportation_minor =
                    minor(&mut found, "billed_transportation_charge", part, currency);
            }
            if let Some(date) = patch.invoice_date {
                s.invoice_date = date;
            }
            found.extend(transportation_beyond_total(
                "billed_transportation_charge",
                s.billed_transportation_minor
                    .map(|m| Money::new(m, currency)),
                s.billed_charge_minor.map(|m| Money::new(m, currency)),
            ));
            if found.is_empty() {
                Ok(s)
            } else {
                Err(ContractsError::Invalid(found).into())
            }
        })
        .await
    }

    /// OverrideShipmentPromise (admin/internal only, checked by the API).
    pub async fn override_promise(
        &self,
        id: &str,
        given: i64,
        promise: PromiseOverride,
    ) -> Result<ShipmentRecord, ApiError> {
        self.change(id, given, "shipment.promise_overridden", |mut s| {
            if promise.at <= s.ship_time {
                return Err(ContractsError::invalid(
                    "promised_delivery_time",
                    "must be after the ship time",
                )
                .into());
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
    ) -> Result<ShipmentRecord, ApiError> {
        let txn = self.db.begin().await?;
        let current = repo::find(&txn, id, &ShipmentScope::default())
            .await?
            .ok_or_else(|| not_found(id))?;
        let stale = |current: i64| ContractsError::StaleEtag {
            name: format!("shipments/{id}"),
            given,
            current,
        };
        if current.revision != given {
            return Err(stale(current.revision).into());
        }
        let mut updated = decide(current)?;
        updated.revision = given + 1;
        if !repo::replace(&txn, &updated, given).await? {
            return Err(stale(given + 1).into());
        }
        let versions = super::measure::versions_of(&txn, [&updated]).await?;
        let scans = super::measure::scans_of(&txn, std::slice::from_ref(&updated.id)).await?;
        let measured = super::measure::measure(
            &updated,
            versions.get(&updated.contract_version),
            None,
            scans
                .get(&updated.id)
                .map(Vec::as_slice)
                .unwrap_or_default(),
        );
        OUTBOX
            .append(
                &txn,
                events::shipment(event_type, &updated, None, &measured),
            )
            .await?;
        txn.commit().await?;
        self.relay.poke();
        Ok(updated)
    }
}
