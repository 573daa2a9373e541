//! How much an approval approves.
//!
//! - ceiling = min(claimed, liability cap) (no cap fixed: the claimed
//!   amount).
//! - `APPROVED` without an amount approves the ceiling; with one, that
//!   amount. `PARTIALLY_APPROVED` must name its amount.
//! - The amount is in the claim's currency, positive and at most the
//!   claimed amount; above the cap only with an override (which the
//!   service allows an admin alone, with a recorded reason).
//! - A partial approval is below the ceiling (otherwise it is an approval),
//!   unless the cap is overridden.
//!
//! Refusals are checked in that order, so both sides report the same one.
//! Worked example (claimed 250.00, cap 100.00): APPROVED → 100.00;
//! APPROVED 120.00 → refused above the cap, or 120.00 with an override;
//! PARTIALLY_APPROVED 60.00 → 60.00; PARTIALLY_APPROVED 100.00 → refused
//! (that is the whole ceiling: approve it).

use recourse_money::{Currency, Money};

/// Why an approval was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalRefused {
    #[error("is required for a partial approval")]
    AmountRequired,
    #[error("must be in the claim currency {expected}")]
    CurrencyMismatch { expected: Currency },
    #[error("must be positive and at most the claimed amount {claimed}")]
    OutOfRange { claimed: Money },
    #[error(
        "approved {approved} exceeds the liability cap {cap}; an admin may override with a reason"
    )]
    AboveCap { approved: Money, cap: Money },
    #[error("a partial approval is below the claimed amount and the cap ({ceiling}); use APPROVED")]
    PartialNotBelowCeiling { ceiling: Money },
}

/// An approval the rules allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Approval {
    pub amount: Money,
    /// The amount is above the cap (allowed by the override).
    pub above_cap: bool,
}

/// The amount approved, per the module's rules. `claimed` is in the
/// claim's currency; `cap` too when set.
pub fn approve(
    claimed: Money,
    cap: Option<Money>,
    requested: Option<Money>,
    partial: bool,
    override_cap: bool,
) -> Result<Approval, ApprovalRefused> {
    let cap = cap.unwrap_or(claimed);
    let ceiling = if cap.amount_minor() < claimed.amount_minor() {
        cap
    } else {
        claimed
    };
    let amount = match requested {
        Some(amount) => amount,
        None if partial => return Err(ApprovalRefused::AmountRequired),
        None => ceiling,
    };
    if amount.currency() != claimed.currency() {
        return Err(ApprovalRefused::CurrencyMismatch {
            expected: claimed.currency(),
        });
    }
    if amount.amount_minor() <= 0 || amount.amount_minor() > claimed.amount_minor() {
        return Err(ApprovalRefused::OutOfRange { claimed });
    }
    let above_cap = amount.amount_minor() > cap.amount_minor();
    if above_cap && !override_cap {
        return Err(ApprovalRefused::AboveCap {
            approved: amount,
            cap,
        });
    }
    if partial && amount.amount_minor() >= ceiling.amount_minor() && !override_cap {
        return Err(ApprovalRefused::PartialNotBelowCeiling { ceiling });
    }
    Ok(Approval { amount, above_cap })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests fail loudly

    use super::*;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::parse("USD").unwrap())
    }

    #[test]
    fn the_worked_example_of_the_module() {
        let (claimed, cap) = (usd(25_000), Some(usd(10_000)));
        // APPROVED → min(250.00, 100.00) = 100.00
        assert_eq!(
            approve(claimed, cap, None, false, false).unwrap().amount,
            usd(10_000)
        );
        assert_eq!(
            approve(claimed, cap, Some(usd(12_000)), false, false),
            Err(ApprovalRefused::AboveCap {
                approved: usd(12_000),
                cap: usd(10_000)
            })
        );
        assert_eq!(
            approve(claimed, cap, Some(usd(12_000)), false, true),
            Ok(Approval {
                amount: usd(12_000),
                above_cap: true
            })
        );
        assert_eq!(
            approve(claimed, cap, Some(usd(6_000)), true, false)
                .unwrap()
                .amount,
            usd(6_000)
        );
        assert_eq!(
            approve(claimed, cap, Some(usd(10_000)), true, false),
            Err(ApprovalRefused::PartialNotBelowCeiling {
                ceiling: usd(10_000)
            })
        );
    }

    #[test]
    fn refusals_in_order() {
        let claimed = usd(8_000);
        assert_eq!(
            approve(claimed, None, None, true, false),
            Err(ApprovalRefused::AmountRequired)
        );
        let eur = Money::new(100, Currency::parse("EUR").unwrap());
        assert!(matches!(
            approve(claimed, None, Some(eur), false, false),
            Err(ApprovalRefused::CurrencyMismatch { .. })
        ));
        for bad in [0, -1, 8_001] {
            assert_eq!(
                approve(claimed, None, Some(usd(bad)), false, true),
                Err(ApprovalRefused::OutOfRange { claimed }),
                "{bad}"
            );
        }
        // Without a cap the ceiling is the claimed amount.
        assert_eq!(
            approve(claimed, None, None, false, false).unwrap().amount,
            claimed
        );
    }
}
