//! The use cases: endpoints (create once per idempotency key, read, list,
//! update and rotate under the etag, delete), the delivery log and manual
//! redelivery. Each is one transaction (or one statement); every lookup is
//! restricted to the caller's scope, so another partner's endpoint is the
//! same NOT_FOUND as one that does not exist.

use std::sync::Arc;

use chrono::Duration;
use recourse_platform::ApiError;
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::pagination::PageRequest;
use recourse_webhooks_domain::endpoint::{EventTypes, generated_secret};
use recourse_webhooks_migration::IDEMPOTENCY;
use sea_orm::{DatabaseConnection, TransactionTrait};
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::error::WebhooksError;
use crate::model::{Delivery, DeliveryState, Endpoint, EndpointPatch, EndpointState, NewEndpoint};
use crate::repo::deliveries;
use crate::repo::endpoints::{self as repo, Scope};

/// How long the previous secret still signs after a rotation.
pub const OLD_SECRET_GRACE: Duration = Duration::hours(24);

type Result<T> = std::result::Result<T, WebhooksError>;

#[derive(Debug, Clone)]
pub struct Desk {
    db: DatabaseConnection,
    clock: Clock,
    wake: Arc<Notify>,
}

/// A new random secret (`whsec_` + 64 hex digits).
pub fn new_secret() -> Result<String> {
    let mut random = [0u8; 32];
    getrandom::fill(&mut random)
        .map_err(|e| ApiError::internal(format!("no randomness for a secret: {e}")))?;
    Ok(generated_secret(random))
}

fn not_found(id: &str) -> WebhooksError {
    WebhooksError::EndpointNotFound(format!("webhookEndpoints/{id}"))
}

impl Desk {
    pub fn new(db: DatabaseConnection, clock: Clock, wake: Arc<Notify>) -> Self {
        Self { db, clock, wake }
    }

    /// Registers an endpoint once per idempotency key; the answer (with
    /// the secret) is rendered in the transaction and replayed on retries.
    pub async fn create<R: prost::Message + Default>(
        &self,
        key: IdempotencyKey,
        new: NewEndpoint,
        render: impl FnOnce(&Endpoint) -> R,
    ) -> Result<R> {
        let now = self.clock.now();
        IDEMPOTENCY
            .run_as(&self.db, key, async move |txn| {
                let endpoint = Endpoint {
                    id: uuid::Uuid::now_v7().hyphenated().to_string(),
                    url: new.url,
                    description: new.description,
                    event_types: new.event_types,
                    owner: new.owner,
                    state: EndpointState::Enabled,
                    disabled_reason: String::new(),
                    secret: new.secret,
                    old_secret: String::new(),
                    old_secret_until: now,
                    failures: 0,
                    failing_since: None,
                    escalation: String::new(),
                    revision: 1,
                    created_at: now,
                    updated_at: now,
                };
                repo::insert(txn, &endpoint).await?;
                tracing::info!(endpoint = %endpoint.name(), "webhook endpoint registered");
                Ok(render(&endpoint))
            })
            .await
    }

    pub async fn get(&self, id: &str, scope: &Scope) -> Result<Endpoint> {
        repo::find(&self.db, id, scope)
            .await?
            .ok_or_else(|| not_found(id))
    }

    pub async fn list(
        &self,
        scope: &Scope,
        carrier: Option<&str>,
        page: &PageRequest,
    ) -> Result<(Vec<Endpoint>, String)> {
        let rows = repo::list(
            &self.db,
            scope,
            carrier,
            page.after.as_deref(),
            page.fetch_limit(),
        )
        .await?;
        Ok(page.finish(rows, |e| e.id.clone()))
    }

    /// Reads the endpoint, checks the etag, lets `change` edit it and
    /// writes it back under its revision.
    async fn modify(
        &self,
        id: &str,
        scope: &Scope,
        etag: i64,
        change: impl FnOnce(&mut Endpoint) -> Result<()>,
    ) -> Result<Endpoint> {
        let txn = self.db.begin().await?;
        let mut endpoint = repo::find(&txn, id, scope)
            .await?
            .ok_or_else(|| not_found(id))?;
        let stale = |current| WebhooksError::StaleEtag {
            name: format!("webhookEndpoints/{id}"),
            given: etag,
            current,
        };
        if endpoint.revision != etag {
            return Err(stale(endpoint.revision));
        }
        let was = endpoint.state;
        change(&mut endpoint)?;
        endpoint.revision = etag + 1;
        endpoint.updated_at = self.clock.now();
        if !repo::replace(&txn, &endpoint, etag).await? {
            return Err(stale(etag + 1));
        }
        if was == EndpointState::Disabled && endpoint.state == EndpointState::Enabled {
            repo::clear_streak(&txn, id).await?;
            endpoint.failures = 0;
            endpoint.failing_since = None;
            endpoint.escalation.clear();
        }
        txn.commit().await?;
        self.wake.notify_one();
        Ok(endpoint)
    }

    pub async fn update(
        &self,
        id: &str,
        scope: &Scope,
        etag: i64,
        patch: EndpointPatch,
        caller: &str,
    ) -> Result<Endpoint> {
        self.modify(id, scope, etag, |e| {
            if let Some(types) = &patch.event_types {
                e.event_types = EventTypes::parse(types, &e.owner).map_err(|(i, why)| {
                    let field = match i {
                        Some(i) => format!("webhook_endpoint.event_types[{i}]"),
                        None => "webhook_endpoint.event_types".to_owned(),
                    };
                    ApiError::invalid(field, why)
                })?;
            }
            if let Some(url) = patch.url {
                e.url = url;
            }
            if let Some(description) = patch.description {
                e.description = description;
            }
            match patch.state {
                Some(EndpointState::Enabled) => {
                    e.state = EndpointState::Enabled;
                    e.disabled_reason.clear();
                }
                Some(EndpointState::Disabled) if e.state == EndpointState::Enabled => {
                    e.state = EndpointState::Disabled;
                    e.disabled_reason = format!("disabled by {caller}");
                }
                Some(EndpointState::Disabled) | None => {}
            }
            Ok(())
        })
        .await
    }

    /// A new secret; the previous one signs for [`OLD_SECRET_GRACE`] more.
    pub async fn rotate(&self, id: &str, scope: &Scope, etag: i64) -> Result<Endpoint> {
        let secret = new_secret()?;
        let until = self.clock.now() + OLD_SECRET_GRACE;
        self.modify(id, scope, etag, |e| {
            e.old_secret = std::mem::replace(&mut e.secret, secret);
            e.old_secret_until = until;
            Ok(())
        })
        .await
    }

    pub async fn delete(&self, id: &str, scope: &Scope) -> Result<()> {
        let txn = self.db.begin().await?;
        if repo::find(&txn, id, scope).await?.is_none() || !repo::delete(&txn, id).await? {
            return Err(not_found(id));
        }
        txn.commit().await?;
        tracing::info!(endpoint = %format!("webhookEndpoints/{id}"), "webhook endpoint deleted");
        Ok(())
    }

    /// One page of the endpoint's delivery log, newest first.
    pub async fn deliveries(
        &self,
        endpoint_id: &str,
        scope: &Scope,
        state: Option<DeliveryState>,
        page: &PageRequest,
    ) -> Result<(Vec<Delivery>, String)> {
        self.get(endpoint_id, scope).await?;
        let rows = deliveries::list(
            &self.db,
            endpoint_id,
            state,
            page.after.as_deref(),
            page.fetch_limit(),
        )
        .await?;
        Ok(page.finish(rows, |d| d.id.clone()))
    }

    /// Makes a delivery due now (a manual attempt, its schedule restarted).
    pub async fn redeliver(&self, endpoint_id: &str, id: &str, scope: &Scope) -> Result<Delivery> {
        let endpoint = self.get(endpoint_id, scope).await?;
        let name = format!("webhookEndpoints/{endpoint_id}/deliveries/{id}");
        if endpoint.state == EndpointState::Disabled {
            return Err(WebhooksError::EndpointDisabled(endpoint.name()));
        }
        let txn = self.db.begin().await?;
        if !deliveries::redeliver(&txn, endpoint_id, id, self.clock.now()).await? {
            return Err(WebhooksError::DeliveryNotFound(name));
        }
        let delivery = deliveries::find(&txn, endpoint_id, id)
            .await?
            .ok_or(WebhooksError::DeliveryNotFound(name))?;
        txn.commit().await?;
        self.wake.notify_one();
        Ok(delivery)
    }
}
