//! What the gateway does when calls or upstreams misbehave: deadlines
//! passed on and unary calls time-limited, messages over the limits
//! refused, an upstream down answered at once and recovered from without a
//! restart.

use std::collections::BTreeMap;
use std::time::Duration;

use prost_types::Duration as PbDuration;
use recourse_platform::auth::Role;
use recourse_proto::carriers as cpb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_types::StatusExt as _;

use crate::common::probe::{RunningProbe, unary};
use crate::common::{self, settings, spawn_app_with};

backend_tests!(
    deadlines_pass_through_and_unary_calls_are_time_limited,
    messages_over_the_limits_are_resource_exhausted,
    an_upstream_down_is_unavailable_then_recovers_without_restart,
);

async fn deadlines_pass_through_and_unary_calls_are_time_limited(backend: Backend) {
    // The probe stands in for the carriers service, so GetCarrier is a
    // method the gateway knows as unary.
    let probe = RunningProbe::bind().await;
    let mut config = settings();
    config.unary_timeout_ms = 300;
    let db = recourse_test_support::TestDatabase::new(backend).await;
    let auth = recourse_test_support::TestAuth::default();
    let upstreams = BTreeMap::from([("carriers".to_owned(), probe.url())]);
    let gateway = common::GatewayServer::start(&config, &db, &auth, &upstreams).await;
    let token = auth.token(Role::Admin, None);
    let path = "/recourse.carriers.v1.CarrierService/GetCarrier";

    // The client's 5 s deadline is cut to the gateway's 300 ms, and the
    // upstream is told so.
    let mut request = tonic::Request::new(PbDuration {
        seconds: 0,
        nanos: 0,
    });
    request.set_timeout(Duration::from_secs(5));
    unary(gateway.with(Some(&token)), path, request)
        .await
        .unwrap();
    let timeout = probe.seen().pop().unwrap();
    assert_eq!(timeout.get("grpc-timeout").unwrap(), "300m");
    // A shorter client deadline passes through as it is.
    let mut request = tonic::Request::new(PbDuration {
        seconds: 0,
        nanos: 0,
    });
    request.set_timeout(Duration::from_millis(150));
    unary(gateway.with(Some(&token)), path, request)
        .await
        .unwrap();
    let seen = probe.seen().pop().unwrap();
    let passed = seen
        .get("grpc-timeout")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let ms: u64 = passed.trim_end_matches('m').parse().unwrap_or(u64::MAX);
    assert!(ms <= 150, "{passed}");
    // An upstream slower than the limit: DEADLINE_EXCEEDED, not a hang.
    let slow = tonic::Request::new(PbDuration {
        seconds: 3,
        nanos: 0,
    });
    let err = tokio::time::timeout(
        Duration::from_secs(10),
        unary(gateway.with(Some(&token)), path, slow),
    )
    .await
    .expect("no hang")
    .unwrap_err();
    assert!(
        matches!(err.code(), Code::DeadlineExceeded | Code::Cancelled),
        "{err:?}"
    );
    // Response headers the upstream set come back.
    let ok = unary(
        gateway.with(Some(&token)),
        path,
        tonic::Request::new(PbDuration::default()),
    )
    .await
    .unwrap();
    assert_eq!(ok.metadata().get("x-probe").unwrap(), "ok");
    // An upstream's error details pass back intact.
    let err = unary(
        gateway.with(Some(&token)),
        path,
        tonic::Request::new(PbDuration {
            seconds: -1,
            nanos: 0,
        }),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    let failure = err
        .get_error_details()
        .precondition_failure()
        .unwrap()
        .clone();
    assert_eq!(failure.violations[0].r#type, "PROBE");
}

async fn messages_over_the_limits_are_resource_exhausted(backend: Backend) {
    let mut config = settings();
    config.max_request_message_bytes = 1_024;
    config.max_response_message_bytes = 1_000;
    let app = spawn_app_with(backend, config, BTreeMap::new()).await;
    let admin = app.admin_key().await;
    let mut carriers = app.carriers(&admin);
    let mut big = common::carrier_request("BIGG");
    if let Some(c) = big.carrier.as_mut() {
        c.regions = (0..300).map(|i| format!("US-{i:03}")).collect();
    }
    let err = carriers.create_carrier(big).await.unwrap_err();
    assert_eq!(err.code(), Code::ResourceExhausted, "{err:?}");
    assert!(
        err.message().contains("gateway.max_request_message_bytes"),
        "{err:?}"
    );
    // Responses: a list larger than 1,000 bytes (8 carriers of ~170 bytes) is cut off with a status.
    for code in [
        "LIMA", "LIMB", "LIMC", "LIMD", "LIME", "LIMF", "LIMG", "LIMH",
    ] {
        carriers
            .create_carrier(common::carrier_request(code))
            .await
            .unwrap();
    }
    let err = carriers
        .list_carriers(cpb::ListCarriersRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::ResourceExhausted, "{err:?}");
    assert!(
        err.message().contains("gateway.max_response_message_bytes"),
        "{err:?}"
    );
    // Small calls still pass.
    carriers
        .list_carriers(cpb::ListCarriersRequest {
            page_size: 1,
            ..Default::default()
        })
        .await
        .unwrap();
}

async fn an_upstream_down_is_unavailable_then_recovers_without_restart(backend: Backend) {
    // Reserve a port and leave it closed: the upstream is down.
    let reserved = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = reserved.local_addr().unwrap();
    drop(reserved);
    let extra = BTreeMap::from([("probe".to_owned(), format!("http://{addr}"))]);
    let app = spawn_app_with(backend, settings(), extra).await;
    let admin = app.admin_key().await;
    let path = "/recourse.probe.v1.Probe/Echo";
    let err = tokio::time::timeout(
        Duration::from_secs(10),
        unary(
            app.gateway.with(Some(&admin)),
            path,
            tonic::Request::new(PbDuration::default()),
        ),
    )
    .await
    .expect("a down upstream answers at once, never hangs")
    .unwrap_err();
    assert_eq!(err.code(), Code::Unavailable, "{err:?}");
    let info = err.get_error_details().error_info().unwrap().clone();
    assert_eq!(info.reason, "UPSTREAM_UNAVAILABLE");
    assert_eq!(
        info.metadata.get("upstream").map(String::as_str),
        Some("probe")
    );
    let mut health = HealthClient::new(app.gateway.channel());
    let status = health
        .check(HealthCheckRequest {
            service: "probe".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .status();
    assert_eq!(status, ServingStatus::NotServing);

    // The upstream comes up on the same address: the next calls reach it,
    // with no gateway restart.
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let _probe = RunningProbe::start(listener).await;
    let mut recovered = None;
    for _ in 0..50 {
        match unary(
            app.gateway.with(Some(&admin)),
            path,
            tonic::Request::new(PbDuration::default()),
        )
        .await
        {
            Ok(answer) => {
                recovered = Some(answer.into_inner());
                break;
            }
            Err(err) => {
                assert_eq!(err.code(), Code::Unavailable, "{err:?}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    assert_eq!(recovered.map(|t| t.seconds), Some(42));
}
