//! CarrierService through a real gRPC client on a real socket, against
//! SQLite and PostgreSQL (one fresh database per test): creation,
//! idempotency, validation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use std::collections::HashSet;

use common::{create_request, spawn_app, violated_fields};
use recourse_proto::carriers as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

backend_tests!(
    create_then_get_returns_the_stored_carrier,
    retry_with_same_request_id_returns_the_first_result,
    same_request_id_with_another_body_is_already_exists,
    concurrent_identical_creates_make_one_carrier,
    duplicate_code_is_already_exists,
    invalid_fields_are_each_named,
    missing_request_id_is_invalid,
);

async fn create_then_get_returns_the_stored_carrier(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create("ACME").await;
    assert!(created.name.starts_with("carriers/"));
    assert_eq!(created.status(), pb::CarrierStatus::Onboarding);
    assert_eq!(created.regions, ["US", "US-CA"]);
    assert_eq!(created.service_levels.len(), 2);
    assert!(created.service_levels[1].guaranteed);
    assert!(!created.etag.is_empty());
    let fetched = app
        .admin()
        .get_carrier(pb::GetCarrierRequest {
            name: created.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(fetched.capacity, created.capacity);
    assert_eq!(fetched.service_levels, created.service_levels);
    assert_eq!(fetched.code, "ACME");
    assert_eq!(fetched.etag, created.etag);
}

async fn retry_with_same_request_id_returns_the_first_result(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app
        .admin()
        .create_carrier(create_request("r-1", "ACME"))
        .await
        .unwrap()
        .into_inner();
    let retry = app
        .admin()
        .create_carrier(create_request("r-1", "ACME"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first, retry);
    let all = app
        .admin()
        .list_carriers(pb::ListCarriersRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.carriers.len(), 1);
}

async fn same_request_id_with_another_body_is_already_exists(backend: Backend) {
    let app = spawn_app(backend).await;
    app.admin()
        .create_carrier(create_request("r-1", "ACME"))
        .await
        .unwrap();
    let err = app
        .admin()
        .create_carrier(create_request("r-1", "OTHER"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists, "{err:?}");
    assert!(err.message().contains("r-1"), "{err:?}");
}

async fn concurrent_identical_creates_make_one_carrier(backend: Backend) {
    let app = spawn_app(backend).await;
    let calls = (0..20).map(|_| {
        let mut client = app.admin();
        async move { client.create_carrier(create_request("same", "ACME")).await }
    });
    let results = futures::future::join_all(calls).await;
    let names: HashSet<String> = results
        .into_iter()
        .map(|r| {
            r.expect("every duplicate gets the first result")
                .into_inner()
                .name
        })
        .collect();
    assert_eq!(names.len(), 1);
    let all = app
        .admin()
        .list_carriers(pb::ListCarriersRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.carriers.len(), 1);
}

async fn duplicate_code_is_already_exists(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create("ACME").await;
    let err = app
        .admin()
        .create_carrier(create_request("another-request", "ACME"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists, "{err:?}");
    assert!(err.message().contains("ACME"));
}

async fn invalid_fields_are_each_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut bad = common::carrier("acme");
    bad.display_name = "   ".into();
    bad.kind = 0;
    bad.regions = vec!["US".into(), "us-ca".into(), "US".into()];
    bad.service_levels[1].code = "GROUND".into();
    bad.service_levels[0].transit_days_min = 9;
    bad.contact_email = "not-an-email".into();
    if let Some(capacity) = bad.capacity.as_mut() {
        capacity.peak_allocations[0].end_date = Some(recourse_proto::common::Date {
            year: 2026,
            month: 2,
            day: 30,
        });
    }
    let err = app
        .admin()
        .create_carrier(pb::CreateCarrierRequest {
            request_id: "r".into(),
            carrier: Some(bad),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    let fields = violated_fields(&err);
    for expected in [
        "carrier.code",
        "carrier.display_name",
        "carrier.kind",
        "carrier.regions[1]",
        "carrier.regions[2]",
        "carrier.service_levels[1].code",
        "carrier.service_levels[0].transit_days_max",
        "carrier.contact_email",
        "carrier.capacity.peak_allocations[0].end_date",
    ] {
        assert!(
            fields.iter().any(|f| f == expected),
            "{expected} missing from {fields:?}"
        );
    }
    let none = app
        .admin()
        .list_carriers(pb::ListCarriersRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert!(
        none.carriers.is_empty(),
        "nothing is stored from a bad request"
    );
}

async fn missing_request_id_is_invalid(backend: Backend) {
    let app = spawn_app(backend).await;
    let err = app
        .admin()
        .create_carrier(create_request("", "ACME"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(violated_fields(&err), ["request_id"]);
    let err = app
        .admin()
        .create_carrier(pb::CreateCarrierRequest {
            request_id: "r".into(),
            carrier: None,
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["carrier"]);
}
