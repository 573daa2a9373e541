//! CarrierService through a real gRPC client on a real socket, against
//! SQLite and PostgreSQL (one fresh database per test).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use std::collections::HashSet;

use common::{create_request, spawn_app, violated_fields};
use recourse_platform::auth::Role;
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
    update_changes_only_the_masked_fields,
    stale_etag_is_aborted,
    update_mask_rejects_immutable_and_unknown_fields,
    status_moves_through_onboarding_and_refuses_illegal_moves,
    pagination_walks_every_row_exactly_once,
    page_token_is_bound_to_its_filters,
    list_filters_by_status_kind_and_region,
    unknown_and_malformed_names,
    missing_or_bad_token_is_unauthenticated,
    roles_are_enforced_per_rpc,
    partner_sees_only_its_own_carrier,
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

fn mask(paths: &[&str]) -> Option<prost_types::FieldMask> {
    Some(prost_types::FieldMask {
        paths: paths.iter().map(|p| (*p).to_owned()).collect(),
    })
}

async fn update_changes_only_the_masked_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create("ACME").await;
    let mut change = created.clone();
    change.display_name = "Acme Parcel".into();
    change.regions = vec!["DE".into()];
    change.contact_email = "ignored@x.example".into();
    let updated = app
        .admin()
        .update_carrier(pb::UpdateCarrierRequest {
            carrier: Some(change),
            update_mask: mask(&["display_name", "regions"]),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.display_name, "Acme Parcel");
    assert_eq!(updated.regions, ["DE"]);
    assert_eq!(updated.contact_email, created.contact_email);
    assert_eq!(updated.service_levels, created.service_levels);
    assert_ne!(updated.etag, created.etag);
    let fetched = app
        .admin()
        .get_carrier(pb::GetCarrierRequest { name: created.name })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(fetched.regions, ["DE"]);
    assert_eq!(fetched.etag, updated.etag);
}

async fn stale_etag_is_aborted(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create("ACME").await;
    let mut first = created.clone();
    first.display_name = "First".into();
    app.admin()
        .update_carrier(pb::UpdateCarrierRequest {
            carrier: Some(first),
            update_mask: mask(&["display_name"]),
        })
        .await
        .unwrap();
    let mut second = created.clone();
    second.display_name = "Second".into();
    let err = app
        .admin()
        .update_carrier(pb::UpdateCarrierRequest {
            carrier: Some(second),
            update_mask: mask(&["display_name"]),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Aborted, "{err:?}");
    let fetched = app
        .admin()
        .get_carrier(pb::GetCarrierRequest { name: created.name })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        fetched.display_name, "First",
        "the stale write changed nothing"
    );
}

async fn update_mask_rejects_immutable_and_unknown_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create("ACME").await;
    for paths in [&["code"][..], &["status"], &["bogus"], &[]] {
        let err = app
            .admin()
            .update_carrier(pb::UpdateCarrierRequest {
                carrier: Some(created.clone()),
                update_mask: mask(paths),
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{paths:?}");
        assert_eq!(violated_fields(&err), ["update_mask"], "{paths:?}");
    }
    let mut no_etag = created.clone();
    no_etag.etag.clear();
    let err = app
        .admin()
        .update_carrier(pb::UpdateCarrierRequest {
            carrier: Some(no_etag),
            update_mask: mask(&["display_name"]),
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["carrier.etag"]);
}

async fn change_status(
    app: &common::TestApp,
    carrier: &pb::Carrier,
    to: pb::CarrierStatus,
) -> Result<pb::Carrier, tonic::Status> {
    app.admin()
        .change_carrier_status(pb::ChangeCarrierStatusRequest {
            name: carrier.name.clone(),
            status: to.into(),
            reason: format!("moving to {to:?}"),
            etag: carrier.etag.clone(),
        })
        .await
        .map(tonic::Response::into_inner)
}

async fn status_moves_through_onboarding_and_refuses_illegal_moves(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create("ACME").await;
    let err = change_status(&app, &created, pb::CarrierStatus::Suspended)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
    let active = change_status(&app, &created, pb::CarrierStatus::Active)
        .await
        .unwrap();
    assert_eq!(active.status(), pb::CarrierStatus::Active);
    assert_eq!(active.status_reason, "moving to Active");
    let suspended = change_status(&app, &active, pb::CarrierStatus::Suspended)
        .await
        .unwrap();
    let active = change_status(&app, &suspended, pb::CarrierStatus::Active)
        .await
        .unwrap();
    let off = change_status(&app, &active, pb::CarrierStatus::Offboarded)
        .await
        .unwrap();
    let err = change_status(&app, &off, pb::CarrierStatus::Active)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    let err = change_status(&app, &created, pb::CarrierStatus::Active)
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Code::Aborted,
        "an old etag cannot move the status"
    );
    let err = app
        .admin()
        .change_carrier_status(pb::ChangeCarrierStatusRequest {
            name: off.name.clone(),
            status: 0,
            reason: String::new(),
            etag: off.etag.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["status", "reason"]);
}

async fn pagination_walks_every_row_exactly_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut created = HashSet::new();
    for i in 0..23 {
        created.insert(app.create(&format!("C{i:02}")).await.name);
    }
    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let page = app
            .admin()
            .list_carriers(pb::ListCarriersRequest {
                page_size: 5,
                page_token: token.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        pages += 1;
        assert!(page.carriers.len() <= 5);
        seen.extend(page.carriers.into_iter().map(|c| c.name));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(pages, 5);
    assert_eq!(seen.len(), 23, "no row twice");
    assert_eq!(
        seen.iter().cloned().collect::<HashSet<_>>(),
        created,
        "every row once"
    );
}

async fn page_token_is_bound_to_its_filters(backend: Backend) {
    let app = spawn_app(backend).await;
    for code in ["AA", "BB", "CC"] {
        app.create(code).await;
    }
    let first = app
        .admin()
        .list_carriers(pb::ListCarriersRequest {
            page_size: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let err = app
        .admin()
        .list_carriers(pb::ListCarriersRequest {
            page_size: 1,
            page_token: first.next_page_token,
            region: "DE".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["page_token"]);
    let err = app
        .admin()
        .list_carriers(pb::ListCarriersRequest {
            page_size: -1,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["page_size"]);
}

async fn list_filters_by_status_kind_and_region(backend: Backend) {
    let app = spawn_app(backend).await;
    let national = app.create("NAT").await;
    let mut regional = common::carrier("REG");
    regional.kind = pb::CarrierKind::Regional.into();
    regional.regions = vec!["DE-BY".into()];
    app.admin()
        .create_carrier(pb::CreateCarrierRequest {
            request_id: "reg".into(),
            carrier: Some(regional),
        })
        .await
        .unwrap();
    change_status(&app, &national, pb::CarrierStatus::Active)
        .await
        .unwrap();
    let codes = |request: pb::ListCarriersRequest| {
        let mut client = app.admin();
        async move {
            let mut codes: Vec<String> = client
                .list_carriers(request)
                .await
                .unwrap()
                .into_inner()
                .carriers
                .into_iter()
                .map(|c| c.code)
                .collect();
            codes.sort();
            codes
        }
    };
    assert_eq!(
        codes(pb::ListCarriersRequest {
            status: pb::CarrierStatus::Active.into(),
            ..Default::default()
        })
        .await,
        ["NAT"]
    );
    assert_eq!(
        codes(pb::ListCarriersRequest {
            kind: pb::CarrierKind::Regional.into(),
            ..Default::default()
        })
        .await,
        ["REG"]
    );
    assert_eq!(
        codes(pb::ListCarriersRequest {
            region: "DE-BY".into(),
            ..Default::default()
        })
        .await,
        ["REG"]
    );
    assert_eq!(
        codes(pb::ListCarriersRequest {
            region: "US-CA".into(),
            status: pb::CarrierStatus::Onboarding.into(),
            ..Default::default()
        })
        .await,
        Vec::<String>::new()
    );
    let err = app
        .admin()
        .list_carriers(pb::ListCarriersRequest {
            status: 99,
            region: "bad region".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["status", "region"]);
}

async fn unknown_and_malformed_names(backend: Backend) {
    let app = spawn_app(backend).await;
    let err = app
        .admin()
        .get_carrier(pb::GetCarrierRequest {
            name: format!("carriers/{}", uuid_like()),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    let err = app
        .admin()
        .get_carrier(pb::GetCarrierRequest {
            name: "carriers/../etc".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["name"]);
}

fn uuid_like() -> &'static str {
    "01900000-0000-7000-8000-000000000000"
}

async fn missing_or_bad_token_is_unauthenticated(backend: Backend) {
    let app = spawn_app(backend).await;
    let list = pb::ListCarriersRequest::default();
    let err = app
        .anonymous()
        .list_carriers(list.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    let err = app
        .with_raw_token("not.a.token")
        .list_carriers(list.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    let forged = recourse_platform::auth::TokenKeys::new(
        b"another-key-another-key-another-key!",
        "recourse",
    )
    .mint(
        &recourse_platform::auth::Principal::new("mallory", Role::Admin, None).unwrap(),
        60,
    )
    .unwrap();
    let err = app
        .with_raw_token(&forged)
        .list_carriers(list)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
}

async fn roles_are_enforced_per_rpc(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create("ACME").await;
    for role in [Role::Auditor, Role::Finance] {
        let err = app
            .client(role)
            .create_carrier(create_request("x", "NEW"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::PermissionDenied, "{role}");
        let err = app
            .client(role)
            .update_carrier(pb::UpdateCarrierRequest {
                carrier: Some(created.clone()),
                update_mask: mask(&["display_name"]),
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::PermissionDenied, "{role}");
        app.client(role)
            .get_carrier(pb::GetCarrierRequest {
                name: created.name.clone(),
            })
            .await
            .unwrap();
    }
    let internal = app
        .client(Role::Internal)
        .create_carrier(create_request("y", "NEW"))
        .await
        .unwrap();
    assert_eq!(internal.into_inner().code, "NEW");
    let err = app
        .partner(&created.name)
        .change_carrier_status(pb::ChangeCarrierStatusRequest {
            name: created.name.clone(),
            status: pb::CarrierStatus::Active.into(),
            reason: "self-activation".into(),
            etag: created.etag.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
}

async fn partner_sees_only_its_own_carrier(backend: Backend) {
    let app = spawn_app(backend).await;
    let mine = app.create("MINE").await;
    let theirs = app.create("THEIRS").await;
    let mut partner = app.partner(&mine.name);
    let own = partner
        .get_carrier(pb::GetCarrierRequest {
            name: mine.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(own.code, "MINE");
    let err = partner
        .get_carrier(pb::GetCarrierRequest {
            name: theirs.name.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let listed = partner
        .list_carriers(pb::ListCarriersRequest::default())
        .await
        .unwrap()
        .into_inner();
    let codes: Vec<_> = listed.carriers.into_iter().map(|c| c.code).collect();
    assert_eq!(codes, ["MINE"]);
}
