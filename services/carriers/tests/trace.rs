//! A client span and the server's span for the call it makes share one
//! trace: `traceparent` is injected by the client interceptor and extracted
//! by the server's per-call span.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod common;

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use recourse_proto::carriers as pb;
use recourse_test_support::Backend;
use tracing::Instrument as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

const SERVER_SPAN: &str = "/recourse.carriers.v1.CarrierService/GetCarrier";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_call_and_server_span_share_one_trace() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")))
        .init();
    recourse_platform::telemetry::install_propagator();

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

    // The server closes its span once the response is written, which can be
    // a moment after the client has it.
    let mut spans: Vec<SpanData> = Vec::new();
    for _ in 0..100 {
        provider.force_flush().unwrap();
        spans = exporter.get_finished_spans().unwrap();
        if spans.iter().any(|s| s.name == SERVER_SPAN) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let client = spans
        .iter()
        .find(|s| s.name == "client.get_carrier")
        .expect("client span exported");
    let server = spans
        .iter()
        .find(|s| s.name == SERVER_SPAN)
        .unwrap_or_else(|| {
            panic!(
                "server span exported; got {:?}",
                spans.iter().map(|s| &s.name).collect::<Vec<_>>()
            )
        });
    assert_eq!(
        server.span_context.trace_id(),
        client.span_context.trace_id()
    );
    assert_eq!(server.parent_span_id, client.span_context.span_id());
    assert_eq!(server.span_kind, opentelemetry::trace::SpanKind::Server);
}
