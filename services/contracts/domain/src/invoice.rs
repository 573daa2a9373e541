//! Invoice audit: what one carrier invoice line puts at stake, and why.
//!
//! A line is checked in this order and the first rule that voids the
//! whole line decides alone:
//! 1. `Duplicate` — its tracking number was billed before (an earlier line
//!    of this invoice or any earlier invoice of the carrier): nothing is
//!    owed for it, the billed total is at stake.
//! 2. `UnknownShipment` — no registered shipment has the tracking number:
//!    the line cannot be priced; nothing is claimed (0 at stake) but the
//!    finding asks a person to look.
//! 3. `NeverHandedOver` — the shipment exists but the carrier never sent a
//!    single scan for it: nothing is owed, the billed total is at stake.
//! 4. `Unrated` — the contract in force cannot price it (see [`unrated`]).
//!
//! Otherwise the charge audit ([`crate::audit`]) lists zone, weight, base,
//! surcharge, unrequested-accessorial and total discrepancies; a money
//! discrepancy's own amount is its overcharge (billed − expected, 0 when
//! the carrier billed less); zone, weight and unrequested accessorials
//! carry 0 because their money is in the base and surcharge lines. A late
//! delivery on a guaranteed service adds `LateGuaranteed` with the refund
//! the terms grant on the contract price ([`crate::refund::refund_amount`]
//! on the rated parts).
//!
//! The line's amount at stake is `clamp(billed − (expected − refund), 0,
//! billed)`: what was billed beyond what is owed, the guarantee refund
//! taken off what is owed. Summing the findings instead would count money
//! twice (a base overcharge is both a BASE line and part of the TOTAL).

use recourse_money::{Money, MoneyError};

use crate::audit::{self, Billed, Cause};
use crate::rating::{FUEL_CODE, Quote};
use crate::refund::{KnownCharges, RatedCharges, RefundScope, refund_amount};

/// Why a line is (partly) not owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingCause {
    Zone,
    Weight,
    BaseRate,
    Surcharge,
    UnrequestedAccessorial,
    Total,
    Duplicate,
    NeverHandedOver,
    LateGuaranteed,
    UnknownShipment,
    /// The contract cannot price the line (no version in force, no rate
    /// card, another currency): a person looks; nothing is claimed.
    Unrated,
}

impl FindingCause {
    /// The stored and documented name.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCause::Zone => "ZONE",
            FindingCause::Weight => "WEIGHT",
            FindingCause::BaseRate => "BASE_RATE",
            FindingCause::Surcharge => "SURCHARGE",
            FindingCause::UnrequestedAccessorial => "UNREQUESTED_ACCESSORIAL",
            FindingCause::Total => "TOTAL",
            FindingCause::Duplicate => "DUPLICATE",
            FindingCause::NeverHandedOver => "NEVER_HANDED_OVER",
            FindingCause::LateGuaranteed => "LATE_GUARANTEED",
            FindingCause::UnknownShipment => "UNKNOWN_SHIPMENT",
            FindingCause::Unrated => "UNRATED",
        }
    }

    /// The inverse of [`FindingCause::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            FindingCause::Zone,
            FindingCause::Weight,
            FindingCause::BaseRate,
            FindingCause::Surcharge,
            FindingCause::UnrequestedAccessorial,
            FindingCause::Total,
            FindingCause::Duplicate,
            FindingCause::NeverHandedOver,
            FindingCause::LateGuaranteed,
            FindingCause::UnknownShipment,
            FindingCause::Unrated,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

fn cause_of(cause: Cause) -> FindingCause {
    match cause {
        Cause::Weight => FindingCause::Weight,
        Cause::Zone => FindingCause::Zone,
        Cause::Surcharge => FindingCause::Surcharge,
        Cause::BaseRate => FindingCause::BaseRate,
        Cause::Total => FindingCause::Total,
        Cause::UnrequestedAccessorial => FindingCause::UnrequestedAccessorial,
    }
}

/// One reason a line is not (wholly) owed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Finding {
    pub cause: FindingCause,
    pub code: String,
    pub expected: String,
    pub billed: String,
    /// What this finding alone puts at stake (never negative).
    pub amount: Money,
}

/// A late delivery on a guaranteed service whose promise was not
/// suspended (the caller decides that from the SLA terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LateGuarantee {
    /// What the terms refund besides the base.
    pub scope: RefundScope,
    /// Whole minutes late (shown on the finding).
    pub minutes_late: u32,
}

/// What is known of the line's shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priced {
    /// The contract's price of the shipment as tendered.
    pub expected: Quote,
    /// Accessorials requested at tender.
    pub requested: Vec<String>,
    /// Whether any scan of the parcel was ever received.
    pub scanned: bool,
    pub late: Option<LateGuarantee>,
}

/// The facts the line is judged on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFacts {
    /// Where the tracking number was billed before ("INV-7 line 12").
    pub duplicate_of: Option<String>,
    /// `None`: no shipment has the tracking number.
    pub shipment: Option<Priced>,
}

/// The line of a shipment the contract cannot price, and why.
pub fn unrated(billed: &Billed, why: &str) -> LineAudit {
    let zero = Money::zero(billed.total.currency());
    LineAudit {
        findings: vec![Finding {
            cause: FindingCause::Unrated,
            code: "UNRATED".to_owned(),
            expected: why.to_owned(),
            billed: billed.total.to_string(),
            amount: zero,
        }],
        at_stake: zero,
    }
}

/// The verdict on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineAudit {
    pub findings: Vec<Finding>,
    /// See the module documentation.
    pub at_stake: Money,
}

/// Audits one line. Fails only when money cannot be compared (another
/// currency) or overflows.
pub fn audit_line(billed: &Billed, facts: &LineFacts) -> Result<LineAudit, MoneyError> {
    let whole = |cause: FindingCause, code: &str, expected: &str| LineAudit {
        findings: vec![Finding {
            cause,
            code: code.to_owned(),
            expected: expected.to_owned(),
            billed: billed.total.to_string(),
            amount: billed.total,
        }],
        at_stake: billed.total,
    };
    if let Some(first) = &facts.duplicate_of {
        return Ok(whole(
            FindingCause::Duplicate,
            "DUPLICATE",
            &format!("billed once, at {first}"),
        ));
    }
    let Some(priced) = &facts.shipment else {
        let zero = Money::zero(billed.total.currency());
        return Ok(LineAudit {
            findings: vec![Finding {
                cause: FindingCause::UnknownShipment,
                code: "UNKNOWN".to_owned(),
                expected: "a registered shipment".to_owned(),
                billed: billed.total.to_string(),
                amount: zero,
            }],
            at_stake: zero,
        });
    };
    if !priced.scanned {
        return Ok(whole(
            FindingCause::NeverHandedOver,
            "NO_SCAN",
            "a scan of the parcel",
        ));
    }
    let expected = &priced.expected;
    let zero = Money::zero(expected.total.currency());
    let charges = audit::audit(expected, billed, &priced.requested)?;
    let mut findings = Vec::with_capacity(charges.discrepancies.len() + 1);
    for d in charges.discrepancies {
        let amount = match d.difference {
            Some(diff) => diff.max(zero)?,
            None => zero,
        };
        findings.push(Finding {
            cause: cause_of(d.cause),
            code: d.code,
            expected: d.expected,
            billed: d.billed,
            amount,
        });
    }
    let mut refund = zero;
    if let Some(late) = priced.late {
        refund = guarantee_refund(expected, late.scope)?;
        findings.push(Finding {
            cause: FindingCause::LateGuaranteed,
            code: "LATE".to_owned(),
            expected: "delivered by the promise".to_owned(),
            billed: format!("{} minutes late", late.minutes_late),
            amount: refund,
        });
    }
    let owed = expected.total.checked_sub(refund)?;
    let at_stake = billed
        .total
        .checked_sub(owed)?
        .max(zero)?
        .min(billed.total)?;
    Ok(LineAudit { findings, at_stake })
}

/// The refund of a late guaranteed delivery on the contract price: the
/// rated base, plus fuel and accessorials when the terms refund them.
pub fn guarantee_refund(expected: &Quote, scope: RefundScope) -> Result<Money, MoneyError> {
    let zero = Money::zero(expected.total.currency());
    let fuel = Money::sum(
        zero.currency(),
        expected
            .surcharges
            .iter()
            .filter(|c| c.code == FUEL_CODE)
            .map(|c| c.amount),
    )?;
    let accessorials = Money::sum(
        zero.currency(),
        expected
            .surcharges
            .iter()
            .filter(|c| c.code != FUEL_CODE)
            .map(|c| c.amount),
    )?;
    let rated = KnownCharges {
        billed_transportation: None,
        billed_total: None,
        rated: Some(RatedCharges {
            base: expected.base_charge,
            fuel,
            accessorials,
        }),
    };
    Ok(refund_amount(&rated, scope)?.map_or(zero, |(amount, _)| amount))
}

#[cfg(test)]
mod tests;
