//! Who may call what: tokens, roles per RPC, and AIP-211 visibility (a
//! partner asking for another carrier gets the NOT_FOUND of a carrier that
//! does not exist).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use crate::updates::mask;
use common::{create_request, spawn_app, violated_fields};
use recourse_platform::auth::Role;
use recourse_proto::carriers as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

backend_tests!(
    unknown_and_malformed_names,
    missing_or_bad_token_is_unauthenticated,
    roles_are_enforced_per_rpc,
    partner_sees_only_its_own_carrier,
    another_carriers_names_and_made_up_ones_get_one_answer,
);

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
    assert_eq!(err.code(), Code::NotFound);
    let listed = partner
        .list_carriers(pb::ListCarriersRequest::default())
        .await
        .unwrap()
        .into_inner();
    let codes: Vec<_> = listed.carriers.into_iter().map(|c| c.code).collect();
    assert_eq!(codes, ["MINE"]);
}

/// AIP-211: a partner of carrier A calling every RPC with carrier B's real
/// name and with a made-up one gets the same code and the same message
/// (which names only what was asked), so it learns nothing about B.
async fn another_carriers_names_and_made_up_ones_get_one_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let mine = app.create("MINE").await;
    let theirs = app.create("THEIRS").await;
    let made_up = format!("carriers/{}", uuid::Uuid::now_v7());
    let mut partner = app.partner(&mine.name);
    let mut answers = Vec::new();
    for name in [&theirs.name, &made_up] {
        let mut carrier = theirs.clone();
        carrier.name = name.clone();
        let calls = [
            partner
                .get_carrier(pb::GetCarrierRequest { name: name.clone() })
                .await
                .map(|_| ()),
            partner
                .update_carrier(pb::UpdateCarrierRequest {
                    carrier: Some(carrier),
                    update_mask: mask(&["display_name"]),
                })
                .await
                .map(|_| ()),
            partner
                .change_carrier_status(pb::ChangeCarrierStatusRequest {
                    name: name.clone(),
                    status: pb::CarrierStatus::Active.into(),
                    reason: "probe".into(),
                    etag: theirs.etag.clone(),
                })
                .await
                .map(|_| ()),
        ];
        answers.push(
            calls
                .into_iter()
                .map(|r| {
                    let err = r.unwrap_err();
                    (err.code(), err.message().replace(name.as_str(), "{name}"))
                })
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0][0].0, Code::NotFound);
    for (_, message) in &answers[0] {
        assert!(!message.contains("THEIRS") && !message.contains(&mine.name));
    }
}
