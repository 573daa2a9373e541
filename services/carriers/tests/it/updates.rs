//! UpdateCarrier and ChangeCarrierStatus: field masks (snake_case or the
//! JSON form's lowerCamelCase), etags, the status lifecycle.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use common::{spawn_app, violated_fields};
use recourse_proto::carriers as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

backend_tests!(
    update_changes_only_the_masked_fields,
    json_camel_case_mask_paths_name_the_same_fields,
    stale_etag_is_aborted,
    update_mask_rejects_immutable_and_unknown_fields,
    status_moves_through_onboarding_and_refuses_illegal_moves,
);

pub fn mask(paths: &[&str]) -> Option<prost_types::FieldMask> {
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

pub async fn change_status(
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

/// grpcurl and JSON clients write FieldMask paths in lowerCamelCase
/// (`"updateMask": "displayName,contactEmail"`); they name the same fields.
async fn json_camel_case_mask_paths_name_the_same_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create("ACME").await;
    let mut change = created.clone();
    change.display_name = "Acme Parcel".into();
    change.contact_email = "ops@acme.example".into();
    let updated = app
        .admin()
        .update_carrier(pb::UpdateCarrierRequest {
            carrier: Some(change),
            update_mask: mask(&["displayName", "contactEmail"]),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.display_name, "Acme Parcel");
    assert_eq!(updated.contact_email, "ops@acme.example");
    assert_eq!(updated.regions, created.regions);
}
