//! A crash in the middle of requests: a carrier's tracking feeds keep
//! sending scan batches through the gateway while the contracts process is
//! SIGKILLed. A batch in flight may or may not have been stored — the
//! sender cannot know — so after the restart every batch is sent again, as
//! an at-least-once feed does. Each scan must then be stored exactly
//! once: none lost with the process, none doubled by the resend.

use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as Days, Utc};
use recourse_proto::contracts as kpb;
use recourse_proto::contracts::shipment_service_client::ShipmentServiceClient;
use recourse_test_support::fixtures;
use tokio::sync::watch;

use super::Cluster;
use super::client::{Gw, retrying};

/// Batches the feeds hold and scans per batch: more than they can send
/// before the kill lands, so the kill always meets them mid-stream.
const BATCHES: usize = 200;
const PER_BATCH: usize = 5;

fn batch(
    carrier: &str,
    tracking: &str,
    from: DateTime<Utc>,
    b: usize,
) -> kpb::IngestTrackingEventsRequest {
    kpb::IngestTrackingEventsRequest {
        carrier: carrier.to_owned(),
        events: (0..PER_BATCH)
            .map(|i| {
                let n = b * PER_BATCH + i;
                let minutes = i64::try_from(n).expect("small");
                fixtures::event(
                    &format!("scan-{n}"),
                    tracking,
                    kpb::TrackingEventType::ArrivalScan,
                    from + Days::minutes(minutes),
                )
            })
            .collect(),
    }
}

/// Feeds sending at once: the kill meets several requests in different
/// stages (not yet read, inside a transaction, committed but unanswered).
const FEEDS: usize = 4;

/// What one feed saw: the batches acknowledged, and the one that failed.
type FeedOutcome = (Vec<usize>, Option<(usize, tonic::Status)>);

/// Streams scans of `tracking` (from `from` on, a minute apart) from
/// `FEEDS` concurrent feeds, each its share of the batches in order until
/// its first failure, and SIGKILLs contracts once eight batches were
/// acknowledged; restarts it and resends everything. Returns how many scans
/// the feeds hold.
pub async fn scans_survive_a_kill_mid_ingest(
    cluster: &mut Cluster,
    admin: &Gw,
    carrier: &str,
    tracking: &str,
    from: DateTime<Utc>,
) -> usize {
    let (acked_tx, mut acked_rx) = watch::channel(0usize);
    let feeds: Vec<_> = (0..FEEDS)
        .map(|feed| {
            let mut client = ShipmentServiceClient::new(admin.clone());
            let (carrier, tracking) = (carrier.to_owned(), tracking.to_owned());
            let acked_tx = acked_tx.clone();
            tokio::spawn(async move {
                let mut acked = Vec::new();
                for b in (feed..BATCHES).step_by(FEEDS) {
                    let request = batch(&carrier, &tracking, from, b);
                    match client
                        .ingest_tracking_events(tokio_stream::iter([request]))
                        .await
                    {
                        Ok(response) => {
                            let stored = response.into_inner().stored;
                            assert_eq!(stored, PER_BATCH as u64, "a fresh batch is stored whole");
                            acked.push(b);
                            acked_tx.send_modify(|n| *n += 1);
                        }
                        Err(status) => return (acked, Some((b, status))),
                    }
                }
                (acked, None)
            })
        })
        .collect();
    drop(acked_tx);
    let deadline = Instant::now() + Duration::from_secs(30);
    while *acked_rx.borrow_and_update() < 8 {
        assert!(
            Instant::now() < deadline,
            "the feeds got no batches through"
        );
        let _ = tokio::time::timeout(Duration::from_millis(200), acked_rx.changed()).await;
    }
    cluster.kill("contracts");
    let mut acknowledged = Vec::new();
    let mut in_flight = Vec::new();
    for feed in feeds {
        let (acked, failure): FeedOutcome = feed.await.expect("a feed task");
        acknowledged.extend(acked);
        let (b, status) = failure.unwrap_or_else(|| {
            panic!("a feed sent all its batches before the kill; it must outlast it")
        });
        assert!(
            // UNAVAILABLE from the gateway (connection refused or reset);
            // UNKNOWN if the reset lands on a stream the upstream had answered.
            matches!(
                status.code(),
                tonic::Code::Unavailable | tonic::Code::Unknown
            ),
            "batch {b} in flight fails retryably: {status:?}"
        );
        in_flight.push(b);
    }
    cluster.restart("contracts").await;

    // At-least-once: everything again. Acknowledged batches are all
    // duplicates; each one in flight was stored whole or not at all (one
    // transaction), and the rest are new.
    let (mut stored_again, mut committed_unanswered) = (0, 0);
    for b in 0..BATCHES {
        let response = retrying("resend a batch", || {
            let mut client = ShipmentServiceClient::new(admin.clone());
            let request = batch(carrier, tracking, from, b);
            async move {
                client
                    .ingest_tracking_events(tokio_stream::iter([request]))
                    .await
            }
        })
        .await;
        assert_eq!(
            response.stored + response.duplicates,
            PER_BATCH as u64,
            "batch {b}: every scan either new or a duplicate: {response:?}"
        );
        if acknowledged.contains(&b) {
            assert_eq!(
                response.stored, 0,
                "batch {b} was acknowledged before the kill"
            );
        } else if in_flight.contains(&b) {
            assert!(
                response.stored == 0 || response.stored == PER_BATCH as u64,
                "batch {b}, in flight, was stored whole or not at all: {response:?}"
            );
            committed_unanswered += usize::from(response.stored == 0);
        } else {
            assert_eq!(
                response.stored, PER_BATCH as u64,
                "batch {b} was never sent"
            );
        }
        stored_again += response.stored;
    }
    eprintln!(
        "mid-ingest kill: {} batches acknowledged, {} in flight ({committed_unanswered} of them \
         committed before the kill, unanswered); {stored_again} scans stored by the resend",
        acknowledged.len(),
        in_flight.len(),
    );
    BATCHES * PER_BATCH
}
