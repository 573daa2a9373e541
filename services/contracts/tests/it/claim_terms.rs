//! GetClaimTerms and the liability terms behind it: filing windows in days
//! or calendar months, validated on the way in.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common::{TestApp, day, spawn_app, terms, usd, violated_fields};
use recourse_platform::auth::Role;
use recourse_proto::common::WeightUnit;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

backend_tests!(
    filing_windows_take_days_or_calendar_months_never_both,
    claim_terms_carry_a_window_in_months,
    claim_terms_carry_the_appeal_terms_with_their_defaults,
    claim_terms_follow_the_version_in_force_on_the_ship_date,
);

fn window(kind: pb::ClaimType, days: u32, months: u32) -> pb::FilingWindow {
    pb::FilingWindow {
        claim_type: kind.into(),
        days,
        months,
        anchor: pb::FilingAnchor::ShipDate.into(),
    }
}

async fn create(
    app: &TestApp,
    carrier: &str,
    terms: pb::ContractTerms,
) -> Result<pb::Contract, tonic::Status> {
    app.contracts(Role::Admin)
        .create_contract(pb::CreateContractRequest {
            request_id: format!("c-{carrier}"),
            carrier: carrier.into(),
            reference: "MSA".into(),
            display_name: "Master".into(),
            effective_from: day(2026, 1, 1),
            effective_to: None,
            terms: Some(terms),
        })
        .await
        .map(tonic::Response::into_inner)
}

async fn filing_windows_take_days_or_calendar_months_never_both(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let mut bad = terms();
    bad.liability.as_mut().unwrap().appeal_window_days = 3_651;
    bad.liability.as_mut().unwrap().max_appeals = 21;
    bad.liability.as_mut().unwrap().filing_windows = vec![
        window(pb::ClaimType::Loss, 270, 9),
        window(pb::ClaimType::Damage, 0, 0),
        window(pb::ClaimType::Delay, 0, 121),
        window(pb::ClaimType::Shortage, 3_651, 0),
    ];
    let err = create(&app, &carrier, bad).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(
        violated_fields(&err),
        [
            "terms.liability.filing_windows[0].months",
            "terms.liability.filing_windows[1].days",
            "terms.liability.filing_windows[2].months",
            "terms.liability.filing_windows[3].days",
            "terms.liability.appeal_window_days",
            "terms.liability.max_appeals",
        ]
    );
}

async fn claim_terms_carry_a_window_in_months(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let mut carmack = terms();
    carmack.liability.as_mut().unwrap().filing_windows[0] = window(pb::ClaimType::Loss, 0, 9);
    let contract = create(&app, &carrier, carmack).await.unwrap();
    let draft = &contract.versions[0];
    app.contracts(Role::Admin)
        .activate_contract_version(pb::ActivateContractVersionRequest {
            name: draft.name.clone(),
            etag: draft.etag.clone(),
        })
        .await
        .unwrap();
    let terms = app
        .contracts(Role::Internal)
        .get_claim_terms(pb::GetClaimTermsRequest {
            carrier: carrier.clone(),
            service_level: "GROUND".into(),
            claim_type: pb::ClaimType::Loss.into(),
            ship_date: day(2026, 3, 1),
        })
        .await
        .unwrap()
        .into_inner();
    let window = terms.filing_window.unwrap();
    assert_eq!(
        (window.days, window.months, window.anchor()),
        (0, 9, pb::FilingAnchor::ShipDate)
    );
}

async fn claim_terms_carry_the_appeal_terms_with_their_defaults(backend: Backend) {
    let app = spawn_app(backend).await;
    let stated = app.carrier("ACME").await;
    let silent = app.carrier("BETA").await;
    let mut terms_45_2 = terms();
    let liability = terms_45_2.liability.as_mut().unwrap();
    liability.appeal_window_days = 45;
    liability.max_appeals = 2;
    for (carrier, terms) in [(&stated, terms_45_2), (&silent, terms())] {
        let contract = create(&app, carrier, terms).await.unwrap();
        let draft = &contract.versions[0];
        app.contracts(Role::Admin)
            .activate_contract_version(pb::ActivateContractVersionRequest {
                name: draft.name.clone(),
                etag: draft.etag.clone(),
            })
            .await
            .unwrap();
    }
    let appeal_terms = |carrier: String| {
        let mut client = app.contracts(Role::Internal);
        async move {
            let t = client
                .get_claim_terms(pb::GetClaimTermsRequest {
                    carrier,
                    service_level: "GROUND".into(),
                    claim_type: pb::ClaimType::Damage.into(),
                    ship_date: day(2026, 3, 1),
                })
                .await
                .unwrap()
                .into_inner();
            (t.appeal_window_days, t.max_appeals)
        }
    };
    assert_eq!(appeal_terms(stated).await, (45, 2));
    // A contract that states none: 30 days, one appeal.
    assert_eq!(appeal_terms(silent).await, (30, 1));
}

async fn claim_terms_follow_the_version_in_force_on_the_ship_date(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let version = app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let mut client = app.contracts(Role::Internal);
    let request = |claim_type: pb::ClaimType| pb::GetClaimTermsRequest {
        carrier: carrier.clone(),
        service_level: "GROUND".into(),
        claim_type: claim_type.into(),
        ship_date: day(2026, 11, 2),
    };
    let terms = client
        .get_claim_terms(request(pb::ClaimType::Damage))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(terms.contract_version, version.name);
    assert_eq!(terms.default_per_package_limit, usd(10_000));
    assert!(terms.declared_value_coverage);
    let window = terms.filing_window.unwrap();
    assert_eq!(
        (window.days, window.anchor()),
        (60, pb::FilingAnchor::ActualDelivery)
    );
    assert_eq!(
        terms.required_documents,
        [
            i32::from(pb::DocumentKind::Invoice),
            i32::from(pb::DocumentKind::Photo)
        ]
    );
    assert_eq!(
        (terms.acknowledge_within_days, terms.decide_within_days),
        (30, 120)
    );
    assert_eq!(terms.weight_unit(), WeightUnit::Lb);
    let err = client
        .get_claim_terms(request(pb::ClaimType::Shortage))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    let err = client
        .get_claim_terms(request(pb::ClaimType::Unspecified))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["claim_type"]);
}
