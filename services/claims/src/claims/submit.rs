//! draft → submitted: the contract in force on the ship date is applied and
//! fixed on the claim (liability cap, filing deadline, required documents,
//! carrier clocks).

use chrono::Utc;
use recourse_claims_domain::claim::{AppliedTerms, CapBasis, Claim, ClaimType};
use recourse_claims_domain::deadline::{AnchorDates, carrier_clocks, filing_deadline, is_late};
use recourse_claims_domain::liability::liability_cap;
use recourse_claims_domain::lifecycle::{ClaimStatus, IllegalTransition};
use recourse_money::Money;
use recourse_platform::auth::{Principal, Role};
use recourse_platform::idempotency::IdempotencyKey;

use super::{Change, ClaimDesk, once, replayed};
use crate::contracts::{ContractClaimTerms, ShipmentFacts};
use crate::error::{ClaimsError, Refusal};

/// The cap and how it was set: a guaranteed-service refund (DELAY) gives
/// back charges, not goods, so the loss liability cap does not apply and it
/// never exceeds what the carrier billed; every other type takes the
/// contract's liability terms with the value declared at shipment.
fn cap(
    draft: &Claim,
    shipment: &ShipmentFacts,
    terms: &ContractClaimTerms,
) -> Result<(Money, CapBasis), ClaimsError> {
    let claimed = draft.claimed;
    if draft.claim_type == ClaimType::Delay {
        return Ok(
            match shipment
                .billed_charge
                .filter(|b| b.currency() == claimed.currency())
            {
                Some(billed) if billed.amount_minor() < claimed.amount_minor() => {
                    (billed, CapBasis::BilledCharge)
                }
                Some(_) => (claimed, CapBasis::BilledCharge),
                None => (claimed, CapBasis::Claimed),
            },
        );
    }
    let cap = liability_cap(
        claimed,
        shipment.declared_in(claimed.currency()),
        shipment.weight_in(terms.weight_unit),
        &terms.liability,
    )
    .map_err(|e| {
        ClaimsError::refused(
            Refusal::LiabilityTerms,
            format!("{}#liability.{}", terms.contract_version, e.term),
            format!(
                "the liability term {} of {} cannot be applied to this claim ({}); the \
                 contract needs correcting",
                e.term, terms.contract_version, e.source
            ),
        )
    })?;
    Ok((cap, CapBasis::LiabilityTerms))
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
    ) -> Result<Claim, ClaimsError> {
        let draft = self.get(caller, id).await?;
        if let Some(first) = replayed::<Claim>(&self.db, &key).await? {
            return Ok(first);
        }
        if draft.status != ClaimStatus::Draft {
            return Err(IllegalTransition {
                from: draft.status,
                to: ClaimStatus::Submitted,
            }
            .into());
        }
        let shipment = self.contracts.shipment(token, &draft.shipment_id).await?;
        let terms = self
            .contracts
            .claim_terms(
                &draft.carrier_id,
                &draft.service_level,
                draft.claim_type,
                shipment.ship_date,
            )
            .await?;
        if draft.currency() != terms.currency {
            return Err(ClaimsError::refused(
                Refusal::ClaimCurrency,
                format!("claims/{id}"),
                format!(
                    "the claim is in {} but the contract {} is in {}: edit the draft's line items",
                    draft.currency(),
                    terms.contract_version,
                    terms.currency
                ),
            ));
        }
        let (liability_cap, cap_basis) = cap(&draft, &shipment, &terms)?;
        let dates = AnchorDates {
            ship: shipment.ship_date,
            scheduled: shipment.scheduled_delivery,
            delivered: shipment.delivered,
            invoiced: shipment.invoiced,
        };
        let deadline = filing_deadline(terms.named_anchor, terms.window, &dates);
        let today = Utc::now().date_naive();
        let mut justification = String::new();
        if is_late(deadline.last_day, today) {
            let Some(why) = override_late else {
                return Err(ClaimsError::refused(
                    Refusal::FilingDeadlinePassed,
                    format!("claims/{id}"),
                    format!(
                        "the filing deadline was {} ({} from the {} {} under {}); an admin may \
                         override with a justification",
                        deadline.last_day,
                        terms.window,
                        deadline.anchor.describe(),
                        deadline.anchor_date,
                        terms.contract_version
                    ),
                ));
            };
            if caller.role != Role::Admin {
                return Err(ClaimsError::Forbidden(
                    "only an admin may accept a late claim".into(),
                ));
            }
            justification = why;
        }
        let missing: Vec<&str> = terms
            .required_documents
            .iter()
            .filter(|kind| !draft.documents.iter().any(|d| d.kind == **kind))
            .map(|kind| kind.code())
            .collect();
        if !missing.is_empty() {
            return Err(ClaimsError::refused(
                Refusal::MissingDocuments,
                format!("claims/{id}"),
                format!("missing required documents: {}", missing.join(", ")),
            ));
        }
        let (acknowledge_due, decision_due) = carrier_clocks(
            today,
            terms.acknowledge_within_days,
            terms.decide_within_days,
        );
        let applied = AppliedTerms {
            contract_version: terms.contract_version.clone(),
            liability_cap,
            cap_basis,
            named_anchor: terms.named_anchor,
            window: terms.window,
            deadline,
            required_documents: terms.required_documents.clone(),
            acknowledge_due,
            decision_due,
            late_filing_justification: justification.clone(),
            decide_within_days: terms.decide_within_days,
            appeal_window_days: terms.appeal_window_days,
            max_appeals: terms.max_appeals,
        };
        let declared = shipment.declared_in(terms.currency);
        let desk = self.clone();
        let result = once(&self.db, key, async move |txn| {
            let mut claim = desk.current(txn, caller, id, given).await?;
            let from = claim.status;
            claim.status = from.transition(ClaimStatus::Submitted)?;
            claim.terms = Some(applied);
            claim.declared_value = declared;
            claim.submitted_at = Some(Utc::now());
            let reason = if justification.is_empty() {
                String::new()
            } else {
                format!("late filing accepted: {justification}")
            };
            let change = Change {
                from,
                reason: &reason,
                amount: None,
                event_type: "claim.submitted",
                remittance: None,
            };
            desk.record(txn, caller, claim, change).await
        })
        .await;
        self.relay.poke();
        result
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)] // tests fail loudly

    use chrono::NaiveDate;
    use recourse_claims_domain::claim::{Claimant, ClaimantKind, Filer};
    use recourse_claims_domain::deadline::{Anchor, Window};
    use recourse_claims_domain::liability::LiabilityTerms;
    use recourse_money::Currency;
    use recourse_platform::ApiError;
    use recourse_units::{Weight, WeightUnit};

    use super::*;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::USD)
    }

    fn draft(claimed: i64) -> Claim {
        let now = Utc::now();
        Claim {
            id: "c1".into(),
            number: "CLM-2026-000001".into(),
            carrier_id: "acme".into(),
            shipment_id: "s1".into(),
            tracking_number: "T1".into(),
            service_level: "GROUND".into(),
            claim_type: ClaimType::Loss,
            status: ClaimStatus::Draft,
            claimant: Claimant {
                kind: ClaimantKind::InternalTeam,
                name: "Care".into(),
                on_behalf_of: String::new(),
            },
            line_items: vec![],
            claimed: usd(claimed),
            declared_value: None,
            notes: String::new(),
            terms: None,
            approved: None,
            recovered: usd(0),
            written_off: usd(0),
            documents: vec![],
            submitted_at: None,
            approved_at: None,
            revision: 1,
            created_at: now,
            updated_at: now,
            filer: Filer::default(),
        }
    }

    fn shipment(weight_thousandths: i64) -> ShipmentFacts {
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        ShipmentFacts {
            id: "s1".into(),
            carrier_id: "acme".into(),
            tracking_number: "T1".into(),
            service_level: "GROUND".into(),
            shipper_account: String::new(),
            ship_date: day,
            scheduled_delivery: None,
            delivered: None,
            invoiced: None,
            declared_value: None,
            billed_charge: None,
            weight: Some(Weight {
                thousandths: weight_thousandths,
                unit: WeightUnit::Lb,
            }),
        }
    }

    fn terms(per_lb: i64) -> ContractClaimTerms {
        ContractClaimTerms {
            contract_version: "contracts/k/versions/1".into(),
            currency: Currency::USD,
            liability: LiabilityTerms {
                default_per_package_limit: usd(10_000),
                declared_value_coverage: false,
                max_declared_value: None,
                per_weight_unit_limit: Some(usd(per_lb)),
            },
            weight_unit: Some(WeightUnit::Lb),
            named_anchor: Anchor::ShipDate,
            window: Window::Days(60),
            required_documents: vec![],
            acknowledge_within_days: 30,
            decide_within_days: 120,
            appeal_window_days: 30,
            max_appeals: 1,
        }
    }

    #[test]
    fn a_cap_term_that_overflows_is_a_failed_precondition_naming_the_term() {
        // 0.50 per lb on a 12 lb parcel: 6.00 (the cap).
        assert_eq!(
            cap(&draft(25_000), &shipment(12_000), &terms(50)).unwrap(),
            (usd(600), CapBasis::LiabilityTerms)
        );
        // A per-lb limit stored before amounts were bounded, on a heavy
        // parcel: limit × weight is beyond 64-bit minor units.
        let err = cap(&draft(25_000), &shipment(100_000_000), &terms(i64::MAX)).unwrap_err();
        let ApiError::FailedPrecondition {
            kind,
            subject,
            message,
        } = ApiError::from(err)
        else {
            panic!("a precondition");
        };
        assert_eq!(kind, "LIABILITY_TERMS");
        assert_eq!(
            subject,
            "contracts/k/versions/1#liability.per_weight_unit_limit"
        );
        assert!(message.contains("per_weight_unit_limit"), "{message}");
    }
}
