//! gRPC glue for `recourse.claims.v1`: roles, parsing, responses.

pub mod claims;
pub mod events;
pub mod recoveries;

use recourse_platform::Violations;
use recourse_platform::auth::Role;

/// Who files and follows claims (partners: their own carrier's).
pub const CLAIMANTS: &[Role] = &[Role::Admin, Role::Internal, Role::Carrier];
/// Who reads claims.
pub const READERS: &[Role] = &[
    Role::Admin,
    Role::Internal,
    Role::Carrier,
    Role::Finance,
    Role::Auditor,
];
/// Who records money.
pub const FINANCE: &[Role] = &[Role::Admin, Role::Finance];
/// Who reads money.
pub const FINANCE_READERS: &[Role] = &[Role::Admin, Role::Finance, Role::Auditor];

pub use recourse_platform::names::{carrier_id, resource_id};

pub fn claim_id(v: &mut Violations, field: &str, name: &str) -> Option<String> {
    resource_id(v, field, "claims", name)
}
