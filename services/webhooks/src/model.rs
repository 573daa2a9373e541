//! The service's values: an endpoint and a delivery as the use cases see
//! them (protobuf stays in `api` and `convert`).

use chrono::{DateTime, Utc};
use recourse_webhooks_domain::endpoint::{EventTypes, Owner};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointState {
    Enabled,
    Disabled,
}

impl EndpointState {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointState::Enabled => "enabled",
            EndpointState::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "enabled" => Some(EndpointState::Enabled),
            "disabled" => Some(EndpointState::Disabled),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    pub description: String,
    pub event_types: EventTypes,
    pub owner: Owner,
    pub state: EndpointState,
    pub disabled_reason: String,
    pub secret: String,
    pub old_secret: String,
    pub old_secret_until: DateTime<Utc>,
    pub failures: u32,
    pub failing_since: Option<DateTime<Utc>>,
    pub escalation: String,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Endpoint {
    pub fn name(&self) -> String {
        format!("webhookEndpoints/{}", self.id)
    }

    /// The secrets deliveries are signed with at `now`: the current one
    /// and, for a day after a rotation, the previous one.
    pub fn live_secrets(&self, now: DateTime<Utc>) -> Vec<&str> {
        let mut out = vec![self.secret.as_str()];
        if !self.old_secret.is_empty() && now < self.old_secret_until {
            out.push(self.old_secret.as_str());
        }
        out
    }

    /// The (carrier, account) columns of its owner.
    pub fn scope_columns(owner: &Owner) -> (&'static str, String, String) {
        match owner {
            Owner::Carrier(c) => ("carrier", c.clone(), String::new()),
            Owner::Account(a) => ("account", String::new(), a.clone()),
            Owner::InHouse { carrier } => (
                "in_house",
                carrier.clone().unwrap_or_default(),
                String::new(),
            ),
        }
    }

    pub fn owner_from(kind: &str, carrier: String, account: String) -> Option<Owner> {
        match kind {
            "carrier" => Some(Owner::Carrier(carrier)),
            "account" => Some(Owner::Account(account)),
            "in_house" => Some(Owner::InHouse {
                carrier: (!carrier.is_empty()).then_some(carrier),
            }),
            _ => None,
        }
    }
}

/// What a new endpoint is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEndpoint {
    pub url: String,
    pub description: String,
    pub event_types: EventTypes,
    pub owner: Owner,
    pub secret: String,
}

/// The fields an update replaces (`None`: kept).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub state: Option<EndpointState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Delivered,
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(DeliveryState::Pending),
            "delivered" => Some(DeliveryState::Delivered),
            "failed" => Some(DeliveryState::Failed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub number: u32,
    pub at: DateTime<Utc>,
    pub status_code: u32,
    pub latency_ms: u32,
    pub error: String,
    pub manual: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub event_type: String,
    pub subject: String,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last attempts, newest first.
    pub log: Vec<Attempt>,
    pub created_at: DateTime<Utc>,
}

impl Delivery {
    pub fn name(&self) -> String {
        format!(
            "webhookEndpoints/{}/deliveries/{}",
            self.endpoint_id, self.id
        )
    }
}
