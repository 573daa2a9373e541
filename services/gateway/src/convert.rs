//! Protobuf ⇄ domain for API keys. Parsing collects every field violation
//! with its path (`api_key.carrier`) so a client fixes all at once.

use chrono::{DateTime, Utc};
use recourse_platform::auth::Role;
use recourse_platform::names::carrier_id;
use recourse_platform::proto_types::{timestamp_from_proto, timestamp_to_proto};
use recourse_platform::{ApiError, Violations};
use recourse_proto::gateway as pb;

use crate::domain::{ApiKey, KeyState, NewApiKey, RateOverride};

pub fn role_from_proto(role: i32) -> Option<Role> {
    match pb::Role::try_from(role).ok()? {
        pb::Role::Unspecified => None,
        pb::Role::Admin => Some(Role::Admin),
        pb::Role::Internal => Some(Role::Internal),
        pb::Role::Carrier => Some(Role::Carrier),
        pb::Role::ThirdParty => Some(Role::ThirdParty),
        pb::Role::Finance => Some(Role::Finance),
        pb::Role::Auditor => Some(Role::Auditor),
    }
}

pub fn role_to_proto(role: Role) -> pb::Role {
    match role {
        Role::Admin => pb::Role::Admin,
        Role::Internal => pb::Role::Internal,
        Role::Carrier => pb::Role::Carrier,
        Role::ThirdParty => pb::Role::ThirdParty,
        Role::Finance => pb::Role::Finance,
        Role::Auditor => pb::Role::Auditor,
    }
}

fn state_to_proto(state: KeyState) -> pb::ApiKeyState {
    match state {
        KeyState::Active => pb::ApiKeyState::Active,
        KeyState::Expired => pb::ApiKeyState::Expired,
        KeyState::Revoked => pb::ApiKeyState::Revoked,
    }
}

fn printable(value: &str, max: usize) -> bool {
    !value.trim().is_empty() && value.chars().count() <= max && !value.chars().any(char::is_control)
}

/// A key to create, from `CreateApiKeyRequest.api_key`.
pub fn new_api_key(key: Option<&pb::ApiKey>, now: DateTime<Utc>) -> Result<NewApiKey, ApiError> {
    let Some(key) = key else {
        return Err(ApiError::invalid("api_key", "is required"));
    };
    let mut v = Violations::new();
    let display_name = key.display_name.trim().to_owned();
    v.check(
        printable(&display_name, 200),
        "api_key.display_name",
        "is required: 1-200 printable characters",
    );
    let role = role_from_proto(key.role);
    if role.is_none() {
        v.add("api_key.role", "must be a role");
    }
    let scope = match role {
        Some(Role::Carrier) => {
            v.check(
                key.party.is_empty(),
                "api_key.party",
                "is only for ROLE_THIRD_PARTY keys",
            );
            if key.carrier.is_empty() {
                v.add("api_key.carrier", "is required for ROLE_CARRIER keys");
                None
            } else {
                carrier_id(&mut v, "api_key.carrier", &key.carrier)
            }
        }
        Some(Role::ThirdParty) => {
            v.check(
                key.carrier.is_empty(),
                "api_key.carrier",
                "is only for ROLE_CARRIER keys",
            );
            let party = key.party.trim();
            v.check(
                printable(party, 64),
                "api_key.party",
                "is required for ROLE_THIRD_PARTY keys: 1-64 printable characters",
            );
            Some(party.to_owned())
        }
        Some(Role::Admin | Role::Internal | Role::Finance | Role::Auditor) | None => {
            v.check(
                key.carrier.is_empty(),
                "api_key.carrier",
                "is only for ROLE_CARRIER keys",
            );
            v.check(
                key.party.is_empty(),
                "api_key.party",
                "is only for ROLE_THIRD_PARTY keys",
            );
            None
        }
    };
    let expires_at = match &key.expire_time {
        None => None,
        Some(ts) => match timestamp_from_proto(ts) {
            Some(at) if at > now => Some(at),
            Some(_) => {
                v.add("api_key.expire_time", "must be in the future");
                None
            }
            None => {
                v.add("api_key.expire_time", "is not a valid timestamp");
                None
            }
        },
    };
    let rate = key.rate_limit.as_ref().and_then(|r| {
        v.check(
            r.requests_per_second >= 1,
            "api_key.rate_limit.requests_per_second",
            "must be at least 1",
        );
        v.check(
            r.burst >= 1,
            "api_key.rate_limit.burst",
            "must be at least 1",
        );
        (r.requests_per_second >= 1 && r.burst >= 1).then_some(RateOverride {
            requests_per_second: r.requests_per_second,
            burst: r.burst,
            max_streams: (r.max_streams > 0).then_some(r.max_streams),
        })
    });
    v.into_result()?;
    let Some(role) = role else {
        return Err(ApiError::invalid("api_key.role", "must be a role"));
    };
    Ok(NewApiKey {
        display_name,
        role,
        scope,
        expires_at,
        rate,
    })
}

pub fn to_proto(k: &ApiKey, now: DateTime<Utc>) -> pb::ApiKey {
    let (carrier, party) = match k.role {
        Role::Carrier => (
            k.scope
                .as_deref()
                .map(|id| format!("carriers/{id}"))
                .unwrap_or_default(),
            String::new(),
        ),
        Role::ThirdParty => (String::new(), k.scope.clone().unwrap_or_default()),
        Role::Admin | Role::Internal | Role::Finance | Role::Auditor => {
            (String::new(), String::new())
        }
    };
    pb::ApiKey {
        name: k.id.resource_name(),
        display_name: k.display_name.clone(),
        role: role_to_proto(k.role).into(),
        carrier,
        party,
        expire_time: k.expires_at.map(timestamp_to_proto),
        rate_limit: k.rate.map(|r| pb::RateLimit {
            requests_per_second: r.requests_per_second,
            burst: r.burst,
            max_streams: r.max_streams.unwrap_or(0),
        }),
        state: state_to_proto(k.state(now)).into(),
        key_prefix: k.id.prefix(),
        subject: k.id.subject(),
        create_time: Some(timestamp_to_proto(k.created_at)),
        rotate_time: Some(timestamp_to_proto(k.rotated_at)),
        previous_secret_expire_time: k
            .previous
            .map(|(_, until)| until)
            .filter(|until| *until > now)
            .map(timestamp_to_proto),
        revoke_time: k.revoked_at.map(timestamp_to_proto),
        last_use_time: k.last_used_at.map(timestamp_to_proto),
        etag: recourse_platform::etag::format(k.version),
    }
}

/// An optional etag: empty = not checked.
pub fn etag(field: &str, value: &str) -> Result<Option<i64>, ApiError> {
    if value.is_empty() {
        return Ok(None);
    }
    recourse_platform::etag::parse(field, value).map(Some)
}
