//! A claim submission is one trace: the client's span, the claims service's
//! span, and the contracts service's spans for the shipment and claim terms
//! it asks for.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use recourse_platform::auth::Role;
use recourse_proto::contracts as cpb;
use recourse_test_support::Backend;
use recourse_test_support::trace::{SpanCapture, SpanData, child, named};
use tracing::Instrument as _;

const SUBMIT: &str = "/recourse.claims.v1.ClaimService/SubmitClaim";
const TERMS: &str = "/recourse.contracts.v1.ContractService/GetClaimTerms";
const SHIPMENT: &str = "/recourse.contracts.v1.ShipmentService/GetShipment";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submission_is_one_trace_across_claims_and_contracts() {
    let capture = SpanCapture::install();
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

    // The subscriber is process-wide: other tests' submissions are captured
    // too, so the claims span is looked up as the child of this client span.
    let ours = |s: &[SpanData]| {
        let client = named(s, "client.submit")?;
        let submit = child(s, SUBMIT, client)?;
        Some((client.clone(), submit.clone()))
    };
    let spans = capture
        .spans_until(|s| {
            ours(s).is_some_and(|(_, submit)| {
                child(s, SHIPMENT, &submit).is_some() && child(s, TERMS, &submit).is_some()
            })
        })
        .await;
    let (client_span, submit) = ours(&spans).expect("client and claims spans");
    let submit = &submit;
    let trace = client_span.span_context.trace_id();
    assert_eq!(submit.span_context.trace_id(), trace);
    for name in [SHIPMENT, TERMS] {
        let call = child(&spans, name, submit)
            .unwrap_or_else(|| panic!("{name} parented on the claims span"));
        assert_eq!(call.span_context.trace_id(), trace);
    }
}
