//! Charge audit: compare what the carrier billed with what the contract
//! says it should have billed, line by line.
//!
//! Rules, in the order discrepancies are listed:
//! - `Zone`: the billed zone differs from the expected zone.
//! - `Weight`: the billed billable weight, converted to the expected unit,
//!   differs from the expected billable weight. When the units differ, a
//!   difference of one thousandth is conversion noise and is ignored (a
//!   carrier billing 2.268 kg for an expected 5 lb is billing 5 lb).
//! - `BaseRate`: the billed base charge differs from the expected one.
//! - `Surcharge`: per code, summed on each side; a code missing on one side
//!   counts as 0. Expected codes are listed first, in quote order, then
//!   codes only the carrier billed, in invoice order. Codes compare exactly.
//!   Surcharges are compared only when the invoice itemises money (a base
//!   charge or at least one surcharge); a total-only invoice is not read as
//!   "no surcharges billed".
//! - `UnrequestedAccessorial`: every billed surcharge code other than fuel
//!   that the shipment did not request at tender, once per code, in invoice
//!   order. It carries no difference of its own: the money is already in
//!   the `Surcharge` line (the expected quote prices only what was
//!   requested).
//! - `Total`: the part of the total difference the money lines above do
//!   not explain. When only the total is known this is the whole difference;
//!   with a fully itemised invoice it appears only if the carrier's own
//!   total does not add up.
//!
//! Lines the invoice does not state (`None`) are not compared.

use recourse_money::{Money, MoneyError};

use crate::rating::{Charge, FUEL_CODE, Quote};
use recourse_units::Weight;

/// What kind of line disagrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cause {
    /// Billable weight.
    Weight,
    /// Zone.
    Zone,
    /// A surcharge line (fuel or accessorial).
    Surcharge,
    /// The base transportation charge.
    BaseRate,
    /// The total, beyond what the lines explain.
    Total,
    /// An accessorial billed that the shipment did not request.
    UnrequestedAccessorial,
}

/// What the carrier billed for one shipment, as far as the invoice says.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Billed {
    /// The zone on the invoice, if stated.
    pub zone: Option<String>,
    /// The billed weight, if stated.
    pub billable_weight: Option<Weight>,
    /// The base charge, if itemised.
    pub base_charge: Option<Money>,
    /// Itemised surcharges.
    pub surcharges: Vec<Charge>,
    /// The invoiced total.
    pub total: Money,
}

/// One line where invoice and contract disagree.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Discrepancy {
    /// The kind of line.
    pub cause: Cause,
    /// `ZONE`, `WEIGHT`, `BASE`, `TOTAL` or the surcharge code.
    pub code: String,
    /// The contract's value, formatted for people.
    pub expected: String,
    /// The invoice's value, formatted for people.
    pub billed: String,
    /// billed − expected for money lines; `None` for zone and weight.
    pub difference: Option<Money>,
}

/// The outcome of auditing one invoice line against its quote.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Audit {
    /// billed.total − expected.total; positive means overbilled.
    pub difference: Money,
    /// Every disagreeing line; empty when the invoice is right.
    pub discrepancies: Vec<Discrepancy>,
}

/// Compares an invoice with its quote and the services requested at
/// tender. Fails only when money cannot be compared (different currencies)
/// or overflows.
pub fn audit(expected: &Quote, billed: &Billed, requested: &[String]) -> Result<Audit, MoneyError> {
    let difference = billed.total.checked_sub(expected.total)?;
    let mut found = Vec::new();

    if let Some(zone) = &billed.zone
        && *zone != expected.zone
    {
        found.push(Discrepancy {
            cause: Cause::Zone,
            code: "ZONE".to_owned(),
            expected: expected.zone.clone(),
            billed: zone.clone(),
            difference: None,
        });
    }
    if let Some(weight) = billed.billable_weight
        && weight_differs(expected.billable_weight, weight)
    {
        // Show the conversion too, so a reader compares like with like.
        let shown = match weight.to_unit(expected.billable_weight.unit) {
            Ok(converted) if weight.unit != converted.unit => format!("{weight} ({converted})"),
            _ => weight.to_string(),
        };
        found.push(Discrepancy {
            cause: Cause::Weight,
            code: "WEIGHT".to_owned(),
            expected: expected.billable_weight.to_string(),
            billed: shown,
            difference: None,
        });
    }
    if let Some(base) = billed.base_charge {
        push_money(
            &mut found,
            Cause::BaseRate,
            "BASE",
            expected.base_charge,
            base,
        )?;
    }
    let zero = Money::zero(expected.total.currency());
    // With no money lines at all the invoice is total-only: its silence
    // about surcharges says nothing, so only the total is compared.
    let itemised = billed.base_charge.is_some() || !billed.surcharges.is_empty();
    let codes = if itemised {
        surcharge_codes(&expected.surcharges, &billed.surcharges)
    } else {
        Vec::new()
    };
    for code in codes {
        let want = sum_code(zero, &expected.surcharges, code)?;
        let got = sum_code(zero, &billed.surcharges, code)?;
        push_money(&mut found, Cause::Surcharge, code, want, got)?;
    }

    let mut flagged: Vec<&str> = Vec::new();
    for charge in &billed.surcharges {
        let code = charge.code.as_str();
        if code != FUEL_CODE && !requested.iter().any(|r| r == code) && !flagged.contains(&code) {
            flagged.push(code);
            found.push(Discrepancy {
                cause: Cause::UnrequestedAccessorial,
                code: code.to_owned(),
                expected: "not requested".to_owned(),
                billed: sum_code(zero, &billed.surcharges, code)?.to_string(),
                difference: None,
            });
        }
    }

    let explained = Money::sum(zero.currency(), found.iter().filter_map(|d| d.difference))?;
    let unexplained = difference.checked_sub(explained)?;
    if !unexplained.is_zero() {
        found.push(Discrepancy {
            cause: Cause::Total,
            code: "TOTAL".to_owned(),
            expected: expected.total.to_string(),
            billed: billed.total.to_string(),
            difference: Some(unexplained),
        });
    }
    Ok(Audit {
        difference,
        discrepancies: found,
    })
}

/// Whether the billed weight disagrees with the expected one, allowing one
/// thousandth of rounding when the invoice used the other unit.
fn weight_differs(expected: Weight, billed: Weight) -> bool {
    if billed.unit == expected.unit {
        return billed.thousandths != expected.thousandths;
    }
    match billed.to_unit(expected.unit) {
        Ok(converted) => converted.thousandths.abs_diff(expected.thousandths) > 1,
        // A weight too large to convert is certainly not the expected one.
        Err(_) => true,
    }
}

/// Records a money line when the two amounts differ.
fn push_money(
    found: &mut Vec<Discrepancy>,
    cause: Cause,
    code: &str,
    expected: Money,
    billed: Money,
) -> Result<(), MoneyError> {
    let difference = billed.checked_sub(expected)?;
    if !difference.is_zero() {
        found.push(Discrepancy {
            cause,
            code: code.to_owned(),
            expected: expected.to_string(),
            billed: billed.to_string(),
            difference: Some(difference),
        });
    }
    Ok(())
}

/// Every surcharge code once: expected ones in order, then billed-only ones.
fn surcharge_codes<'a>(expected: &'a [Charge], billed: &'a [Charge]) -> Vec<&'a str> {
    let mut codes: Vec<&str> = Vec::new();
    for charge in expected.iter().chain(billed) {
        if !codes.contains(&charge.code.as_str()) {
            codes.push(&charge.code);
        }
    }
    codes
}

/// The total of the lines with `code` (0 when there are none).
fn sum_code(zero: Money, charges: &[Charge], code: &str) -> Result<Money, MoneyError> {
    Money::sum(
        zero.currency(),
        charges.iter().filter(|c| c.code == code).map(|c| c.amount),
    )
}

#[cfg(test)]
mod tests;
