//! `recourse.claims.v1.EventService`: the claims feed; partners see only
//! their own carrier's changes.

use recourse_platform::ApiError;
use recourse_platform::auth::principal;
use recourse_platform::outbox::{FeedFilter, Relay, follow};
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
        if body.after_position < 0 {
            return Err(ApiError::invalid("after_position", "must not be negative").into());
        }
        let filter = FeedFilter {
            carrier_id: caller.carrier_scope().map(str::to_owned),
            types: body.types.clone(),
        };
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
