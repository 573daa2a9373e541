//! The claims write paths at volume, each timed on its own: CreateClaim
//! (which reads the shipment from contracts), SubmitClaim (which fetches the
//! terms in force from contracts), the carrier-side transitions
//! (acknowledge, review, approve) and a remittance file paying every claim
//! (ImportRemittances). Shipments are registered first, untimed.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use anyhow::{Context as _, bail, ensure};
use chrono::{TimeZone as _, Utc};
use futures::{StreamExt as _, TryStreamExt as _};
use recourse_proto::claims as pb;
use recourse_proto::claims::claim_service_client::ClaimServiceClient;
use recourse_proto::claims::recovery_service_client::RecoveryServiceClient;
use recourse_proto::contracts as cpb;
use recourse_proto::contracts::shipment_service_client::ShipmentServiceClient;

use crate::compare::{Stats, measure, ms};
use crate::fixtures::{self, usd};
use crate::{Authed, Connector, run_id};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Claims to create, submit, decide and pay (one shipment each).
    #[arg(long, default_value_t = 5_000)]
    claims: usize,
    /// Calls in flight in every timed phase.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// TCP connections the workers share.
    #[arg(long, default_value_t = 8)]
    connections: usize,
    /// A second principal's token for the carrier-side moves: nobody
    /// decides a claim they filed (`recourse token --role admin --subject
    /// load-decider`).
    #[arg(long, env = "RECOURSE_DECIDER_TOKEN", hide_env_values = true)]
    decider_token: String,
    /// Remittance files imported at once (each its own client stream).
    #[arg(long, default_value_t = 4)]
    import_streams: usize,
    /// Claims paid by one remittance (lines per remittance).
    #[arg(long, default_value_t = 100)]
    lines_per_remittance: usize,
}

/// What each claim is worth: one item of 50.00 USD, under the standard
/// terms' 100.00 per-package limit, so approval pays it in full.
const UNIT_MINOR: i64 = 5_000;

fn create_request(run: &str, i: usize, shipment: &str) -> pb::CreateClaimRequest {
    pb::CreateClaimRequest {
        request_id: format!("load-claim-{run}-{i}"),
        claim: Some(pb::Claim {
            shipment: shipment.to_owned(),
            r#type: cpb::ClaimType::Loss.into(),
            claimant: Some(pb::Claimant {
                kind: pb::ClaimantKind::InternalTeam.into(),
                name: "Customer care".into(),
                on_behalf_of: String::new(),
            }),
            line_items: vec![pb::LineItem {
                sku: format!("SKU-{}", i % 1_000),
                description: "Ceramic vase".into(),
                quantity: 1,
                unit_value: usd(UNIT_MINOR),
            }],
            notes: "Parcel never arrived".into(),
            ..Default::default()
        }),
    }
}

type Slots<T> = Arc<Vec<OnceLock<T>>>;

fn slots<T>(n: usize) -> Slots<T> {
    Arc::new((0..n).map(|_| OnceLock::new()).collect())
}

fn take<T: Clone>(slots: &Slots<T>, i: usize) -> anyhow::Result<T> {
    slots
        .get(i)
        .and_then(OnceLock::get)
        .cloned()
        .with_context(|| format!("no result for #{i} from the previous phase"))
}

/// Moves every claim in `from` to `to` as the decider, timed.
async fn transition_all(
    clients: &[Authed],
    args: &Args,
    from: &Slots<pb::Claim>,
    to: pb::ClaimStatus,
) -> anyhow::Result<(Stats, Slots<pb::Claim>)> {
    let out = slots(args.claims);
    let call = {
        let (from, out) = (Arc::clone(from), Arc::clone(&out));
        move |client: Authed, i: usize| {
            let (from, out) = (Arc::clone(&from), Arc::clone(&out));
            async move {
                let claim = take(&from, i)?;
                let moved = ClaimServiceClient::new(client)
                    .transition_claim(pb::TransitionClaimRequest {
                        request_id: format!("load-{to:?}-{}", claim.name),
                        name: claim.name.clone(),
                        etag: claim.etag.clone(),
                        to: to.into(),
                        reason: String::new(),
                        approved_amount: None,
                        override_cap: false,
                    })
                    .await
                    .with_context(|| format!("TransitionClaim {} to {to:?}", claim.name))?
                    .into_inner();
                let _ = out[i].set(moved);
                anyhow::Ok(())
            }
        }
    };
    let stats = measure(clients, args.claims, args.concurrency, call).await?;
    Ok((stats, out))
}

/// One CSV file per import stream; `lines_per_remittance` claims share a
/// remittance (its amount is the sum of its lines, repeated on each row).
fn remittance_files(
    run: &str,
    carrier: &str,
    approved: &Slots<pb::Claim>,
    args: &Args,
) -> anyhow::Result<Vec<String>> {
    let mut files = vec![
        String::from(
            "carrier,kind,reference,invoice_reference,date,currency,amount_minor,claim,tracking_number,line_amount_minor\n"
        );
        args.import_streams
    ];
    let per = args.lines_per_remittance.max(1);
    for (k, start) in (0..args.claims).step_by(per).enumerate() {
        let end = (start + per).min(args.claims);
        let total = UNIT_MINOR * (end - start) as i64;
        let file = &mut files[k % args.import_streams];
        for i in start..end {
            let claim = take(approved, i)?;
            file.push_str(&format!(
                "{carrier},PAYMENT,LOAD-{run}-{k},,2026-11-20,USD,{total},{},,{UNIT_MINOR}\n",
                claim.name
            ));
        }
    }
    Ok(files)
}

fn report(phase: &str, calls: usize, s: &Stats) {
    println!(
        "{phase:<12} {calls:>8} {:>10.0} {:>9.2} {:>9.2}",
        s.rate,
        ms(s.p50),
        ms(s.p99)
    );
    println!(
        "RESULT phase={phase} calls={calls} per_sec={:.0} p50_ms={:.3} p99_ms={:.3}",
        s.rate,
        ms(s.p50),
        ms(s.p99)
    );
}

pub async fn run(connector: &Connector, args: &Args) -> anyhow::Result<()> {
    ensure!(
        args.claims > 0 && args.concurrency > 0 && args.connections > 0 && args.import_streams > 0,
        "counts must be positive"
    );
    let run = run_id();
    let setup = connector.connect().await?;
    let carrier = fixtures::carrier_with_contract(setup.clone(), &format!("LC{run}")).await?;
    println!("run {run}: carrier {carrier}");

    // Setup: one shipment per claim (not timed).
    let base = Utc
        .with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
        .single()
        .context("base ship time")?;
    let client = ShipmentServiceClient::new(setup);
    // One more than claimed: the last one gets an untimed draft that stays
    // a draft, the row tests/bench/load.sh copies into CreateClaim's twin.
    let shipments: Vec<String> = futures::stream::iter(0..=args.claims)
        .map(|i| {
            let mut client = client.clone();
            let number = format!("LCT{run}-{i:07}");
            let ship_time = base + chrono::Duration::minutes((i % (4 * 24 * 60)) as i64);
            let destination = fixtures::DESTINATIONS[i % fixtures::DESTINATIONS.len()];
            let shipment = fixtures::shipment(&carrier, &number, destination, ship_time);
            async move {
                let registered = client
                    .register_shipment(cpb::RegisterShipmentRequest {
                        request_id: format!("load-ship-{number}"),
                        shipment: Some(shipment),
                    })
                    .await
                    .with_context(|| format!("RegisterShipment {number}"))?;
                anyhow::Ok(registered.into_inner().name)
            }
        })
        .buffered(args.concurrency)
        .try_collect()
        .await?;
    println!("registered {} shipments", shipments.len());

    let mut clients = Vec::with_capacity(args.connections);
    let decider = Connector {
        target: connector.target.clone(),
        interceptor: recourse_platform::client::OutboundInterceptor::new(Some(&args.decider_token))
            .map_err(anyhow::Error::msg)?,
    };
    let mut deciders = Vec::with_capacity(args.connections);
    for _ in 0..args.connections {
        clients.push(connector.connect().await?);
        deciders.push(decider.connect().await?);
    }
    println!(
        "{} claims, {} in flight over {} connections",
        args.claims, args.concurrency, args.connections
    );
    println!(
        "{:<12} {:>8} {:>10} {:>9} {:>9}",
        "phase", "calls", "per s", "p50 ms", "p99 ms"
    );

    // CreateClaim.
    let created = slots(args.claims);
    let create = {
        let (run, shipments, created) = (
            run.clone(),
            Arc::new(shipments.clone()),
            Arc::clone(&created),
        );
        move |client: Authed, i: usize| {
            let request = create_request(&run, i, &shipments[i]);
            let created = Arc::clone(&created);
            async move {
                let claim = ClaimServiceClient::new(client)
                    .create_claim(request)
                    .await
                    .with_context(|| format!("CreateClaim #{i}"))?
                    .into_inner();
                let _ = created[i].set(claim);
                anyhow::Ok(())
            }
        }
    };
    let stats = measure(&clients, args.claims, args.concurrency, create).await?;
    report("create", args.claims, &stats);
    ClaimServiceClient::new(clients[0].clone())
        .create_claim(create_request(&run, args.claims, &shipments[args.claims]))
        .await
        .context("CreateClaim (the twin's template draft)")?;

    // SubmitClaim.
    let submitted = slots(args.claims);
    let submit = {
        let (created, submitted) = (Arc::clone(&created), Arc::clone(&submitted));
        move |client: Authed, i: usize| {
            let (created, submitted) = (Arc::clone(&created), Arc::clone(&submitted));
            async move {
                let claim = take(&created, i)?;
                let done = ClaimServiceClient::new(client)
                    .submit_claim(pb::SubmitClaimRequest {
                        request_id: format!("load-submit-{}", claim.name),
                        name: claim.name.clone(),
                        etag: claim.etag.clone(),
                        override_late_filing: false,
                        override_justification: String::new(),
                    })
                    .await
                    .with_context(|| format!("SubmitClaim {}", claim.name))?
                    .into_inner();
                let _ = submitted[i].set(done);
                anyhow::Ok(())
            }
        }
    };
    let stats = measure(&clients, args.claims, args.concurrency, submit).await?;
    report("submit", args.claims, &stats);

    // The carrier's side, by a principal other than the filer.
    let mut current = submitted;
    for (phase, to) in [
        ("acknowledge", pb::ClaimStatus::Acknowledged),
        ("review", pb::ClaimStatus::UnderReview),
        ("approve", pb::ClaimStatus::Approved),
    ] {
        let (stats, moved) = transition_all(&deciders, args, &current, to).await?;
        report(phase, args.claims, &stats);
        current = moved;
    }

    // ImportRemittances: every approved claim paid in full.
    let files = remittance_files(&run, &carrier, &current, args)?;
    let mut importers = Vec::with_capacity(files.len());
    for _ in 0..files.len() {
        importers.push(RecoveryServiceClient::new(connector.connect().await?));
    }
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (mut client, file) in importers.into_iter().zip(files) {
        tasks.spawn(async move {
            // Chunks of 64 KiB, as a client streaming a file would send.
            let chunks: Vec<pb::ImportRemittancesRequest> = file
                .into_bytes()
                .chunks(64 * 1024)
                .map(|c| pb::ImportRemittancesRequest { csv: c.to_vec() })
                .collect();
            client
                .import_remittances(tokio_stream::iter(chunks))
                .await
                .map(tonic::Response::into_inner)
        });
    }
    let (mut rows, mut imported, mut errors) = (0u64, 0u64, Vec::new());
    while let Some(joined) = tasks.join_next().await {
        let answer = joined
            .context("import task")?
            .context("ImportRemittances")?;
        rows += answer.rows;
        imported += answer.imported_rows;
        errors.extend(answer.errors);
    }
    let took = started.elapsed();
    let rate = rows as f64 / took.as_secs_f64();
    println!(
        "import: {rows} rows ({} remittances) over {} streams in {:.3}s: {rate:.0} rows/s",
        args.claims.div_ceil(args.lines_per_remittance.max(1)),
        args.import_streams,
        took.as_secs_f64()
    );
    println!(
        "RESULT phase=import rows={rows} per_sec={rate:.0} seconds={:.3}",
        took.as_secs_f64()
    );
    for e in errors.iter().take(5) {
        println!("  line {}: {}", e.line, e.message);
    }
    if imported != args.claims as u64 || !errors.is_empty() {
        bail!(
            "expected {} rows imported without errors, got {imported} and {} errors",
            args.claims,
            errors.len()
        );
    }
    Ok(())
}
