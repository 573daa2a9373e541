//! draft → submitted: the contract in force on the ship date is applied and
//! fixed on the claim (liability cap, filing deadline, required documents,
//! carrier clocks).

use chrono::{NaiveDate, Utc};
use recourse_claims_domain::deadline::{
    Anchor, AnchorDates, Window, carrier_clocks, filing_deadline, is_late,
};
use recourse_claims_domain::liability::{LiabilityTerms, liability_cap};
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_money::{Currency, Money};
use recourse_platform::ApiError;
use recourse_platform::auth::{Principal, Role};
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::proto_types::{date_from_proto, timestamp_from_proto};
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_units::{Weight, WeightUnit};

use super::create::declared_at_shipment;
use super::{Change, ClaimDesk, ensure_may_see, illegal};
use crate::convert::{date_out, money};
use crate::repo::claims as repo;
use recourse_claims_migration::IDEMPOTENCY;

/// How `AppliedTerms.liability_cap` was set.
const CAP_LIABILITY_TERMS: &str = "LIABILITY_TERMS";
const CAP_BILLED_CHARGE: &str = "BILLED_CHARGE";
const CAP_CLAIMED: &str = "CLAIMED";

fn anchor(value: i32) -> Anchor {
    match cpb::FilingAnchor::try_from(value) {
        Ok(cpb::FilingAnchor::ScheduledDelivery) => Anchor::ScheduledDelivery,
        Ok(cpb::FilingAnchor::ActualDelivery) => Anchor::ActualDelivery,
        Ok(cpb::FilingAnchor::InvoiceDate) => Anchor::InvoiceDate,
        _ => Anchor::ShipDate,
    }
}

fn anchor_to_proto(a: Anchor) -> cpb::FilingAnchor {
    match a {
        Anchor::ShipDate => cpb::FilingAnchor::ShipDate,
        Anchor::ScheduledDelivery => cpb::FilingAnchor::ScheduledDelivery,
        Anchor::ActualDelivery => cpb::FilingAnchor::ActualDelivery,
        Anchor::InvoiceDate => cpb::FilingAnchor::InvoiceDate,
    }
}

fn weight_unit(value: i32) -> Option<WeightUnit> {
    match recourse_proto::common::WeightUnit::try_from(value).ok()? {
        recourse_proto::common::WeightUnit::Lb => Some(WeightUnit::Lb),
        recourse_proto::common::WeightUnit::Kg => Some(WeightUnit::Kg),
        recourse_proto::common::WeightUnit::Unspecified => None,
    }
}

/// The shipment's weight in the contract's weight unit, for per-unit limits.
fn weight_in(shipment: &cpb::Shipment, unit: Option<WeightUnit>) -> Option<i64> {
    let w = shipment.weight.as_ref()?;
    let weight = Weight {
        thousandths: w.thousandths,
        unit: weight_unit(w.unit)?,
    };
    weight.to_unit(unit?).ok().map(|w| w.thousandths)
}

fn contract_money(m: Option<&recourse_proto::common::Money>, currency: Currency) -> Option<Money> {
    m.filter(|m| m.currency_code == currency.as_str())
        .map(|m| Money::new(m.amount_minor, currency))
}

fn date_of(t: Option<&prost_types::Timestamp>) -> Option<NaiveDate> {
    t.and_then(timestamp_from_proto).map(|t| t.date_naive())
}

impl ClaimDesk {
    /// draft → submitted, with the contract's terms fixed on the claim.
    pub async fn submit(
        &self,
        key: IdempotencyKey,
        caller: &Principal,
        token: Option<&str>,
        id: &str,
        given: i64,
        override_late: Option<String>,
    ) -> Result<pb::Claim, ApiError> {
        let draft = self.find(id).await?;
        ensure_may_see(caller, &draft)?;
        if let Some(first) = IDEMPOTENCY.replay(&self.db, &key).await? {
            return Ok(first);
        }
        if draft.status != ClaimStatus::Draft {
            return Err(illegal(draft.status, ClaimStatus::Submitted));
        }
        let shipment = self.contracts.shipment(token, &draft.shipment_id).await?;
        let ship_date = date_of(shipment.ship_time.as_ref())
            .ok_or_else(|| ApiError::internal("shipment without ship time"))?;
        let terms = self
            .contracts
            .claim_terms(
                &draft.carrier_id,
                &draft.service_level,
                draft.claim_type,
                ship_date,
            )
            .await?;
        let currency = Currency::parse(&terms.currency_code).map_err(ApiError::internal)?;
        if draft.currency != currency.as_str() {
            return Err(ApiError::invalid(
                "claim.line_items",
                format!(
                    "must be in the contract currency {} (the claim is in {})",
                    currency.as_str(),
                    draft.currency
                ),
            ));
        }
        let liability = LiabilityTerms {
            default_per_package_limit: contract_money(
                terms.default_per_package_limit.as_ref(),
                currency,
            )
            .unwrap_or(Money::zero(currency)),
            declared_value_coverage: terms.declared_value_coverage,
            max_declared_value: contract_money(terms.max_declared_value.as_ref(), currency),
            per_weight_unit_limit: contract_money(terms.per_weight_unit_limit.as_ref(), currency),
        };
        // The value declared to the carrier when the parcel shipped, never a
        // figure typed into the claim.
        let declared_minor = declared_at_shipment(&shipment, currency.as_str());
        let claimed = Money::new(draft.claimed_minor, currency);
        let (cap, cap_basis) = if draft.claim_type == i32::from(cpb::ClaimType::Delay) {
            // A guaranteed-service refund gives back charges, not goods: the
            // loss liability cap does not apply; it never exceeds what the
            // carrier billed for the shipment.
            match contract_money(shipment.billed_charge.as_ref(), currency) {
                Some(billed) => (
                    claimed.min(billed).map_err(ApiError::internal)?,
                    CAP_BILLED_CHARGE,
                ),
                None => (claimed, CAP_CLAIMED),
            }
        } else {
            let cap = liability_cap(
                claimed,
                declared_minor.map(|m| Money::new(m, currency)),
                weight_in(&shipment, weight_unit(terms.weight_unit)),
                &liability,
            )
            .map_err(|e| ApiError::invalid("claim.line_items", e.to_string()))?;
            (cap, CAP_LIABILITY_TERMS)
        };
        let filing = terms.filing_window.unwrap_or_default();
        let window = if filing.months > 0 {
            Window::Months(filing.months)
        } else {
            Window::Days(filing.days)
        };
        let dates = AnchorDates {
            ship: ship_date,
            scheduled: date_of(shipment.promised_delivery_time.as_ref()),
            delivered: date_of(shipment.delivered_time.as_ref()),
            invoiced: shipment.invoice_date.as_ref().and_then(date_from_proto),
        };
        let named = anchor(filing.anchor);
        let deadline = filing_deadline(named, window, &dates);
        let today = Utc::now().date_naive();
        let mut justification = String::new();
        if is_late(deadline.last_day, today) {
            let Some(why) = override_late else {
                return Err(ApiError::FailedPrecondition {
                    kind: "FILING_DEADLINE_PASSED",
                    subject: format!("claims/{id}"),
                    message: format!(
                        "the filing deadline was {} ({window} from the {} {} under {}); an admin may override with a justification",
                        deadline.last_day,
                        deadline.anchor.describe(),
                        deadline.anchor_date,
                        terms.contract_version
                    ),
                });
            };
            if caller.role != Role::Admin {
                return Err(ApiError::PermissionDenied(
                    "only an admin may accept a late claim".into(),
                ));
            }
            justification = why;
        }
        let documents = repo::documents_of(&self.db, id).await?;
        let missing: Vec<&str> = terms
            .required_documents
            .iter()
            .filter(|kind| {
                !documents.iter().any(|d| {
                    cpb::DocumentKind::from_str_name(&d.kind).map(i32::from) == Some(**kind)
                })
            })
            .map(|kind| cpb::DocumentKind::try_from(*kind).map_or("UNKNOWN", |k| k.as_str_name()))
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::FailedPrecondition {
                kind: "MISSING_DOCUMENTS",
                subject: format!("claims/{id}"),
                message: format!("missing required documents: {}", missing.join(", ")),
            });
        }
        let (ack_due, decision_due) = carrier_clocks(
            today,
            terms.acknowledge_within_days,
            terms.decide_within_days,
        );
        let applied = pb::AppliedTerms {
            contract_version: terms.contract_version.clone(),
            liability_cap: money(cap.amount_minor(), currency.as_str()),
            filing_deadline: date_out(deadline.last_day),
            deadline_anchor: anchor_to_proto(deadline.anchor).into(),
            required_documents: terms.required_documents.clone(),
            acknowledge_due: date_out(ack_due),
            decision_due: date_out(decision_due),
            late_filing_justification: justification.clone(),
            named_anchor: anchor_to_proto(named).into(),
            anchor_date: date_out(deadline.anchor_date),
            anchor_fallback: deadline.fallback.clone().unwrap_or_default(),
            filing_window_days: filing.days,
            filing_window_months: filing.months,
            decide_within_days: terms.decide_within_days,
            appeal_window_days: terms.appeal_window_days,
            max_appeals: terms.max_appeals,
            cap_basis: cap_basis.to_owned(),
        };
        let desk = self.clone();
        let caller = caller.clone();
        let id = id.to_owned();
        let result = IDEMPOTENCY
            .run(&self.db, key, async move |txn| {
                let mut claim = desk.current(txn, &caller, &id, given).await?;
                let from = claim.status;
                claim.status = from
                    .transition(ClaimStatus::Submitted)
                    .map_err(|_| illegal(from, ClaimStatus::Submitted))?;
                claim.terms = Some(applied);
                claim.declared_value_minor = declared_minor;
                claim.liability_cap_minor = Some(cap.amount_minor());
                claim.submitted_at = Some(Utc::now());
                claim.acknowledge_due = Some(ack_due);
                claim.decision_due = Some(decision_due);
                let reason = if justification.is_empty() {
                    String::new()
                } else {
                    format!("late filing accepted: {justification}")
                };
                desk.record(
                    txn,
                    &caller,
                    claim,
                    Change {
                        from,
                        reason: &reason,
                        amount: None,
                        event_type: "claim.submitted",
                    },
                )
                .await
            })
            .await;
        self.relay.poke();
        result
    }
}
