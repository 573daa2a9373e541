//! Endpoint management: scoping by principal, validation with field
//! paths, idempotent creation, etags, secret rotation, deletion.

use recourse_platform::auth::Role;
use recourse_proto::webhooks as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;
use tonic_types::StatusExt as _;

use crate::common::*;

backend_tests!(
    partners_manage_only_their_own_endpoints,
    bad_registrations_name_their_fields,
    updates_rotation_and_deletion,
);

const A: &str = "carriers/01900000-0000-7000-8000-00000000000a";
const B: &str = "carriers/01900000-0000-7000-8000-00000000000b";

fn request(url: &str, types: &[&str]) -> pb::CreateWebhookEndpointRequest {
    pb::CreateWebhookEndpointRequest {
        request_id: format!("r-{url}-{}", types.join(",")),
        webhook_endpoint: Some(pb::WebhookEndpoint {
            url: url.into(),
            event_types: types.iter().map(|t| (*t).to_owned()).collect(),
            ..Default::default()
        }),
    }
}

fn fields(status: &tonic::Status) -> Vec<String> {
    status
        .get_details_bad_request()
        .map(|b| b.field_violations.into_iter().map(|v| v.field).collect())
        .unwrap_or_default()
}

async fn partners_manage_only_their_own_endpoints(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut a = app.webhooks(Role::Carrier, Some(A));
    let first = a
        .create_webhook_endpoint(request("https://a.example/hooks", &["claim.*"]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.carrier, A);
    // A retry of the same request answers the first answer, secret and all.
    let replay = a
        .create_webhook_endpoint(request("https://a.example/hooks", &["claim.*"]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(replay, first);
    let mut three_pl = app.webhooks(Role::ThirdParty, Some("acct-9"));
    let mine = three_pl
        .create_webhook_endpoint(request("https://3pl.example/h", &["shipment.*"]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(mine.account, "acct-9");
    assert_eq!(mine.carrier, "");

    // B sees neither A's nor the 3PL's: NOT_FOUND, the answer for made-up ids.
    let mut b = app.webhooks(Role::Carrier, Some(B));
    for name in [&first.name, &mine.name] {
        let err = b
            .get_webhook_endpoint(pb::GetWebhookEndpointRequest { name: name.clone() })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::NotFound);
    }
    let listed = |role, scope| {
        let mut client = app.webhooks(role, scope);
        async move {
            client
                .list_webhook_endpoints(pb::ListWebhookEndpointsRequest::default())
                .await
                .unwrap()
                .into_inner()
                .webhook_endpoints
                .len()
        }
    };
    assert_eq!(listed(Role::Carrier, Some(B)).await, 0);
    assert_eq!(listed(Role::Carrier, Some(A)).await, 1);
    assert_eq!(listed(Role::ThirdParty, Some("acct-9")).await, 1);
    assert_eq!(listed(Role::Auditor, None).await, 2);
    // Asking for another carrier's list is that carrier's NOT_FOUND.
    let err = b
        .list_webhook_endpoints(pb::ListWebhookEndpointsRequest {
            carrier: A.into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    // Auditors read, never write.
    let err = app
        .webhooks(Role::Auditor, None)
        .create_webhook_endpoint(request("https://x.example/", &["*"]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    // A carrier cannot register for another carrier.
    let mut other = request("https://a.example/2", &["*"]);
    other.webhook_endpoint.as_mut().unwrap().carrier = A.into();
    let err = b.create_webhook_endpoint(other).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
}

async fn bad_registrations_name_their_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut a = app.webhooks(Role::Carrier, Some(A));
    let mut bad = request("ftp://a.example", &["claim.*", "remittance.*"]);
    bad.webhook_endpoint.as_mut().unwrap().secret = "short".into();
    bad.webhook_endpoint.as_mut().unwrap().description = "nul \0 byte".into();
    let err = a.create_webhook_endpoint(bad).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(
        fields(&err),
        [
            "webhook_endpoint.url",
            "webhook_endpoint.description",
            "webhook_endpoint.event_types[1]",
            "webhook_endpoint.secret"
        ]
    );
    let err = a
        .create_webhook_endpoint(request("https://a.example", &[]))
        .await
        .unwrap_err();
    assert_eq!(fields(&err), ["webhook_endpoint.event_types"]);
    let mut three_pl = request("https://a.example", &["claim.*"]);
    three_pl.webhook_endpoint.as_mut().unwrap().carrier = A.into();
    let err = app
        .webhooks(Role::ThirdParty, Some("acct-1"))
        .create_webhook_endpoint(three_pl)
        .await
        .unwrap_err();
    assert_eq!(fields(&err), ["webhook_endpoint.carrier"]);
    let err = a
        .get_webhook_endpoint(pb::GetWebhookEndpointRequest {
            name: "webhookEndpoints/nope".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(fields(&err), ["name"]);
    let err = a
        .redeliver_delivery(pb::RedeliverDeliveryRequest {
            name: "webhookEndpoints/x/deliveries/y".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(fields(&err), ["name"]);
}

async fn updates_rotation_and_deletion(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut a = app.webhooks(Role::Carrier, Some(A));
    let mut create = request("https://a.example/hooks", &["claim.*"]);
    create.webhook_endpoint.as_mut().unwrap().secret = "partner-chosen-secret-1".into();
    let created = a
        .create_webhook_endpoint(create)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.secret, "partner-chosen-secret-1");
    let update = |etag: &str, types: Vec<String>| pb::UpdateWebhookEndpointRequest {
        webhook_endpoint: Some(pb::WebhookEndpoint {
            name: created.name.clone(),
            etag: etag.into(),
            url: "https://a.example/v2".into(),
            event_types: types,
            ..Default::default()
        }),
        update_mask: Some(prost_types::FieldMask {
            paths: vec!["url".into(), "eventTypes".into()],
        }),
    };
    let updated = a
        .update_webhook_endpoint(update(&created.etag, vec!["shipment.delivered".into()]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.url, "https://a.example/v2");
    assert_eq!(updated.event_types, ["shipment.delivered"]);
    assert_ne!(updated.etag, created.etag);
    // The old etag is stale; a family the carrier may not receive is refused.
    let err = a
        .update_webhook_endpoint(update(&created.etag, vec!["claim.*".into()]))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Aborted);
    let err = a
        .update_webhook_endpoint(update(&updated.etag, vec!["escalation.*".into()]))
        .await
        .unwrap_err();
    assert_eq!(fields(&err), ["webhook_endpoint.event_types[0]"]);

    let rotated = a
        .rotate_webhook_secret(pb::RotateWebhookSecretRequest {
            name: created.name.clone(),
            etag: updated.etag.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(rotated.secret.starts_with("whsec_"));
    assert_ne!(rotated.secret, created.secret);

    let err = app
        .webhooks(Role::Carrier, Some(B))
        .delete_webhook_endpoint(pb::DeleteWebhookEndpointRequest {
            name: created.name.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    a.delete_webhook_endpoint(pb::DeleteWebhookEndpointRequest {
        name: created.name.clone(),
    })
    .await
    .unwrap();
    let err = a
        .get_webhook_endpoint(pb::GetWebhookEndpointRequest {
            name: created.name.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
}
