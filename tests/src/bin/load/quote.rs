//! QuoteRate load: a fixed number of calls from concurrent workers, each
//! call timed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::contracts as pb;
use recourse_proto::contracts::contract_service_client::ContractServiceClient;

use crate::fixtures;
use crate::{Connector, run_id};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// QuoteRate calls to time.
    #[arg(long, default_value_t = 50_000)]
    requests: usize,
    /// Calls in flight.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// TCP connections the workers share.
    #[arg(long, default_value_t = 4)]
    connections: usize,
}

pub fn request(carrier: &str, i: usize) -> anyhow::Result<pb::QuoteRateRequest> {
    let ship_date = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).context("date")?
        + chrono::Days::new((i % 28) as u64);
    let accessorials = match i % 3 {
        0 => vec![],
        1 => vec!["RESIDENTIAL".to_owned()],
        _ => vec!["RESIDENTIAL".to_owned(), "SIGNATURE".to_owned()],
    };
    Ok(pb::QuoteRateRequest {
        carrier: carrier.to_owned(),
        service_level: if i.is_multiple_of(5) {
            "NEXT_DAY"
        } else {
            "GROUND"
        }
        .to_owned(),
        origin_postal_code: "94105".to_owned(),
        destination_postal_code: fixtures::DESTINATIONS[i % fixtures::DESTINATIONS.len()]
            .to_owned(),
        weight: fixtures::weight(500 + (i % 60) as i64 * 1_000),
        dimensions: fixtures::dimensions(),
        declared_value: None,
        ship_date: Some(date_to_proto(ship_date)),
        accessorials,
    })
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub async fn run(connector: &Connector, args: &Args) -> anyhow::Result<()> {
    ensure!(
        args.requests > 0 && args.concurrency > 0 && args.connections > 0,
        "counts must be positive"
    );
    let run = run_id();
    let setup = connector.connect().await?;
    let carrier = fixtures::carrier_with_contract(setup, &format!("LQ{run}")).await?;
    println!("run {run}: carrier {carrier}");
    let mut clients = Vec::with_capacity(args.connections);
    for _ in 0..args.connections {
        clients.push(ContractServiceClient::new(connector.connect().await?));
    }
    // Built up front: the timed loop only calls.
    let requests: Arc<Vec<pb::QuoteRateRequest>> = Arc::new(
        (0..args.requests)
            .map(|i| request(&carrier, i))
            .collect::<anyhow::Result<_>>()?,
    );
    let next = Arc::new(AtomicUsize::new(0));

    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..args.concurrency {
        let mut client = clients[w % clients.len()].clone();
        let requests = Arc::clone(&requests);
        let next = Arc::clone(&next);
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(request) = requests.get(i) else {
                    break;
                };
                let began = Instant::now();
                client
                    .quote_rate(request.clone())
                    .await
                    .with_context(|| format!("QuoteRate #{i}"))?;
                latencies.push(began.elapsed());
            }
            anyhow::Ok(latencies)
        });
    }
    let mut latencies = Vec::with_capacity(args.requests);
    while let Some(joined) = tasks.join_next().await {
        latencies.extend(joined.context("quote worker")??);
    }
    let took = started.elapsed();
    latencies.sort();
    let rate = args.requests as f64 / took.as_secs_f64();
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    let (p50, p99) = (percentile(&latencies, 50.0), percentile(&latencies, 99.0));
    println!(
        "quote: {} requests in {:.3}s, {} in flight over {} connections: {rate:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        args.requests,
        took.as_secs_f64(),
        args.concurrency,
        args.connections,
        ms(p50),
        ms(p99),
        ms(latencies.last().copied().unwrap_or_default())
    );
    println!(
        "RESULT quote_requests={} quote_per_sec={rate:.0} quote_p50_ms={:.2} quote_p99_ms={:.2}",
        args.requests,
        ms(p50),
        ms(p99)
    );
    Ok(())
}
