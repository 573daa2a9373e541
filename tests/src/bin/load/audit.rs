//! Invoice audit against a plain import of the same size: register
//! `--lines` GROUND parcels with a pickup scan each (untimed), then time
//! two `ImportInvoice` streams of `--lines` lines in the same run — one
//! `record_only` (lines and duplicates: the baseline) naming parcels that
//! are not registered, one audited naming the registered parcels — and
//! print the ratio. The bar: auditing a 100,000-line invoice
//! within 3× importing it without audit.
//!
//! Every line bills GROUND zone 2, 3 lb: base 10.00 + FUEL 1.25 = 11.25,
//! as contracted; every 10th adds an unrequested RESIDENTIAL 4.95. The
//! audit must find exactly those: lines / 10 lines with findings, each
//! 4.95 at stake.

use std::time::Instant;

use anyhow::{Context as _, bail, ensure};
use chrono::{TimeZone as _, Utc};
use futures::{StreamExt as _, TryStreamExt as _};
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::contracts as pb;
use recourse_proto::contracts::invoice_service_client::InvoiceServiceClient;
use recourse_proto::contracts::shipment_service_client::ShipmentServiceClient;

use crate::fixtures::{self, ts};
use crate::{Connector, run_id};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Lines per invoice (and parcels registered for the audited one).
    #[arg(long, default_value_t = 100_000)]
    lines: usize,
    /// RegisterShipment calls in flight during setup.
    #[arg(long, default_value_t = 32)]
    register_concurrency: usize,
    /// Bytes of CSV per stream message.
    #[arg(long, default_value_t = 1 << 20)]
    chunk: usize,
}

const HEADER: &str = "tracking_number,ship_date,service_level,zone,billed_weight,weight_unit,base_minor,surcharges,total_minor\n";

/// The invoice of `lines` lines naming `tracking(i)`, and its total.
fn invoice_csv(lines: usize, tracking: impl Fn(usize) -> String) -> (Vec<u8>, i64) {
    let mut csv = String::with_capacity(HEADER.len() + lines * 80);
    csv.push_str(HEADER);
    let mut total = 0;
    for i in 0..lines {
        let (surcharges, line_total) = if i % 10 == 9 {
            ("FUEL=125;RESIDENTIAL=495", 1_620)
        } else {
            ("FUEL=125", 1_125)
        };
        total += line_total;
        csv.push_str(&format!(
            "{},2026-11-02,GROUND,2,3,lb,1000,{surcharges},{line_total}\n",
            tracking(i)
        ));
    }
    (csv.into_bytes(), total)
}

/// Streams one invoice and returns (seconds, the answer).
async fn import(
    connector: &Connector,
    carrier: &str,
    number: &str,
    (csv, total): (Vec<u8>, i64),
    chunk: usize,
    record_only: bool,
) -> anyhow::Result<(f64, pb::ImportInvoiceResponse)> {
    let day = date_to_proto(chrono::NaiveDate::from_ymd_opt(2026, 11, 30).context("date")?);
    let header = pb::InvoiceHeader {
        carrier: carrier.to_owned(),
        invoice_number: number.to_owned(),
        invoice_date: Some(day),
        currency_code: "USD".to_owned(),
        total: fixtures::usd(total),
        received_date: Some(day),
        record_only,
    };
    let messages: Vec<pb::ImportInvoiceRequest> = csv
        .chunks(chunk.max(1))
        .enumerate()
        .map(|(k, bytes)| pb::ImportInvoiceRequest {
            header: (k == 0).then(|| header.clone()),
            csv: bytes.to_vec(),
        })
        .collect();
    let mut client =
        InvoiceServiceClient::new(connector.connect().await?).max_decoding_message_size(64 << 20);
    let started = Instant::now();
    let answer = client
        .import_invoice(tokio_stream::iter(messages))
        .await
        .with_context(|| format!("ImportInvoice {number}"))?
        .into_inner();
    Ok((started.elapsed().as_secs_f64(), answer))
}

pub async fn run(connector: &Connector, args: &Args) -> anyhow::Result<()> {
    ensure!(args.lines > 0, "--lines must be positive");
    let run = run_id();
    let setup = connector.connect().await?;
    let carrier = fixtures::carrier_with_contract(setup.clone(), &format!("LA{run}")).await?;
    println!("run {run}: carrier {carrier}");

    // Setup (untimed): the audited invoice's parcels, each picked up.
    let base = Utc
        .with_ymd_and_hms(2026, 11, 2, 16, 0, 0)
        .single()
        .context("base ship time")?;
    let audited = |i: usize| format!("AU{run}-{i:07}");
    let plain = |i: usize| format!("PL{run}-{i:07}");
    let started = Instant::now();
    let client = ShipmentServiceClient::new(setup.clone());
    futures::stream::iter(0..args.lines)
        .map(|i| {
            let mut client = client.clone();
            let number = audited(i);
            let ship_time = base + chrono::Duration::seconds((i % 3_600) as i64);
            let shipment = fixtures::shipment(&carrier, &number, "94016", ship_time);
            async move {
                client
                    .register_shipment(pb::RegisterShipmentRequest {
                        request_id: format!("load-audit-{number}"),
                        shipment: Some(shipment),
                    })
                    .await
                    .with_context(|| format!("RegisterShipment {number}"))
            }
        })
        .buffer_unordered(args.register_concurrency.max(1))
        .try_for_each(|_| async { Ok(()) })
        .await?;
    let pickups: Vec<pb::IngestTrackingEventsRequest> = (0..args.lines)
        .collect::<Vec<_>>()
        .chunks(1_000)
        .map(|chunk| pb::IngestTrackingEventsRequest {
            carrier: carrier.clone(),
            events: chunk
                .iter()
                .map(|&i| pb::TrackingEvent {
                    carrier_event_id: format!("{run}-p{i}"),
                    tracking_number: audited(i),
                    r#type: pb::TrackingEventType::PickedUp.into(),
                    occur_time: ts(base + chrono::Duration::hours(1)),
                    location: "SFO".to_owned(),
                    exception_reason: String::new(),
                })
                .collect(),
        })
        .collect();
    let stored = ShipmentServiceClient::new(setup)
        .ingest_tracking_events(tokio_stream::iter(pickups))
        .await
        .context("IngestTrackingEvents")?
        .into_inner()
        .stored;
    ensure!(stored == args.lines as u64, "stored {stored} pickups");
    println!(
        "setup: {} parcels registered and picked up in {:.1}s",
        args.lines,
        started.elapsed().as_secs_f64()
    );

    // Timed: the plain import, then the audited one (same size and shape).
    let (plain_s, plain_answer) = import(
        connector,
        &carrier,
        &format!("PLAIN-{run}"),
        invoice_csv(args.lines, plain),
        args.chunk,
        true,
    )
    .await?;
    let (audit_s, audit_answer) = import(
        connector,
        &carrier,
        &format!("AUDIT-{run}"),
        invoice_csv(args.lines, audited),
        args.chunk,
        false,
    )
    .await?;
    let plain_inv = plain_answer.invoice.context("no invoice")?;
    let audit_inv = audit_answer.invoice.context("no invoice")?;
    let at_stake = audit_inv
        .amount_at_stake
        .as_ref()
        .map_or(0, |m| m.amount_minor);
    println!(
        "plain import: {} lines in {plain_s:.3}s ({:.0} lines/s)",
        plain_inv.line_count,
        args.lines as f64 / plain_s
    );
    println!(
        "audited import: {} lines in {audit_s:.3}s ({:.0} lines/s), {} with findings, {} at stake",
        audit_inv.line_count,
        args.lines as f64 / audit_s,
        audit_inv.lines_with_findings,
        at_stake
    );
    let ratio = audit_s / plain_s;
    println!(
        "RESULT lines={} plain_seconds={plain_s:.3} audit_seconds={audit_s:.3} ratio={ratio:.2}",
        args.lines
    );
    let expected_findings = (args.lines / 10) as u64;
    if plain_inv.line_count != args.lines as u64
        || audit_inv.line_count != args.lines as u64
        || plain_inv.lines_with_findings != 0
        || audit_inv.lines_with_findings != expected_findings
        || at_stake != 495 * expected_findings as i64
    {
        bail!(
            "expected {} lines each, none flagged in the plain one and {expected_findings} \
             (4.95 each) in the audited one",
            args.lines
        );
    }
    Ok(())
}
