//! Return terms: the service levels a contract prices returns on, the
//! label's flat cost and who pays it. A return's promise is its service
//! level's SLA promise (its transit days are the return transit days).

use recourse_money::Money;

/// Who pays a return label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReturnPayer {
    /// The merchant ("free returns").
    Merchant,
    /// The end customer.
    Customer,
}

impl ReturnPayer {
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnPayer::Merchant => "MERCHANT",
            ReturnPayer::Customer => "CUSTOMER",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [ReturnPayer::Merchant, ReturnPayer::Customer]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnTerms {
    pub service_level: String,
    pub label_cost: Money,
    pub payer: ReturnPayer,
}

impl super::ContractTerms {
    /// The return terms of `service_level`, if it is a return level.
    pub fn return_terms(&self, service_level: &str) -> Option<&ReturnTerms> {
        self.returns
            .iter()
            .find(|r| r.service_level == service_level)
    }
}
