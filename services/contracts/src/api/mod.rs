//! gRPC glue for the four services of `recourse.contracts.v1`: who may call
//! what, request parsing, and the response.

pub mod contracts;
pub mod events;
pub mod shipments;
pub mod sla;

use recourse_platform::ApiError;
use recourse_platform::auth::{Principal, Role};

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

/// Refuses a partner acting on another carrier's data.
pub fn ensure_carrier(principal: &Principal, carrier_id: &str) -> Result<(), ApiError> {
    if principal.can_see_carrier(carrier_id) {
        Ok(())
    } else {
        Err(ApiError::PermissionDenied(format!(
            "carriers/{carrier_id} is not visible to this principal"
        )))
    }
}
