//! The contracts service: contracts and SLAs with carriers, rate quotes and
//! charge audits, shipments and their tracking, SLA evaluation and refund
//! candidates, and the event feed of all of it.
//!
//! proto (`recourse.contracts.v1`) → [`api`] (gRPC glue) → `convert`
//! (protobuf ⇄ domain, every violation with its path) → use cases
//! ([`contracts`], [`shipments`], [`quoting`], [`sla`]; domain values in and
//! out, [`error::ContractsError`] mapped to the boundary error once) → pure
//! rules (the `recourse-contracts-domain` crate) and `repo` (sea-orm) → the
//! migration crate.

#![warn(clippy::wildcard_enum_match_arm)]

pub mod api;
pub mod carriers;
pub mod contracts;
mod convert;
pub mod error;
mod events;
pub mod invoices;
pub mod quoting;
mod repo;
pub mod shipments;
pub mod shop;
pub mod sla;

use std::sync::Arc;
use std::time::Duration;

use recourse_platform::auth::{AuthInterceptor, TokenKeys};
use recourse_platform::config::DatabaseSettings;
use recourse_platform::database::{DatabaseError, connect_and_migrate};
use recourse_platform::outbox::{Feed, Relay};
use recourse_platform::server::Host;
use recourse_proto::contracts::contract_service_server::ContractServiceServer;
use recourse_proto::contracts::event_service_server::EventServiceServer;
use recourse_proto::contracts::invoice_service_server::InvoiceServiceServer;
use recourse_proto::contracts::planning_service_server::PlanningServiceServer;
use recourse_proto::contracts::return_service_server::ReturnServiceServer;
use recourse_proto::contracts::shipment_service_server::ShipmentServiceServer;
use recourse_proto::contracts::shop_service_server::ShopServiceServer;
use recourse_proto::contracts::sla_service_server::SlaServiceServer;
use sea_orm::DatabaseConnection;
use tonic::transport::Channel;

pub use recourse_contracts_migration::{Migrator, OUTBOX};

/// Name used for the service's database.
pub const SERVICE: &str = "contracts";

/// The outbox relay's fallback tick: writes poke it and other replicas'
/// positions arrive by NOTIFY, so this only covers a lost wake-up.
const RELAY_TICK: Duration = Duration::from_secs(5);

pub async fn database(settings: &DatabaseSettings) -> Result<DatabaseConnection, DatabaseError> {
    connect_and_migrate::<Migrator>(settings, SERVICE).await
}

/// Mounts the gRPC services of `recourse.contracts.v1` on `host`, every
/// call authenticated; `carriers` reaches the carriers service. Starts the
/// outbox relay on the current runtime.
pub fn mount(host: &mut Host, db: DatabaseConnection, keys: Arc<TokenKeys>, carriers: Channel) {
    let relay = Relay::spawn(OUTBOX, db.clone(), RELAY_TICK);
    let directory = carriers::CarrierDirectory::new(carriers);
    let book = contracts::ContractBook::new(db.clone(), directory.clone(), relay.clone());
    let quoting = quoting::Quoting::new(db.clone(), book.clone());
    let rate_shop = shop::RateShop::new(db.clone(), directory.clone());
    let planner = shop::Planner::new(db.clone(), directory.clone());
    let returns = shop::ReturnsDesk::new(db.clone());
    let shipments =
        shipments::ShipmentBook::new(db.clone(), directory, book.clone(), relay.clone());
    let desk = sla::SlaDesk::new(
        db.clone(),
        book.clone(),
        relay.clone(),
        Arc::new(sla::NotYetAvailable),
    );
    let auth = AuthInterceptor::new(keys);
    host.add_service(ContractServiceServer::with_interceptor(
        api::contracts::ContractApi::new(book, quoting),
        auth.clone(),
    ));
    host.add_service(ShipmentServiceServer::with_interceptor(
        api::shipments::ShipmentApi::new(shipments),
        auth.clone(),
    ));
    host.add_service(SlaServiceServer::with_interceptor(
        api::sla::SlaApi::new(desk),
        auth.clone(),
    ));
    host.add_service(InvoiceServiceServer::with_interceptor(
        api::invoices::InvoiceApi::new(invoices::InvoiceDesk::new(db.clone())),
        auth.clone(),
    ));
    host.add_service(ShopServiceServer::with_interceptor(
        api::shop::ShopApi::new(rate_shop),
        auth.clone(),
    ));
    host.add_service(PlanningServiceServer::with_interceptor(
        api::planning::PlanningApi::new(planner),
        auth.clone(),
    ));
    host.add_service(ReturnServiceServer::with_interceptor(
        api::returns::ReturnsApi::new(returns),
        auth.clone(),
    ));
    host.add_service(EventServiceServer::with_interceptor(
        api::events::EventApi::new(Feed::new(OUTBOX, db, relay)),
        auth,
    ));
}
