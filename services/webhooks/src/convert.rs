//! Protobuf ⇄ the service's values. Every field violation is collected
//! with its path and answered as INVALID_ARGUMENT.

use prost_types::FieldMask;
use recourse_platform::auth::{Principal, Role};
use recourse_platform::field_mask::UpdateMask;
use recourse_platform::names::{carrier_id, resource_id};
use recourse_platform::proto_types::timestamp_to_proto;
use recourse_platform::{ApiError, Violations, etag, visibility};
use recourse_proto::webhooks as pb;
use recourse_webhooks_domain::endpoint::{EventTypes, Owner, check_secret, check_url};

use crate::endpoints::new_secret;
use crate::model::{Delivery, DeliveryState, Endpoint, EndpointPatch, EndpointState, NewEndpoint};
use crate::repo::endpoints::Scope;

const MAX_DESCRIPTION: usize = 500;
const MAX_ACCOUNT: usize = 64;

/// The endpoints a caller may touch.
pub fn scope(caller: &Principal) -> Scope {
    match (caller.carrier_scope(), caller.party_scope()) {
        (Some(c), _) => Scope::Carrier(c.to_owned()),
        (None, Some(a)) => Scope::Account(a.to_owned()),
        (None, None) => Scope::Any,
    }
}

pub fn endpoint_id(v: &mut Violations, field: &str, name: &str) -> Option<String> {
    resource_id(v, field, "webhookEndpoints", name)
}

/// `webhookEndpoints/{e}/deliveries/{d}` → (e, d).
pub fn delivery_name(v: &mut Violations, field: &str, name: &str) -> Option<(String, String)> {
    let parsed = name
        .strip_prefix("webhookEndpoints/")
        .and_then(|rest| rest.split_once("/deliveries/"))
        .and_then(|(e, d)| {
            let e = uuid::Uuid::parse_str(e).ok()?.hyphenated().to_string();
            let d = uuid::Uuid::parse_str(d).ok()?.hyphenated().to_string();
            Some((e, d))
        });
    if parsed.is_none() {
        v.add(
            field,
            "must be `webhookEndpoints/{id}/deliveries/{id}` with UUID ids",
        );
    }
    parsed
}

fn description(v: &mut Violations, field: &str, value: &str) -> String {
    let value = value.trim();
    v.check(
        value.chars().count() <= MAX_DESCRIPTION
            && !value
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
        field,
        format!("must be at most {MAX_DESCRIPTION} printable characters"),
    );
    value.to_owned()
}

fn url(v: &mut Violations, field: &str, value: &str) -> String {
    if let Err(why) = check_url(value.trim()) {
        v.add(field, why);
    }
    value.trim().to_owned()
}

fn event_types(
    v: &mut Violations,
    field: &str,
    types: &[String],
    owner: &Owner,
) -> Option<EventTypes> {
    EventTypes::parse(types, owner)
        .map_err(|(i, why)| match i {
            Some(i) => v.add(format!("{field}[{i}]"), why),
            None => v.add(field, why),
        })
        .ok()
}

/// Who a new endpoint belongs to: a partner's own scope (naming another
/// carrier is that carrier's NOT_FOUND); in-house callers choose one.
fn owner(
    v: &mut Violations,
    caller: &Principal,
    e: &pb::WebhookEndpoint,
) -> Result<Option<Owner>, ApiError> {
    let carrier = match e.carrier.as_str() {
        "" => None,
        name => match carrier_id(v, "webhook_endpoint.carrier", name) {
            Some(id) => Some(id),
            None => return Ok(None),
        },
    };
    let account = e.account.trim();
    v.check(
        account.len() <= MAX_ACCOUNT && !account.chars().any(char::is_control),
        "webhook_endpoint.account",
        "must be at most 64 printable characters",
    );
    match caller.role {
        Role::Carrier => {
            let own = visibility::carrier_filter(caller, carrier)?;
            v.check(
                account.is_empty(),
                "webhook_endpoint.account",
                "must be empty: a carrier's endpoint is scoped to its carrier",
            );
            Ok(own.map(Owner::Carrier))
        }
        Role::ThirdParty => {
            v.check(
                carrier.is_none(),
                "webhook_endpoint.carrier",
                "must be empty: a 3PL's endpoint is scoped to its account",
            );
            let own = caller.party_scope().unwrap_or_default();
            if !account.is_empty() && account != own {
                return Err(visibility::not_found("account", account));
            }
            Ok(Some(Owner::Account(own.to_owned())))
        }
        Role::Admin | Role::Internal | Role::Finance | Role::Auditor => {
            match (carrier, account.is_empty()) {
                (Some(_), false) => {
                    v.add(
                        "webhook_endpoint.account",
                        "set carrier or account, not both",
                    );
                    Ok(None)
                }
                (None, false) => Ok(Some(Owner::Account(account.to_owned()))),
                (carrier, true) => Ok(Some(Owner::InHouse { carrier })),
            }
        }
    }
}

pub fn new_endpoint(
    caller: &Principal,
    e: Option<&pb::WebhookEndpoint>,
) -> Result<NewEndpoint, ApiError> {
    let Some(e) = e else {
        return Err(ApiError::invalid("webhook_endpoint", "is required"));
    };
    let mut v = Violations::new();
    let owner = owner(&mut v, caller, e)?;
    let url = url(&mut v, "webhook_endpoint.url", &e.url);
    let description = description(&mut v, "webhook_endpoint.description", &e.description);
    let types = owner
        .as_ref()
        .and_then(|o| event_types(&mut v, "webhook_endpoint.event_types", &e.event_types, o));
    let secret = if e.secret.is_empty() {
        None
    } else {
        if let Err(why) = check_secret(&e.secret) {
            v.add("webhook_endpoint.secret", why);
        }
        Some(e.secret.clone())
    };
    v.into_result()?;
    let (Some(owner), Some(event_types)) = (owner, types) else {
        return Err(ApiError::invalid("webhook_endpoint", "is invalid"));
    };
    let secret = match secret {
        Some(s) => s,
        None => new_secret().map_err(ApiError::from)?,
    };
    Ok(NewEndpoint {
        url,
        description,
        event_types,
        owner,
        secret,
    })
}

/// An update: (id, etag, patch). Event types are checked against the
/// endpoint's owner by the use case.
pub fn patch(
    e: Option<&pb::WebhookEndpoint>,
    mask: Option<&FieldMask>,
) -> Result<(String, i64, EndpointPatch), ApiError> {
    let Some(e) = e else {
        return Err(ApiError::invalid("webhook_endpoint", "is required"));
    };
    let mut v = Violations::new();
    let id = endpoint_id(&mut v, "webhook_endpoint.name", &e.name);
    let given = etag::collect(&mut v, "webhook_endpoint.etag", &e.etag);
    let mask = UpdateMask::parse(
        &mut v,
        mask,
        &["url", "event_types", "description", "state"],
    );
    let mut out = EndpointPatch::default();
    if mask.names("url") {
        out.url = Some(url(&mut v, "webhook_endpoint.url", &e.url));
    }
    if mask.names("description") {
        out.description = Some(description(
            &mut v,
            "webhook_endpoint.description",
            &e.description,
        ));
    }
    if mask.names("event_types") {
        out.event_types = Some(e.event_types.clone());
    }
    if mask.names("state") {
        out.state = state_from_proto(e.state);
        v.check(
            out.state.is_some(),
            "webhook_endpoint.state",
            "must be ENABLED or DISABLED",
        );
    }
    v.into_result()?;
    let (Some(id), Some(given)) = (id, given) else {
        return Err(ApiError::invalid("webhook_endpoint", "is invalid"));
    };
    Ok((id, given, out))
}

fn state_from_proto(value: i32) -> Option<EndpointState> {
    match pb::EndpointState::try_from(value).ok()? {
        pb::EndpointState::Enabled => Some(EndpointState::Enabled),
        pb::EndpointState::Disabled => Some(EndpointState::Disabled),
        pb::EndpointState::Unspecified => None,
    }
}

pub fn delivery_state_from_proto(value: i32) -> Result<Option<DeliveryState>, ApiError> {
    match pb::DeliveryState::try_from(value) {
        Ok(pb::DeliveryState::Unspecified) => Ok(None),
        Ok(pb::DeliveryState::Pending) => Ok(Some(DeliveryState::Pending)),
        Ok(pb::DeliveryState::Delivered) => Ok(Some(DeliveryState::Delivered)),
        Ok(pb::DeliveryState::Failed) => Ok(Some(DeliveryState::Failed)),
        Err(_) => Err(ApiError::invalid("state", "is not a delivery state")),
    }
}

/// The endpoint as answered; `secret` only where the answer shows it.
pub fn to_proto(e: &Endpoint, show_secret: bool) -> pb::WebhookEndpoint {
    let (_, carrier, account) = Endpoint::scope_columns(&e.owner);
    pb::WebhookEndpoint {
        name: e.name(),
        url: e.url.clone(),
        event_types: e.event_types.as_slice().to_vec(),
        description: e.description.clone(),
        carrier: if carrier.is_empty() {
            String::new()
        } else {
            format!("carriers/{carrier}")
        },
        account,
        state: match e.state {
            EndpointState::Enabled => pb::EndpointState::Enabled,
            EndpointState::Disabled => pb::EndpointState::Disabled,
        }
        .into(),
        disabled_reason: e.disabled_reason.clone(),
        secret: if show_secret {
            e.secret.clone()
        } else {
            String::new()
        },
        failure_count: e.failures,
        failing_since: e.failing_since.map(timestamp_to_proto),
        escalation: e.escalation.clone(),
        create_time: Some(timestamp_to_proto(e.created_at)),
        update_time: Some(timestamp_to_proto(e.updated_at)),
        etag: etag::format(e.revision),
    }
}

pub fn delivery_to_proto(d: &Delivery) -> pb::Delivery {
    pb::Delivery {
        name: d.name(),
        event_id: d.event_id.clone(),
        event_type: d.event_type.clone(),
        subject: d.subject.clone(),
        state: match d.state {
            DeliveryState::Pending => pb::DeliveryState::Pending,
            DeliveryState::Delivered => pb::DeliveryState::Delivered,
            DeliveryState::Failed => pb::DeliveryState::Failed,
        }
        .into(),
        attempt_count: d.attempts,
        next_attempt_time: match d.state {
            DeliveryState::Pending => d.next_attempt_at.map(timestamp_to_proto),
            DeliveryState::Delivered | DeliveryState::Failed => None,
        },
        attempts: d
            .log
            .iter()
            .map(|a| pb::DeliveryAttempt {
                number: a.number,
                time: Some(timestamp_to_proto(a.at)),
                status_code: a.status_code,
                latency_ms: a.latency_ms,
                error: a.error.clone(),
                manual: a.manual,
            })
            .collect(),
        create_time: Some(timestamp_to_proto(d.created_at)),
    }
}
