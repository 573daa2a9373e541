//! The one `EventService` every feed-owning service serves: each service's
//! generated trait differs only in its package, so [`event_service!`]
//! writes the glue once (Subscribe and GetHead) — the caller's role check, the visibility the
//! [`Feed`](crate::outbox::Feed) applies, and the service's decoder.

use tokio_stream::wrappers::ReceiverStream;

/// The stream a feed subscription answers with.
pub type FeedStream<T> = ReceiverStream<Result<T, tonic::Status>>;

/// Defines `EventApi` (built with `EventApi::new(feed)`) implementing
/// `$pb::event_service_server::EventService` over a
/// [`Feed`](crate::outbox::Feed): callers need one of `$readers`, and
/// `$decode` turns a stored event into `$pb::Event`.
///
/// ```ignore
/// use recourse_proto::carriers as pb;
/// recourse_platform::event_service!(pb, READERS, crate::events::decode);
/// ```
#[macro_export]
macro_rules! event_service {
    ($pb:ident, $readers:expr, $decode:path) => {
        /// This service's change feed over gRPC.
        #[derive(Debug, Clone)]
        pub struct EventApi {
            feed: $crate::outbox::Feed,
        }

        impl EventApi {
            pub fn new(feed: $crate::outbox::Feed) -> Self {
                Self { feed }
            }
        }

        #[::tonic::async_trait]
        impl $pb::event_service_server::EventService for EventApi {
            type SubscribeStream = $crate::event_api::FeedStream<$pb::Event>;

            async fn subscribe(
                &self,
                request: ::tonic::Request<$pb::SubscribeRequest>,
            ) -> ::std::result::Result<::tonic::Response<Self::SubscribeStream>, ::tonic::Status>
            {
                let caller = $crate::auth::principal(&request)?;
                let body = request.get_ref();
                let feed = self.feed.subscribe(
                    caller,
                    $readers,
                    body.after_position,
                    &body.types,
                    $decode,
                )?;
                Ok(::tonic::Response::new(feed))
            }

            async fn get_head(
                &self,
                request: ::tonic::Request<$pb::GetHeadRequest>,
            ) -> ::std::result::Result<::tonic::Response<$pb::FeedHead>, ::tonic::Status> {
                let caller = $crate::auth::principal(&request)?;
                let head_position = self.feed.head(caller, $readers).await?;
                Ok(::tonic::Response::new($pb::FeedHead { head_position }))
            }
        }
    };
}
