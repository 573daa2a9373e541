//! gRPC glue for `recourse.claims.v1`: roles, parsing, responses.

pub mod claims;
pub mod events;
pub mod recoveries;

use recourse_money::{Currency, Money};
use recourse_platform::Violations;
use recourse_platform::auth::Role;
use recourse_platform::proto_types::money_from_proto;

/// Who files and follows claims: in-house teams and 3PLs (their own
/// account's). A carrier never files a claim against itself.
pub const CLAIMANTS: &[Role] = &[Role::Admin, Role::Internal, Role::ThirdParty];
/// Who reads claims (a carrier its carrier's, a 3PL its account's).
pub const READERS: &[Role] = &[
    Role::Admin,
    Role::Internal,
    Role::Carrier,
    Role::ThirdParty,
    Role::Finance,
    Role::Auditor,
];
/// Who moves claims through their lifecycle; which move each may make is
/// `claims::access`'s business (it needs the claim's status and filer).
pub const MOVERS: &[Role] = &[
    Role::Admin,
    Role::Internal,
    Role::Carrier,
    Role::ThirdParty,
    Role::Finance,
];
/// Who records money.
pub const FINANCE: &[Role] = &[Role::Admin, Role::Finance];
/// Who reads money.
pub const FINANCE_READERS: &[Role] = &[Role::Admin, Role::Finance, Role::Auditor];

pub use recourse_platform::names::{carrier_id, resource_id};

pub fn claim_id(v: &mut Violations, field: &str, name: &str) -> Option<String> {
    resource_id(v, field, "claims", name)
}

/// The largest amount the claims API accepts anywhere (a line item's unit
/// value, a claim's total, an approval, a remittance and its lines, an
/// allocation, a write-off): 10^12 minor units (10,000,000,000.00 USD).
/// Far above any parcel claim, and low enough that sums over millions of
/// claims stay inside 64-bit minor units; sums are checked all the same.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000;

/// A non-negative amount of at most [`MAX_AMOUNT_MINOR`] minor units
/// (violations under `field`), as `money_from_proto` otherwise.
pub fn bounded_money(
    v: &mut Violations,
    field: &str,
    value: Option<&recourse_proto::common::Money>,
    expected: Option<Currency>,
) -> Option<Money> {
    let money = money_from_proto(v, field, value, expected, false)?;
    if money.amount_minor() > MAX_AMOUNT_MINOR {
        v.add(
            format!("{field}.amount_minor"),
            format!("must be at most {MAX_AMOUNT_MINOR} minor units"),
        );
        return None;
    }
    Some(money)
}
