//! `recourse.claims.v1.EventService`: the claims feed. A carrier sees only
//! its own carrier's changes of submitted claims; a 3PL only the changes of
//! the claims its own account filed, read through the outbox's party index
//! (never remittances, which have no party and no carrier).

use std::pin::Pin;

use recourse_platform::auth::principal;
use recourse_platform::outbox::{Relay, feed_filter, follow};
use recourse_proto::claims as pb;
use recourse_proto::claims::event_service_server::EventService;
use sea_orm::DatabaseConnection;
use tokio_stream::Stream;
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
    type SubscribeStream = Pin<Box<dyn Stream<Item = Result<pb::Event, Status>> + Send>>;

    async fn subscribe(
        &self,
        request: Request<pb::SubscribeRequest>,
    ) -> Result<Response<Self::SubscribeStream>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let body = request.get_ref();
        let mut filter = feed_filter(caller, body.after_position, &body.types)?;
        filter.party_id = caller.party_scope().map(str::to_owned);
        let feed = follow(
            OUTBOX,
            self.db.clone(),
            &self.relay,
            body.after_position,
            filter,
            decode,
        );
        Ok(Response::new(Box::pin(feed)))
    }
}
