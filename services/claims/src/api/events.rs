//! `recourse.claims.v1.EventService`: the claims feed; partners see only
//! their own carrier's changes.

use recourse_platform::auth::principal;
use recourse_platform::outbox::{Relay, feed_filter, follow};
use recourse_proto::claims as pb;
use recourse_proto::claims::event_service_server::EventService;
use sea_orm::DatabaseConnection;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::READERS;
use crate::events::decode;
use recourse_claims_migration::OUTBOX;

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
        caller.require(READERS)?;
        let body = request.get_ref();
        let filter = feed_filter(caller, body.after_position, &body.types)?;
        Ok(Response::new(follow(
            OUTBOX,
            self.db.clone(),
            &self.relay,
            body.after_position,
            filter,
            decode,
        )))
    }
}
