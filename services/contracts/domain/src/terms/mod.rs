//! What a contract version agrees: prices (rate cards), liability (limits,
//! filing windows, documents, clocks) and service levels (SLA terms), all
//! in one currency. Built by parsing the API's input (every value already
//! valid), stored as one document, read whole.

mod liability;
mod returns;
mod sla;

use recourse_money::Currency;

use crate::rating::RateCard;

pub use liability::{
    ClaimTerms, ClaimType, DocumentKind, FilingAnchor, FilingWindow, LiabilityTerms,
    RequiredDocuments, WindowLength,
};
pub use returns::{ReturnPayer, ReturnTerms};
pub use sla::{ExcusableException, GuaranteeSuspension, RefundAnchor, SlaTerms, ZoneTransit};

/// The terms of one contract version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractTerms {
    /// Every amount of the terms is in this currency.
    pub currency: Currency,
    /// One per service level.
    pub rate_cards: Vec<RateCard>,
    pub liability: LiabilityTerms,
    /// One per service level.
    pub sla_terms: Vec<SlaTerms>,
    /// Days from an invoice's receipt to contest it; 0 is the default
    /// ([`DEFAULT_INVOICE_DISPUTE_DAYS`]).
    pub invoice_dispute_days: u32,
    /// The return service levels, one entry each.
    pub returns: Vec<ReturnTerms>,
}

/// 49 USC 13710(a)(3)(B): a shipper contesting a carrier's charges has 180
/// days from receipt of the bill.
pub const DEFAULT_INVOICE_DISPUTE_DAYS: u32 = 180;

impl ContractTerms {
    /// The last day to contest an invoice received on `received`
    /// (received + the window's days; the calendar's end if beyond it).
    pub fn dispute_deadline(&self, received: chrono::NaiveDate) -> chrono::NaiveDate {
        let days = match self.invoice_dispute_days {
            0 => DEFAULT_INVOICE_DISPUTE_DAYS,
            n => n,
        };
        received
            .checked_add_days(chrono::Days::new(u64::from(days)))
            .unwrap_or(chrono::NaiveDate::MAX)
    }

    /// The rate card of `service_level`.
    pub fn rate_card(&self, service_level: &str) -> Option<&RateCard> {
        self.rate_cards
            .iter()
            .find(|c| c.service_level == service_level)
    }

    /// The SLA terms of `service_level`.
    pub fn sla(&self, service_level: &str) -> Option<&SlaTerms> {
        self.sla_terms
            .iter()
            .find(|s| s.service_level == service_level)
    }

    /// Whether the terms price or measure `service_level`.
    pub fn covers(&self, service_level: &str) -> bool {
        self.rate_card(service_level).is_some() || self.sla(service_level).is_some()
    }

    /// The longest refund window (days) of the guaranteed services, plus
    /// `invoice_lag_days` where a window counts from the invoice date:
    /// how far back a late delivery may still be refundable. `None` when
    /// nothing is guaranteed.
    pub fn refund_horizon_days(&self, invoice_lag_days: u32) -> Option<u32> {
        self.sla_terms
            .iter()
            .filter(|s| s.guaranteed)
            .map(|s| {
                let lag = match s.refund_anchor {
                    RefundAnchor::InvoiceDate => invoice_lag_days,
                    RefundAnchor::DeliveryDate => 0,
                };
                s.refund_window_days.saturating_add(lag)
            })
            .max()
    }
}
