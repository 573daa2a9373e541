//! Metrics, through OpenTelemetry: RED metrics per RPC (recorded by the
//! server stack), database pool gauges and feed lag gauges. They are
//! exported over OTLP when `telemetry.otlp_endpoint` is set and served as
//! Prometheus text on `telemetry.metrics_listen` when that is set
//! ([`crate::telemetry::init`] installs the provider); without either the
//! instruments are no-ops. Every metric is documented in
//! `docs/architecture.md` ("Metrics").

mod export;

use std::sync::Arc;
use std::time::Duration;

pub use export::{MetricsError, install};

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram, Meter};
use sea_orm::{DatabaseConnection, DbBackend};
use tonic::Code;

use crate::server::methods::MethodKind;

/// The instrumentation scope of every Recourse metric.
pub const SCOPE: &str = "recourse";

/// The meter of the installed provider (a no-op one when none is).
pub fn meter() -> Meter {
    opentelemetry::global::meter(SCOPE)
}

/// Calls and their latency, by service, method and status code.
#[derive(Debug)]
pub struct RpcMetrics {
    calls: Counter<u64>,
    duration: Histogram<f64>,
}

impl RpcMetrics {
    pub fn new(meter: &Meter) -> Self {
        Self {
            calls: meter
                .u64_counter("rpc.server.calls")
                .with_description("gRPC calls served, by service, method and status code")
                .with_unit("{call}")
                .build(),
            duration: meter
                .f64_histogram("rpc.server.call.duration")
                .with_description(
                    "Time from a call's arrival to the end of its response (for streams: the \
                     end of the stream), by service, method and status code",
                )
                .with_unit("s")
                .with_boundaries(vec![
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                    30.0, 60.0,
                ])
                .build(),
        }
    }

    /// Records one finished call to `path` (`/package.Service/Method`).
    pub fn record(&self, path: &str, kind: MethodKind, code: Code, elapsed: Duration) {
        let (service, method) = path
            .trim_start_matches('/')
            .split_once('/')
            .unwrap_or((path, ""));
        let attributes = [
            KeyValue::new("rpc.system", "grpc"),
            KeyValue::new("rpc.service", service.to_owned()),
            KeyValue::new("rpc.method", method.to_owned()),
            KeyValue::new("rpc.grpc.kind", kind.as_str()),
            KeyValue::new("rpc.grpc.status_code", code as i64),
        ];
        self.calls.add(1, &attributes);
        self.duration.record(elapsed.as_secs_f64(), &attributes);
    }
}

/// (open, idle) connections of a service's pool.
// DbBackend is sea-orm's (MySQL included): only the two backends built in are sampled.
#[allow(clippy::wildcard_enum_match_arm)]
fn pool_sample(db: &DatabaseConnection) -> (u64, u64) {
    let (open, idle) = match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        // Only PostgreSQL and SQLite are built in.
        _ => (0, 0),
    };
    (u64::from(open), idle as u64)
}

/// Gauges of a service's connection pool: connections open, idle and in
/// use. Registered once per database at start.
pub fn observe_pool(service: &'static str, db: &DatabaseConnection) {
    let meter = meter();
    /// (name, description, the figure taken from (open, idle)).
    type PoolGauge = (&'static str, &'static str, fn((u64, u64)) -> u64);
    let gauges: [PoolGauge; 3] = [
        (
            "db.pool.connections",
            "Connections the service's database pool holds open (idle + in use)",
            |(open, _)| open,
        ),
        (
            "db.pool.connections.idle",
            "Open connections not lent to a query or transaction",
            |(_, idle)| idle,
        ),
        (
            "db.pool.connections.in_use",
            "Connections lent to a query or transaction right now",
            |(open, idle)| open.saturating_sub(idle),
        ),
    ];
    for (name, description, pick) in gauges {
        let db = db.clone();
        let attributes = [KeyValue::new("service", service)];
        meter
            .u64_observable_gauge(name)
            .with_description(description)
            .with_unit("{connection}")
            .with_callback(move |observer| observer.observe(pick(pool_sample(&db)), &attributes))
            .build();
    }
}

/// Where one feed stands, shared by its relay, its listener and its
/// subscribers, and read by the feed gauges.
#[derive(Debug, Default)]
pub struct FeedStats {
    /// Highest position this process knows is assigned.
    pub head: std::sync::atomic::AtomicI64,
    /// Committed events without a position yet, as the relay last counted.
    pub unnumbered: std::sync::atomic::AtomicI64,
    subscribers: std::sync::Mutex<SubscriberPositions>,
}

#[derive(Debug, Default)]
struct SubscriberPositions {
    next_id: u64,
    positions: std::collections::HashMap<u64, i64>,
}

impl FeedStats {
    /// Registers a live subscriber at `position`; returns its handle.
    pub fn subscribe(&self, position: i64) -> u64 {
        let mut subs = self.subscribers.lock().unwrap_or_else(|e| e.into_inner());
        subs.next_id += 1;
        let id = subs.next_id;
        subs.positions.insert(id, position);
        id
    }

    /// Records that subscriber `id` has seen everything up to `position`.
    pub fn advance(&self, id: u64, position: i64) {
        let mut subs = self.subscribers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = subs.positions.get_mut(&id) {
            *p = (*p).max(position);
        }
    }

    pub fn unsubscribe(&self, id: u64) {
        let mut subs = self.subscribers.lock().unwrap_or_else(|e| e.into_inner());
        subs.positions.remove(&id);
    }

    /// Live subscribers and how far the slowest is behind the head.
    pub fn subscriber_lag(&self) -> (u64, i64) {
        let head = self.head.load(std::sync::atomic::Ordering::Relaxed);
        let subs = self.subscribers.lock().unwrap_or_else(|e| e.into_inner());
        let slowest = subs.positions.values().min().copied().unwrap_or(head);
        (subs.positions.len() as u64, (head - slowest).max(0))
    }

    /// Raises the known head to `position` (never lowers it).
    pub fn raise_head(&self, position: i64) {
        self.head
            .fetch_max(position, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The gauges of one feed (`feed` = its outbox table).
pub fn observe_feed(feed: &'static str, stats: Arc<FeedStats>) {
    use std::sync::atomic::Ordering;
    let meter = meter();
    let attributes = [KeyValue::new("feed", feed)];
    let (s, a) = (stats.clone(), attributes.clone());
    meter
        .i64_observable_gauge("feed.head_position")
        .with_description("Highest position assigned in the feed, as this process knows it")
        .with_callback(move |o| o.observe(s.head.load(Ordering::Relaxed), &a))
        .build();
    let (s, a) = (stats.clone(), attributes.clone());
    meter
        .i64_observable_gauge("feed.unnumbered_events")
        .with_description(
            "Committed events the relay has not given a position yet (relay lag), as last counted",
        )
        .with_unit("{event}")
        .with_callback(move |o| o.observe(s.unnumbered.load(Ordering::Relaxed), &a))
        .build();
    let (s, a) = (stats.clone(), attributes.clone());
    meter
        .u64_observable_gauge("feed.subscribers")
        .with_description("Live Subscribe streams on this feed in this process")
        .with_unit("{subscriber}")
        .with_callback(move |o| o.observe(s.subscriber_lag().0, &a))
        .build();
    meter
        .i64_observable_gauge("feed.subscriber_lag")
        .with_description(
            "Positions between the head and the slowest live subscriber of this process",
        )
        .with_unit("{event}")
        .with_callback(move |o| o.observe(stats.subscriber_lag().1, &attributes))
        .build();
}
