//! A reader that stops (a replica going away, a crash: an event's
//! transaction in flight rolls back) and a new one on the same database
//! resume after the stored feed positions: events already turned into
//! deliveries are not read again, later ones are.

use std::time::Duration;

use recourse_platform::auth::Role;
use recourse_platform::server::Host;
use recourse_test_support::{Backend, backend_tests};
use recourse_webhooks::clock::Jitter;
use recourse_webhooks::{Channels, Options};

use crate::common::*;

backend_tests!(a_new_reader_resumes_after_the_stored_positions);

async fn a_new_reader_resumes_after_the_stored_positions(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.carrier("ACME").await;
    let endpoint = app
        .endpoint(
            Role::Admin,
            None,
            "http://127.0.0.1:9/none",
            &["shipment.*"],
        )
        .await;
    app.ship(&acme, "1Z-BEFORE").await;
    let first = app.await_deliveries(&endpoint.name, 1).await;
    // Each consumer is in health as webhooks.feed.<name>.
    let mut health = tonic_health::pb::health_client::HealthClient::new(app.server.channel());
    for feed in ["claims", "contracts"] {
        let status = health
            .check(tonic_health::pb::HealthCheckRequest {
                service: format!("webhooks.feed.{feed}"),
            })
            .await
            .unwrap()
            .into_inner()
            .status;
        assert_eq!(
            status,
            tonic_health::pb::health_check_response::ServingStatus::Serving as i32
        );
    }
    let contracts = &app.webhooks.consumers[1];
    let stopped_at = contracts.status().position;
    assert!(stopped_at > 0);
    app.webhooks.stop().await;

    // A new reader on the same database (not served: only its consumers matter).
    let db = recourse_webhooks::database(&app.db.settings).await.unwrap();
    let mut host = Host::new();
    let again = recourse_webhooks::mount(
        &mut host,
        db,
        app.auth.keys.clone(),
        Channels {
            claims: app.server.channel(),
            contracts: app.server.channel(),
        },
        Options {
            jitter: Jitter::fixed(0.0),
            poll: None,
            ..Options::default()
        },
    );
    let resumed = &again.consumers[1];
    let mut watch = resumed.watch();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !(watch.borrow().running && watch.borrow().position >= stopped_at) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            resumed.status()
        );
        let _ = tokio::time::timeout(Duration::from_millis(200), watch.changed()).await;
    }
    // It started from the stored position, never from 0.
    assert_eq!(resumed.status().position, stopped_at);

    app.ship(&acme, "1Z-AFTER").await;
    let both = app.await_deliveries(&endpoint.name, 2).await;
    assert_eq!(both.len(), 2);
    assert_eq!(
        both[1].name, first[0].name,
        "the first delivery is untouched"
    );
    assert_ne!(both[0].event_id, both[1].event_id);
    again.stop().await;
}
