//! One business flow through the gateway of a running cluster, with API
//! keys: onboard a carrier → contract → shipments → tracking → SLA
//! evaluation → claim → remittance → report.
//! Contracts is SIGKILLed in the middle of a tracking feed (crash.rs) and
//! again before a shipment is registered, claims right after a claim is
//! drafted; each restarts on its old address, the client's retries with the
//! same request ids find the same resources, and at the end every resource
//! exists exactly once.

use chrono::{Duration as Days, Utc};
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::carriers as cpb;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use recourse_proto::claims as clpb;
use recourse_proto::claims::claim_service_client::ClaimServiceClient;
use recourse_proto::claims::recovery_service_client::RecoveryServiceClient;
use recourse_proto::contracts as kpb;
use recourse_proto::contracts::contract_service_client::ContractServiceClient;
use recourse_proto::contracts::shipment_service_client::ShipmentServiceClient;
use recourse_proto::contracts::sla_service_client::SlaServiceClient;
use recourse_proto::gateway as gpb;
use recourse_proto::gateway::api_key_service_client::ApiKeyServiceClient;
use recourse_test_support::fixtures;
use tonic::Code;

use super::Cluster;
use super::client::{claim_request, first_admin_key, retrying, through_gateway};

/// Runs the flow; asserts every step and the counts at the end.
pub async fn run(cluster: &mut Cluster) {
    let admin_key = first_admin_key(cluster);
    let admin = through_gateway(cluster, &admin_key);

    // Onboard the carrier (a retry with the same request id is the same carrier).
    let mut carriers = CarrierServiceClient::new(admin.clone());
    let carrier = carriers
        .create_carrier(fixtures::carrier_request("CLSTR"))
        .await
        .expect("create carrier")
        .into_inner();
    let again = carriers
        .create_carrier(fixtures::carrier_request("CLSTR"))
        .await
        .expect("retry create carrier")
        .into_inner();
    assert_eq!(again.name, carrier.name, "the retry is the same carrier");
    let carrier = carrier.name;

    // Its contract, in force for the last 400 days.
    let mut contracts = ContractServiceClient::new(admin.clone());
    let contract = contracts
        .create_contract(kpb::CreateContractRequest {
            request_id: "cluster-contract".into(),
            carrier: carrier.clone(),
            reference: "MSA-CLSTR".into(),
            display_name: "Cluster".into(),
            effective_from: Some(date_to_proto((Utc::now() - Days::days(400)).date_naive())),
            effective_to: None,
            terms: Some(fixtures::terms()),
        })
        .await
        .expect("create contract")
        .into_inner();
    let version = &contract.versions[0];
    contracts
        .activate_contract_version(kpb::ActivateContractVersionRequest {
            name: version.name.clone(),
            etag: version.etag.clone(),
        })
        .await
        .expect("activate");

    let shipped = Utc::now() - Days::days(5);
    let register = |tracking: &str| kpb::RegisterShipmentRequest {
        request_id: format!("cluster-ship-{tracking}"),
        shipment: Some(fixtures::shipment(&carrier, tracking, shipped)),
    };
    let event = |id: &str, tracking: &str, kind, hours| {
        fixtures::event(id, tracking, kind, shipped + Days::hours(hours))
    };
    let mut shipments = ShipmentServiceClient::new(admin.clone());
    let delivered = shipments
        .register_shipment(register("CL-DELIVERED"))
        .await
        .expect("register")
        .into_inner()
        .name;

    // Tracking: picked up, delivered the next day. Sent twice: the
    // carrier's event ids make the second batch all duplicates.
    let batch = kpb::IngestTrackingEventsRequest {
        carrier: carrier.clone(),
        events: vec![
            event("cl-1", "CL-DELIVERED", kpb::TrackingEventType::PickedUp, 1),
            event(
                "cl-2",
                "CL-DELIVERED",
                kpb::TrackingEventType::Delivered,
                24,
            ),
        ],
    };
    let first = shipments
        .ingest_tracking_events(tokio_stream::iter([batch.clone()]))
        .await
        .expect("ingest")
        .into_inner();
    assert_eq!((first.stored, first.duplicates), (2, 0), "{first:?}");
    let second = shipments
        .ingest_tracking_events(tokio_stream::iter([batch]))
        .await
        .expect("ingest again")
        .into_inner();
    assert_eq!((second.stored, second.duplicates), (0, 2), "{second:?}");

    // Its scans stream in while contracts is killed (crash.rs).
    let scans = super::crash::scans_survive_a_kill_mid_ingest(
        cluster,
        &admin,
        &carrier,
        "CL-DELIVERED",
        shipped + Days::hours(2),
    )
    .await;

    // Contracts crashes again: registering the second parcel fails
    // UNAVAILABLE through the gateway; once contracts is back the same
    // request registers it, once. (Registered last so that the process
    // that traced it lives to flush its spans: a SIGKILL loses a process's
    // unexported spans, as it would in a cluster.)
    cluster.kill("contracts");
    let down = shipments
        .register_shipment(register("CL-LOST"))
        .await
        .expect_err("contracts is down");
    assert_eq!(down.code(), Code::Unavailable, "{down:?}");
    cluster.restart("contracts").await;
    let lost = retrying("register after restart", || {
        let mut client = shipments.clone();
        let request = register("CL-LOST");
        async move { client.register_shipment(request).await }
    })
    .await
    .name;
    let replay = shipments
        .register_shipment(register("CL-LOST"))
        .await
        .expect("replay")
        .into_inner();
    assert_eq!(replay.name, lost, "the retry is the same shipment");
    let picked_up = shipments
        .ingest_tracking_events(tokio_stream::iter([kpb::IngestTrackingEventsRequest {
            carrier: carrier.clone(),
            events: vec![event(
                "cl-3",
                "CL-LOST",
                kpb::TrackingEventType::PickedUp,
                1,
            )],
        }]))
        .await
        .expect("ingest")
        .into_inner();
    assert_eq!(picked_up.stored, 1, "{picked_up:?}");

    // The month's SLA: two GROUND shipments, one delivered.
    let mut sla = SlaServiceClient::new(admin.clone());
    let evaluation = sla
        .evaluate_sla(kpb::EvaluateSlaRequest {
            carrier: carrier.clone(),
            service_level: "GROUND".into(),
            period_date: Some(date_to_proto(shipped.date_naive())),
            as_of: None,
        })
        .await
        .expect("evaluate SLA")
        .into_inner();
    assert_eq!(
        (evaluation.shipments, evaluation.delivered),
        (2, 1),
        "{evaluation:?}"
    );

    // A loss claim for the parcel that never arrived. Claims crashes right
    // after drafting it; the retry after the restart finds that draft.
    let mut claims = ClaimServiceClient::new(admin.clone());
    let draft = claims
        .create_claim(claim_request("cluster-claim", &lost))
        .await
        .expect("create claim")
        .into_inner();
    cluster.kill("claims");
    let down = claims
        .create_claim(claim_request("cluster-claim", &lost))
        .await
        .expect_err("claims is down");
    assert_eq!(down.code(), Code::Unavailable, "{down:?}");
    cluster.restart("claims").await;
    let again = retrying("create claim after restart", || {
        let mut client = claims.clone();
        let request = claim_request("cluster-claim", &lost);
        async move { client.create_claim(request).await }
    })
    .await;
    assert_eq!(again.name, draft.name, "the retry is the same claim");
    assert_eq!(again.etag, draft.etag, "and it was not touched");

    // Submitted (claims → contracts for the shipment and the claim terms),
    // twice with one request id: one submission.
    let submit = clpb::SubmitClaimRequest {
        request_id: "cluster-submit".into(),
        name: draft.name.clone(),
        etag: draft.etag.clone(),
        ..Default::default()
    };
    let submitted = claims
        .submit_claim(submit.clone())
        .await
        .expect("submit")
        .into_inner();
    assert_eq!(submitted.status(), clpb::ClaimStatus::Submitted);
    let replay = claims
        .submit_claim(submit)
        .await
        .expect("replay")
        .into_inner();
    assert_eq!(replay.etag, submitted.etag, "the replay changed nothing");

    // The carrier answers with its own key, scoped to itself.
    let carrier_key = ApiKeyServiceClient::new(admin.clone())
        .create_api_key(gpb::CreateApiKeyRequest {
            request_id: "cluster-carrier-key".into(),
            api_key: Some(gpb::ApiKey {
                display_name: "CLSTR claims desk".into(),
                role: gpb::Role::Carrier.into(),
                carrier: carrier.clone(),
                ..Default::default()
            }),
        })
        .await
        .expect("carrier key")
        .into_inner()
        .key;
    let mut desk = ClaimServiceClient::new(through_gateway(cluster, &carrier_key));
    let mut claim = submitted;
    for (to, amount) in [
        (clpb::ClaimStatus::Acknowledged, None),
        (clpb::ClaimStatus::UnderReview, None),
        (clpb::ClaimStatus::Approved, fixtures::usd(1_000)),
    ] {
        claim = desk
            .transition_claim(clpb::TransitionClaimRequest {
                request_id: format!("cluster-{to:?}"),
                name: claim.name.clone(),
                etag: claim.etag.clone(),
                to: to.into(),
                reason: "agreed".into(),
                approved_amount: amount,
                override_cap: false,
            })
            .await
            .unwrap_or_else(|e| panic!("carrier moves the claim to {to:?}: {e:?}"))
            .into_inner();
    }

    // Reporting crashes once it has the approval (report.rs).
    super::report::reporting_restarts_midway(cluster, &admin, &carrier).await;

    // The carrier pays; the remittance settles the claim. Recorded twice
    // with one request id: one remittance.
    let remit = clpb::RecordRemittanceRequest {
        request_id: "cluster-remittance".into(),
        remittance: Some(clpb::Remittance {
            carrier: carrier.clone(),
            kind: clpb::RemittanceKind::Payment.into(),
            reference: "CLSTR-PAY-1".into(),
            remittance_date: Some(date_to_proto(Utc::now().date_naive())),
            amount: fixtures::usd(1_000),
            lines: vec![clpb::RemittanceLine {
                claim: claim.number.clone(),
                amount: fixtures::usd(1_000),
                ..Default::default()
            }],
            ..Default::default()
        }),
    };
    let mut recoveries = RecoveryServiceClient::new(admin.clone());
    let remittance = recoveries
        .record_remittance(remit.clone())
        .await
        .expect("record remittance")
        .into_inner();
    assert_eq!(remittance.allocated, fixtures::usd(1_000));
    let replay = recoveries
        .record_remittance(remit)
        .await
        .expect("replay")
        .into_inner();
    assert_eq!(
        replay.name, remittance.name,
        "the retry is the same remittance"
    );
    let settled = claims
        .get_claim(clpb::GetClaimRequest {
            name: claim.name.clone(),
        })
        .await
        .expect("get claim")
        .into_inner();
    assert_eq!(settled.status(), clpb::ClaimStatus::Settled);
    assert_eq!(settled.recovered_amount, fixtures::usd(1_000));

    // The report: reporting, reading the three feeds, shows the one claim
    // approved and recovered once (report.rs).
    super::report::shows_the_flow(&admin, &carrier, shipped).await;

    // Nothing lost, nothing twice: every resource exactly once.
    let counted = carriers
        .list_carriers(cpb::ListCarriersRequest::default())
        .await
        .expect("list carriers")
        .into_inner()
        .carriers
        .len();
    assert_eq!(counted, 1, "carriers");
    let counted = contracts
        .list_contracts(kpb::ListContractsRequest::default())
        .await
        .expect("list contracts")
        .into_inner()
        .contracts
        .len();
    assert_eq!(counted, 1, "contracts");
    let listed = shipments
        .list_shipments(kpb::ListShipmentsRequest::default())
        .await
        .expect("list shipments")
        .into_inner()
        .shipments;
    let mut names: Vec<_> = listed.iter().map(|s| s.name.clone()).collect();
    names.sort();
    let mut expected = vec![lost.clone(), delivered.clone()];
    expected.sort();
    assert_eq!(names, expected, "shipments");
    for (shipment, events) in [(&lost, 1), (&delivered, 2 + scans)] {
        let counted = shipments
            .list_tracking_events(kpb::ListTrackingEventsRequest {
                shipment: shipment.clone(),
            })
            .await
            .expect("list tracking")
            .into_inner()
            .events
            .len();
        assert_eq!(counted, events, "tracking events of {shipment}");
    }
    let counted = sla
        .list_sla_evaluations(kpb::ListSlaEvaluationsRequest::default())
        .await
        .expect("list evaluations")
        .into_inner()
        .evaluations
        .len();
    assert_eq!(counted, 1, "SLA evaluations");
    let listed = claims
        .list_claims(clpb::ListClaimsRequest::default())
        .await
        .expect("list claims")
        .into_inner()
        .claims;
    assert_eq!(listed.len(), 1, "claims");
    assert_eq!(listed[0].name, draft.name);
    let counted = recoveries
        .list_remittances(clpb::ListRemittancesRequest::default())
        .await
        .expect("list remittances")
        .into_inner()
        .remittances
        .len();
    assert_eq!(counted, 1, "remittances");
}
