//! `recourse.claims.v1.EventService`: the claims feed. A carrier sees only
//! its own carrier's changes; a 3PL only the changes of the claims its own
//! account filed (never remittances).

use std::pin::Pin;

use recourse_platform::auth::principal;
use recourse_platform::outbox::{Relay, feed_filter, follow};
use recourse_proto::claims as pb;
use recourse_proto::claims::event_service_server::EventService;
use sea_orm::DatabaseConnection;
use tokio_stream::{Stream, StreamExt as _};
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

/// Whether a 3PL account may see `event`: only claim events of the claims
/// its account filed. Feed errors pass through (the client must see them).
fn filed_by_account(event: &Result<pb::Event, Status>, account: &str) -> bool {
    match event {
        Ok(e) => matches!(&e.data, Some(pb::event::Data::Claim(c)) if c.filing_account == account),
        Err(_) => true,
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
        let filter = feed_filter(caller, body.after_position, &body.types)?;
        let feed = follow(
            OUTBOX,
            self.db.clone(),
            &self.relay,
            body.after_position,
            filter,
            decode,
        );
        // The outbox is indexed by carrier only, so a 3PL's feed reads every
        // event and keeps its account's (positions stay the feed's, so it
        // resumes the same way).
        Ok(Response::new(match caller.party_scope() {
            None => Box::pin(feed),
            Some(account) => {
                let account = account.to_owned();
                Box::pin(feed.filter(move |e| filed_by_account(e, &account)))
            }
        }))
    }
}
