//! API keys end to end: created by an admin, used through the gateway,
//! rotated with a grace period, revoked, expired — every refusal the same
//! UNAUTHENTICATED message — and listed without secrets.

use std::time::Duration;

use recourse_platform::auth::Role;
use recourse_proto::carriers as cpb;
use recourse_proto::gateway as pb;
use recourse_test_support::{Backend, backend_tests};
use sea_orm::{ConnectionTrait, Statement};
use tonic::Code;

use crate::common::{self, key, spawn_app};

backend_tests!(
    a_key_works_until_rotation_grace_ends_and_until_revoked,
    an_expired_key_is_refused_like_any_other,
    a_carrier_key_acts_as_its_carrier_only,
    listing_shows_no_secret_and_last_use_is_recorded_in_batches,
    only_admins_manage_keys,
    creation_is_idempotent_and_a_replay_has_no_secret,
    bad_key_requests_name_every_field,
    concurrent_rotations_of_one_key_let_exactly_one_win,
);

/// The one message every refused credential gets.
const REFUSED: &str = "invalid or expired credentials";

async fn refused(app: &common::TestApp, credential: &str) {
    let err = app
        .carriers(credential)
        .list_carriers(cpb::ListCarriersRequest::default())
        .await
        .expect_err("credential must be refused");
    assert_eq!(err.code(), Code::Unauthenticated, "{err:?}");
    assert_eq!(err.message(), REFUSED);
}

async fn accepted(app: &common::TestApp, credential: &str) {
    app.carriers(credential)
        .list_carriers(cpb::ListCarriersRequest::default())
        .await
        .expect("credential must be accepted");
}

/// Sleeps until just after `at` (a deadline the gateway reported), so the
/// test does not depend on how long the calls before it took.
async fn sleep_past(at: &prost_types::Timestamp) {
    let deadline =
        chrono::DateTime::from_timestamp(at.seconds, u32::try_from(at.nanos).unwrap()).unwrap();
    let left = (deadline - chrono::Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(left + Duration::from_millis(200)).await;
}

async fn a_key_works_until_rotation_grace_ends_and_until_revoked(backend: Backend) {
    let app = spawn_app(backend).await;
    let (created, old) = app.create_key(key(pb::Role::Internal, "ops tool")).await;
    assert!(old.starts_with(&format!("{}_", created.key_prefix)));
    assert_eq!(created.state(), pb::ApiKeyState::Active);
    accepted(&app, &old).await;

    // Rotation with 4 s of grace: both secrets work, then only the new one.
    let rotated = app
        .keys_admin()
        .rotate_api_key(pb::RotateApiKeyRequest {
            name: created.name.clone(),
            grace_period_seconds: 4,
            etag: created.etag.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let new = rotated.key;
    assert_ne!(new, old);
    let key = rotated.api_key.unwrap();
    assert_eq!(key.name, created.name, "same key, new secret");
    let grace_end = key.previous_secret_expire_time.expect("a grace period");
    accepted(&app, &old).await;
    accepted(&app, &new).await;
    sleep_past(&grace_end).await;
    refused(&app, &old).await;
    accepted(&app, &new).await;

    // Revoked: refused with the very same message as an unknown key.
    let revoked = app
        .keys_admin()
        .revoke_api_key(pb::RevokeApiKeyRequest {
            name: created.name.clone(),
            etag: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(revoked.state(), pb::ApiKeyState::Revoked);
    refused(&app, &new).await;
    let unknown = format!("rk_{}_{}", "0".repeat(32), "A".repeat(43));
    refused(&app, &unknown).await;
    refused(&app, "rk_garbage").await;
    refused(&app, "not-a-token").await;
    // Revoking twice is a precondition failure, not a silent success.
    let err = app
        .keys_admin()
        .revoke_api_key(pb::RevokeApiKeyRequest {
            name: created.name,
            etag: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
}

async fn an_expired_key_is_refused_like_any_other(backend: Backend) {
    let app = spawn_app(backend).await;
    let expire = chrono::Utc::now() + chrono::Duration::seconds(5);
    let (created, full) = app
        .create_key(pb::ApiKey {
            expire_time: Some(prost_types::Timestamp {
                seconds: expire.timestamp(),
                nanos: 0,
            }),
            ..key(pb::Role::Auditor, "short-lived")
        })
        .await;
    accepted(&app, &full).await;
    sleep_past(created.expire_time.as_ref().expect("an expiry")).await;
    refused(&app, &full).await;
    let read = app
        .keys_admin()
        .get_api_key(pb::GetApiKeyRequest { name: created.name })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.state(), pb::ApiKeyState::Expired);
}

async fn a_carrier_key_acts_as_its_carrier_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let own = app.carrier("OWNC").await;
    let other = app.carrier("OTHR").await;
    let (created, full) = app
        .create_key(pb::ApiKey {
            carrier: own.clone(),
            ..key(pb::Role::Carrier, "Own carrier integration")
        })
        .await;
    assert_eq!(created.carrier, own);
    assert_eq!(created.subject, created.name);
    let mut client = app.carriers(&full);
    let listed = client
        .list_carriers(cpb::ListCarriersRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        listed
            .carriers
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>(),
        vec![own.clone()]
    );
    let err = client
        .get_carrier(cpb::GetCarrierRequest { name: other })
        .await
        .unwrap_err();
    // AIP-211: another carrier's resources look like missing ones.
    assert_eq!(err.code(), Code::NotFound);
    let err = client
        .create_carrier(common::carrier_request("NOPE"))
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Code::PermissionDenied,
        "a carrier key cannot write"
    );
}

async fn listing_shows_no_secret_and_last_use_is_recorded_in_batches(backend: Backend) {
    let app = spawn_app(backend).await;
    let (used, used_key) = app.create_key(key(pb::Role::Finance, "finance")).await;
    let (idle, idle_key) = app.create_key(key(pb::Role::Auditor, "auditor")).await;
    let (gone, _) = app.create_key(key(pb::Role::Auditor, "gone")).await;
    app.keys_admin()
        .revoke_api_key(pb::RevokeApiKeyRequest {
            name: gone.name.clone(),
            etag: gone.etag,
        })
        .await
        .unwrap();
    accepted(&app, &used_key).await;

    let listed = app
        .keys_admin()
        .list_api_keys(pb::ListApiKeysRequest::default())
        .await
        .unwrap()
        .into_inner();
    let names: Vec<_> = listed.api_keys.iter().map(|k| k.name.clone()).collect();
    assert_eq!(
        names,
        vec![used.name.clone(), idle.name.clone()],
        "revoked hidden"
    );
    let rendered = format!("{listed:?}");
    for secret in [&used_key, &idle_key] {
        let secret_part = &secret[secret.len() - 43..];
        assert!(
            !rendered.contains(secret_part),
            "a secret leaked into the list"
        );
    }
    let by_name = |name: &str| {
        listed
            .api_keys
            .iter()
            .find(|k| k.name == name)
            .unwrap()
            .clone()
    };
    assert!(by_name(&used.name).last_use_time.is_some());
    assert!(by_name(&idle.name).last_use_time.is_none());
    let all = app
        .keys_admin()
        .list_api_keys(pb::ListApiKeysRequest {
            show_revoked: true,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.api_keys.len(), 3);

    // The database gets the last use within the flush interval (1 s here),
    // in one batch, never the secret.
    let db = recourse_gateway::database(&app.db.settings).await.unwrap();
    let id = used.name.trim_start_matches("apikeys/").to_owned();
    let mut stored = None;
    for _ in 0..40 {
        let row = db
            .query_one_raw(Statement::from_sql_and_values(
                db.get_database_backend(),
                match db.get_database_backend() {
                    sea_orm::DbBackend::Postgres => {
                        "SELECT last_used_at IS NOT NULL AS used, secret_hash FROM gateway_api_keys WHERE id = $1"
                    }
                    _ => "SELECT last_used_at IS NOT NULL AS used, secret_hash FROM gateway_api_keys WHERE id = ?",
                },
                [id.clone().into()],
            ))
            .await
            .unwrap()
            .unwrap();
        let used: bool = row.try_get("", "used").unwrap();
        let hash: String = row.try_get("", "secret_hash").unwrap();
        assert_eq!(hash.len(), 64, "only a hex SHA-256 is stored");
        assert!(!used_key.contains(&hash));
        if used {
            stored = Some(());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(stored.is_some(), "last use was flushed to the database");
}

async fn only_admins_manage_keys(backend: Backend) {
    let app = spawn_app(backend).await;
    let internal = app.auth.token(Role::Internal, None);
    let mut client = recourse_proto::gateway::api_key_service_client::ApiKeyServiceClient::new(
        app.gateway.with(Some(&internal)),
    );
    let err = client
        .list_api_keys(pb::ListApiKeysRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    // An admin API key may manage keys, as the first admin token could.
    let admin_key = app.admin_key().await;
    let mut client = recourse_proto::gateway::api_key_service_client::ApiKeyServiceClient::new(
        app.gateway.with(Some(&admin_key)),
    );
    client
        .list_api_keys(pb::ListApiKeysRequest::default())
        .await
        .unwrap();
    let mut anonymous = recourse_proto::gateway::api_key_service_client::ApiKeyServiceClient::new(
        app.gateway.with(None),
    );
    let err = anonymous
        .list_api_keys(pb::ListApiKeysRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
}

async fn creation_is_idempotent_and_a_replay_has_no_secret(backend: Backend) {
    let app = spawn_app(backend).await;
    let request = pb::CreateApiKeyRequest {
        request_id: "same-id".into(),
        api_key: Some(key(pb::Role::Internal, "once")),
    };
    let first = app
        .keys_admin()
        .create_api_key(request.clone())
        .await
        .unwrap()
        .into_inner();
    let again = app
        .keys_admin()
        .create_api_key(request.clone())
        .await
        .unwrap()
        .into_inner();
    assert!(!first.key.is_empty());
    assert!(
        again.key.is_empty(),
        "the secret is never stored, so never replayed"
    );
    assert_eq!(first.api_key.unwrap().name, again.api_key.unwrap().name);
    let err = app
        .keys_admin()
        .create_api_key(pb::CreateApiKeyRequest {
            api_key: Some(key(pb::Role::Internal, "different")),
            ..request
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
}

async fn bad_key_requests_name_every_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let err = app
        .keys_admin()
        .create_api_key(pb::CreateApiKeyRequest {
            request_id: "bad".into(),
            api_key: Some(pb::ApiKey {
                display_name: String::new(),
                role: pb::Role::Carrier.into(),
                party: "acct".into(),
                expire_time: Some(prost_types::Timestamp {
                    seconds: 1,
                    nanos: 0,
                }),
                rate_limit: Some(pb::RateLimit {
                    requests_per_second: 0,
                    burst: 0,
                    max_streams: 0,
                }),
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    use tonic_types::StatusExt as _;
    let mut fields: Vec<String> = err
        .get_error_details()
        .bad_request()
        .unwrap()
        .field_violations
        .iter()
        .map(|v| v.field.clone())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "api_key.carrier",
            "api_key.display_name",
            "api_key.expire_time",
            "api_key.party",
            "api_key.rate_limit.burst",
            "api_key.rate_limit.requests_per_second",
        ]
    );
    let err = app
        .keys_admin()
        .rotate_api_key(pb::RotateApiKeyRequest {
            name: "apikeys/not-a-uuid".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    let err = app
        .keys_admin()
        .get_api_key(pb::GetApiKeyRequest {
            name: "apikeys/01900000-0000-7000-8000-000000000000".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
}

async fn concurrent_rotations_of_one_key_let_exactly_one_win(backend: Backend) {
    let app = spawn_app(backend).await;
    let (created, _) = app.create_key(key(pb::Role::Internal, "contended")).await;
    let attempts = (0..12).map(|_| {
        let mut client = app.keys_admin();
        let request = pb::RotateApiKeyRequest {
            name: created.name.clone(),
            grace_period_seconds: 60,
            etag: created.etag.clone(),
        };
        async move { client.rotate_api_key(request).await }
    });
    let results = futures::future::join_all(attempts).await;
    let winners: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|r| r.get_ref().key.clone()))
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for result in &results {
        if let Err(status) = result {
            assert_eq!(status.code(), Code::Aborted, "{status:?}");
        }
    }
    // The winner's secret works; so does the original within its grace.
    accepted(&app, &winners[0]).await;
}
