//! One trace spans a client call to the contracts service and the contracts
//! service's own call to the carriers service (W3C `traceparent` injected
//! and extracted at each hop).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use recourse_platform::auth::Role;
use recourse_proto::contracts as pb;
use recourse_test_support::Backend;
use recourse_test_support::trace::{SpanCapture, child, named};
use tracing::Instrument as _;

const CONTRACTS_SPAN: &str = "/recourse.contracts.v1.ContractService/CreateContract";
const CARRIERS_SPAN: &str = "/recourse.carriers.v1.CarrierService/GetCarrier";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_contract_is_one_trace_across_contracts_and_carriers() {
    let capture = SpanCapture::install();
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

    // The fixture's own GetCarrier calls are other traces; the one that
    // matters is the child of the contracts span.
    let spans = capture
        .spans_until(|s| {
            named(s, "client.create_contract")
                .and_then(|client| child(s, CONTRACTS_SPAN, client))
                .is_some_and(|c| child(s, CARRIERS_SPAN, c).is_some())
        })
        .await;
    let client = named(&spans, "client.create_contract").expect("client span");
    let contracts = child(&spans, CONTRACTS_SPAN, client).expect("contracts server span");
    let carriers = child(&spans, CARRIERS_SPAN, contracts)
        .expect("carriers span parented on the contracts span");
    let trace = client.span_context.trace_id();
    assert_eq!(contracts.span_context.trace_id(), trace);
    assert_eq!(contracts.parent_span_id, client.span_context.span_id());
    assert_eq!(carriers.span_context.trace_id(), trace);
}
