//! The claims and contracts feeds, read with webhooks' own internal token
//! (platform `feed_consumer`): each event creates, in the transaction that
//! moves the feed's position, one pending delivery per endpoint that sees
//! it (domain `endpoint::sees` and the endpoint's patterns), with the
//! event's JSON body stored once. A crash before the commit replays the
//! event; after it, the position has moved with the deliveries.

use std::sync::Arc;

use prost::Message as _;
use recourse_platform::feed_consumer::{ApplyError, FeedSink};
use recourse_platform::proto_types::timestamp_from_proto;
use recourse_proto::{claims, contracts};
use recourse_webhooks_domain::endpoint::{EventFacts, sees};
use sea_orm::DatabaseTransaction;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::envelope::{self, Header};
use crate::repo::deliveries::{self, StoredEvent};
use crate::repo::endpoints;

recourse_platform::feed_source!(ClaimsFeed, claims, "claims");
recourse_platform::feed_source!(ContractsFeed, contracts, "contracts");

/// Turns feed events into deliveries.
#[derive(Debug, Clone)]
pub struct Sink {
    pub clock: Clock,
    /// Woken after each commit, so the worker sends without waiting for
    /// its tick.
    pub wake: Arc<Notify>,
}

fn id_of(name: &str, collection: &str) -> String {
    name.strip_prefix(collection)
        .and_then(|s| s.strip_prefix('/'))
        .unwrap_or(name)
        .to_owned()
}

/// What one event is, whatever its feed.
struct Incoming<'a> {
    header: Header<'a>,
    account: &'a str,
    draft: bool,
    message: &'static str,
    encoded: Vec<u8>,
}

impl Sink {
    async fn deliver(
        &self,
        txn: &DatabaseTransaction,
        feed: &'static str,
        e: Incoming<'_>,
    ) -> Result<(), ApplyError> {
        let carrier_id = id_of(e.header.carrier, "carriers");
        let facts = EventFacts {
            event_type: e.header.event_type,
            carrier_id: &carrier_id,
            account_id: e.account,
            draft: e.draft,
        };
        let wanting: Vec<_> = endpoints::candidates(txn, &carrier_id, e.account)
            .await?
            .into_iter()
            .filter(|ep| sees(&ep.owner, &facts) && ep.event_types.matches(facts.event_type))
            .collect();
        if wanting.is_empty() {
            return Ok(());
        }
        let body =
            envelope::render(&e.header, e.message, &e.encoded).map_err(ApplyError::Refused)?;
        let event = StoredEvent {
            id: envelope::event_id(feed, e.header.position),
            feed,
            position: e.header.position,
            event_type: e.header.event_type.to_owned(),
            subject: e.header.subject.to_owned(),
            occurred_at: e.header.occurred_at,
            body,
        };
        deliveries::insert_event(txn, &event).await?;
        let now = self.clock.now();
        for endpoint in wanting {
            let id = uuid::Uuid::now_v7().hyphenated().to_string();
            deliveries::insert_delivery(txn, &id, &endpoint.id, &event.id, now).await?;
        }
        Ok(())
    }
}

fn occurred(ts: Option<&prost_types::Timestamp>) -> chrono::DateTime<chrono::Utc> {
    ts.and_then(timestamp_from_proto).unwrap_or_default()
}

#[tonic::async_trait]
impl FeedSink<claims::Event> for Sink {
    async fn apply(
        &self,
        txn: &DatabaseTransaction,
        feed: &'static str,
        e: &claims::Event,
    ) -> Result<(), ApplyError> {
        let claim = match &e.data {
            Some(claims::event::Data::Claim(c)) => Some(c),
            Some(
                claims::event::Data::Remittance(_)
                | claims::event::Data::Dispute(_)
                | claims::event::Data::Escalation(_),
            )
            | None => None,
        };
        let incoming = Incoming {
            header: Header {
                feed,
                position: e.position,
                event_type: &e.r#type,
                subject: &e.subject,
                carrier: &e.carrier,
                occurred_at: occurred(e.occur_time.as_ref()),
            },
            account: claim.map_or("", |c| c.filing_account.as_str()),
            draft: claim.is_some_and(|c| c.status == claims::ClaimStatus::Draft as i32),
            message: "recourse.claims.v1.Event",
            encoded: e.encode_to_vec(),
        };
        self.deliver(txn, feed, incoming).await
    }

    fn committed(&self) {
        self.wake.notify_one();
    }
}

#[tonic::async_trait]
impl FeedSink<contracts::Event> for Sink {
    async fn apply(
        &self,
        txn: &DatabaseTransaction,
        feed: &'static str,
        e: &contracts::Event,
    ) -> Result<(), ApplyError> {
        let (account, draft) = match &e.data {
            Some(contracts::event::Data::Shipment(s)) => (s.shipper_account.as_str(), false),
            Some(contracts::event::Data::ContractVersion(v)) => {
                ("", v.status == contracts::VersionStatus::Draft as i32)
            }
            Some(contracts::event::Data::SlaEvaluation(_)) | None => ("", false),
        };
        let incoming = Incoming {
            header: Header {
                feed,
                position: e.position,
                event_type: &e.r#type,
                subject: &e.subject,
                carrier: &e.carrier,
                occurred_at: occurred(e.occur_time.as_ref()),
            },
            account,
            draft,
            message: "recourse.contracts.v1.Event",
            encoded: e.encode_to_vec(),
        };
        self.deliver(txn, feed, incoming).await
    }

    fn committed(&self) {
        self.wake.notify_one();
    }
}
