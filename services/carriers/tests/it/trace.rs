//! A client span and the server's span for the call it makes share one
//! trace: `traceparent` is injected by the client interceptor and extracted
//! by the server's per-call span.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use recourse_proto::carriers as pb;
use recourse_test_support::Backend;
use recourse_test_support::trace::{SpanCapture, child, named};
use tracing::Instrument as _;

const SERVER_SPAN: &str = "/recourse.carriers.v1.CarrierService/GetCarrier";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_call_and_server_span_share_one_trace() {
    let capture = SpanCapture::install();
    let app = common::spawn_app(Backend::Sqlite).await;
    let created = app.create("ACME").await;
    let mut client = app.admin();
    async {
        client
            .get_carrier(pb::GetCarrierRequest {
                name: created.name.clone(),
            })
            .await
            .unwrap();
    }
    .instrument(tracing::info_span!("client.get_carrier"))
    .await;

    // Other tests call GetCarrier at the same time: the span that matters
    // is the child of this client span.
    let spans = capture
        .spans_until(|s| {
            named(s, "client.get_carrier").is_some_and(|c| child(s, SERVER_SPAN, c).is_some())
        })
        .await;
    let client = named(&spans, "client.get_carrier").expect("client span exported");
    let server = child(&spans, SERVER_SPAN, client).expect("server span exported");
    assert_eq!(
        server.span_context.trace_id(),
        client.span_context.trace_id()
    );
    assert_eq!(server.parent_span_id, client.span_context.span_id());
    assert_eq!(server.span_kind, opentelemetry::trace::SpanKind::Server);
}
