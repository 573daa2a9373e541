//! The claims service: claims against carriers driven by the contract in
//! force on the ship date, their lifecycle and documents, and the money
//! recovered (remittances, allocations, write-offs, reconciliation).
//!
//! proto (`recourse.claims.v1`) → [`api`] (gRPC glue) → `convert`
//! (protobuf ⇄ domain, every violation with its path) → use cases
//! ([`claims`], [`recoveries`], [`delay`], [`documents`]; domain values in
//! and out, failing with [`error::ClaimsError`]) → pure rules (the
//! `recourse-claims-domain` crate) and `repo` (sea-orm) → the migration
//! crate. The contracts service is reached through its gRPC client
//! ([`contracts`]).

#![warn(clippy::wildcard_enum_match_arm)]

pub mod api;
pub mod claims;
pub mod clock;
pub mod contracts;
mod convert;
pub mod delay;
pub mod disputes;
pub mod documents;
pub mod edi;
pub mod error;
pub mod escalations;
mod events;
pub mod follow;
pub mod recoveries;
mod repo;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use recourse_platform::auth::{AuthInterceptor, TokenKeys};
use recourse_platform::config::DatabaseSettings;
use recourse_platform::database::{DatabaseError, connect_and_migrate};
use recourse_platform::outbox::{Feed, Relay};
use recourse_platform::server::Host;
use recourse_proto::claims::claim_service_server::ClaimServiceServer;
use recourse_proto::claims::dispute_service_server::DisputeServiceServer;
use recourse_proto::claims::escalation_service_server::EscalationServiceServer;
use recourse_proto::claims::event_service_server::EventServiceServer;
use recourse_proto::claims::recovery_service_server::RecoveryServiceServer;
use sea_orm::DatabaseConnection;
use tonic::transport::Channel;

pub use recourse_claims_migration::{Migrator, OUTBOX};

pub const SERVICE: &str = "claims";

/// The outbox relay's fallback tick: writes poke it and other replicas'
/// positions arrive by NOTIFY, so this only covers a lost wake-up.
const RELAY_TICK: Duration = Duration::from_secs(5);

/// How often the escalation queue's scan runs (it is idempotent, so every
/// replica may run it; `ScanEscalations` runs it on demand).
const ESCALATION_SCAN_EVERY: Duration = Duration::from_secs(3600);

pub async fn database(settings: &DatabaseSettings) -> Result<DatabaseConnection, DatabaseError> {
    connect_and_migrate::<Migrator>(settings, SERVICE).await
}

/// Mounts `ClaimService`, `RecoveryService` and `EventService` on `host`,
/// every call authenticated; `contracts` reaches the contracts service and
/// uploaded documents go to `documents_dir`. Starts the outbox relay and
/// the follower of the contracts feed, whose handle it returns (stop it
/// before draining).
pub fn mount(
    host: &mut Host,
    db: DatabaseConnection,
    keys: Arc<TokenKeys>,
    contracts: Channel,
    documents_dir: PathBuf,
    max_document_bytes: u64,
) -> follow::Following {
    mount_with_clock(
        host,
        db,
        keys,
        contracts,
        documents_dir,
        max_document_bytes,
        clock::Clock::system(),
    )
}

/// [`mount`] with the clock disputes and the escalation queue read (a
/// test's, to move time on demand).
pub fn mount_with_clock(
    host: &mut Host,
    db: DatabaseConnection,
    keys: Arc<TokenKeys>,
    contracts: Channel,
    documents_dir: PathBuf,
    max_document_bytes: u64,
    clock: clock::Clock,
) -> follow::Following {
    let relay = Relay::spawn(OUTBOX, db.clone(), RELAY_TICK);
    let client = contracts::ContractsClient::new(contracts, keys.clone());
    let desk = claims::ClaimDesk::new(db.clone(), client.clone(), relay.clone());
    let disputes =
        disputes::DisputeDesk::new(db.clone(), client.clone(), relay.clone(), clock.clone());
    let escalations =
        escalations::EscalationDesk::new(db.clone(), client.clone(), relay.clone(), clock);
    escalations::spawn_scanner(escalations.clone(), ESCALATION_SCAN_EVERY);
    let following =
        follow::ContractsFollower::new(db.clone(), client, escalations.clone(), relay.clone())
            .spawn();
    let store = documents::DocumentStore::new(documents_dir, max_document_bytes);
    let auth = AuthInterceptor::new(keys);
    host.add_service(ClaimServiceServer::with_interceptor(
        api::claims::ClaimApi::new(desk.clone(), store),
        auth.clone(),
    ));
    host.add_service(RecoveryServiceServer::with_interceptor(
        api::recoveries::RecoveryApi::new(recoveries::RecoveryDesk::new(desk)),
        auth.clone(),
    ));
    host.add_service(DisputeServiceServer::with_interceptor(
        api::disputes::DisputeApi::new(disputes),
        auth.clone(),
    ));
    host.add_service(EscalationServiceServer::with_interceptor(
        api::escalations::EscalationApi::new(escalations),
        auth.clone(),
    ));
    let feed = Feed::new(OUTBOX, db, relay).with_parties();
    host.add_service(EventServiceServer::with_interceptor(
        api::events::EventApi::new(feed),
        auth,
    ));
    following
}
