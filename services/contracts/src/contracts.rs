//! Contract use cases: each a transaction over the store, with the version
//! lifecycle deciding what is allowed and an outbox event per change.

use chrono::{NaiveDate, Utc};
use recourse_platform::idempotency::{IdempotencyKey, is_unique_violation};
use recourse_platform::outbox::Relay;
use recourse_platform::pagination::PageRequest;
use recourse_platform::{ApiError, Violations, etag};
use recourse_proto::contracts as pb;
use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::carriers::{CarrierDirectory, sells};
use crate::convert::common::{carrier_name, date_out, version_resource_name};
use crate::events::{Data, new_event, version_event};
use crate::repo::contracts::{self as repo, ContractRecord, VersionRecord};
use crate::versions::{InForce, LifecycleError, Span, VersionStatus, plan_activation};
use recourse_contracts_migration::{IDEMPOTENCY, OUTBOX};

/// Everything a new version needs, validated.
#[derive(Debug, Clone)]
pub struct VersionDraft {
    pub span: Span,
    pub terms: pb::ContractTerms,
}

#[derive(Debug, Clone)]
pub struct NewContract {
    pub carrier_id: String,
    pub reference: String,
    pub display_name: String,
    pub draft: VersionDraft,
}

/// Changes to a draft; `None` leaves a part alone.
#[derive(Debug, Clone, Default)]
pub struct VersionPatch {
    pub effective_from: Option<NaiveDate>,
    pub effective_to: Option<Option<NaiveDate>>,
    pub terms: Option<pb::ContractTerms>,
}

impl From<LifecycleError> for ApiError {
    fn from(err: LifecycleError) -> Self {
        let message = err.to_string();
        let kind = match err {
            LifecycleError::NotDraft { .. } | LifecycleError::NotActive(_) => {
                "CONTRACT_VERSION_STATUS"
            }
            LifecycleError::Overlap { .. } => "CONTRACT_VERSION_OVERLAP",
            LifecycleError::EndBeforeStart(_) => "CONTRACT_VERSION_DATES",
        };
        ApiError::FailedPrecondition {
            kind,
            subject: String::new(),
            message,
        }
    }
}

pub fn version_to_proto(v: &VersionRecord) -> pb::ContractVersion {
    use recourse_platform::proto_types::timestamp_to_proto;
    pb::ContractVersion {
        name: version_resource_name(&v.contract_id, v.version),
        carrier: carrier_name(&v.carrier_id),
        version: v.version,
        status: match v.status {
            VersionStatus::Draft => pb::VersionStatus::Draft,
            VersionStatus::Active => pb::VersionStatus::Active,
            VersionStatus::Expired => pb::VersionStatus::Expired,
        }
        .into(),
        effective_from: date_out(v.span.from),
        effective_to: v.span.to.and_then(date_out),
        terms: Some(v.terms.clone()),
        create_time: Some(timestamp_to_proto(v.created_at)),
        update_time: Some(timestamp_to_proto(v.updated_at)),
        etag: etag::format(v.revision),
    }
}

fn contract_to_proto(c: &ContractRecord, versions: &[VersionRecord]) -> pb::Contract {
    pb::Contract {
        name: format!("contracts/{}", c.id),
        carrier: carrier_name(&c.carrier_id),
        reference: c.reference.clone(),
        display_name: c.display_name.clone(),
        versions: versions.iter().map(version_to_proto).collect(),
        create_time: Some(recourse_platform::proto_types::timestamp_to_proto(
            c.created_at,
        )),
    }
}

/// A write the database refused because a concurrent one won (a unique
/// version number, the exclusion constraint on versions in force, a
/// serialization failure): ABORTED, to be retried, never INTERNAL.
fn lost_race(err: sea_orm::DbErr, what: &str) -> ApiError {
    if is_unique_violation(&err) || recourse_platform::database::lost_race(&err) {
        ApiError::Aborted {
            message: format!("{what} changed concurrently; read again and retry"),
        }
    } else {
        err.into()
    }
}

fn version_not_found(contract_id: &str, number: u32) -> ApiError {
    ApiError::NotFound {
        resource: "contract version",
        name: version_resource_name(contract_id, number),
    }
}

#[derive(Debug, Clone)]
pub struct ContractBook {
    db: DatabaseConnection,
    carriers: CarrierDirectory,
    relay: Relay,
}

impl ContractBook {
    pub fn new(db: DatabaseConnection, carriers: CarrierDirectory, relay: Relay) -> Self {
        Self {
            db,
            carriers,
            relay,
        }
    }

    /// Every service level the terms name must be one the carrier sells.
    async fn check_service_levels(
        &self,
        token: Option<&str>,
        carrier_id: &str,
        terms: &pb::ContractTerms,
    ) -> Result<(), ApiError> {
        let carrier = self.carriers.carrier(token, carrier_id).await?;
        let mut v = Violations::new();
        for (i, card) in terms.rate_cards.iter().enumerate() {
            v.check(
                sells(&carrier, &card.service_level),
                format!("terms.rate_cards[{i}].service_level"),
                format!(
                    "`{}` is not a service level of {}",
                    card.service_level, carrier.name
                ),
            );
        }
        for (i, sla) in terms.sla_terms.iter().enumerate() {
            v.check(
                sells(&carrier, &sla.service_level),
                format!("terms.sla_terms[{i}].service_level"),
                format!(
                    "`{}` is not a service level of {}",
                    sla.service_level, carrier.name
                ),
            );
        }
        v.into_result()
    }

    pub async fn create_contract(
        &self,
        key: IdempotencyKey,
        token: Option<&str>,
        new: NewContract,
    ) -> Result<pb::Contract, ApiError> {
        self.check_service_levels(token, &new.carrier_id, &new.draft.terms)
            .await?;
        let result = IDEMPOTENCY
            .run(&self.db, key, async move |txn| {
                let now = Utc::now();
                let contract = ContractRecord {
                    id: uuid::Uuid::now_v7().to_string(),
                    carrier_id: new.carrier_id.clone(),
                    reference: new.reference.clone(),
                    display_name: new.display_name.clone(),
                    created_at: now,
                };
                repo::insert_contract(txn, &contract).await.map_err(|err| {
                    if is_unique_violation(&err) {
                        ApiError::AlreadyExists {
                            resource: "contract",
                            name: new.reference.clone(),
                            message: format!(
                                "{} already has a contract `{}`",
                                carrier_name(&new.carrier_id),
                                new.reference
                            ),
                        }
                    } else {
                        err.into()
                    }
                })?;
                let version = VersionRecord {
                    id: uuid::Uuid::now_v7().to_string(),
                    contract_id: contract.id.clone(),
                    carrier_id: contract.carrier_id.clone(),
                    version: 1,
                    status: VersionStatus::Draft,
                    span: new.draft.span,
                    terms: new.draft.terms,
                    revision: 1,
                    created_at: now,
                    updated_at: now,
                };
                repo::insert_version(txn, &version).await?;
                let proto = version_to_proto(&version);
                OUTBOX
                    .append(
                        txn,
                        version_event(
                            "contract_version.created",
                            proto.name.clone(),
                            &version.carrier_id,
                            true,
                            Data::ContractVersion(proto),
                        ),
                    )
                    .await?;
                Ok(contract_to_proto(&contract, &[version]))
            })
            .await;
        self.relay.poke();
        result
    }

    pub async fn get_contract(&self, id: &str) -> Result<pb::Contract, ApiError> {
        let contract =
            repo::find_contract(&self.db, id)
                .await?
                .ok_or_else(|| ApiError::NotFound {
                    resource: "contract",
                    name: format!("contracts/{id}"),
                })?;
        let versions = repo::versions_of(&self.db, id).await?;
        Ok(contract_to_proto(&contract, &versions))
    }

    pub async fn list_contracts(
        &self,
        carrier_id: Option<&str>,
        page: &PageRequest,
    ) -> Result<(Vec<pb::Contract>, String), ApiError> {
        let rows = repo::list_contracts(
            &self.db,
            carrier_id,
            page.after.as_deref(),
            page.fetch_limit(),
        )
        .await?;
        let (rows, token) = page.finish(rows, |c| c.id.clone());
        let ids: Vec<&str> = rows.iter().map(|c| c.id.as_str()).collect();
        let mut versions = repo::versions_of_many(&self.db, &ids).await?;
        let out = rows
            .iter()
            .map(|c| contract_to_proto(c, &versions.remove(&c.id).unwrap_or_default()))
            .collect();
        Ok((out, token))
    }

    pub async fn create_version(
        &self,
        key: IdempotencyKey,
        token: Option<&str>,
        contract_id: &str,
        draft: VersionDraft,
    ) -> Result<pb::ContractVersion, ApiError> {
        let contract = repo::find_contract(&self.db, contract_id)
            .await?
            .ok_or_else(|| ApiError::NotFound {
                resource: "contract",
                name: format!("contracts/{contract_id}"),
            })?;
        self.check_service_levels(token, &contract.carrier_id, &draft.terms)
            .await?;
        let result = IDEMPOTENCY
            .run(&self.db, key, async move |txn| {
                let next = repo::next_version_number(txn, &contract.id)
                    .await?
                    .ok_or_else(|| ApiError::NotFound {
                        resource: "contract",
                        name: format!("contracts/{}", contract.id),
                    })?;
                let now = Utc::now();
                let version = VersionRecord {
                    id: uuid::Uuid::now_v7().to_string(),
                    contract_id: contract.id.clone(),
                    carrier_id: contract.carrier_id.clone(),
                    version: next,
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
                let proto = version_to_proto(&version);
                OUTBOX
                    .append(
                        txn,
                        version_event(
                            "contract_version.created",
                            proto.name.clone(),
                            &version.carrier_id,
                            true,
                            Data::ContractVersion(proto.clone()),
                        ),
                    )
                    .await?;
                Ok(proto)
            })
            .await;
        self.relay.poke();
        result
    }

    pub async fn get_version(
        &self,
        contract_id: &str,
        number: u32,
    ) -> Result<VersionRecord, ApiError> {
        repo::find_version(&self.db, contract_id, number)
            .await?
            .ok_or_else(|| version_not_found(contract_id, number))
    }

    /// Edits a draft.
    pub async fn update_version(
        &self,
        token: Option<&str>,
        contract_id: &str,
        number: u32,
        given: i64,
        patch: VersionPatch,
    ) -> Result<VersionRecord, ApiError> {
        if let Some(terms) = &patch.terms {
            let current = self.get_version(contract_id, number).await?;
            self.check_service_levels(token, &current.carrier_id, terms)
                .await?;
        }
        self.change(
            contract_id,
            number,
            given,
            "contract_version.updated",
            |mut v, _| {
                if v.status != VersionStatus::Draft {
                    return Err(LifecycleError::NotDraft {
                        action: "edited",
                        status: v.status,
                    }
                    .into());
                }
                let from = patch.effective_from.unwrap_or(v.span.from);
                let to = patch.effective_to.unwrap_or(v.span.to);
                v.span = Span::new(from, to).map_err(|_| LifecycleError::EndBeforeStart(from))?;
                if let Some(terms) = patch.terms {
                    v.terms = terms;
                }
                Ok((v, Vec::new()))
            },
        )
        .await
    }

    pub async fn activate(
        &self,
        contract_id: &str,
        number: u32,
        given: i64,
    ) -> Result<VersionRecord, ApiError> {
        self.change(
            contract_id,
            number,
            given,
            "contract_version.activated",
            |mut v, others| {
                if v.status != VersionStatus::Draft {
                    return Err(LifecycleError::NotDraft {
                        action: "activated",
                        status: v.status,
                    }
                    .into());
                }
                let in_force: Vec<InForce> = others
                    .iter()
                    .map(|o| InForce {
                        name: o.id.clone(),
                        status: o.status,
                        span: o.span,
                    })
                    .collect();
                let closes = plan_activation(v.span, &in_force)?;
                let mut closed = Vec::new();
                for (id, end) in closes {
                    if let Some(mut other) = others.iter().find(|o| o.id == id).cloned() {
                        other.span.to = Some(end);
                        closed.push(other);
                    }
                }
                v.status = VersionStatus::Active;
                Ok((v, closed))
            },
        )
        .await
    }

    pub async fn expire(
        &self,
        contract_id: &str,
        number: u32,
        given: i64,
        last_day: NaiveDate,
    ) -> Result<VersionRecord, ApiError> {
        self.change(
            contract_id,
            number,
            given,
            "contract_version.expired",
            |mut v, _| {
                if v.status != VersionStatus::Active {
                    return Err(LifecycleError::NotActive(v.status).into());
                }
                if last_day < v.span.from {
                    return Err(LifecycleError::EndBeforeStart(v.span.from).into());
                }
                if v.span.to.is_some_and(|to| last_day > to) {
                    return Err(ApiError::invalid(
                        "effective_to",
                        "must not extend the version",
                    ));
                }
                v.span.to = Some(last_day);
                v.status = VersionStatus::Expired;
                Ok((v, Vec::new()))
            },
        )
        .await
    }

    /// Reads the version and the carrier's other in-force versions in one
    /// transaction, checks the etag, applies `decide`, writes the version
    /// and any predecessors it closes, and records the events.
    async fn change(
        &self,
        contract_id: &str,
        number: u32,
        given: i64,
        event_type: &str,
        decide: impl FnOnce(
            VersionRecord,
            &[VersionRecord],
        ) -> Result<(VersionRecord, Vec<VersionRecord>), ApiError>,
    ) -> Result<VersionRecord, ApiError> {
        let txn = self.db.begin().await?;
        let carrier = repo::find_version(&txn, contract_id, number)
            .await?
            .ok_or_else(|| version_not_found(contract_id, number))?
            .carrier_id;
        // Read again under the carrier's lock: what another activation
        // committed meanwhile is what this one decides on.
        repo::lock_carrier_versions(&txn, &carrier).await?;
        let current = repo::find_version(&txn, contract_id, number)
            .await?
            .ok_or_else(|| version_not_found(contract_id, number))?;
        let name = version_resource_name(contract_id, number);
        if current.revision != given {
            return Err(etag::stale(&name, given, current.revision));
        }
        let others: Vec<VersionRecord> = repo::in_force_versions(&txn, &current.carrier_id)
            .await?
            .into_iter()
            .filter(|o| o.id != current.id)
            .collect();
        let (mut updated, closed) = decide(current, &others)?;
        let now = Utc::now();
        updated.revision = given + 1;
        updated.updated_at = now;
        for mut other in closed {
            let expected = other.revision;
            other.revision += 1;
            other.updated_at = now;
            if !repo::replace_version(&txn, &other, expected)
                .await
                .map_err(|err| lost_race(err, "the carrier's versions in force"))?
            {
                return Err(ApiError::Aborted {
                    message: "a concurrent change touched the predecessor version; retry".into(),
                });
            }
            let proto = version_to_proto(&other);
            OUTBOX
                .append(
                    &txn,
                    new_event(
                        "contract_version.updated",
                        proto.name.clone(),
                        &other.carrier_id,
                        Data::ContractVersion(proto),
                    ),
                )
                .await?;
        }
        // The predecessors are closed first: the exclusion constraint sees
        // the new version only once nothing else covers its days.
        if !repo::replace_version(&txn, &updated, given)
            .await
            .map_err(|err| lost_race(err, "the carrier's versions in force"))?
        {
            return Err(etag::stale(&name, given, given + 1));
        }
        let proto = version_to_proto(&updated);
        OUTBOX
            .append(
                &txn,
                version_event(
                    event_type,
                    name,
                    &updated.carrier_id,
                    updated.status == VersionStatus::Draft,
                    Data::ContractVersion(proto),
                ),
            )
            .await?;
        txn.commit().await?;
        self.relay.poke();
        Ok(updated)
    }

    /// The version in force for `carrier_id` on `date`.
    pub async fn in_force(
        &self,
        carrier_id: &str,
        date: NaiveDate,
    ) -> Result<VersionRecord, ApiError> {
        repo::version_on(&self.db, carrier_id, date)
            .await?
            .ok_or_else(|| ApiError::FailedPrecondition {
                kind: "NO_CONTRACT_IN_FORCE",
                subject: carrier_name(carrier_id),
                message: format!(
                    "no contract version of {} is in force on {date}",
                    carrier_name(carrier_id)
                ),
            })
    }
}
