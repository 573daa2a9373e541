//! The feed consumers: each event's projection and the feed position move
//! in one transaction, so stopping a consumer anywhere (a transaction in
//! flight rolls back) and starting it again neither loses nor
//! double-counts; a bad event stops only its own consumer, named, with
//! health and GetFeedStatus saying so.

use std::time::Duration;

use chrono::Utc;
use prost::Message as _;
use recourse_platform::auth::Role;
use recourse_platform::outbox::NewEvent;
use recourse_proto::claims as clpb;
use recourse_proto::contracts as cpb;
use recourse_proto::reporting as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use crate::common::{TestApp, spawn_app, usd};

backend_tests!(
    five_replicas_consuming_at_once_count_each_event_once,
    stopping_consumers_mid_stream_neither_loses_nor_double_counts,
    a_bad_event_stops_only_its_consumer_and_names_it,
);

fn quarter_of_today() -> pb::Period {
    let today = Utc::now().date_naive();
    pb::Period {
        kind: pb::PeriodKind::Quarter.into(),
        date: Some(recourse_platform::proto_types::date_to_proto(today)),
    }
}

async fn shipments_in_reporting(app: &TestApp) -> i64 {
    use sea_orm::ConnectionTrait;
    let row = app
        .reporting_db
        .query_one_raw(sea_orm::Statement::from_string(
            app.reporting_db.get_database_backend(),
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(CASE WHEN verdict = 'ON_TIME' THEN 1 ELSE 0 END), 0) AS BIGINT) AS on_time FROM reporting_shipments",
        ))
        .await
        .unwrap()
        .unwrap();
    let n: i64 = row.try_get("", "n").unwrap();
    let on_time: i64 = row.try_get("", "on_time").unwrap();
    n * 1_000 + on_time
}

async fn stopping_consumers_mid_stream_neither_loses_nor_double_counts(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    app.caught_up().await;
    // A backlog: consumers stopped while 120 shipments are registered and
    // delivered and 3 claims are approved and paid.
    app.consumers.stop().await;
    let shipped = Utc::now() - chrono::Duration::days(8);
    let mut names = Vec::new();
    let mut deliveries = Vec::new();
    for i in 0..120 {
        let s = app.register(&world, &format!("T{i:03}"), shipped).await;
        let promised = s.promised_delivery_time.unwrap();
        let at = chrono::DateTime::from_timestamp(promised.seconds, 0).unwrap();
        // Every third one 2 h after the promise (the grace is 1 h): late.
        let at = if i % 3 == 0 {
            at + chrono::Duration::hours(2)
        } else {
            at
        };
        deliveries.push(crate::common::event(
            &format!("d{i}"),
            &s.tracking_number,
            cpb::TrackingEventType::Delivered,
            at,
        ));
        names.push(s.name);
    }
    app.track(&world, deliveries).await;
    for (i, name) in names.iter().take(3).enumerate() {
        let c = app
            .approved(&world, name, 10_000, 6_000 + 1_000 * i as i64)
            .await;
        app.recoveries(Role::Finance)
            .record_remittance(clpb::RecordRemittanceRequest {
                request_id: format!("r{i}"),
                remittance: Some(clpb::Remittance {
                    carrier: world.carrier.clone(),
                    kind: clpb::RemittanceKind::Payment.into(),
                    reference: format!("R{i}"),
                    remittance_date: Some(recourse_platform::proto_types::date_to_proto(
                        Utc::now().date_naive(),
                    )),
                    amount: usd(2_500),
                    lines: vec![clpb::RemittanceLine {
                        claim: c.number.clone(),
                        amount: usd(2_500),
                        ..Default::default()
                    }],
                    ..Default::default()
                }),
            })
            .await
            .unwrap();
    }
    // Start and stop them again and again while they work through it.
    let mut stopped_mid_stream = 0;
    for round in 0..12 {
        app.consumers.start();
        tokio::time::sleep(Duration::from_millis(15 + 10 * round)).await;
        app.consumers.stop().await;
        let contracts = app
            .feed_status()
            .await
            .into_iter()
            .find(|s| s.feed == "contracts")
            .unwrap();
        if contracts.position > 0 && contracts.position < 242 {
            stopped_mid_stream += 1;
        }
    }
    app.consumers.start();
    app.caught_up().await;
    assert!(stopped_mid_stream > 0, "never stopped mid-stream");
    // 120 shipments, 80 on time (the 40 with i % 3 == 0 are late).
    assert_eq!(shipments_in_reporting(&app).await, 120_080);
    let status = app.feed_status().await;
    assert!(
        status
            .iter()
            .all(|s| s.running && s.last_error.is_empty() && s.lag == 0),
        "{status:?}"
    );
    // The money agrees with the claims service's own books: approved 60 +
    // 70 + 80 = 210.00, recovered 3 × 25.00 = 75.00, outstanding 135.00 —
    // a double-applied allocation would show here.
    let ours = app
        .reporting(Role::Finance)
        .get_recovery_reconciliation(pb::GetRecoveryReconciliationRequest {
            carrier: world.carrier.clone(),
            period: Some(quarter_of_today()),
        })
        .await
        .unwrap()
        .into_inner();
    let row = &ours.rows[0];
    let amounts = |m: &Option<recourse_proto::common::Money>| m.as_ref().unwrap().amount_minor;
    assert_eq!(
        (
            amounts(&row.approved),
            amounts(&row.recovered),
            amounts(&row.closing)
        ),
        (21_000, 7_500, 13_500)
    );
}

async fn a_bad_event_stops_only_its_consumer_and_names_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    app.caught_up().await;
    // A shipment event without its shipment (what a corrupted or foreign
    // writer could leave): the projection cannot apply it.
    let bad = cpb::Event {
        r#type: "shipment.registered".into(),
        subject: "shipments/bad".into(),
        ..Default::default()
    };
    let (_, contracts_db, _) = &app.upstreams[1];
    recourse_contracts::OUTBOX
        .append(
            contracts_db,
            NewEvent {
                event_type: "shipment.registered".into(),
                subject: "shipments/bad".into(),
                carrier_id: String::new(),
                payload: bad.encode_to_vec(),
            },
        )
        .await
        .unwrap();
    // The next write pokes the relay, which numbers both.
    app.register(&world, "AFTER", Utc::now() - chrono::Duration::days(2))
        .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let contracts = loop {
        let s = app.feed_status().await;
        let c = s.into_iter().find(|s| s.feed == "contracts").unwrap();
        if !c.last_error.is_empty() {
            break c;
        }
        assert!(tokio::time::Instant::now() < deadline, "no error: {c:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Stopped at the bad event (after world's 2 version events), named.
    assert!(!contracts.running);
    assert_eq!(contracts.position, 2);
    assert!(
        contracts
            .last_error
            .starts_with("position 3 (shipment.registered shipments/bad): "),
        "{}",
        contracts.last_error
    );
    assert!(contracts.head >= 3);
    // The carriers consumer goes on.
    recourse_proto::carriers::carrier_service_client::CarrierServiceClient::new(
        app.channel(Role::Admin, None),
    )
    .create_carrier(crate::common::carrier_request("ZIP"))
    .await
    .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let s = app.feed_status().await;
        let carriers = s.iter().find(|s| s.feed == "carriers").unwrap();
        if carriers.position == 2 {
            assert!(carriers.running);
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{s:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Health says which consumer stopped.
    let mut health = HealthClient::new(app.server.channel());
    let check = |service: &str| HealthCheckRequest {
        service: service.into(),
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let contracts = health
            .check(check("reporting.feed.contracts"))
            .await
            .unwrap();
        if contracts.into_inner().status() == ServingStatus::NotServing {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "health still SERVING"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let carriers = health
        .check(check("reporting.feed.carriers"))
        .await
        .unwrap();
    assert_eq!(carriers.into_inner().status(), ServingStatus::Serving);
    // A restart does not skip it: the consumer stays stopped on it.
    app.consumers.stop().await;
    app.consumers.start();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let again = app.feed_status().await;
    let c = again.iter().find(|s| s.feed == "contracts").unwrap();
    assert_eq!((c.position, c.running), (2, false));
    assert_eq!(c.last_error, contracts.last_error);
}

/// Five replicas' consumers on one reporting database, started together on
/// a backlog: each event is applied by whichever moves the position first;
/// the others roll back, so counts and money come out exact and no
/// consumer stops (a movement applied twice would hit its primary key).
async fn five_replicas_consuming_at_once_count_each_event_once(backend: Backend) {
    use recourse_reporting::{Consumers, Upstream, Upstreams};
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    app.caught_up().await;
    app.consumers.stop().await;
    let shipped = Utc::now() - chrono::Duration::days(8);
    let mut names = Vec::new();
    for i in 0..40 {
        names.push(
            app.register(&world, &format!("R{i:02}"), shipped)
                .await
                .name,
        );
    }
    for (i, name) in names.iter().take(4).enumerate() {
        let c = app.approved(&world, name, 10_000, 5_000).await;
        app.recoveries(Role::Finance)
            .record_remittance(clpb::RecordRemittanceRequest {
                request_id: format!("r{i}"),
                remittance: Some(clpb::Remittance {
                    carrier: world.carrier.clone(),
                    kind: clpb::RemittanceKind::Payment.into(),
                    reference: format!("R{i}"),
                    remittance_date: Some(recourse_platform::proto_types::date_to_proto(
                        Utc::now().date_naive(),
                    )),
                    amount: usd(1_000),
                    lines: vec![clpb::RemittanceLine {
                        claim: c.number.clone(),
                        amount: usd(1_000),
                        ..Default::default()
                    }],
                    ..Default::default()
                }),
            })
            .await
            .unwrap();
    }
    let replicas: Vec<Consumers> = (0..5)
        .map(|_| {
            let upstream = || Upstream::new(app.server.channel(), app.auth.keys.clone());
            Consumers::new(
                app.reporting_db.clone(),
                Upstreams {
                    carriers: upstream(),
                    contracts: upstream(),
                    claims: upstream(),
                },
            )
        })
        .collect();
    for r in &replicas {
        r.start();
    }
    // The app's own status is of its stopped consumers: wait on the stored
    // positions instead.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        use sea_orm::ConnectionTrait;
        let mut behind = false;
        for (feed, conn, table) in &app.upstreams {
            let head: i64 = conn
                .query_one_raw(sea_orm::Statement::from_string(
                    conn.get_database_backend(),
                    format!("SELECT COALESCE(MAX(position), 0) AS head FROM {table}"),
                ))
                .await
                .unwrap()
                .unwrap()
                .try_get("", "head")
                .unwrap();
            let at: i64 = app
                .reporting_db
                .query_one_raw(sea_orm::Statement::from_string(
                    app.reporting_db.get_database_backend(),
                    format!("SELECT position FROM reporting_feed_positions WHERE feed = '{feed}'"),
                ))
                .await
                .unwrap()
                .map(|r| r.try_get("", "position").unwrap())
                .unwrap_or(0);
            behind |= at < head;
        }
        if !behind {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "replicas did not catch up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for r in &replicas {
        assert!(
            r.statuses().iter().all(|s| s.last_error.is_empty()),
            "{:?}",
            r.statuses()
        );
        r.stop().await;
    }
    // 40 shipments; approved 4 × 50.00, recovered 4 × 10.00.
    assert_eq!(shipments_in_reporting(&app).await / 1_000, 40);
    let ours = app
        .reporting(Role::Finance)
        .get_recovery_reconciliation(pb::GetRecoveryReconciliationRequest {
            carrier: world.carrier.clone(),
            period: Some(quarter_of_today()),
        })
        .await
        .unwrap()
        .into_inner();
    let amounts = |m: &Option<recourse_proto::common::Money>| m.as_ref().unwrap().amount_minor;
    let row = &ours.rows[0];
    assert_eq!(
        (
            amounts(&row.approved),
            amounts(&row.recovered),
            amounts(&row.closing)
        ),
        (20_000, 4_000, 16_000)
    );
}
