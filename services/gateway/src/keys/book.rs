//! The API-key use cases an admin calls: create, read, list, rotate,
//! revoke. Each is one transaction; changes are conditional on the version
//! read, so two concurrent rotations cannot both win.

use std::sync::Arc;

use chrono::{Duration, Utc};
use recourse_gateway_migration::IDEMPOTENCY;
use recourse_platform::ApiError;
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::pagination::PageRequest;
use recourse_proto::gateway as pb;
use sea_orm::{DatabaseConnection, TransactionTrait};

use super::KeyDirectory;
use crate::convert;
use crate::domain::{ApiKey, KeyError, KeyId, KeySecret, NewApiKey};
use crate::repo;

/// A created key and, the first time only, its full secret.
#[derive(Debug)]
pub struct Created {
    pub key: pb::ApiKey,
    pub full_key: Option<String>,
}

#[derive(Debug)]
pub struct Rotated {
    pub key: ApiKey,
    pub full_key: String,
}

#[derive(Debug, Clone)]
pub struct KeyBook {
    db: DatabaseConnection,
    directory: Arc<KeyDirectory>,
    max_grace: Duration,
}

fn secret() -> Result<KeySecret, ApiError> {
    KeySecret::generate().map_err(ApiError::internal)
}

impl KeyBook {
    pub fn new(
        db: DatabaseConnection,
        directory: Arc<KeyDirectory>,
        max_grace_seconds: u64,
    ) -> Self {
        let max_grace =
            Duration::seconds(i64::try_from(max_grace_seconds).unwrap_or(i64::MAX / 1_000));
        Self {
            db,
            directory,
            max_grace,
        }
    }

    /// Creates a key once per idempotency key. The secret is generated
    /// before the transaction and only its hash is stored — also in the
    /// idempotency record, whose stored response has no secret, so a
    /// replay returns the key without it.
    pub async fn create(
        &self,
        request: IdempotencyKey,
        new: NewApiKey,
    ) -> Result<Created, ApiError> {
        let id = KeyId::generate();
        let secret = secret()?;
        let hash = secret.hash();
        let key = IDEMPOTENCY
            .run(&self.db, request, async move |txn| {
                let key = new.into_key(id, hash, Utc::now());
                repo::insert(txn, &key).await?;
                tracing::info!(key = %key.id, role = %key.role, "API key created");
                Ok(convert::to_proto(&key, Utc::now()))
            })
            .await?;
        let first = key.name == id.resource_name();
        Ok(Created {
            key,
            full_key: first.then(|| secret.full_key(&id)),
        })
    }

    pub async fn get(&self, id: &KeyId) -> Result<ApiKey, ApiError> {
        let key = repo::find(&self.db, id)
            .await?
            .ok_or_else(|| KeyError::NotFound(id.resource_name()))?;
        Ok(self.directory.with_pending_use(key))
    }

    pub async fn list(
        &self,
        show_revoked: bool,
        page: &PageRequest,
    ) -> Result<(Vec<ApiKey>, String), ApiError> {
        let rows = repo::list(
            &self.db,
            show_revoked,
            page.after.as_deref(),
            page.fetch_limit(),
        )
        .await?;
        let rows = rows
            .into_iter()
            .map(|key| self.directory.with_pending_use(key))
            .collect();
        Ok(page.finish(rows, |k| k.id.as_stored()))
    }

    pub async fn rotate(
        &self,
        id: &KeyId,
        grace: Duration,
        etag: Option<i64>,
    ) -> Result<Rotated, ApiError> {
        let secret = secret()?;
        let hash = secret.hash();
        let max_grace = self.max_grace;
        let key = self
            .modify(id, etag, |key| {
                key.rotate(hash, grace, max_grace, Utc::now())
            })
            .await?;
        tracing::info!(key = %id, grace_seconds = grace.num_seconds(), "API key rotated");
        Ok(Rotated {
            full_key: secret.full_key(id),
            key,
        })
    }

    pub async fn revoke(&self, id: &KeyId, etag: Option<i64>) -> Result<ApiKey, ApiError> {
        let key = self.modify(id, etag, |key| key.revoke(Utc::now())).await?;
        tracing::info!(key = %id, "API key revoked");
        Ok(key)
    }

    /// Reads the key, checks the caller's etag, applies `change` and writes
    /// it only if nobody wrote in between; then drops this replica's cached
    /// copy so the change applies to the very next call.
    async fn modify(
        &self,
        id: &KeyId,
        etag: Option<i64>,
        change: impl FnOnce(ApiKey) -> Result<ApiKey, KeyError>,
    ) -> Result<ApiKey, ApiError> {
        let txn = self.db.begin().await?;
        let current = repo::find(&txn, id)
            .await?
            .ok_or_else(|| KeyError::NotFound(id.resource_name()))?;
        current.check_version(etag)?;
        let read = current.version;
        let updated = change(current)?;
        if !repo::replace(&txn, &updated, read).await? {
            return Err(KeyError::StaleEtag {
                id: id.resource_name(),
                given: read,
                current: read + 1,
            }
            .into());
        }
        txn.commit().await?;
        self.directory.forget(id);
        Ok(self.directory.with_pending_use(updated))
    }
}
