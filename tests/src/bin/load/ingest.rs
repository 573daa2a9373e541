//! Tracking ingest load: register shipments (untimed), then stream events
//! over several concurrent client streams and time only that phase.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use chrono::{TimeZone as _, Utc};
use futures::{StreamExt as _, TryStreamExt as _};
use recourse_proto::contracts as pb;
use recourse_proto::contracts::shipment_service_client::ShipmentServiceClient;

use crate::fixtures::{self, ts};
use crate::{Connector, run_id};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Shipments to register before the timed phase.
    #[arg(long, default_value_t = 20_000)]
    shipments: usize,
    /// Tracking events to stream (spread round-robin over the shipments).
    #[arg(long, default_value_t = 400_000)]
    events: usize,
    /// Events per stream message.
    #[arg(long, default_value_t = 1_000)]
    batch: usize,
    /// Concurrent client streams, each on its own connection.
    #[arg(long, default_value_t = 4)]
    streams: usize,
    /// RegisterShipment calls in flight during setup.
    #[arg(long, default_value_t = 32)]
    register_concurrency: usize,
}

const LOCATIONS: [&str; 8] = ["SFO", "OAK", "SJC", "LAX", "ONT", "PHX", "DEN", "ORD"];

/// The type of the `seq`-th of `count` events of one parcel: picked up,
/// then alternating arrival/departure scans, out for delivery, delivered.
fn event_type(seq: usize, count: usize) -> pb::TrackingEventType {
    use pb::TrackingEventType as T;
    if seq == 0 {
        T::PickedUp
    } else if seq + 1 == count {
        T::Delivered
    } else if seq + 2 == count {
        T::OutForDelivery
    } else if seq % 2 == 1 {
        T::ArrivalScan
    } else {
        T::DepartureScan
    }
}

pub async fn run(connector: &Connector, args: &Args) -> anyhow::Result<()> {
    ensure!(
        args.shipments > 0 && args.events > 0 && args.batch > 0 && args.streams > 0,
        "counts must be positive"
    );
    let run = run_id();
    let setup = connector.connect().await?;
    let carrier = fixtures::carrier_with_contract(setup.clone(), &format!("LI{run}")).await?;
    println!("run {run}: carrier {carrier}");

    // Setup: register the shipments (not timed as ingest).
    let base = Utc
        .with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
        .single()
        .context("base ship time")?;
    let tracking = |i: usize| format!("LT{run}-{i:07}");
    let started = Instant::now();
    let client = ShipmentServiceClient::new(setup.clone());
    futures::stream::iter(0..args.shipments)
        .map(|i| {
            let mut client = client.clone();
            let number = tracking(i);
            let ship_time = base + chrono::Duration::minutes((i % (4 * 24 * 60)) as i64);
            let destination = fixtures::DESTINATIONS[i % fixtures::DESTINATIONS.len()];
            let shipment = fixtures::shipment(&carrier, &number, destination, ship_time);
            async move {
                client
                    .register_shipment(pb::RegisterShipmentRequest {
                        request_id: format!("load-ship-{number}"),
                        shipment: Some(shipment),
                    })
                    .await
                    .with_context(|| format!("RegisterShipment {number}"))
            }
        })
        .buffer_unordered(args.register_concurrency.max(1))
        .try_for_each(|_| async { Ok(()) })
        .await?;
    let took = started.elapsed();
    println!(
        "registered {} shipments in {:.2}s ({:.0} shipments/s, {} in flight)",
        args.shipments,
        took.as_secs_f64(),
        args.shipments as f64 / took.as_secs_f64(),
        args.register_concurrency
    );

    // Build every message up front so the timed phase is sending only.
    let n = args.shipments;
    let per = |s: usize| args.events / n + usize::from(s < args.events % n);
    let events: Vec<pb::TrackingEvent> = (0..args.events)
        .map(|i| {
            let (s, seq) = (i % n, i / n);
            let ship_time = base + chrono::Duration::minutes((s % (4 * 24 * 60)) as i64);
            pb::TrackingEvent {
                carrier_event_id: format!("{run}-{i}"),
                tracking_number: tracking(s),
                r#type: event_type(seq, per(s)).into(),
                occur_time: ts(ship_time + chrono::Duration::minutes(30 + 90 * seq as i64)),
                location: LOCATIONS[(s + seq) % LOCATIONS.len()].to_owned(),
                exception_reason: String::new(),
            }
        })
        .collect();
    let mut per_stream: Vec<Vec<pb::IngestTrackingEventsRequest>> =
        (0..args.streams).map(|_| Vec::new()).collect();
    for (j, chunk) in events.chunks(args.batch).enumerate() {
        per_stream[j % args.streams].push(pb::IngestTrackingEventsRequest {
            carrier: carrier.clone(),
            events: chunk.to_vec(),
        });
    }
    drop(events);
    let mut clients = Vec::with_capacity(args.streams);
    for _ in 0..args.streams {
        clients.push(ShipmentServiceClient::new(connector.connect().await?));
    }

    // Timed: every stream sends its messages and waits for its summary.
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (k, (mut client, messages)) in clients.into_iter().zip(per_stream).enumerate() {
        tasks.spawn(async move {
            let began = Instant::now();
            let summary = client
                .ingest_tracking_events(tokio_stream::iter(messages))
                .await;
            (k, began.elapsed(), summary)
        });
    }
    let mut total = pb::IngestTrackingEventsResponse::default();
    let mut streams: Vec<(usize, Duration)> = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (k, took, summary) = joined.context("stream task")?;
        let summary = summary
            .with_context(|| format!("IngestTrackingEvents stream {k}"))?
            .into_inner();
        total.received += summary.received;
        total.stored += summary.stored;
        total.duplicates += summary.duplicates;
        total.rejections.extend(summary.rejections);
        streams.push((k, took));
    }
    let took = started.elapsed();
    streams.sort();

    let rate = args.events as f64 / took.as_secs_f64();
    println!(
        "ingest: {} events in {:.3}s over {} streams x {}-event messages",
        args.events,
        took.as_secs_f64(),
        args.streams,
        args.batch
    );
    for (k, t) in &streams {
        println!("  stream {k}: {:.3}s", t.as_secs_f64());
    }
    println!(
        "server summary: received {} stored {} duplicates {} rejections {}",
        total.received,
        total.stored,
        total.duplicates,
        total.rejections.len()
    );
    for r in total.rejections.iter().take(5) {
        println!(
            "  rejected #{} {}: {} {}",
            r.index, r.carrier_event_id, r.reason, r.detail
        );
    }
    // Machine-readable, for tests/bench/ingest.sh.
    println!(
        "RESULT ingest_events={} ingest_seconds={:.3} ingest_events_per_sec={rate:.0} stored={}",
        args.events,
        took.as_secs_f64(),
        total.stored
    );
    if total.stored != args.events as u64 || total.duplicates != 0 || !total.rejections.is_empty() {
        bail!(
            "expected {} events stored, no duplicates, no rejections",
            args.events
        );
    }
    Ok(())
}
