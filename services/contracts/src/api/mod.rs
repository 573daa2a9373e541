//! gRPC glue for the four services of `recourse.contracts.v1`: who may call
//! what, request parsing (through `convert`), the call, the response.
//!
//! One visibility rule for every RPC (AIP-211): a carrier principal asking
//! for anything of another carrier — by its name, its contract's, version's,
//! shipment's or evaluation's, or by naming the carrier in a filter or an
//! ingest message — gets the NOT_FOUND a name that does not exist gets,
//! naming only what it asked for. Roles are checked first (a role that may
//! not make a call is PERMISSION_DENIED whatever it names).

pub mod contracts;
pub mod events;
pub mod ingest;
pub mod invoices;
pub mod planning;
pub mod returns;
pub mod shipments;
pub mod shop;
pub mod sla;

use recourse_platform::auth::{Principal, Role};
use recourse_platform::{ApiError, Violations, visibility};

use crate::convert::common::carrier_id;

/// Roles that change contracts and evaluate SLAs.
pub const WRITERS: &[Role] = &[Role::Admin, Role::Internal];
/// Roles that read (partners only their own carrier).
pub const READERS: &[Role] = &[
    Role::Admin,
    Role::Internal,
    Role::Carrier,
    Role::Finance,
    Role::Auditor,
];

pub fn invalid_request() -> ApiError {
    ApiError::invalid("request", "is invalid")
}

/// The carrier filter of a list call (`carriers/{id}`, or empty): a carrier
/// principal is pinned to its own; another carrier's, real or not, is
/// NOT_FOUND. `required` for roles that are not pinned.
pub fn carrier_filter(
    caller: &Principal,
    requested: &str,
    required: bool,
) -> Result<Option<String>, ApiError> {
    let mut v = Violations::new();
    let carrier = match requested {
        "" if required && caller.carrier_scope().is_none() => {
            v.add("carrier", "is required");
            None
        }
        "" => None,
        name => carrier_id(&mut v, "carrier", name),
    };
    v.into_result()?;
    visibility::carrier_filter(caller, carrier)
}
