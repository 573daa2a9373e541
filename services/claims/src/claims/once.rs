//! Idempotent use cases: the work runs once per key, in one transaction
//! with the key's record; the answer is stored as the message the API
//! returns, and a retry gets it back as the same domain value.

use recourse_platform::idempotency::IdempotencyKey;
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use crate::convert::replay::Replayable;
use crate::error::ClaimsError;
use recourse_claims_migration::IDEMPOTENCY;

/// Runs `work` once for `key` and returns its answer, or the first answer
/// when the request was already served.
pub(crate) async fn once<T, F>(
    db: &DatabaseConnection,
    key: IdempotencyKey,
    work: F,
) -> Result<T, ClaimsError>
where
    T: Replayable,
    F: AsyncFnOnce(&DatabaseTransaction) -> Result<T, ClaimsError>,
{
    let mut fresh: Option<T> = None;
    let slot = &mut fresh;
    let wire = IDEMPOTENCY
        .run_as(db, key, async move |txn| {
            let value = work(txn).await?;
            let wire = value.to_wire();
            *slot = Some(value);
            Ok::<_, ClaimsError>(wire)
        })
        .await?;
    match fresh {
        Some(value) => Ok(value),
        None => T::from_wire(wire).map_err(ClaimsError::internal),
    }
}

/// The stored answer of `key`, if its request was already served (for use
/// cases whose preconditions the first run changed, such as submission).
pub(crate) async fn replayed<T: Replayable>(
    db: &DatabaseConnection,
    key: &IdempotencyKey,
) -> Result<Option<T>, ClaimsError> {
    match IDEMPOTENCY.replay::<T::Wire>(db, key).await? {
        Some(wire) => Ok(Some(T::from_wire(wire).map_err(ClaimsError::internal)?)),
        None => Ok(None),
    }
}
