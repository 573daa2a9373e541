//! A claim as both sides see it: what was lost, who claims it, what the
//! contract said when it was submitted, and where the money stands.
//!
//! The claimed amount is Σ quantity × unit value over the line items, in
//! one currency, at most [`MAX_AMOUNT_MINOR`] ([`claimed_total`]).

use chrono::{DateTime, NaiveDate, Utc};
use recourse_money::{Currency, Money};

use crate::allocation::ClaimBalance;
use crate::deadline::{Anchor, Deadline, Window};
use crate::lifecycle::ClaimStatus;
use crate::limits::MAX_AMOUNT_MINOR;

macro_rules! coded_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The upper-case code, e.g. `"LOSS"`.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The value whose code is `code`, if any.
            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

coded_enum!(
    /// What happened to the parcel.
    ClaimType {
        /// Never delivered.
        Loss = "LOSS",
        /// Delivered damaged.
        Damage = "DAMAGE",
        /// Delivered late on a guaranteed service: a refund of charges.
        Delay = "DELAY",
        /// Delivered with pieces missing.
        Shortage = "SHORTAGE",
        /// Damage found after an apparently clean delivery.
        ConcealedDamage = "CONCEALED_DAMAGE",
    }
);

coded_enum!(
    /// Who the claimant is.
    ClaimantKind {
        /// An in-house team.
        InternalTeam = "INTERNAL_TEAM",
        /// A merchant.
        Merchant = "MERCHANT",
        /// A partner 3PL filing on a merchant's behalf.
        Partner3pl = "PARTNER_3PL",
    }
);

coded_enum!(
    /// The kind of a supporting document.
    DocumentKind {
        /// The commercial invoice proving value.
        Invoice = "INVOICE",
        /// A photo of the damage.
        Photo = "PHOTO",
        /// Proof of delivery.
        ProofOfDelivery = "PROOF_OF_DELIVERY",
        /// A photo of the packaging.
        PackagingPhoto = "PACKAGING_PHOTO",
        /// The customer's statement.
        CustomerStatement = "CUSTOMER_STATEMENT",
    }
);

coded_enum!(
    /// How a claim's liability cap was set.
    CapBasis {
        /// The contract's liability terms (loss, damage, shortage).
        LiabilityTerms = "LIABILITY_TERMS",
        /// min(claimed, the shipment's billed charge): a delay claim.
        BilledCharge = "BILLED_CHARGE",
        /// The claimed amount: a delay claim whose charge is unknown.
        Claimed = "CLAIMED",
    }
);

/// Who claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimant {
    pub kind: ClaimantKind,
    pub name: String,
    /// For a partner 3PL: the merchant it files for.
    pub on_behalf_of: String,
}

/// One thing lost or damaged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineItem {
    pub sku: String,
    pub description: String,
    pub quantity: u32,
    pub unit_value: Money,
}

/// Why line items have no total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LineTotalError {
    #[error("needs at least one item")]
    Empty,
    /// Item `index` is in another currency than the first.
    #[error("line item {index} is in {found}, not {expected} like the first")]
    MixedCurrencies {
        index: usize,
        expected: Currency,
        found: Currency,
    },
    /// The total passed [`MAX_AMOUNT_MINOR`] at item `index`.
    #[error("the items add up to more than {MAX_AMOUNT_MINOR} minor units")]
    TooLarge { index: usize },
}

/// Σ quantity × unit value, in the first item's currency; at most
/// [`MAX_AMOUNT_MINOR`] (checked as it adds, so it never overflows).
pub fn claimed_total(items: &[LineItem]) -> Result<Money, LineTotalError> {
    let first = items.first().ok_or(LineTotalError::Empty)?;
    let currency = first.unit_value.currency();
    let mut total: i128 = 0;
    for (index, item) in items.iter().enumerate() {
        if item.unit_value.currency() != currency {
            return Err(LineTotalError::MixedCurrencies {
                index,
                expected: currency,
                found: item.unit_value.currency(),
            });
        }
        total += i128::from(item.quantity) * i128::from(item.unit_value.amount_minor());
        if total > i128::from(MAX_AMOUNT_MINOR) || total < 0 {
            return Err(LineTotalError::TooLarge { index });
        }
    }
    let total = i64::try_from(total).map_err(|_| LineTotalError::TooLarge { index: 0 })?;
    Ok(Money::new(total, currency))
}

/// A supporting document: metadata and where its content is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: String,
    pub claim_id: String,
    pub kind: DocumentKind,
    pub file_name: String,
    pub size_bytes: u64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// Where the content is; empty when only metadata was recorded.
    pub storage_uri: String,
    /// The content was uploaded here and its hash checked.
    pub verified: bool,
    pub created_at: DateTime<Utc>,
}

/// What the contract said when the claim was submitted, fixed on the claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedTerms {
    pub contract_version: String,
    pub liability_cap: Money,
    pub cap_basis: CapBasis,
    /// The anchor the contract names (the deadline may have fallen back).
    pub named_anchor: Anchor,
    pub window: Window,
    /// The last day to file and what it was counted from.
    pub deadline: Deadline,
    pub required_documents: Vec<DocumentKind>,
    pub acknowledge_due: NaiveDate,
    /// Restarted by each appeal.
    pub decision_due: NaiveDate,
    /// Set when a late claim was accepted by an admin.
    pub late_filing_justification: String,
    pub decide_within_days: u32,
    pub appeal_window_days: u32,
    pub max_appeals: u32,
}

/// Who filed a claim: the principal's subject and role and, for a 3PL, the
/// account it acts for ("" otherwise).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filer {
    pub subject: String,
    pub role: String,
    pub account: String,
}

/// A claim against a carrier for one shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub id: String,
    /// `CLM-2026-000123`.
    pub number: String,
    pub carrier_id: String,
    pub shipment_id: String,
    pub tracking_number: String,
    pub service_level: String,
    pub claim_type: ClaimType,
    pub status: ClaimStatus,
    pub claimant: Claimant,
    pub line_items: Vec<LineItem>,
    /// Σ of the line items; its currency is the claim's.
    pub claimed: Money,
    /// The value declared to the carrier when the parcel shipped.
    pub declared_value: Option<Money>,
    pub notes: String,
    /// Fixed at submission.
    pub terms: Option<AppliedTerms>,
    pub approved: Option<Money>,
    pub recovered: Money,
    pub written_off: Money,
    pub documents: Vec<Document>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub filer: Filer,
}

impl Claim {
    /// The claim's currency (its claimed amount's).
    pub fn currency(&self) -> Currency {
        self.claimed.currency()
    }

    /// approved, recovered and written off (approved 0 until approved).
    pub fn balance(&self) -> ClaimBalance {
        ClaimBalance {
            approved: self
                .approved
                .unwrap_or_else(|| Money::zero(self.currency())),
            recovered: self.recovered,
            written_off: self.written_off,
        }
    }

    /// The liability cap fixed at submission.
    pub fn liability_cap(&self) -> Option<Money> {
        self.terms.as_ref().map(|t| t.liability_cap)
    }

    /// The UTC date of the latest approval.
    pub fn approved_on(&self) -> Option<NaiveDate> {
        self.approved_at.map(|at| at.date_naive())
    }

    /// Submitted claims are the carrier's business; a draft (and a draft
    /// withdrawn before submission) belongs to its filer alone.
    pub fn was_submitted(&self) -> bool {
        self.submitted_at.is_some()
    }
}

/// One move in a claim's life: who, when, from, to, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub claim_id: String,
    pub from: ClaimStatus,
    pub to: ClaimStatus,
    pub actor: String,
    pub actor_role: String,
    pub reason: String,
    /// An approval's amount, or the money recovered or written off.
    pub amount: Option<Money>,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests;
