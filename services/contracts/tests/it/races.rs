//! Invariants under racing calls (meaningful on PostgreSQL; SQLite
//! serialises them, and runs them too so both halves stay equal): one
//! first delivery per shipment, one winner per etag, at most one contract
//! version in force per carrier per day, distinct version numbers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::Duration;
use chrono::NaiveDate;
use common::{at, day, event, ingest, shipment, spawn_app, terms, usd};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::date_from_proto;
use recourse_platform::proto_types::timestamp_from_proto;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::TrackingEventType::Delivered;

backend_tests!(
    twenty_racing_deliveries_record_exactly_one,
    twenty_racing_charge_records_on_one_etag_let_one_win,
    twenty_racing_activations_leave_one_version_in_force_per_day,
    twenty_racing_version_creations_get_distinct_numbers,
);

async fn twenty_racing_deliveries_record_exactly_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let s = app
        .register(shipment(&carrier, "T1", at(2026, 11, 2, 9, 0)))
        .await;
    // 20 streams at once, each claiming a different delivery minute.
    let calls = (0..20).map(|i| {
        let mut client = app.shipments(Role::Internal);
        let carrier = carrier.clone();
        async move {
            let when = at(2026, 11, 4, 9, 0) + Duration::minutes(i);
            ingest(
                &mut client,
                &carrier,
                vec![vec![event(&format!("d{i}"), "T1", Delivered, when)]],
            )
            .await
            .unwrap()
        }
    });
    let outcomes = futures::future::join_all(calls).await;
    let stored: u64 = outcomes.iter().map(|o| o.stored).sum();
    let ignored: usize = outcomes.iter().map(|o| o.ignored.len()).sum();
    // All 20 kept in the history; exactly one set the delivery time.
    assert_eq!((stored, ignored), (20, 19));
    let winner = outcomes.iter().position(|o| o.ignored.is_empty()).unwrap() as i64;
    let fetched = app
        .shipments(Role::Internal)
        .get_shipment(pb::GetShipmentRequest { name: s.name })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        timestamp_from_proto(&fetched.delivered_time.unwrap()),
        Some(at(2026, 11, 4, 9, 0) + Duration::minutes(winner))
    );
}

async fn twenty_racing_charge_records_on_one_etag_let_one_win(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let s = app
        .register(shipment(&carrier, "T1", at(2026, 11, 2, 9, 0)))
        .await;
    let calls = (0..20).map(|i| {
        let mut client = app.shipments(Role::Finance);
        let request = pb::RecordShipmentChargesRequest {
            name: s.name.clone(),
            etag: s.etag.clone(),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["billed_charge".into()],
            }),
            invoice_date: None,
            billed_charge: usd(1_000 + i),
            billed_transportation_charge: None,
        };
        async move { client.record_shipment_charges(request).await }
    });
    let results = futures::future::join_all(calls).await;
    let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(won.len(), 1, "one write per etag");
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| e.code() == Code::Aborted),
        "the others are ABORTED, never INTERNAL"
    );
    let fetched = app
        .shipments(Role::Internal)
        .get_shipment(pb::GetShipmentRequest { name: s.name })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(fetched.billed_charge, won[0].get_ref().billed_charge);
}

/// Twenty drafts of one carrier across 4 contracts, half starting on 1
/// January and half on 31 January (open-ended); returns the contracts and
/// the drafts.
async fn twenty_drafts(
    app: &common::TestApp,
    carrier: &str,
) -> (Vec<String>, Vec<pb::ContractVersion>) {
    let mut admin = app.contracts(Role::Admin);
    let mut contracts = Vec::new();
    let mut drafts = Vec::new();
    for c in 0..4 {
        let contract = admin
            .create_contract(pb::CreateContractRequest {
                request_id: format!("{carrier}-c{c}"),
                carrier: carrier.to_owned(),
                reference: format!("MSA-{c}"),
                display_name: format!("Contract {c}"),
                effective_from: day(2026, 1, 1),
                effective_to: None,
                terms: Some(terms()),
            })
            .await
            .unwrap()
            .into_inner();
        drafts.push(contract.versions[0].clone());
        contracts.push(contract.name);
    }
    for i in 4..20 {
        let start = if i % 2 == 0 {
            day(2026, 1, 1)
        } else {
            day(2026, 1, 31)
        };
        drafts.push(
            admin
                .create_contract_version(pb::CreateContractVersionRequest {
                    request_id: format!("{carrier}-v{i}"),
                    contract: contracts[i % 4].clone(),
                    effective_from: start,
                    effective_to: None,
                    terms: Some(terms()),
                })
                .await
                .unwrap()
                .into_inner(),
        );
    }
    (contracts, drafts)
}

/// The non-draft versions of `contracts`, as (from, to, name).
async fn in_force_spans(
    app: &common::TestApp,
    contracts: &[String],
) -> Vec<(NaiveDate, Option<NaiveDate>, String)> {
    let mut admin = app.contracts(Role::Admin);
    let mut spans = Vec::new();
    for name in contracts {
        let contract = admin
            .get_contract(pb::GetContractRequest { name: name.clone() })
            .await
            .unwrap()
            .into_inner();
        for v in contract.versions {
            if v.status() == pb::VersionStatus::Draft {
                continue;
            }
            let from = date_from_proto(v.effective_from.as_ref().unwrap()).unwrap();
            let to = v.effective_to.as_ref().and_then(date_from_proto);
            spans.push((from, to, v.name));
        }
    }
    spans
}

/// Three carriers with twenty drafts each (4 contracts, two start days),
/// all 60 activated at once. Whatever order the database lets them in, no
/// day may be covered by two non-draft versions of one carrier; each
/// activation either wins (closing an earlier-starting predecessor) or is
/// refused FAILED_PRECONDITION (overlap) or ABORTED (lost the race), never
/// INTERNAL. (Without the per-carrier lock and the exclusion constraint,
/// PostgreSQL lets two overlapping activations through.)
async fn twenty_racing_activations_leave_one_version_in_force_per_day(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut carriers = Vec::new();
    for code in ["ACME", "BOLT", "CRUX"] {
        let carrier = app.carrier(code).await;
        let (contracts, drafts) = twenty_drafts(&app, &carrier).await;
        carriers.push((carrier, contracts, drafts));
    }
    let calls = carriers
        .iter()
        .flat_map(|(_, _, drafts)| drafts)
        .map(|draft| {
            let mut client = app.contracts(Role::Admin);
            let request = pb::ActivateContractVersionRequest {
                name: draft.name.clone(),
                etag: draft.etag.clone(),
            };
            async move { client.activate_contract_version(request).await }
        });
    let results = futures::future::join_all(calls).await;
    for err in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(err.code(), Code::FailedPrecondition | Code::Aborted),
            "a loser is refused, never INTERNAL: {err:?}"
        );
    }
    for (carrier, contracts, _) in &carriers {
        let spans = in_force_spans(&app, contracts).await;
        assert!(!spans.is_empty(), "someone wins for {carrier}");
        for (i, a) in spans.iter().enumerate() {
            for b in &spans[i + 1..] {
                let overlap =
                    a.1.is_none_or(|a_to| b.0 <= a_to) && b.1.is_none_or(|b_to| a.0 <= b_to);
                assert!(!overlap, "{} and {} are both in force on a day", a.2, b.2);
            }
        }
        // GetTermsInForce answers with one of them (one indexed lookup).
        let in_force = app
            .contracts(Role::Admin)
            .get_terms_in_force(pb::GetTermsInForceRequest {
                carrier: carrier.clone(),
                date: day(2026, 6, 1),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(spans.iter().any(|s| s.2 == in_force.name));
    }
}

/// 20 CreateContractVersion calls on one contract at once: 20 drafts with
/// 20 distinct numbers (2..=21), none refused.
async fn twenty_racing_version_creations_get_distinct_numbers(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let v1 = app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let contract = v1.name.split("/versions/").next().unwrap().to_owned();
    let calls = (0..20).map(|i| {
        let mut client = app.contracts(Role::Admin);
        let request = pb::CreateContractVersionRequest {
            request_id: format!("v{i}"),
            contract: contract.clone(),
            effective_from: day(2027, 1, 1),
            effective_to: None,
            terms: Some(terms()),
        };
        async move { client.create_contract_version(request).await }
    });
    let results = futures::future::join_all(calls).await;
    let mut numbers: Vec<u32> = results
        .into_iter()
        .map(|r| r.expect("every creation succeeds").into_inner().version)
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (2..=21).collect::<Vec<_>>());
}
