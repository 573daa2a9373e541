//! ContractService through real gRPC on SQLite and PostgreSQL, with the real
//! carriers service answering the contracts service's checks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use common::{day, spawn_app, terms, usd, violated_fields};
use recourse_platform::auth::Role;
use recourse_proto::common::{Dimensions, LengthUnit, Weight, WeightUnit};
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
    quote_rate_worked_example_zone_8_dim_13_lb,
    quote_refuses_what_the_card_cannot_price,
    audit_finds_overbilled_weight_and_an_extra_surcharge,
    claim_terms_follow_the_version_in_force_on_the_ship_date,
    partner_sees_only_its_own_contracts,
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

fn quote_request(
    carrier: &str,
    destination: &str,
    accessorials: Vec<String>,
) -> pb::QuoteRateRequest {
    pb::QuoteRateRequest {
        carrier: carrier.into(),
        service_level: "GROUND".into(),
        origin_postal_code: "94105".into(),
        destination_postal_code: destination.into(),
        weight: Some(Weight {
            thousandths: 3_200,
            unit: WeightUnit::Lb.into(),
        }),
        dimensions: Some(Dimensions {
            length_thousandths: 12_000,
            width_thousandths: 12_000,
            height_thousandths: 12_000,
            unit: LengthUnit::In.into(),
        }),
        declared_value: None,
        ship_date: day(2026, 11, 20),
        accessorials,
    }
}

async fn quote_rate_worked_example_zone_8_dim_13_lb(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let version = app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    // 94105 -> 10001 is zone 8. 12x12x12 in / 139 = 12.432 lb DIM beats 3.2 lb
    // actual, billed 13 lb -> the 20 lb break: 26.00. Fuel 12.5% = 3.25,
    // residential 4.95: total 34.20.
    let quote = app
        .contracts(Role::Internal)
        .quote_rate(quote_request(&carrier, "10001", vec!["RESIDENTIAL".into()]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(quote.zone, "8");
    assert_eq!(quote.billable_weight.unwrap().thousandths, 13_000);
    assert_eq!(quote.base_charge, usd(2_600));
    let codes: Vec<_> = quote
        .surcharges
        .iter()
        .map(|c| (c.code.as_str(), c.amount.clone().unwrap().amount_minor))
        .collect();
    assert_eq!(codes, [("FUEL", 325), ("RESIDENTIAL", 495)]);
    assert_eq!(quote.total, usd(3_420));
    assert_eq!(quote.contract_version, version.name);

    // A 0.5 lb envelope to zone 2 costs 8.00 by weight, lifted to the 9.00
    // minimum; fuel is on the minimum: 1.125 -> 1.13 (half away from zero).
    let mut small = quote_request(&carrier, "94016", vec![]);
    small.weight = Some(Weight {
        thousandths: 500,
        unit: WeightUnit::Lb.into(),
    });
    small.dimensions = None;
    let quote = app
        .contracts(Role::Internal)
        .quote_rate(small)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(quote.zone, "2");
    assert!(quote.minimum_applied);
    assert_eq!(quote.base_charge, usd(900));
    assert_eq!(quote.total, usd(1_013));
}

async fn quote_refuses_what_the_card_cannot_price(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let mut client = app.contracts(Role::Internal);
    let err = client
        .quote_rate(quote_request(&carrier, "10001", vec!["HAZMAT".into()]))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["accessorials"]);
    let mut heavy = quote_request(&carrier, "10001", vec![]);
    heavy.weight = Some(Weight {
        thousandths: 150_000,
        unit: WeightUnit::Lb.into(),
    });
    assert_eq!(
        client.quote_rate(heavy).await.unwrap_err().code(),
        Code::FailedPrecondition
    );
    let mut before = quote_request(&carrier, "10001", vec![]);
    before.ship_date = day(2025, 6, 1);
    assert_eq!(
        client.quote_rate(before).await.unwrap_err().code(),
        Code::FailedPrecondition
    );
    let mut bad = quote_request(&carrier, "10001", vec![]);
    bad.weight = None;
    bad.ship_date = None;
    assert_eq!(
        violated_fields(&client.quote_rate(bad).await.unwrap_err()),
        ["weight", "ship_date"]
    );
}

async fn audit_finds_overbilled_weight_and_an_extra_surcharge(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    // 2 lb, 10x8x4 in (DIM 2.302 -> 3 lb billable), zone 2: 10.00 + fuel 1.25.
    let shipment = app
        .register(common::shipment(
            &carrier,
            "1Z001",
            common::at(2026, 11, 16, 9, 0),
        ))
        .await;
    let billed = pb::BilledCharge {
        zone: "2".into(),
        billable_weight: Some(Weight {
            thousandths: 8_000,
            unit: WeightUnit::Lb.into(),
        }),
        base_charge: usd(1_800),
        surcharges: vec![
            pb::Charge {
                code: "FUEL".into(),
                amount: usd(225),
            },
            pb::Charge {
                code: "SIGNATURE".into(),
                amount: usd(300),
            },
        ],
        total: usd(2_325),
    };
    let audit = app
        .contracts(Role::Finance)
        .audit_charge(pb::AuditChargeRequest {
            shipment: shipment.name.clone(),
            billed: Some(billed),
        })
        .await
        .unwrap()
        .into_inner();
    let expected = audit.expected.unwrap();
    assert_eq!(expected.billable_weight.unwrap().thousandths, 3_000);
    assert_eq!(expected.base_charge, usd(1_000));
    let causes: Vec<_> = audit.discrepancies.iter().map(|d| d.cause()).collect();
    assert!(causes.contains(&pb::DiscrepancyCause::Weight), "{causes:?}");
    assert!(
        causes.contains(&pb::DiscrepancyCause::BaseRate),
        "{causes:?}"
    );
    // The signature line is contracted, so the expected quote includes it;
    // what differs is the fuel on the inflated base.
    assert!(
        causes.contains(&pb::DiscrepancyCause::Surcharge),
        "{causes:?}"
    );
    assert_eq!(
        audit.difference,
        usd(2_325 - expected.total.unwrap().amount_minor)
    );
    assert!(audit.difference.unwrap().amount_minor > 0, "overbilled");

    // Only the recorded total: compared as a total.
    let total_only = app
        .contracts(Role::Finance)
        .audit_charge(pb::AuditChargeRequest {
            shipment: shipment.name.clone(),
            billed: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(total_only.billed_total, usd(1_000));
    assert_eq!(total_only.difference, usd(1_000 - 1_125));
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

async fn partner_sees_only_its_own_contracts(backend: Backend) {
    let app = spawn_app(backend).await;
    let mine = app.carrier("MINE").await;
    let theirs = app.carrier("THEIRS").await;
    let own = app.active_contract(&mine, "A", day(2026, 1, 1)).await;
    let other = app.active_contract(&theirs, "B", day(2026, 1, 1)).await;
    let mut partner = app.partner_contracts(&mine);
    partner
        .get_contract_version(pb::GetContractVersionRequest {
            name: own.name.clone(),
        })
        .await
        .unwrap();
    let err = partner
        .get_contract_version(pb::GetContractVersionRequest {
            name: other.name.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Code::NotFound,
        "another carrier's version is not found"
    );
    let listed = partner
        .list_contracts(pb::ListContractsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.contracts.len(), 1);
    assert_eq!(listed.contracts[0].carrier, mine);
    let err = partner
        .get_terms_in_force(pb::GetTermsInForceRequest {
            carrier: theirs.clone(),
            date: day(2026, 5, 1),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    let err = partner
        .create_contract(pb::CreateContractRequest {
            request_id: "p".into(),
            carrier: mine.clone(),
            reference: "SELF".into(),
            display_name: "x".into(),
            effective_from: day(2026, 1, 1),
            effective_to: None,
            terms: Some(terms()),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
}
