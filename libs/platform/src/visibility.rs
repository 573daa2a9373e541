//! What a principal may see, answered the AIP-211 way: a resource the
//! caller may not see gets exactly the answer a resource that does not
//! exist gets — NOT_FOUND naming only what the caller asked for — so a
//! partner cannot tell another carrier's real names from made-up ones, and
//! no message names the owner. Services check visibility before (or in the
//! same query as) existence, on every RPC.
//!
//! Shared by every service (contracts, carriers, claims): one rule.

use crate::auth::Principal;
use crate::error::ApiError;

/// The one NOT_FOUND answer for `name` (what the caller asked for) of
/// `resource`, whether it does not exist or is not the caller's to see.
pub fn not_found(resource: &'static str, name: impl Into<String>) -> ApiError {
    ApiError::NotFound {
        resource,
        name: name.into(),
    }
}

/// `Ok` when the caller may see data of carrier `carrier_id`; otherwise the
/// NOT_FOUND answer for `name` of `resource` (what the caller asked for).
pub fn require_carrier(
    caller: &Principal,
    carrier_id: &str,
    resource: &'static str,
    name: &str,
) -> Result<(), ApiError> {
    if caller.can_see_carrier(carrier_id) {
        Ok(())
    } else {
        Err(not_found(resource, name))
    }
}

/// The carrier a call naming `carriers/{id}` may act on: the caller's own
/// for a carrier principal (another carrier's, real or not, is the NOT_FOUND
/// answer for that carrier name), anything for internal roles.
pub fn carrier(caller: &Principal, carrier_id: &str) -> Result<(), ApiError> {
    require_carrier(
        caller,
        carrier_id,
        "carrier",
        &format!("carriers/{carrier_id}"),
    )
}

/// The carrier filter of a list call: a carrier principal is pinned to its
/// own carrier (asking for another is NOT_FOUND for that carrier, as if it
/// did not exist); other roles get what they asked for.
pub fn carrier_filter(
    caller: &Principal,
    requested: Option<String>,
) -> Result<Option<String>, ApiError> {
    match (caller.carrier_scope(), requested) {
        (Some(own), Some(asked)) if own != asked => {
            Err(not_found("carrier", format!("carriers/{asked}")))
        }
        (Some(own), _) => Ok(Some(own.to_owned())),
        (None, requested) => Ok(requested),
    }
}

/// The carrier a lookup by id must be restricted to, so that "not the
/// caller's" and "does not exist" are one query with one answer: the
/// caller's own for a carrier principal, none for internal roles.
pub fn lookup_scope(caller: &Principal) -> Option<&str> {
    caller.carrier_scope()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use tonic::{Code, Status};

    fn partner(carrier: &str) -> Principal {
        Principal::new("p", Role::Carrier, Some(carrier.into())).unwrap()
    }

    #[test]
    fn another_carriers_name_and_a_made_up_one_get_the_same_answer() {
        let caller = partner("a");
        let real = Status::from(carrier(&caller, "b").unwrap_err());
        let made_up = Status::from(carrier(&caller, "zzz").unwrap_err());
        assert_eq!(real.code(), Code::NotFound);
        assert_eq!(made_up.code(), Code::NotFound);
        assert_eq!(
            real.message().replace("carriers/b", "{name}"),
            made_up.message().replace("carriers/zzz", "{name}")
        );
        assert!(carrier(&caller, "a").is_ok());
        let admin = Principal::new("x", Role::Admin, None).unwrap();
        assert!(carrier(&admin, "b").is_ok());
    }

    #[test]
    fn list_filters_pin_partners_to_their_carrier() {
        let caller = partner("a");
        assert_eq!(carrier_filter(&caller, None).unwrap().as_deref(), Some("a"));
        assert_eq!(
            carrier_filter(&caller, Some("a".into()))
                .unwrap()
                .as_deref(),
            Some("a")
        );
        assert!(matches!(
            carrier_filter(&caller, Some("b".into())),
            Err(ApiError::NotFound { .. })
        ));
        let auditor = Principal::new("x", Role::Auditor, None).unwrap();
        assert_eq!(carrier_filter(&auditor, None).unwrap(), None);
        assert_eq!(lookup_scope(&caller), Some("a"));
        assert_eq!(lookup_scope(&auditor), None);
    }
}
