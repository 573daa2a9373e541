//! AIP-211 through real gRPC on SQLite and PostgreSQL: a carrier principal
//! of carrier A walks every RPC of the four contracts services with carrier
//! B's real names (carrier, contract, active and draft versions, shipment,
//! SLA evaluation) and then with made-up names of the same shape. Each RPC
//! answers both walks with the same code and the same message (which names
//! only what was asked for), and no message names anything of B's that was
//! not in the request.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

mod walk;

use common::{at, day, shipment, spawn_app, terms, ts};
use recourse_platform::auth::Role;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;
use walk::{Clients, Names, walk};

backend_tests!(every_rpc_answers_another_carriers_names_like_made_up_ones,);

async fn every_rpc_answers_another_carriers_names_like_made_up_ones(backend: Backend) {
    let app = spawn_app(backend).await;
    let mine = app.carrier("MINE").await;
    let theirs = app.carrier("THEIRS").await;
    app.active_contract(&mine, "A", day(2026, 1, 1)).await;
    let version = app.active_contract(&theirs, "B", day(2026, 1, 1)).await;
    let contract = version.name.split("/versions/").next().unwrap().to_owned();
    let draft = app
        .contracts(Role::Admin)
        .create_contract_version(pb::CreateContractVersionRequest {
            request_id: "b-v2".into(),
            contract: contract.clone(),
            effective_from: day(2027, 1, 1),
            effective_to: None,
            terms: Some(terms()),
        })
        .await
        .unwrap()
        .into_inner();
    let their_shipment = app
        .register(shipment(&theirs, "B1", at(2026, 6, 1, 9, 0)))
        .await;
    let evaluation = app
        .sla(Role::Admin)
        .evaluate_sla(pb::EvaluateSlaRequest {
            carrier: theirs.clone(),
            service_level: "GROUND".into(),
            period_date: day(2026, 6, 1),
            as_of: ts(at(2026, 7, 15, 0, 0)),
        })
        .await
        .unwrap()
        .into_inner();
    let real = Names {
        carrier: theirs.clone(),
        contract,
        version: version.name.clone(),
        draft: draft.name.clone(),
        shipment: their_shipment.name.clone(),
        evaluation: evaluation.name.clone(),
    };
    let mut clients = Clients {
        contracts: app.partner_contracts(&mine),
        shipments: app.partner_shipments(&mine),
        sla: app.partner_sla(&mine),
    };
    let with_real = walk(&mut clients, &real).await;
    let with_made_up = walk(&mut clients, &Names::made_up()).await;
    assert_eq!(
        with_real.len(),
        24,
        "every RPC but Subscribe (it names nothing)"
    );
    for (real, made_up) in with_real.iter().zip(&with_made_up) {
        assert_eq!(real, made_up, "{} tells real from made-up names", real.0);
        assert!(
            matches!(real.1, Code::NotFound | Code::PermissionDenied),
            "{real:?}"
        );
        assert!(!real.2.contains("THEIRS"), "{real:?}");
    }
    // Resource lookups are NOT_FOUND; calls the role may not make are
    // PERMISSION_DENIED whatever they name.
    let code = |rpc: &str| with_real.iter().find(|a| a.0 == rpc).unwrap().1;
    for rpc in [
        "GetContract",
        "ListContracts",
        "GetContractVersion",
        "GetContractVersion(draft)",
        "GetTermsInForce",
        "QuoteRate",
        "AuditCharge",
        "GetClaimTerms",
        "RegisterShipment",
        "GetShipment",
        "ListShipments",
        "ListTrackingEvents",
        "GetSlaEvaluation",
        "ListSlaEvaluations",
        "ListRefundCandidates",
        "IngestTrackingEvents",
    ] {
        assert_eq!(code(rpc), Code::NotFound, "{rpc}");
    }
    for rpc in [
        "CreateContract",
        "CreateContractVersion",
        "UpdateContractVersion",
        "ActivateContractVersion",
        "ExpireContractVersion",
        "RecordShipmentCharges",
        "OverrideShipmentPromise",
        "EvaluateSla",
    ] {
        assert_eq!(code(rpc), Code::PermissionDenied, "{rpc}");
    }
}
