//! A crash in the middle of a request: a carrier's tracking feed keeps
//! sending scan batches through the gateway while the contracts process is
//! SIGKILLed. The batch in flight may or may not have been stored — the
//! sender cannot know — so after the restart it sends every batch again,
//! as an at-least-once feed does. Each scan must then be stored exactly
//! once: none lost with the process, none doubled by the resend.

use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as Days, Utc};
use recourse_proto::contracts as kpb;
use recourse_proto::contracts::shipment_service_client::ShipmentServiceClient;
use recourse_test_support::fixtures;
use tokio::sync::watch;

use super::Cluster;
use super::client::{Gw, retrying};

/// Batches the feed holds and scans per batch: more than it can send
/// before the kill lands, so the kill always meets the feed mid-stream.
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

/// Streams scans of `tracking` (from `from` on, a minute apart) and
/// SIGKILLs contracts once three batches were acknowledged; restarts it and
/// resends everything. Returns how many scans the feed holds.
pub async fn scans_survive_a_kill_mid_ingest(
    cluster: &mut Cluster,
    admin: &Gw,
    carrier: &str,
    tracking: &str,
    from: DateTime<Utc>,
) -> usize {
    let (acked_tx, mut acked_rx) = watch::channel(0usize);
    let feed = {
        let mut client = ShipmentServiceClient::new(admin.clone());
        let (carrier, tracking) = (carrier.to_owned(), tracking.to_owned());
        tokio::spawn(async move {
            // Sends in order until the first failure: what was acknowledged.
            for b in 0..BATCHES {
                let sent = client
                    .ingest_tracking_events(tokio_stream::iter([batch(
                        &carrier, &tracking, from, b,
                    )]))
                    .await;
                match sent {
                    Ok(response) => {
                        let stored = response.into_inner().stored;
                        assert_eq!(stored, PER_BATCH as u64, "a fresh batch is stored whole");
                        acked_tx.send_replace(b + 1);
                    }
                    Err(status) => return (b, Some(status)),
                }
            }
            (BATCHES, None)
        })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while *acked_rx.borrow_and_update() < 3 {
        assert!(Instant::now() < deadline, "the feed got no batch through");
        let _ = tokio::time::timeout(Duration::from_millis(200), acked_rx.changed()).await;
    }
    cluster.kill("contracts");
    let (acknowledged, failure) = feed.await.expect("the feed task");
    let failure = failure.unwrap_or_else(|| {
        panic!("the kill landed after all {BATCHES} batches; the feed must outlast it")
    });
    assert!(
        // UNAVAILABLE from the gateway (connection refused or reset);
        // UNKNOWN if the reset lands on a stream the upstream had answered.
        matches!(
            failure.code(),
            tonic::Code::Unavailable | tonic::Code::Unknown
        ),
        "a batch in flight fails retryably: {failure:?}"
    );
    cluster.restart("contracts").await;

    // At-least-once: everything again. Acknowledged batches are all
    // duplicates; the one in flight was stored whole or not at all.
    let mut stored_again = 0;
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
        if b < acknowledged {
            assert_eq!(
                response.stored, 0,
                "batch {b} was acknowledged before the kill"
            );
        } else if b > acknowledged {
            assert_eq!(
                response.stored, PER_BATCH as u64,
                "batch {b} was never sent"
            );
        } else {
            assert!(
                response.stored == 0 || response.stored == PER_BATCH as u64,
                "the batch in flight was stored whole or not at all: {response:?}"
            );
        }
        stored_again += response.stored;
    }
    eprintln!(
        "mid-ingest kill: {acknowledged} batches acknowledged, batch {acknowledged} failed \
         ({:?}: {}); {stored_again} scans stored by the resend",
        failure.code(),
        failure.message()
    );
    BATCHES * PER_BATCH
}
