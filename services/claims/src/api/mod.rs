//! gRPC glue for `recourse.claims.v1`: who may call what (checked before
//! anything is read, so a refusal by role says nothing about what exists),
//! parsing through `convert`, the use case, the rendered answer.

pub mod claims;
pub mod events;
pub mod recoveries;

use recourse_platform::auth::Role;

/// Who files and follows claims: in-house teams and 3PLs (their own
/// account's). A carrier never files a claim against itself.
pub const CLAIMANTS: &[Role] = &[Role::Admin, Role::Internal, Role::ThirdParty];
/// Who reads claims (a carrier its carrier's submitted claims, a 3PL its
/// account's).
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
/// Who files delay claims from refund candidates.
pub const REFUND_AUTOMATION: &[Role] = &[Role::Admin, Role::Internal];
/// Who records money: remittances, allocations, write-offs, imports.
pub const FINANCE: &[Role] = &[Role::Admin, Role::Finance];
/// Who reads money: remittances and the reconciliation. Not internal
/// product teams, carriers or 3PLs (a carrier's payments are finance's
/// books; a claim shows what was recovered on it).
pub const FINANCE_READERS: &[Role] = &[Role::Admin, Role::Finance, Role::Auditor];
