//! Version use cases: new drafts numbered by the contract's counter, edits
//! of drafts, activation and expiry under the carrier's lock.

use chrono::{NaiveDate, Utc};
use recourse_contracts_domain::versions::{
    self as lifecycle, ContractVersion, InForce, VersionStatus,
};
use recourse_platform::ApiError;
use recourse_platform::idempotency::IdempotencyKey;
use sea_orm::TransactionTrait;

use super::{ContractBook, VersionDraft, VersionPatch, contract_not_found, lost_race};
use crate::error::ContractsError;
use crate::events;
use crate::repo::contracts as repo;
use recourse_contracts_migration::{IDEMPOTENCY, OUTBOX};

fn version_not_found(contract_id: &str, number: u32) -> ContractsError {
    ContractsError::NotFound {
        resource: "contract version",
        name: format!("contracts/{contract_id}/versions/{number}"),
    }
}

fn lifecycle_error(v: &ContractVersion, error: lifecycle::LifecycleError) -> ApiError {
    ContractsError::Lifecycle {
        version: v.name(),
        error,
    }
    .into()
}

/// What a change decided: the version as it is to be written and the
/// predecessors it closes.
type Decision = (ContractVersion, Vec<ContractVersion>);

impl ContractBook {
    /// CreateContractVersion: a new draft numbered by the contract's
    /// counter (concurrent creations get distinct numbers), once per key.
    pub async fn create_version<R: prost::Message + Default>(
        &self,
        key: IdempotencyKey,
        token: Option<&str>,
        contract_id: &str,
        draft: VersionDraft,
        render: impl FnOnce(&ContractVersion) -> R,
    ) -> Result<R, ApiError> {
        let contract = repo::find_contract(&self.db, contract_id, None)
            .await?
            .ok_or_else(|| contract_not_found(contract_id))?;
        self.check_service_levels(token, &contract.carrier_id, &draft.terms, "terms")
            .await?;
        let result = IDEMPOTENCY
            .run(&self.db, key, async move |txn| {
                let number = repo::next_version_number(txn, &contract.id)
                    .await?
                    .ok_or_else(|| contract_not_found(&contract.id))?;
                let now = Utc::now();
                let version = ContractVersion {
                    id: uuid::Uuid::now_v7().to_string(),
                    contract_id: contract.id.clone(),
                    carrier_id: contract.carrier_id.clone(),
                    number,
                    status: VersionStatus::Draft,
                    span: draft.span,
                    terms: draft.terms,
                    revision: 1,
                    created_at: now,
                    updated_at: now,
                };
                repo::insert_version(txn, &version)
                    .await
                    .map_err(|err| lost_race(err, "the contract's versions"))?;
                OUTBOX
                    .append(txn, events::version("contract_version.created", &version))
                    .await?;
                Ok(render(&version))
            })
            .await;
        self.relay.poke();
        result
    }

    /// Version `number` of a contract; a carrier principal (`scope`) sees
    /// only its carrier's active and expired versions — a draft, another
    /// carrier's version and a version that does not exist get the same
    /// NOT_FOUND.
    pub async fn get_version(
        &self,
        contract_id: &str,
        number: u32,
        scope: Option<&str>,
    ) -> Result<ContractVersion, ApiError> {
        repo::find_version(&self.db, contract_id, number, scope)
            .await?
            .filter(|v| scope.is_none() || v.status != VersionStatus::Draft)
            .ok_or_else(|| version_not_found(contract_id, number).into())
    }

    /// UpdateContractVersion: edits a draft.
    pub async fn update_version(
        &self,
        token: Option<&str>,
        (contract_id, number, given): (&str, u32, i64),
        patch: VersionPatch,
    ) -> Result<ContractVersion, ApiError> {
        if let Some(terms) = &patch.terms {
            let current = self.get_version(contract_id, number, None).await?;
            self.check_service_levels(token, &current.carrier_id, terms, "version.terms")
                .await?;
        }
        self.change(
            (contract_id, number, given),
            "contract_version.updated",
            |mut v, _| {
                v.span =
                    lifecycle::edit(v.status, v.span, patch.effective_from, patch.effective_to)
                        .map_err(|e| lifecycle_error(&v, e))?;
                if let Some(terms) = patch.terms {
                    v.terms = terms;
                }
                Ok((v, Vec::new()))
            },
        )
        .await
    }

    /// ActivateContractVersion: draft → active, closing an earlier-starting
    /// active predecessor the day before.
    pub async fn activate(&self, version: (&str, u32, i64)) -> Result<ContractVersion, ApiError> {
        self.change(version, "contract_version.activated", |mut v, others| {
            let in_force: Vec<InForce> = others
                .iter()
                .map(|o| InForce {
                    name: o.name(),
                    status: o.status,
                    span: o.span,
                })
                .collect();
            let closes = lifecycle::activate(v.status, v.span, &in_force)
                .map_err(|e| lifecycle_error(&v, e))?;
            let closed = closes
                .into_iter()
                .filter_map(|(name, end)| {
                    let mut other = others.iter().find(|o| o.name() == name)?.clone();
                    other.span.to = Some(end);
                    Some(other)
                })
                .collect();
            v.status = VersionStatus::Active;
            Ok((v, closed))
        })
        .await
    }

    /// ExpireContractVersion: active → expired on `last_day`.
    pub async fn expire(
        &self,
        version: (&str, u32, i64),
        last_day: NaiveDate,
    ) -> Result<ContractVersion, ApiError> {
        self.change(version, "contract_version.expired", |mut v, _| {
            v.span = lifecycle::expire(v.status, v.span, last_day)
                .map_err(|e| lifecycle_error(&v, e))?;
            v.status = VersionStatus::Expired;
            Ok((v, Vec::new()))
        })
        .await
    }

    /// Reads the version under its carrier's lock with the carrier's other
    /// non-draft versions, checks the etag, applies `decide`, writes the
    /// predecessors it closes and then the version (so the exclusion
    /// constraint never sees two versions on one day), and records the
    /// events — one transaction.
    async fn change(
        &self,
        (contract_id, number, given): (&str, u32, i64),
        event_type: &str,
        decide: impl FnOnce(ContractVersion, &[ContractVersion]) -> Result<Decision, ApiError>,
    ) -> Result<ContractVersion, ApiError> {
        let txn = self.db.begin().await?;
        let carrier = repo::find_version(&txn, contract_id, number, None)
            .await?
            .ok_or_else(|| version_not_found(contract_id, number))?
            .carrier_id;
        // Read again under the carrier's lock: what another activation
        // committed meanwhile is what this one decides on.
        repo::lock_carrier_versions(&txn, &carrier).await?;
        let current = repo::find_version(&txn, contract_id, number, None)
            .await?
            .ok_or_else(|| version_not_found(contract_id, number))?;
        let stale = |current: i64| ContractsError::StaleEtag {
            name: format!("contracts/{contract_id}/versions/{number}"),
            given,
            current,
        };
        if current.revision != given {
            return Err(stale(current.revision).into());
        }
        let others: Vec<ContractVersion> = repo::in_force_versions(&txn, &current.carrier_id)
            .await?
            .into_iter()
            .filter(|o| o.id != current.id)
            .collect();
        let (mut updated, closed) = decide(current, &others)?;
        let now = Utc::now();
        for mut other in closed {
            let expected = other.revision;
            other.revision += 1;
            other.updated_at = now;
            if !repo::replace_version(&txn, &other, expected)
                .await
                .map_err(|err| lost_race(err, "the carrier's versions in force"))?
            {
                return Err(ContractsError::Concurrent("the carrier's versions in force").into());
            }
            OUTBOX
                .append(&txn, events::version("contract_version.updated", &other))
                .await?;
        }
        updated.revision = given + 1;
        updated.updated_at = now;
        if !repo::replace_version(&txn, &updated, given)
            .await
            .map_err(|err| lost_race(err, "the carrier's versions in force"))?
        {
            return Err(stale(given + 1).into());
        }
        OUTBOX
            .append(&txn, events::version(event_type, &updated))
            .await?;
        txn.commit().await?;
        self.relay.poke();
        Ok(updated)
    }
}
