//! ContractService through real gRPC on SQLite and PostgreSQL, with the real
//! carriers service answering the contracts service's checks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use common::{day, spawn_app, terms, violated_fields};
use recourse_platform::auth::Role;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

backend_tests!(
    contract_needs_a_known_carrier_and_its_service_levels,
    invalid_terms_name_every_field,
    create_contract_is_idempotent,
    draft_is_editable_active_is_immutable,
    activation_closes_the_predecessor_and_terms_in_force_follow_the_dates,
    overlapping_activation_and_stale_etags_are_refused,
);

async fn contract_needs_a_known_carrier_and_its_service_levels(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut client = app.contracts(Role::Admin);
    let request = |carrier: &str, terms: pb::ContractTerms| pb::CreateContractRequest {
        request_id: format!("r-{carrier}-{}", terms.rate_cards.len()),
        carrier: carrier.into(),
        reference: "MSA".into(),
        display_name: "Master agreement".into(),
        effective_from: day(2026, 1, 1),
        effective_to: None,
        terms: Some(terms),
    };
    let err = client
        .create_contract(request(
            "carriers/01900000-0000-7000-8000-000000000000",
            terms(),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound, "{err:?}");
    let carrier = app.carrier("ACME").await;
    let mut unsold = terms();
    unsold.rate_cards[1].service_level = "SAME_DAY".into();
    let err = client
        .create_contract(request(&carrier, unsold))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["terms.rate_cards[1].service_level"]);
    let contract = client
        .create_contract(request(&carrier, terms()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(contract.versions.len(), 1);
    assert_eq!(contract.versions[0].status(), pb::VersionStatus::Draft);
    assert_eq!(
        contract.versions[0]
            .terms
            .as_ref()
            .unwrap()
            .liability
            .as_ref()
            .unwrap()
            .acknowledge_within_days,
        30,
        "federal default filled in"
    );
}

async fn invalid_terms_name_every_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let mut bad = terms();
    bad.rate_cards[0].dim_divisor = 0;
    bad.rate_cards[0].zone_rates[0].weight_breaks[1].max_weight_thousandths = 500;
    bad.rate_cards[0].minimum_charge = Some(recourse_proto::common::Money {
        amount_minor: 100,
        currency_code: "EUR".into(),
    });
    bad.liability.as_mut().unwrap().filing_windows[0].anchor = 0;
    bad.sla_terms[1].refund_window_days = 0;
    let err = app
        .contracts(Role::Admin)
        .create_contract(pb::CreateContractRequest {
            request_id: "bad".into(),
            carrier: carrier.clone(),
            reference: String::new(),
            display_name: "x".into(),
            effective_from: Some(recourse_proto::common::Date {
                year: 2026,
                month: 2,
                day: 30,
            }),
            effective_to: None,
            terms: Some(bad),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    let fields = violated_fields(&err);
    for expected in [
        "reference",
        "effective_from",
        "terms.rate_cards[0].dim_divisor",
        "terms.rate_cards[0].zone_rates[0].weight_breaks[1].max_weight_thousandths",
        "terms.rate_cards[0].minimum_charge.currency_code",
        "terms.liability.filing_windows[0].anchor",
        "terms.sla_terms[1].refund_window_days",
    ] {
        assert!(
            fields.iter().any(|f| f == expected),
            "{expected} missing from {fields:?}"
        );
    }
}

async fn create_contract_is_idempotent(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let mut client = app.contracts(Role::Admin);
    let request = pb::CreateContractRequest {
        request_id: "same".into(),
        carrier: carrier.clone(),
        reference: "MSA".into(),
        display_name: "Master".into(),
        effective_from: day(2026, 1, 1),
        effective_to: None,
        terms: Some(terms()),
    };
    let first = client
        .create_contract(request.clone())
        .await
        .unwrap()
        .into_inner();
    let again = client
        .create_contract(request.clone())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first, again);
    let mut other = request;
    other.display_name = "Changed".into();
    let err = client.create_contract(other).await.unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    let listed = client
        .list_contracts(pb::ListContractsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.contracts.len(), 1);
}

async fn draft_is_editable_active_is_immutable(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let mut client = app.contracts(Role::Admin);
    let contract = client
        .create_contract(pb::CreateContractRequest {
            request_id: "c".into(),
            carrier: carrier.clone(),
            reference: "MSA".into(),
            display_name: "Master".into(),
            effective_from: day(2026, 1, 1),
            effective_to: None,
            terms: Some(terms()),
        })
        .await
        .unwrap()
        .into_inner();
    let mut draft = contract.versions[0].clone();
    draft.effective_from = day(2026, 2, 1);
    let edited = client
        .update_contract_version(pb::UpdateContractVersionRequest {
            version: Some(draft.clone()),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["effective_from".into()],
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(edited.effective_from, day(2026, 2, 1));
    let active = client
        .activate_contract_version(pb::ActivateContractVersionRequest {
            name: edited.name.clone(),
            etag: edited.etag.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(active.status(), pb::VersionStatus::Active);
    let mut change = active.clone();
    change.effective_from = day(2026, 3, 1);
    let err = client
        .update_contract_version(pb::UpdateContractVersionRequest {
            version: Some(change),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["effective_from".into()],
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
}

async fn activation_closes_the_predecessor_and_terms_in_force_follow_the_dates(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let v1 = app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let contract = v1.name.split("/versions/").next().unwrap().to_owned();
    let mut client = app.contracts(Role::Admin);
    let mut cheaper = terms();
    cheaper.rate_cards[0].fuel_surcharge_bp = 900;
    let v2 = client
        .create_contract_version(pb::CreateContractVersionRequest {
            request_id: "v2".into(),
            contract: contract.clone(),
            effective_from: day(2026, 7, 1),
            effective_to: None,
            terms: Some(cheaper),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(v2.version, 2);
    client
        .activate_contract_version(pb::ActivateContractVersionRequest {
            name: v2.name.clone(),
            etag: v2.etag.clone(),
        })
        .await
        .unwrap();
    let v1_now = client
        .get_contract_version(pb::GetContractVersionRequest {
            name: v1.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        v1_now.effective_to,
        day(2026, 6, 30),
        "the predecessor closes the day before"
    );
    let on = |d| pb::GetTermsInForceRequest {
        carrier: carrier.clone(),
        date: d,
    };
    assert_eq!(
        client
            .get_terms_in_force(on(day(2026, 6, 30)))
            .await
            .unwrap()
            .into_inner()
            .version,
        1
    );
    assert_eq!(
        client
            .get_terms_in_force(on(day(2026, 7, 1)))
            .await
            .unwrap()
            .into_inner()
            .version,
        2
    );
    let err = client
        .get_terms_in_force(on(day(2025, 12, 31)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);

    // Expiring v2 keeps it answering for the dates it covered.
    let v2_now = client
        .get_contract_version(pb::GetContractVersionRequest {
            name: v2.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let expired = client
        .expire_contract_version(pb::ExpireContractVersionRequest {
            name: v2.name.clone(),
            etag: v2_now.etag,
            effective_to: day(2026, 12, 31),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(expired.status(), pb::VersionStatus::Expired);
    assert_eq!(
        client
            .get_terms_in_force(on(day(2026, 12, 31)))
            .await
            .unwrap()
            .into_inner()
            .version,
        2
    );
    assert!(
        client
            .get_terms_in_force(on(day(2027, 1, 1)))
            .await
            .is_err()
    );
}

async fn overlapping_activation_and_stale_etags_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let v1 = app.active_contract(&carrier, "MSA", day(2026, 3, 1)).await;
    let contract = v1.name.split("/versions/").next().unwrap().to_owned();
    let mut client = app.contracts(Role::Admin);
    let earlier = client
        .create_contract_version(pb::CreateContractVersionRequest {
            request_id: "early".into(),
            contract,
            effective_from: day(2026, 1, 1),
            effective_to: None,
            terms: Some(terms()),
        })
        .await
        .unwrap()
        .into_inner();
    let err = client
        .activate_contract_version(pb::ActivateContractVersionRequest {
            name: earlier.name.clone(),
            etag: "\"99\"".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Aborted);
    let err = client
        .activate_contract_version(pb::ActivateContractVersionRequest {
            name: earlier.name.clone(),
            etag: earlier.etag.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
    assert!(err.message().contains("overlaps"), "{err:?}");
}
