//! The proxy: every RPC kind through the gateway with status and details
//! intact, forged identity headers dropped, health and reflection of what
//! it routes.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt as _;
use prost_types::{Duration as PbDuration, Timestamp};
use recourse_platform::auth::Role;
use recourse_proto::carriers as cpb;
use recourse_proto::contracts as kpb;
use recourse_proto::contracts::event_service_client::EventServiceClient;
use recourse_proto::contracts::shipment_service_client::ShipmentServiceClient;
use recourse_proto::gateway as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_types::StatusExt as _;

use crate::common::probe::{RunningProbe, chat_call, unary};
use crate::common::{self, key, settings, spawn_app, spawn_app_with};

backend_tests!(
    unary_calls_and_their_error_details_pass_through,
    client_and_server_streams_pass_through,
    bidi_streams_are_full_duplex_and_end_with_their_status,
    forged_identity_headers_never_reach_a_service,
    health_and_reflection_cover_every_routed_service,
);

async fn unary_calls_and_their_error_details_pass_through(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_key().await;
    let mut carriers = app.carriers(&admin);
    let created = carriers
        .create_carrier(common::carrier_request("UNRY"))
        .await
        .unwrap()
        .into_inner();
    let fetched = carriers
        .get_carrier(cpb::GetCarrierRequest {
            name: created.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (&fetched.name, &fetched.code, &fetched.etag),
        (&created.name, &created.code, &created.etag)
    );
    // A service's INVALID_ARGUMENT arrives with its BadRequest details.
    let err = carriers
        .create_carrier(cpb::CreateCarrierRequest {
            request_id: "bad".into(),
            carrier: Some(cpb::Carrier {
                code: "bad".into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    let fields: Vec<_> = err
        .get_error_details()
        .bad_request()
        .unwrap()
        .field_violations
        .iter()
        .map(|v| v.field.clone())
        .collect();
    assert!(fields.contains(&"carrier.code".to_owned()), "{fields:?}");
    // A stale etag keeps its ErrorInfo.
    let err = carriers
        .update_carrier(cpb::UpdateCarrierRequest {
            carrier: Some(cpb::Carrier {
                name: created.name,
                display_name: "New".into(),
                etag: "\"99\"".into(),
                ..Default::default()
            }),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["display_name".into()],
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Aborted);
    assert_eq!(
        err.get_error_details().error_info().unwrap().reason,
        "STALE_ETAG"
    );
}

async fn client_and_server_streams_pass_through(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_key().await;
    let carrier = app.carrier("STRM").await;
    // Server streaming: the contracts feed.
    let mut feed = EventServiceClient::new(app.gateway.with(Some(&admin)))
        .subscribe(kpb::SubscribeRequest {
            after_position: 0,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    // Client streaming: two messages of tracking events for unknown
    // parcels, each rejected by index in the one response.
    let messages = (0..2).map(|i| kpb::IngestTrackingEventsRequest {
        carrier: carrier.clone(),
        events: vec![kpb::TrackingEvent {
            carrier_event_id: format!("ev-{i}"),
            tracking_number: format!("UNKNOWN-{i}"),
            r#type: kpb::TrackingEventType::PickedUp.into(),
            occur_time: common::ts(chrono::Utc::now()),
            ..Default::default()
        }],
    });
    let messages: Vec<_> = messages.collect();
    let summary = ShipmentServiceClient::new(app.gateway.with(Some(&admin)))
        .ingest_tracking_events(tokio_stream::iter(messages))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(summary.received, 2);
    assert_eq!(summary.rejections.len(), 2);
    // A contract write makes a feed event, which arrives through the gateway.
    let token = app.auth.token(Role::Admin, None);
    recourse_proto::contracts::contract_service_client::ContractServiceClient::new(
        app.gateway.with(Some(&token)),
    )
    .create_contract(kpb::CreateContractRequest {
        request_id: "feed-contract".into(),
        carrier: carrier.clone(),
        reference: "MSA-STRM".into(),
        display_name: "Streams".into(),
        effective_from: common::day(2026, 1, 1),
        effective_to: None,
        terms: Some(common::terms()),
    })
    .await
    .unwrap();
    let event = tokio::time::timeout(Duration::from_secs(10), feed.next())
        .await
        .expect("a feed event through the gateway")
        .unwrap()
        .unwrap();
    assert!(event.position > 0);
}

async fn bidi_streams_are_full_duplex_and_end_with_their_status(backend: Backend) {
    let probe = RunningProbe::bind().await;
    let extra = BTreeMap::from([("probe".to_owned(), probe.url())]);
    let app = spawn_app_with(backend, settings(), extra).await;
    let admin = app.admin_key().await;
    // Send one, read its answer, then send the next: only a full-duplex
    // hop can answer before the client's stream ends.
    let (tx, rx) = tokio::sync::mpsc::channel::<Timestamp>(4);
    let mut answers = chat_call(
        app.gateway.with(Some(&admin)),
        tokio_stream::wrappers::ReceiverStream::new(rx),
    )
    .await
    .unwrap()
    .into_inner();
    for n in [1, 10, 100] {
        tx.send(Timestamp {
            seconds: n,
            nanos: 0,
        })
        .await
        .unwrap();
        let answer = tokio::time::timeout(Duration::from_secs(5), answers.next())
            .await
            .expect("an answer before the stream ends")
            .unwrap()
            .unwrap();
        assert_eq!(answer.seconds, n + 1);
    }
    tx.send(Timestamp {
        seconds: -1,
        nanos: 0,
    })
    .await
    .unwrap();
    let err = answers.next().await.unwrap().unwrap_err();
    assert_eq!(err.code(), Code::Aborted);
    let info = err.get_error_details().error_info().unwrap().clone();
    assert_eq!(info.reason, "PROBE_DONE");
    assert_eq!(info.metadata.get("why").map(String::as_str), Some("asked"));
}

async fn forged_identity_headers_never_reach_a_service(backend: Backend) {
    let probe = RunningProbe::bind().await;
    let extra = BTreeMap::from([("probe".to_owned(), probe.url())]);
    let app = spawn_app_with(backend, settings(), extra).await;
    let own = app.carrier("FRGD").await;
    let (_, carrier_key) = app
        .create_key(pb::ApiKey {
            carrier: own,
            ..key(pb::Role::Carrier, "forger")
        })
        .await;
    let forge = |request: &mut tonic::metadata::MetadataMap| {
        for (name, value) in [
            ("x-recourse-principal", "admin"),
            ("x-recourse-role", "admin"),
            ("x-user-id", "root"),
            ("x-forwarded-for", "10.0.0.1"),
            ("x-api-key", "rk_forged"),
            ("cookie", "session=admin"),
        ] {
            request.insert(name, value.parse().unwrap());
        }
        let admin_token = app.auth.token(Role::Admin, None);
        request.append(
            "authorization",
            format!("Bearer {admin_token}").parse().unwrap(),
        );
    };
    // The real services: a carrier key with forged admin headers is still a
    // carrier, refused a write.
    let mut request = tonic::Request::new(common::carrier_request("FORG"));
    forge(request.metadata_mut());
    let err = app
        .carriers(&carrier_key)
        .create_carrier(request)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    // What reached the probe: only protocol headers, the trace context and
    // the gateway's own internal token for the carrier principal.
    let mut request = tonic::Request::new(PbDuration {
        seconds: 0,
        nanos: 0,
    });
    forge(request.metadata_mut());
    unary(
        app.gateway.with(Some(&carrier_key)),
        "/recourse.probe.v1.Probe/Echo",
        request,
    )
    .await
    .unwrap();
    let seen = probe.seen().pop().unwrap();
    for name in seen.keys() {
        assert!(
            !name.as_str().starts_with("x-") && name != "cookie",
            "{name} reached the upstream"
        );
    }
    let authorizations: Vec<_> = seen.get_all("authorization").iter().collect();
    assert_eq!(authorizations.len(), 1);
    let token = authorizations[0]
        .to_str()
        .unwrap()
        .trim_start_matches("Bearer ");
    let principal = app.auth.keys.verify(token).expect("an internal token");
    assert_eq!(principal.role, Role::Carrier);
    assert!(principal.subject.starts_with("apikeys/"));
}

async fn health_and_reflection_cover_every_routed_service(backend: Backend) {
    use tonic_reflection::pb::v1;
    let app = spawn_app(backend).await;
    let mut health = HealthClient::new(app.gateway.channel());
    for service in [
        "",
        "recourse.gateway.v1.ApiKeyService",
        "carriers",
        "contracts",
        "claims",
        "recourse.carriers.v1.CarrierService",
        "recourse.contracts.v1.ShipmentService",
        "recourse.claims.v1.ClaimService",
    ] {
        let status = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap_or_else(|e| panic!("{service}: {e:?}"))
            .into_inner()
            .status();
        assert_eq!(status, ServingStatus::Serving, "{service:?}");
    }
    let request = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(
            String::new(),
        )),
    };
    let mut client =
        v1::server_reflection_client::ServerReflectionClient::new(app.gateway.channel());
    let response = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .unwrap()
        .into_inner()
        .next()
        .await
        .unwrap()
        .unwrap();
    let Some(v1::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
        response.message_response
    else {
        panic!("unexpected reflection response");
    };
    let names: Vec<_> = list.service.into_iter().map(|s| s.name).collect();
    for expected in [
        "recourse.carriers.v1.CarrierService",
        "recourse.contracts.v1.ContractService",
        "recourse.claims.v1.ClaimService",
        "recourse.claims.v1.RecoveryService",
        "recourse.gateway.v1.ApiKeyService",
        "grpc.health.v1.Health",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} not in {names:?}"
        );
    }
    // The services behind stop: the gateway reports them NOT_SERVING.
    let common::TestApp {
        services,
        gateway: _gateway,
        db: _db,
        ..
    } = app;
    services.stop().await;
    let mut last = ServingStatus::Serving;
    for _ in 0..50 {
        last = health
            .check(HealthCheckRequest {
                service: "recourse.carriers.v1.CarrierService".into(),
            })
            .await
            .unwrap()
            .into_inner()
            .status();
        if last == ServingStatus::NotServing {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(last, ServingStatus::NotServing);
}
