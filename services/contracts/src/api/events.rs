//! `recourse.contracts.v1.EventService`: the outbox feed (a carrier
//! principal reads only its carrier's events, never a draft's).

use recourse_platform::auth::principal;
use recourse_platform::outbox::Feed;
use recourse_proto::contracts as pb;
use recourse_proto::contracts::event_service_server::EventService;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::READERS;
use crate::events::decode;

#[derive(Debug, Clone)]
pub struct EventApi {
    feed: Feed,
}

impl EventApi {
    pub fn new(feed: Feed) -> Self {
        Self { feed }
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
        let body = request.get_ref();
        let feed =
            self.feed
                .subscribe(caller, READERS, body.after_position, &body.types, decode)?;
        Ok(Response::new(feed))
    }
}
