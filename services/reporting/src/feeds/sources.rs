//! The three feeds, read through each service's generated
//! `EventService` client with a short-lived internal token of reporting's
//! own: never their tables, never their crates.

use std::sync::Arc;

use recourse_platform::auth::{Principal, Role, TokenKeys};
use recourse_platform::client::OutboundInterceptor;
use recourse_proto::{carriers, claims, contracts};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic::{Status, Streaming};

use crate::convert::events;
use crate::domain::facts::Fact;

/// Who reporting is to the other services.
const SUBJECT: &str = "service:reporting";

type Authed = InterceptedService<Channel, OutboundInterceptor>;

/// One feed: how to subscribe after a position, and what its events say.
#[tonic::async_trait]
pub trait Source: Send + Sync + 'static {
    type Event: Send + Sync + 'static;
    /// "carriers", "contracts" or "claims".
    const NAME: &'static str;
    async fn subscribe(&self, after: i64) -> Result<Streaming<Self::Event>, Status>;
    fn position(event: &Self::Event) -> i64;
    /// "position 12 (shipment.delivered shipments/…)", for errors.
    fn describe(event: &Self::Event) -> String;
    fn fact(event: &Self::Event) -> Result<Fact, String>;
}

/// A channel to a service and the keys to mint reporting's token.
#[derive(Clone)]
pub struct Upstream {
    channel: Channel,
    keys: Arc<TokenKeys>,
}

impl Upstream {
    pub fn new(channel: Channel, keys: Arc<TokenKeys>) -> Self {
        Self { channel, keys }
    }

    fn authed(&self) -> Result<Authed, Status> {
        let me = Principal::new(SUBJECT, Role::Internal, None)
            .map_err(|e| Status::internal(e.to_string()))?;
        let token = self
            .keys
            .mint(&me, 300)
            .map_err(|e| Status::internal(e.to_string()))?;
        let interceptor = OutboundInterceptor::new(Some(&token)).map_err(Status::internal)?;
        Ok(InterceptedService::new(self.channel.clone(), interceptor))
    }
}

pub struct Carriers(pub Upstream);
pub struct Contracts(pub Upstream);
pub struct Claims(pub Upstream);

fn described(position: i64, kind: &str, subject: &str) -> String {
    format!("position {position} ({kind} {subject})")
}

#[tonic::async_trait]
impl Source for Carriers {
    type Event = carriers::Event;
    const NAME: &'static str = "carriers";
    async fn subscribe(&self, after: i64) -> Result<Streaming<Self::Event>, Status> {
        let mut client = carriers::event_service_client::EventServiceClient::new(self.0.authed()?);
        let request = carriers::SubscribeRequest {
            after_position: after,
            types: vec![],
        };
        Ok(client.subscribe(request).await?.into_inner())
    }
    fn position(e: &Self::Event) -> i64 {
        e.position
    }
    fn describe(e: &Self::Event) -> String {
        described(e.position, &e.r#type, &e.subject)
    }
    fn fact(e: &Self::Event) -> Result<Fact, String> {
        events::carrier(e)
    }
}

#[tonic::async_trait]
impl Source for Contracts {
    type Event = contracts::Event;
    const NAME: &'static str = "contracts";
    async fn subscribe(&self, after: i64) -> Result<Streaming<Self::Event>, Status> {
        let mut client = contracts::event_service_client::EventServiceClient::new(self.0.authed()?);
        let request = contracts::SubscribeRequest {
            after_position: after,
            types: vec![],
        };
        Ok(client.subscribe(request).await?.into_inner())
    }
    fn position(e: &Self::Event) -> i64 {
        e.position
    }
    fn describe(e: &Self::Event) -> String {
        described(e.position, &e.r#type, &e.subject)
    }
    fn fact(e: &Self::Event) -> Result<Fact, String> {
        events::contracts(e)
    }
}

#[tonic::async_trait]
impl Source for Claims {
    type Event = claims::Event;
    const NAME: &'static str = "claims";
    async fn subscribe(&self, after: i64) -> Result<Streaming<Self::Event>, Status> {
        let mut client = claims::event_service_client::EventServiceClient::new(self.0.authed()?);
        let request = claims::SubscribeRequest {
            after_position: after,
            types: vec![],
        };
        Ok(client.subscribe(request).await?.into_inner())
    }
    fn position(e: &Self::Event) -> i64 {
        e.position
    }
    fn describe(e: &Self::Event) -> String {
        described(e.position, &e.r#type, &e.subject)
    }
    fn fact(e: &Self::Event) -> Result<Fact, String> {
        events::claims(e)
    }
}
