//! Contract use cases: each one transaction over the store, the version
//! lifecycle (domain `versions`) deciding what is allowed, an outbox event
//! per change. They take and return domain values; `api` renders them.

mod versions;

use chrono::{NaiveDate, Utc};
use recourse_contracts_domain::terms::{ClaimTerms, ClaimType, ContractTerms};
use recourse_contracts_domain::versions::{Contract, ContractVersion, Span, VersionStatus};
use recourse_platform::ApiError;
use recourse_platform::error::Violation;
use recourse_platform::idempotency::{IdempotencyKey, is_unique_violation};
use recourse_platform::outbox::Relay;
use recourse_platform::pagination::PageRequest;
use sea_orm::DatabaseConnection;

use crate::carriers::CarrierDirectory;
use crate::error::ContractsError;
use crate::events;
use crate::repo::contracts as repo;
use recourse_contracts_migration::{IDEMPOTENCY, OUTBOX};

/// Everything a new version needs, validated.
#[derive(Debug, Clone)]
pub struct VersionDraft {
    pub span: Span,
    pub terms: ContractTerms,
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
    pub terms: Option<ContractTerms>,
}

/// A write the database refused because a concurrent one won (a unique
/// version number, the exclusion constraint on versions in force, a
/// serialization failure): ABORTED, to be retried, never INTERNAL.
fn lost_race(err: sea_orm::DbErr, what: &'static str) -> ApiError {
    if is_unique_violation(&err) || recourse_platform::database::lost_race(&err) {
        ContractsError::Concurrent(what).into()
    } else {
        err.into()
    }
}

fn contract_not_found(id: &str) -> ContractsError {
    ContractsError::NotFound {
        resource: "contract",
        name: format!("contracts/{id}"),
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

    /// Every service level the terms name must be one the carrier sells
    /// (asked of the carriers service with the caller's token).
    async fn check_service_levels(
        &self,
        token: Option<&str>,
        carrier_id: &str,
        terms: &ContractTerms,
        field: &str,
    ) -> Result<(), ApiError> {
        let carrier = self.carriers.carrier(token, carrier_id).await?;
        let cards = terms.rate_cards.iter().map(|c| &c.service_level);
        let slas = terms.sla_terms.iter().map(|s| &s.service_level);
        let named = cards
            .enumerate()
            .map(|(i, level)| (format!("{field}.rate_cards[{i}].service_level"), level))
            .chain(
                slas.enumerate()
                    .map(|(i, level)| (format!("{field}.sla_terms[{i}].service_level"), level)),
            );
        let unsold: Vec<Violation> = named
            .filter(|(_, level)| !carrier.sells(level))
            .map(|(field, level)| Violation {
                field,
                description: format!("`{level}` is not a service level of {}", carrier.name),
            })
            .collect();
        if unsold.is_empty() {
            Ok(())
        } else {
            Err(ContractsError::Invalid(unsold).into())
        }
    }

    /// CreateContract: the contract with its first draft, once per key.
    /// The response is rendered (by `render`) in the transaction, so a
    /// retry replays exactly the first answer.
    pub async fn create_contract<R: prost::Message + Default>(
        &self,
        key: IdempotencyKey,
        token: Option<&str>,
        new: NewContract,
        render: impl FnOnce(&Contract, &[ContractVersion]) -> R,
    ) -> Result<R, ApiError> {
        self.check_service_levels(token, &new.carrier_id, &new.draft.terms, "terms")
            .await?;
        let result = IDEMPOTENCY
            .run(&self.db, key, async move |txn| {
                let now = Utc::now();
                let contract = Contract {
                    id: uuid::Uuid::now_v7().to_string(),
                    carrier_id: new.carrier_id,
                    reference: new.reference,
                    display_name: new.display_name,
                    created_at: now,
                };
                repo::insert_contract(txn, &contract).await.map_err(|err| {
                    if is_unique_violation(&err) {
                        ContractsError::ReferenceTaken(contract.reference.clone()).into()
                    } else {
                        ApiError::from(err)
                    }
                })?;
                let version = ContractVersion {
                    id: uuid::Uuid::now_v7().to_string(),
                    contract_id: contract.id.clone(),
                    carrier_id: contract.carrier_id.clone(),
                    number: 1,
                    status: VersionStatus::Draft,
                    span: new.draft.span,
                    terms: new.draft.terms,
                    revision: 1,
                    created_at: now,
                    updated_at: now,
                };
                repo::insert_version(txn, &version).await?;
                OUTBOX
                    .append(txn, events::version("contract_version.created", &version))
                    .await?;
                Ok(render(&contract, std::slice::from_ref(&version)))
            })
            .await;
        self.relay.poke();
        result
    }

    /// The contract and its versions; a carrier principal (`scope`) sees
    /// only its carrier's, and none of their drafts.
    pub async fn get_contract(
        &self,
        id: &str,
        scope: Option<&str>,
    ) -> Result<(Contract, Vec<ContractVersion>), ApiError> {
        let contract = repo::find_contract(&self.db, id, scope)
            .await?
            .ok_or_else(|| contract_not_found(id))?;
        let mut versions = repo::versions_of(&self.db, id).await?;
        hide_drafts(scope, &mut versions);
        Ok((contract, versions))
    }

    /// A page of contracts with their versions: two queries per page.
    pub async fn list_contracts(
        &self,
        carrier_id: Option<&str>,
        scope: Option<&str>,
        page: &PageRequest,
    ) -> Result<(Vec<(Contract, Vec<ContractVersion>)>, String), ApiError> {
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
        let page = rows
            .into_iter()
            .map(|c| {
                let mut of = versions.remove(&c.id).unwrap_or_default();
                hide_drafts(scope, &mut of);
                (c, of)
            })
            .collect();
        Ok((page, token))
    }

    /// The version in force for `carrier_id` on `date`.
    pub async fn in_force(
        &self,
        carrier_id: &str,
        date: NaiveDate,
    ) -> Result<ContractVersion, ApiError> {
        repo::version_on(&self.db, carrier_id, date)
            .await?
            .ok_or_else(|| ContractsError::NoContractInForce(date).into())
    }
}

impl ContractBook {
    /// GetClaimTerms: what a claim of `claim_type` on `service_level` is
    /// held to, from the version in force on the ship date (and that
    /// version's name).
    pub async fn claim_terms(
        &self,
        carrier_id: &str,
        service_level: &str,
        claim_type: ClaimType,
        ship_date: NaiveDate,
    ) -> Result<(ClaimTerms, String), ApiError> {
        let version = self.in_force(carrier_id, ship_date).await?;
        let terms = version
            .terms
            .claim_terms(service_level, claim_type)
            .ok_or_else(|| ContractsError::NoFilingWindow {
                version: version.name(),
                claim_type,
            })?;
        Ok((terms, version.name()))
    }
}

/// Carrier principals never see draft versions: drafts are internal until
/// activated.
fn hide_drafts(scope: Option<&str>, versions: &mut Vec<ContractVersion>) {
    if scope.is_some() {
        versions.retain(|v| v.status != VersionStatus::Draft);
    }
}
