//! GetFeedStatus's head is the producer's (EventService.GetHead), not the
//! highest position received: with the consumers stopped, events written
//! since show as lag.

use chrono::Utc;
use recourse_platform::auth::Role;
use recourse_proto::contracts as cpb;
use recourse_proto::contracts::event_service_client::EventServiceClient;
use recourse_test_support::{Backend, backend_tests};

use crate::common::{spawn_app, upstream_head};

backend_tests!(lag_is_the_producers_head_minus_the_applied_position,);

async fn lag_is_the_producers_head_minus_the_applied_position(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("HEAD").await;
    app.caught_up().await;
    let before = app.feed_status().await;
    let contracts = |s: &[recourse_proto::reporting::FeedStatus]| {
        s.iter().find(|f| f.feed == "contracts").cloned().unwrap()
    };
    assert_eq!(contracts(&before).lag, 0, "{before:?}");
    // Consumers stopped, then 3 shipments registered: 3 contracts events
    // (shipment.registered) that reporting never received.
    app.consumers.stop().await;
    let applied = contracts(&before).position;
    for i in 0..3 {
        app.register(&world, &format!("1ZHEAD{i:04}"), Utc::now())
            .await;
    }
    // The relay numbers them shortly after commit.
    let mut head = upstream_head(&app, "contracts").await;
    for _ in 0..100 {
        if head == applied + 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        head = upstream_head(&app, "contracts").await;
    }
    assert_eq!(head, applied + 3);
    let status = contracts(&app.feed_status().await);
    // head = applied + 3, position = applied → lag = 3.
    assert_eq!((status.head, status.position), (head, applied));
    assert_eq!(status.lag, 3);
    // The producer answers GetHead itself: the same figure; a carrier
    // principal's head is that of its own carrier's events (here all).
    let mut client = EventServiceClient::new(app.channel(Role::Internal, None));
    let asked = client
        .get_head(cpb::GetHeadRequest {})
        .await
        .unwrap()
        .into_inner()
        .head_position;
    assert_eq!(asked, head);
    let mut other = EventServiceClient::new(app.channel(Role::Carrier, Some("carriers/nobody")));
    let theirs = other
        .get_head(cpb::GetHeadRequest {})
        .await
        .unwrap()
        .into_inner()
        .head_position;
    assert_eq!(theirs, 0, "another carrier sees none of these events");
    // Started again, the consumers catch up and the lag is gone.
    app.consumers.start();
    app.caught_up().await;
    let after = contracts(&app.feed_status().await);
    assert_eq!((after.position, after.lag), (head, 0));
}
