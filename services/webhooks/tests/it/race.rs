//! Replicas never send the same attempt twice: many workers sharing the
//! database claim due deliveries at once (PostgreSQL: FOR UPDATE SKIP
//! LOCKED under a lease), and the receiver sees every delivery exactly
//! once.

use std::collections::HashMap;

use recourse_platform::auth::Role;
use recourse_test_support::{Backend, backend_tests};

use crate::common::*;

backend_tests!(concurrent_workers_send_each_delivery_once);

/// Endpoints, each sent one delivery of the same event.
const ENDPOINTS: usize = 32;
/// Workers racing for them.
const WORKERS: usize = 20;

async fn concurrent_workers_send_each_delivery_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let receiver = Receiver::start().await;
    let acme = app.carrier("ACME").await;
    let mut names = Vec::new();
    for i in 0..ENDPOINTS {
        let url = format!("{}?n={i}", receiver.url);
        names.push(
            app.endpoint(Role::Admin, None, &url, &["shipment.registered"])
                .await
                .name,
        );
    }
    app.ship(&acme, "1Z-RACE").await;
    for name in &names {
        app.await_deliveries(name, 1).await;
    }
    let runs = (0..WORKERS).map(|_| {
        let worker = app.worker().clone();
        tokio::spawn(async move { worker.run_once().await.unwrap() })
    });
    let mut attempts = 0;
    for run in runs {
        attempts += run.await.unwrap();
    }
    // 32 deliveries, one attempt each, whichever worker made it.
    assert_eq!(attempts, ENDPOINTS);
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in receiver.received() {
        *seen
            .entry(r.header("Recourse-Delivery").to_owned())
            .or_default() += 1;
    }
    assert_eq!(seen.len(), ENDPOINTS);
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
    for name in &names {
        let d = &app.deliveries(name).await[0];
        assert_eq!(d.attempt_count, 1);
    }
}
