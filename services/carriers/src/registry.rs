//! The carrier registry's use cases: each one a transaction over the store,
//! with the domain deciding what is allowed. They take and return domain
//! values; protobuf stays in `api` and `convert`.

use chrono::Utc;
use recourse_platform::ApiError;
use recourse_platform::idempotency::{IdempotencyKey, is_unique_violation};
use recourse_platform::outbox::Relay;
use recourse_platform::pagination::PageRequest;
use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::domain::{
    Carrier, CarrierError, CarrierId, CarrierPatch, CarrierStatus, Etag, NewCarrier,
};
use crate::events;
use crate::repo::{self, ListFilter};
use recourse_carriers_migration::{IDEMPOTENCY, OUTBOX};

impl From<CarrierError> for ApiError {
    fn from(err: CarrierError) -> Self {
        let message = err.to_string();
        match err {
            CarrierError::NotFound(id) => ApiError::NotFound {
                resource: "carrier",
                name: format!("carriers/{id}"),
            },
            CarrierError::CodeTaken(code) => ApiError::AlreadyExists {
                resource: "carrier",
                name: code,
                message,
            },
            CarrierError::StaleEtag { .. } => ApiError::Aborted { message },
            CarrierError::IllegalTransition(t) => ApiError::FailedPrecondition {
                kind: "CARRIER_STATUS_TRANSITION",
                subject: format!("{} -> {}", t.from, t.to),
                message,
            },
        }
    }
}

#[derive(Debug, Clone)]
pub struct Registry {
    db: DatabaseConnection,
    relay: Relay,
}

impl Registry {
    /// `relay` numbers the outbox's events; it is poked after each commit.
    pub fn new(db: DatabaseConnection, relay: Relay) -> Self {
        Self { db, relay }
    }

    /// Registers a carrier once per idempotency key. The answer is rendered
    /// by `render` in the transaction and stored with the key, so a retry
    /// replays exactly the first one.
    pub async fn create<R: prost::Message + Default>(
        &self,
        key: IdempotencyKey,
        new: NewCarrier,
        render: impl FnOnce(&Carrier) -> R,
    ) -> Result<R, ApiError> {
        let created = IDEMPOTENCY
            .run(&self.db, key, async move |txn| {
                let code = new.code.as_str().to_owned();
                let carrier = new.into_carrier(CarrierId::generate(), Utc::now());
                repo::insert(txn, &carrier).await.map_err(|err| {
                    if is_unique_violation(&err) {
                        ApiError::from(CarrierError::CodeTaken(code))
                    } else {
                        ApiError::from(err)
                    }
                })?;
                OUTBOX
                    .append(txn, events::carrier("carrier.created", &carrier))
                    .await?;
                tracing::info!(carrier = %carrier.id, code = %carrier.code.as_str(), "carrier registered");
                Ok(render(&carrier))
            })
            .await?;
        self.relay.poke();
        Ok(created)
    }

    pub async fn get(&self, id: &CarrierId) -> Result<Carrier, ApiError> {
        repo::find(&self.db, id)
            .await?
            .ok_or_else(|| CarrierError::NotFound(id.to_string()).into())
    }

    pub async fn list(
        &self,
        filter: &ListFilter,
        page: &PageRequest,
    ) -> Result<(Vec<Carrier>, String), ApiError> {
        let rows = repo::list(&self.db, filter, page.after.as_deref(), page.fetch_limit()).await?;
        Ok(page.finish(rows, |c| c.id.as_str().to_owned()))
    }

    pub async fn update(
        &self,
        id: &CarrierId,
        etag: Etag,
        patch: CarrierPatch,
    ) -> Result<Carrier, ApiError> {
        let children = patch.touches_children();
        self.modify(id, etag, children, "carrier.updated", |current| {
            Ok(current.apply(patch, Utc::now()))
        })
        .await
    }

    pub async fn change_status(
        &self,
        id: &CarrierId,
        etag: Etag,
        to: CarrierStatus,
        reason: String,
    ) -> Result<Carrier, ApiError> {
        self.modify(id, etag, false, "carrier.status_changed", |current| {
            let from = current.status;
            let changed = current.change_status(to, reason, Utc::now())?;
            tracing::info!(carrier = %id, %from, %to, "carrier status changed");
            Ok(changed)
        })
        .await
    }

    /// Reads the carrier, checks the caller's etag, applies `change` and
    /// writes it back only if nobody else wrote in between, with its
    /// `event_type` event in the same transaction.
    async fn modify(
        &self,
        id: &CarrierId,
        etag: Etag,
        children: bool,
        event_type: &str,
        change: impl FnOnce(Carrier) -> Result<Carrier, CarrierError>,
    ) -> Result<Carrier, ApiError> {
        let txn = self.db.begin().await?;
        let current = repo::find(&txn, id)
            .await?
            .ok_or_else(|| CarrierError::NotFound(id.to_string()))?;
        let stale = |current: Etag| CarrierError::StaleEtag {
            id: id.to_string(),
            given: etag,
            current,
        };
        if current.etag != etag {
            return Err(stale(current.etag).into());
        }
        let updated = change(current)?;
        if !repo::replace(&txn, &updated, etag, children).await? {
            return Err(stale(etag.next()).into());
        }
        OUTBOX
            .append(&txn, events::carrier(event_type, &updated))
            .await?;
        txn.commit().await?;
        self.relay.poke();
        Ok(updated)
    }
}
