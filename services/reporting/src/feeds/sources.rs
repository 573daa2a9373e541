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
    /// The producer's head (`EventService.GetHead`).
    async fn head(&self) -> Result<i64, Status>;
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

/// One [`Source`] per feed: the three differ only in their proto package,
/// their name and how an event becomes a [`Fact`].
macro_rules! feed_source {
    ($source:ident, $pb:ident, $name:literal, $fact:path) => {
        #[tonic::async_trait]
        impl Source for $source {
            type Event = $pb::Event;
            const NAME: &'static str = $name;
            async fn subscribe(&self, after: i64) -> Result<Streaming<Self::Event>, Status> {
                let mut client =
                    $pb::event_service_client::EventServiceClient::new(self.0.authed()?);
                let request = $pb::SubscribeRequest {
                    after_position: after,
                    types: vec![],
                };
                Ok(client.subscribe(request).await?.into_inner())
            }
            async fn head(&self) -> Result<i64, Status> {
                let mut client =
                    $pb::event_service_client::EventServiceClient::new(self.0.authed()?);
                Ok(client
                    .get_head($pb::GetHeadRequest {})
                    .await?
                    .into_inner()
                    .head_position)
            }
            fn position(e: &Self::Event) -> i64 {
                e.position
            }
            fn describe(e: &Self::Event) -> String {
                described(e.position, &e.r#type, &e.subject)
            }
            fn fact(e: &Self::Event) -> Result<Fact, String> {
                $fact(e)
            }
        }
    };
}

feed_source!(Carriers, carriers, "carriers", events::carrier);
feed_source!(Contracts, contracts, "contracts", events::contracts);
feed_source!(Claims, claims, "claims", events::claims);
