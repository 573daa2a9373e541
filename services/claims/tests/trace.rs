//! A claim submission is one trace: the client's span, the claims service's
//! span, and the contracts service's spans for the shipment and claim terms
//! it asks for.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod common;

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use recourse_platform::auth::Role;

use recourse_proto::contracts as cpb;
use recourse_test_support::Backend;
use tracing::Instrument as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

const SUBMIT: &str = "/recourse.claims.v1.ClaimService/SubmitClaim";
const TERMS: &str = "/recourse.contracts.v1.ContractService/GetClaimTerms";
const SHIPMENT: &str = "/recourse.contracts.v1.ShipmentService/GetShipment";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submission_is_one_trace_across_claims_and_contracts() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")))
        .init();
    recourse_platform::telemetry::install_propagator();

    let app = common::spawn_app(Backend::Sqlite).await;
    let world = app.world("ACME").await;
    let shipment = app.shipped(&world, "T1", 5, false).await;
    let mut client = app.claims(Role::Internal);
    let draft = client
        .create_claim(common::claim_request(
            "c",
            &shipment,
            cpb::ClaimType::Loss,
            1,
            1_000,
        ))
        .await
        .unwrap()
        .into_inner();
    async {
        common::submit(&mut client, &draft).await.unwrap();
    }
    .instrument(tracing::info_span!("client.submit"))
    .await;

    let mut spans: Vec<SpanData> = Vec::new();
    let submit_span = |spans: &[SpanData]| spans.iter().find(|s| s.name == SUBMIT).cloned();
    for _ in 0..100 {
        provider.force_flush().unwrap();
        spans = exporter.get_finished_spans().unwrap();
        if let Some(s) = submit_span(&spans) {
            let children = spans
                .iter()
                .filter(|c| c.parent_span_id == s.span_context.span_id())
                .count();
            if children >= 2 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let client_span = spans
        .iter()
        .find(|s| s.name == "client.submit")
        .expect("client span");
    let submit = submit_span(&spans).expect("claims span");
    let trace = client_span.span_context.trace_id();
    assert_eq!(submit.span_context.trace_id(), trace);
    assert_eq!(submit.parent_span_id, client_span.span_context.span_id());
    for name in [SHIPMENT, TERMS] {
        let child = spans
            .iter()
            .find(|s| s.name == name && s.parent_span_id == submit.span_context.span_id())
            .unwrap_or_else(|| panic!("{name} parented on the claims span"));
        assert_eq!(child.span_context.trace_id(), trace);
    }
}
