//! `recourse.carriers.v1.EventService`: the registry's change feed (the
//! platform's `Feed`). A carrier principal reads only its own carrier's
//! events; everyone who may read carriers may follow it.

use std::pin::Pin;

use recourse_platform::auth::principal;
use recourse_platform::outbox::Feed;
use recourse_proto::carriers as pb;
use recourse_proto::carriers::event_service_server::EventService;
use tokio_stream::Stream;
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
    type SubscribeStream = Pin<Box<dyn Stream<Item = Result<pb::Event, Status>> + Send>>;

    async fn subscribe(
        &self,
        request: Request<pb::SubscribeRequest>,
    ) -> Result<Response<Self::SubscribeStream>, Status> {
        let caller = principal(&request)?;
        let body = request.get_ref();
        let feed =
            self.feed
                .subscribe(caller, READERS, body.after_position, &body.types, decode)?;
        Ok(Response::new(Box::pin(feed)))
    }
}
