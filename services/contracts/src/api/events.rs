//! `recourse.contracts.v1.EventService`: the outbox feed.

use recourse_platform::auth::{Role, principal};
use recourse_platform::outbox::{Relay, feed_filter, follow};
use recourse_proto::contracts as pb;
use recourse_proto::contracts::event_service_server::EventService;
use sea_orm::DatabaseConnection;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use crate::events::decode;
use recourse_contracts_migration::OUTBOX;

#[derive(Debug, Clone)]
pub struct EventApi {
    db: DatabaseConnection,
    relay: Relay,
}

impl EventApi {
    pub fn new(db: DatabaseConnection, relay: Relay) -> Self {
        Self { db, relay }
    }
}

#[tonic::async_trait]
impl EventService for EventApi {
    type SubscribeStream = ReceiverStream<Result<pb::Event, Status>>;

    async fn subscribe(
        &self,
        request: Request<pb::SubscribeRequest>,
    ) -> Result<Response<Self::SubscribeStream>, Status> {
        let caller = principal(&request)?;
        caller.require(&[
            Role::Admin,
            Role::Internal,
            Role::Carrier,
            Role::Finance,
            Role::Auditor,
        ])?;
        let body = request.get_ref();
        let filter = feed_filter(caller, body.after_position, &body.types)?;
        let stream = follow(
            OUTBOX,
            self.db.clone(),
            &self.relay,
            body.after_position,
            filter,
            decode,
        );
        Ok(Response::new(stream))
    }
}
