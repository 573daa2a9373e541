//! Liability terms: what the carrier pays for a lost or damaged parcel,
//! within which windows a claim is filed, with which documents, and the
//! carrier's clocks (49 CFR 370).

use recourse_money::{Currency, Money};
use recourse_units::WeightUnit;

/// The kind of a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClaimType {
    Loss,
    Damage,
    Delay,
    Shortage,
    ConcealedDamage,
}

impl ClaimType {
    pub const ALL: [ClaimType; 5] = [
        ClaimType::Loss,
        ClaimType::Damage,
        ClaimType::Delay,
        ClaimType::Shortage,
        ClaimType::ConcealedDamage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClaimType::Loss => "LOSS",
            ClaimType::Damage => "DAMAGE",
            ClaimType::Delay => "DELAY",
            ClaimType::Shortage => "SHORTAGE",
            ClaimType::ConcealedDamage => "CONCEALED_DAMAGE",
        }
    }
}

/// The date a filing window counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilingAnchor {
    ShipDate,
    ScheduledDelivery,
    ActualDelivery,
    InvoiceDate,
}

/// A window's length: calendar days, or calendar months (Carmack's 9
/// months, which no number of days states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WindowLength {
    Days(u32),
    Months(u32),
}

/// Within how long after `anchor` a claim of `claim_type` is filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FilingWindow {
    pub claim_type: ClaimType,
    pub length: WindowLength,
    pub anchor: FilingAnchor,
}

/// A document a claim needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    Invoice,
    Photo,
    ProofOfDelivery,
    PackagingPhoto,
    CustomerStatement,
}

/// The documents a claim of `claim_type` needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequiredDocuments {
    pub claim_type: ClaimType,
    pub kinds: Vec<DocumentKind>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiabilityTerms {
    /// Liability when no value was declared.
    pub default_per_package_limit: Money,
    /// Whether a declared value raises the limit, up to `max_declared_value`.
    pub declared_value_coverage: bool,
    pub max_declared_value: Option<Money>,
    /// A cap per weight unit of the rate card (e.g. per lb).
    pub per_weight_unit_limit: Option<Money>,
    pub filing_windows: Vec<FilingWindow>,
    pub required_documents: Vec<RequiredDocuments>,
    /// Carrier clocks in calendar days (defaults 30 and 120).
    pub acknowledge_within_days: u32,
    pub decide_within_days: u32,
    /// Days to appeal a denial or partial approval (default 30), and how
    /// many appeals a claim may have (default 1).
    pub appeal_window_days: u32,
    pub max_appeals: u32,
}

impl LiabilityTerms {
    /// The federal carrier clocks (49 CFR 370) when a contract states none.
    pub const ACKNOWLEDGE_DAYS: u32 = 30;
    pub const DECIDE_DAYS: u32 = 120;
    /// Appeal defaults when a contract states none: 30 days, one appeal.
    pub const APPEAL_WINDOW_DAYS: u32 = 30;
    pub const MAX_APPEALS: u32 = 1;

    /// Unstated (0) clocks and appeal terms take their defaults.
    pub fn with_defaults(mut self) -> Self {
        let or = |value: &mut u32, default: u32| {
            if *value == 0 {
                *value = default;
            }
        };
        or(&mut self.acknowledge_within_days, Self::ACKNOWLEDGE_DAYS);
        or(&mut self.decide_within_days, Self::DECIDE_DAYS);
        or(&mut self.appeal_window_days, Self::APPEAL_WINDOW_DAYS);
        or(&mut self.max_appeals, Self::MAX_APPEALS);
        self
    }
}

/// What a claim of one type on one service level is held to: the
/// liability terms of the version in force on the ship date, its window
/// and documents for that type, and the rate card's weight unit (for a
/// per-weight limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimTerms {
    pub currency: Currency,
    pub liability: LiabilityTerms,
    pub filing_window: FilingWindow,
    pub required_documents: Vec<DocumentKind>,
    pub weight_unit: Option<WeightUnit>,
}

impl super::ContractTerms {
    /// The terms a claim of `claim_type` on `service_level` is held to;
    /// `None` when the contract sets no filing window for the type.
    pub fn claim_terms(&self, service_level: &str, claim_type: ClaimType) -> Option<ClaimTerms> {
        let liability = self.liability.clone().with_defaults();
        let filing_window = *liability
            .filing_windows
            .iter()
            .find(|w| w.claim_type == claim_type)?;
        let required_documents = liability
            .required_documents
            .iter()
            .find(|r| r.claim_type == claim_type)
            .map(|r| r.kinds.clone())
            .unwrap_or_default();
        Some(ClaimTerms {
            currency: self.currency,
            filing_window,
            required_documents,
            weight_unit: self.rate_card(service_level).map(|c| c.weight_unit),
            liability,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn liability() -> LiabilityTerms {
        LiabilityTerms {
            default_per_package_limit: Money::new(10_000, Currency::USD),
            declared_value_coverage: false,
            max_declared_value: None,
            per_weight_unit_limit: None,
            filing_windows: vec![FilingWindow {
                claim_type: ClaimType::Loss,
                length: WindowLength::Months(9),
                anchor: FilingAnchor::ShipDate,
            }],
            required_documents: vec![RequiredDocuments {
                claim_type: ClaimType::Loss,
                kinds: vec![DocumentKind::Invoice],
            }],
            acknowledge_within_days: 0,
            decide_within_days: 90,
            appeal_window_days: 0,
            max_appeals: 0,
        }
    }

    #[test]
    fn unstated_clocks_and_appeals_take_the_defaults() {
        let l = liability().with_defaults();
        assert_eq!(
            (
                l.acknowledge_within_days,
                l.decide_within_days,
                l.appeal_window_days,
                l.max_appeals
            ),
            (30, 90, 30, 1)
        );
    }

    #[test]
    fn claim_terms_need_a_window_for_the_type() {
        let terms = super::super::ContractTerms {
            invoice_dispute_days: 0,
            currency: Currency::USD,
            rate_cards: vec![],
            liability: liability(),
            sla_terms: vec![],
            returns: vec![],
        };
        let loss = terms.claim_terms("GROUND", ClaimType::Loss).unwrap();
        assert_eq!(loss.filing_window.length, WindowLength::Months(9));
        assert_eq!(loss.required_documents, [DocumentKind::Invoice]);
        assert_eq!(loss.weight_unit, None);
        assert_eq!(loss.liability.acknowledge_within_days, 30);
        assert!(terms.claim_terms("GROUND", ClaimType::Damage).is_none());
    }
}
