//! Rate limits: a principal's bucket empties, the call is RESOURCE_EXHAUSTED
//! with RetryInfo, and recovers after the advised delay; feeds are capped by
//! open streams; with Redis, two gateway replicas draw from one bucket.

use std::collections::BTreeMap;
use std::time::Duration;

use recourse_proto::carriers as cpb;
use recourse_proto::contracts as kpb;
use recourse_proto::contracts::event_service_client::EventServiceClient;
use recourse_proto::gateway as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;
use tonic_types::StatusExt as _;

use crate::common::{self, GatewayServer, key, settings, spawn_app, spawn_app_with};

backend_tests!(
    a_bucket_empties_then_refills_after_the_advised_delay,
    feeds_are_capped_by_open_streams_per_principal,
    two_replicas_share_one_bucket_through_redis,
);

fn limited(rps: u32, burst: u32, max_streams: u32, name: &str) -> pb::ApiKey {
    pb::ApiKey {
        rate_limit: Some(pb::RateLimit {
            requests_per_second: rps,
            burst,
            max_streams,
        }),
        ..key(pb::Role::Auditor, name)
    }
}

async fn list(client: &mut common::TestApp, credential: &str) -> Result<(), tonic::Status> {
    client
        .carriers(credential)
        .list_carriers(cpb::ListCarriersRequest::default())
        .await
        .map(|_| ())
}

async fn a_bucket_empties_then_refills_after_the_advised_delay(backend: Backend) {
    let mut app = spawn_app(backend).await;
    // 1 call/s, burst 3: of six calls fired at once, three pass (four if a
    // second went by while they were in flight) and the rest are refused.
    let (_, full) = app.create_key(limited(1, 3, 0, "limited")).await;
    let calls = (0..6).map(|_| {
        let mut client = app.carriers(&full);
        async move {
            client
                .list_carriers(cpb::ListCarriersRequest::default())
                .await
        }
    });
    let results = futures::future::join_all(calls).await;
    let passed = results.iter().filter(|r| r.is_ok()).count();
    assert!((3..=4).contains(&passed), "passed {passed}: {results:?}");
    let err = results
        .iter()
        .find_map(|r| r.as_ref().err())
        .expect("a refused call");
    assert_eq!(err.code(), Code::ResourceExhausted, "{err:?}");
    let details = err.get_error_details();
    let delay = details.retry_info().unwrap().retry_delay.unwrap();
    assert!(
        delay > Duration::ZERO && delay <= Duration::from_secs(1),
        "{delay:?}"
    );
    assert_eq!(details.error_info().unwrap().reason, "RATE_LIMITED");
    // Other principals are not affected.
    let other = app.admin_key().await;
    list(&mut app, &other).await.unwrap();
    // After the advised delay (at most 1 s here) the key works again.
    tokio::time::sleep(Duration::from_millis(1_050)).await;
    list(&mut app, &full).await.unwrap();
}

async fn feeds_are_capped_by_open_streams_per_principal(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, full) = app.create_key(limited(100, 100, 1, "one feed")).await;
    let subscribe = || async {
        EventServiceClient::new(app.gateway.with(Some(&full)))
            .subscribe(kpb::SubscribeRequest::default())
            .await
    };
    let first = subscribe().await.unwrap().into_inner();
    let err = subscribe().await.unwrap_err();
    assert_eq!(err.code(), Code::ResourceExhausted, "{err:?}");
    assert!(err.message().contains("streams"), "{err:?}");
    // Closing the first feed frees its slot.
    drop(first);
    let mut reopened = None;
    for _ in 0..50 {
        match subscribe().await {
            Ok(feed) => {
                reopened = Some(feed);
                break;
            }
            Err(err) => {
                assert_eq!(err.code(), Code::ResourceExhausted);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    assert!(
        reopened.is_some(),
        "the slot came back when the feed closed"
    );
}

async fn two_replicas_share_one_bucket_through_redis(backend: Backend) {
    let mut config = settings();
    config.rate_limit.redis_url = Some("redis://127.0.0.1:6379".into());
    let app = spawn_app_with(backend, config.clone(), BTreeMap::new()).await;
    // A second replica on the same key store and services.
    let second = GatewayServer::start(
        &config,
        &app.db,
        &app.auth,
        &common::upstreams(&app.services.url()),
    )
    .await;
    // 1/s with a burst of 4: of eight calls fired at once, half at each
    // replica, four pass in all (five if a second went by) — per-replica
    // buckets would have let all eight through.
    let (_, full) = app.create_key(limited(1, 4, 0, "shared")).await;
    let on = |gateway: &GatewayServer| {
        recourse_proto::carriers::carrier_service_client::CarrierServiceClient::new(
            gateway.with(Some(&full)),
        )
    };
    let calls = (0..8).map(|i| {
        let mut client = on(if i % 2 == 0 { &app.gateway } else { &second });
        async move {
            client
                .list_carriers(cpb::ListCarriersRequest::default())
                .await
        }
    });
    let results = futures::future::join_all(calls).await;
    let passed = results.iter().filter(|r| r.is_ok()).count();
    let refused = results.len() - passed;
    for err in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(err.code(), Code::ResourceExhausted, "{err:?}");
    }
    assert!(
        (4..=5).contains(&passed),
        "passed {passed}, refused {refused}"
    );
}
