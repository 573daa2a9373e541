//! One trace spans a client call to the contracts service and the contracts
//! service's own call to the carriers service (W3C `traceparent` injected
//! and extracted at each hop).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod common;

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use recourse_platform::auth::Role;
use recourse_proto::contracts as pb;
use recourse_test_support::Backend;
use tracing::Instrument as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

const CONTRACTS_SPAN: &str = "/recourse.contracts.v1.ContractService/CreateContract";
const CARRIERS_SPAN: &str = "/recourse.carriers.v1.CarrierService/GetCarrier";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_contract_is_one_trace_across_contracts_and_carriers() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")))
        .init();
    recourse_platform::telemetry::install_propagator();

    let app = common::spawn_app(Backend::Sqlite).await;
    let carrier = app.carrier("ACME").await;
    let mut client = app.contracts(Role::Admin);
    async {
        client
            .create_contract(pb::CreateContractRequest {
                request_id: "traced".into(),
                carrier: carrier.clone(),
                reference: "MSA".into(),
                display_name: "Traced".into(),
                effective_from: common::day(2026, 1, 1),
                effective_to: None,
                terms: Some(common::terms()),
            })
            .await
            .unwrap();
    }
    .instrument(tracing::info_span!("client.create_contract"))
    .await;

    let find = |spans: &[SpanData], name: &str| spans.iter().find(|s| s.name == name).cloned();
    let mut spans: Vec<SpanData> = Vec::new();
    for _ in 0..100 {
        provider.force_flush().unwrap();
        spans = exporter.get_finished_spans().unwrap();
        if find(&spans, CONTRACTS_SPAN).is_some() && find(&spans, CARRIERS_SPAN).is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let client = find(&spans, "client.create_contract").expect("client span");
    let contracts = find(&spans, CONTRACTS_SPAN).expect("contracts server span");
    // The fixture's own GetCarrier calls are other traces; pick the child.
    let carriers = spans
        .iter()
        .find(|s| s.name == CARRIERS_SPAN && s.parent_span_id == contracts.span_context.span_id())
        .expect("carriers span parented on the contracts span");
    let trace = client.span_context.trace_id();
    assert_eq!(contracts.span_context.trace_id(), trace);
    assert_eq!(contracts.parent_span_id, client.span_context.span_id());
    assert_eq!(carriers.span_context.trace_id(), trace);
}
