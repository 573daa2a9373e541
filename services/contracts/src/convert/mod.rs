//! Protobuf ⇄ domain. Parsing records every field violation with its full
//! path (`terms.rate_cards[0].zone_rates[2].weight_breaks[1].charge`) so a
//! client fixes them all at once; rendering turns domain values back into
//! messages. Nothing outside `api` and this module names a protobuf type,
//! except the outbox payloads built by `events`.

pub mod common;
pub mod contract;
pub mod invoice;
pub mod limits;
pub mod planning;
pub mod quote;
pub mod returns;
pub mod shipment;
pub mod shop;
pub mod sla;
pub mod terms;
pub mod tracking;

use recourse_money::{Currency, Money};
use recourse_platform::Violations;
use recourse_platform::proto_types::{
    bounded_money, date_from_proto, date_in_range, money_from_proto,
};
use recourse_proto::common as pbc;

/// Where a parse records what is wrong. `strict` adds the input bounds
/// ([`limits`]): on for requests, off for documents stored earlier (a
/// version written under older bounds still reads).
pub struct Parser<'a> {
    pub v: &'a mut Violations,
    pub strict: bool,
}

impl<'a> Parser<'a> {
    pub fn strict(v: &'a mut Violations) -> Self {
        Self { v, strict: true }
    }

    pub fn add(&mut self, field: impl Into<String>, description: impl Into<String>) {
        self.v.add(field, description);
    }

    pub fn check(&mut self, ok: bool, field: impl Into<String>, description: impl Into<String>) {
        self.v.check(ok, field, description);
    }

    /// A bound of the API's input: checked only when strict.
    pub fn bound(&mut self, ok: bool, field: impl Into<String>, description: impl Into<String>) {
        if self.strict {
            self.v.check(ok, field, description);
        }
    }

    /// At most `max` entries in a list: when strict and over, one violation
    /// on the list and `false` (its entries are not parsed one by one).
    pub fn at_most(&mut self, len: usize, max: usize, field: &str, what: &str) -> bool {
        let ok = !self.strict || len <= max;
        self.v.check(
            ok,
            field,
            format!("must have at most {max} {what} (has {len})"),
        );
        ok
    }

    /// A text of at most `max` characters (and, when `required`, at least
    /// one), without control characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize, required: bool) {
        let n = value.chars().count();
        if required && value.trim().is_empty() {
            self.add(field, "is required");
        } else if n > max {
            self.bound(
                false,
                field,
                format!("must be at most {max} characters (has {n})"),
            );
        } else if value.chars().any(char::is_control) {
            self.bound(false, field, "must not contain control characters");
        }
    }

    /// A non-negative amount in `currency`: bounded to 10^12 minor units
    /// when strict.
    pub fn money(
        &mut self,
        field: &str,
        value: Option<&pbc::Money>,
        currency: Option<Currency>,
    ) -> Option<Money> {
        if self.strict {
            bounded_money(self.v, field, value, currency, false)
        } else {
            money_from_proto(self.v, field, value, currency, false)
        }
    }

    /// A required calendar date: in the years 2000-2099 when strict.
    pub fn date(&mut self, field: &str, value: Option<&pbc::Date>) -> Option<chrono::NaiveDate> {
        if self.strict {
            return date_in_range(self.v, field, value);
        }
        let parsed = value.and_then(date_from_proto);
        if parsed.is_none() {
            self.add(field, "must be a valid calendar date");
        }
        parsed
    }

    pub fn len(&self) -> usize {
        self.v.len()
    }
}
