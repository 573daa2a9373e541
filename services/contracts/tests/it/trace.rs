//! One trace spans a client call to the contracts service and the contracts
//! service's own call to the carriers service (W3C `traceparent` injected
//! and extracted at each hop).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use recourse_platform::auth::Role;
use recourse_proto::contracts as pb;
use recourse_test_support::Backend;
use recourse_test_support::trace::{SpanCapture, SpanData, child, named};
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

    // The subscriber is process-wide: other tests of this binary create
    // contracts at the same time, and the fixture's own GetCarrier calls are
    // other traces. So walk down from this test's client span.
    let ours = |s: &[SpanData]| {
        let client = named(s, "client.create_contract")?;
        let contracts = child(s, CONTRACTS_SPAN, client)?;
        let carriers = child(s, CARRIERS_SPAN, contracts)?;
        Some((client.clone(), contracts.clone(), carriers.clone()))
    };
    let spans = capture.spans_until(|s| ours(s).is_some()).await;
    let (client, contracts, carriers) =
        ours(&spans).expect("client → contracts → carriers spans, each parented on the last");
    let trace = client.span_context.trace_id();
    assert_eq!(contracts.span_context.trace_id(), trace);
    assert_eq!(contracts.parent_span_id, client.span_context.span_id());
    assert_eq!(carriers.span_context.trace_id(), trace);
    assert_eq!(carriers.parent_span_id, contracts.span_context.span_id());
}
