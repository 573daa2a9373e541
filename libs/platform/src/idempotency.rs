//! Idempotent creates and state changes. A client sends a `request_id`; the
//! first call's response is stored with a hash of its request in the same
//! transaction as its effect. A retry with the same id and body gets the
//! stored response; the same id with another body is ALREADY_EXISTS.
//!
//! The key row is inserted *before* the work, so a concurrent duplicate
//! blocks on it (PostgreSQL) or queues behind it (SQLite) and then replays
//! the winner's response instead of racing it.

use prost::Message;
use sea_orm::sea_query::{
    Alias, ColumnDef, Expr, ExprTrait as _, Index, Query, Table, TableCreateStatement,
};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, SqlErr, TransactionTrait,
};
use sha2::{Digest, Sha256};

use crate::auth::Principal;
use crate::error::ApiError;

/// The idempotency table of one service (each service owns its own).
#[derive(Debug, Clone, Copy)]
pub struct IdempotencyTable(pub &'static str);

/// Identifies one logical request: who sent it, to which method, under which
/// id, and a hash of its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    scope: String,
    request_id: String,
    request_hash: String,
}

impl IdempotencyKey {
    /// Validates `request_id` (1–128 printable characters) and hashes the
    /// request. Keys are scoped to the method and the caller's whole
    /// principal — subject, role and carrier/3PL scope — so two principals
    /// that happen to pick the same id (even under one subject name, e.g. an
    /// integration acting for two carriers) never see each other's results.
    pub fn new(
        method: &str,
        principal: &Principal,
        request_id: &str,
        request: &impl Message,
    ) -> Result<Self, ApiError> {
        let id = request_id.trim();
        if id.is_empty() {
            return Err(ApiError::invalid(
                "request_id",
                "is required for idempotent retries",
            ));
        }
        if id.len() > 128 || id.chars().any(char::is_control) {
            return Err(ApiError::invalid(
                "request_id",
                "must be at most 128 printable characters",
            ));
        }
        Ok(Self {
            scope: principal_scope(method, principal),
            request_id: id.to_owned(),
            request_hash: hex::encode(Sha256::digest(request.encode_to_vec())),
        })
    }
}

/// `{method}:{role}:{digest}` where the digest covers the role, the
/// carrier/3PL scope and the subject. Hashed because subject (≤ 128) and
/// scope (≤ 64) together would not fit the 200-character key column, and a
/// digest of unambiguous, length-prefixed parts cannot collide by
/// concatenation (`a:b` + `c` vs `a` + `b:c`).
fn principal_scope(method: &str, principal: &Principal) -> String {
    let mut hasher = Sha256::new();
    for part in [
        principal.role.as_str(),
        principal.carrier_id.as_deref().unwrap_or(""),
        principal.party_id.as_deref().unwrap_or(""),
        principal.subject.as_str(),
    ] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hex::encode(hasher.finalize());
    format!("{method}:{}:{}", principal.role, &digest[..40])
}

enum Lookup {
    Absent,
    /// Recorded but its transaction has not committed a response yet.
    Pending,
    Replay(Vec<u8>),
    Conflict,
}

impl IdempotencyTable {
    fn table(&self) -> Alias {
        Alias::new(self.0)
    }

    /// The migration that creates this table.
    pub fn create_statement(&self) -> TableCreateStatement {
        Table::create()
            .table(self.table())
            .if_not_exists()
            .col(
                ColumnDef::new(Alias::new("scope"))
                    .string_len(200)
                    .not_null(),
            )
            .col(
                ColumnDef::new(Alias::new("request_id"))
                    .string_len(128)
                    .not_null(),
            )
            .col(
                ColumnDef::new(Alias::new("request_hash"))
                    .string_len(64)
                    .not_null(),
            )
            .col(ColumnDef::new(Alias::new("response")).blob().null())
            .col(
                ColumnDef::new(Alias::new("created_at"))
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .primary_key(
                Index::create()
                    .col(Alias::new("scope"))
                    .col(Alias::new("request_id")),
            )
            .to_owned()
    }

    /// An index on `created_at` for the purge, for a service's migration
    /// (without it each purge batch scans the table).
    pub fn created_at_index(&self) -> sea_orm::sea_query::IndexCreateStatement {
        Index::create()
            .if_not_exists()
            .name(format!("idx_{}_created_at", self.0))
            .table(self.table())
            .col(Alias::new("created_at"))
            .to_owned()
    }

    /// Deletes the records made before `cutoff`, a bounded batch per
    /// statement so no purge holds many row locks at once. Returns how many
    /// were deleted.
    pub async fn purge_before(
        &self,
        db: &DatabaseConnection,
        cutoff: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, DbErr> {
        const BATCH: u64 = 10_000;
        let mut deleted = 0;
        loop {
            let expired = Query::select()
                .columns([Alias::new("scope"), Alias::new("request_id")])
                .from(self.table())
                .and_where(Expr::col(Alias::new("created_at")).lt(cutoff))
                .limit(BATCH)
                .to_owned();
            let delete = Query::delete()
                .from_table(self.table())
                .and_where(
                    Expr::tuple([
                        Expr::col(Alias::new("scope")),
                        Expr::col(Alias::new("request_id")),
                    ])
                    .in_subquery(expired),
                )
                .to_owned();
            let n = db.execute(&delete).await?.rows_affected();
            deleted += n;
            if n < BATCH {
                return Ok(deleted);
            }
        }
    }

    async fn lookup<C: ConnectionTrait>(
        &self,
        conn: &C,
        key: &IdempotencyKey,
    ) -> Result<Lookup, DbErr> {
        let select = Query::select()
            .columns([Alias::new("request_hash"), Alias::new("response")])
            .from(self.table())
            .and_where(Expr::col(Alias::new("scope")).eq(key.scope.as_str()))
            .and_where(Expr::col(Alias::new("request_id")).eq(key.request_id.as_str()))
            .to_owned();
        let Some(row) = conn.query_one(&select).await? else {
            return Ok(Lookup::Absent);
        };
        let hash: String = row.try_get("", "request_hash")?;
        let response: Option<Vec<u8>> = row.try_get("", "response")?;
        Ok(match (hash == key.request_hash, response) {
            (false, _) => Lookup::Conflict,
            (true, Some(bytes)) => Lookup::Replay(bytes),
            (true, None) => Lookup::Pending,
        })
    }

    /// Runs `work` once per key, in one transaction with the key's record,
    /// and returns its response — or the first response for a retry.
    pub async fn run<R, F>(
        &self,
        db: &DatabaseConnection,
        key: IdempotencyKey,
        work: F,
    ) -> Result<R, ApiError>
    where
        R: Message + Default,
        F: AsyncFnOnce(&DatabaseTransaction) -> Result<R, ApiError>,
    {
        self.run_as(db, key, work).await
    }

    /// [`Self::run`] for a service whose use cases fail with their own
    /// error enum `E` (which must be able to carry the platform's
    /// [`ApiError`] and database errors).
    pub async fn run_as<R, E, F>(
        &self,
        db: &DatabaseConnection,
        key: IdempotencyKey,
        work: F,
    ) -> Result<R, E>
    where
        R: Message + Default,
        E: From<ApiError> + From<DbErr>,
        F: AsyncFnOnce(&DatabaseTransaction) -> Result<R, E>,
    {
        if let Some(done) = self.replay::<R>(db, &key).await? {
            return Ok(done);
        }
        let txn = db.begin().await?;
        let insert = Query::insert()
            .into_table(self.table())
            .columns([
                Alias::new("scope"),
                Alias::new("request_id"),
                Alias::new("request_hash"),
                Alias::new("created_at"),
            ])
            .values([
                key.scope.clone().into(),
                key.request_id.clone().into(),
                key.request_hash.clone().into(),
                chrono::Utc::now().into(),
            ])
            .map_err(ApiError::internal)?
            .to_owned();
        if let Err(err) = txn.execute(&insert).await {
            drop(txn);
            if is_unique_violation(&err) {
                // A concurrent duplicate won the race and has committed.
                return self
                    .replay::<R>(db, &key)
                    .await?
                    .ok_or_else(|| ApiError::internal("idempotency record vanished").into());
            }
            return Err(err.into());
        }
        let response = work(&txn).await?;
        let update = Query::update()
            .table(self.table())
            .value(Alias::new("response"), response.encode_to_vec())
            .and_where(Expr::col(Alias::new("scope")).eq(key.scope.as_str()))
            .and_where(Expr::col(Alias::new("request_id")).eq(key.request_id.as_str()))
            .to_owned();
        txn.execute(&update).await?;
        txn.commit().await?;
        Ok(response)
    }

    /// The stored response of `key`, if its request already ran. Use cases
    /// whose preconditions the first run changes (a draft that is now
    /// submitted) ask this first, so a retry replays instead of failing.
    pub async fn replay<R: Message + Default>(
        &self,
        db: &DatabaseConnection,
        key: &IdempotencyKey,
    ) -> Result<Option<R>, ApiError> {
        match self.lookup(db, key).await? {
            Lookup::Absent => Ok(None),
            Lookup::Replay(bytes) => R::decode(bytes.as_slice())
                .map(Some)
                .map_err(ApiError::internal),
            Lookup::Pending => Err(ApiError::Aborted {
                message: format!(
                    "request_id `{}` is still being processed; retry",
                    key.request_id
                ),
            }),
            Lookup::Conflict => Err(ApiError::AlreadyExists {
                resource: "request",
                name: key.request_id.clone(),
                message: format!(
                    "request_id `{}` was already used with a different request",
                    key.request_id
                ),
            }),
        }
    }
}

/// Whether a database error is a unique-constraint violation.
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
