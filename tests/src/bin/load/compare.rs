//! The gateway's cost: the same unary workload (GetCarrier, then QuoteRate)
//! timed directly against the services (`--direct`, their internal address,
//! with an internal token) and through the gateway (`--target`, with an API
//! key) in one run, and the ratio of the two.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use recourse_platform::client::OutboundInterceptor;
use recourse_proto::carriers as cpb;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use recourse_proto::contracts::contract_service_client::ContractServiceClient;

use crate::quote::{percentile, request as quote_request};
use crate::{Authed, Connector, fixtures, run_id};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The services' own address behind the gateway (standalone:
    /// gateway.internal_listen), e.g. http://127.0.0.1:50052.
    #[arg(long)]
    direct: String,
    /// An API key for the gateway (`recourse apikey create --role admin`).
    #[arg(long, env = "RECOURSE_API_KEY", hide_env_values = true)]
    api_key: String,
    /// Calls timed per method and path.
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
    /// Untimed calls per method and path first.
    #[arg(long, default_value_t = 2_000)]
    warmup: usize,
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Timed rounds per method, alternating which path goes first.
    #[arg(long, default_value_t = 4)]
    rounds: usize,
}

/// Rounds taken together: calls over the time they took, and the median
/// round's p50 and p99.
fn combine(rounds: &[Stats]) -> Stats {
    let time: f64 = rounds.iter().map(|s| s.calls as f64 / s.rate).sum();
    let calls: usize = rounds.iter().map(|s| s.calls).sum();
    let median = |f: fn(&Stats) -> Duration| {
        let mut v: Vec<Duration> = rounds.iter().map(f).collect();
        v.sort();
        v.get(v.len() / 2).copied().unwrap_or_default()
    };
    Stats {
        calls,
        rate: calls as f64 / time,
        p50: median(|s| s.p50),
        p99: median(|s| s.p99),
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Stats {
    pub calls: usize,
    pub rate: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// Times `requests` calls of `call` from `concurrency` workers over the
/// given connections.
pub async fn measure<F, Fut>(
    clients: &[Authed],
    requests: usize,
    concurrency: usize,
    call: F,
) -> anyhow::Result<Stats>
where
    F: Fn(Authed, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let call = Arc::new(call);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..concurrency {
        let client = clients[w % clients.len()].clone();
        let (call, next) = (Arc::clone(&call), Arc::clone(&next));
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    break;
                }
                let began = Instant::now();
                call(client.clone(), i).await?;
                latencies.push(began.elapsed());
            }
            anyhow::Ok(latencies)
        });
    }
    let mut latencies = Vec::with_capacity(requests);
    while let Some(joined) = tasks.join_next().await {
        latencies.extend(joined.context("worker")??);
    }
    let took = started.elapsed();
    latencies.sort();
    Ok(Stats {
        calls: requests,
        rate: requests as f64 / took.as_secs_f64(),
        p50: percentile(&latencies, 50.0),
        p99: percentile(&latencies, 99.0),
    })
}

async fn connections(target: &str, credential: &str, n: usize) -> anyhow::Result<Vec<Authed>> {
    let connector = Connector {
        target: target.to_owned(),
        interceptor: OutboundInterceptor::new(Some(credential)).map_err(anyhow::Error::msg)?,
    };
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(connector.connect().await?);
    }
    Ok(out)
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

pub async fn run(connector: &Connector, token: &str, args: &Args) -> anyhow::Result<()> {
    ensure!(
        args.requests > 0 && args.concurrency > 0 && args.connections > 0 && args.rounds > 0,
        "counts must be positive"
    );
    let run = run_id();
    let direct = connections(&args.direct, token, args.connections).await?;
    let gateway = connections(&connector.target, &args.api_key, args.connections).await?;
    let carrier = fixtures::carrier_with_contract(direct[0].clone(), &format!("LG{run}")).await?;
    println!("run {run}: carrier {carrier}");
    let quotes = Arc::new(
        (0..args.requests.max(args.warmup))
            .map(|i| quote_request(&carrier, i))
            .collect::<anyhow::Result<Vec<_>>>()?,
    );

    let get_carrier = {
        let name = carrier.clone();
        move |client: Authed, _i: usize| {
            let name = name.clone();
            async move {
                CarrierServiceClient::new(client)
                    .get_carrier(cpb::GetCarrierRequest { name })
                    .await
                    .context("GetCarrier")?;
                anyhow::Ok(())
            }
        }
    };
    let quote_rate = {
        let quotes = Arc::clone(&quotes);
        move |client: Authed, i: usize| {
            let request = quotes[i % quotes.len()].clone();
            async move {
                ContractServiceClient::new(client)
                    .quote_rate(request)
                    .await
                    .context("QuoteRate")?;
                anyhow::Ok(())
            }
        }
    };

    // Rounds alternate which path goes first, so a change in what else
    // the machine runs weighs on both paths alike; each round times
    // `requests / rounds` calls per path.
    let per_round = (args.requests / args.rounds).max(1);
    let mut results = Vec::new();
    for method in ["GetCarrier", "QuoteRate"] {
        let call = |clients: &[Authed], n: usize| {
            let clients = clients.to_vec();
            let (get_carrier, quote_rate) = (get_carrier.clone(), quote_rate.clone());
            async move {
                if method == "GetCarrier" {
                    measure(&clients, n, args.concurrency, get_carrier).await
                } else {
                    measure(&clients, n, args.concurrency, quote_rate).await
                }
            }
        };
        call(&direct, args.warmup).await?;
        call(&gateway, args.warmup).await?;
        let (mut on_direct, mut on_gateway) = (Vec::new(), Vec::new());
        for round in 0..args.rounds {
            if round % 2 == 0 {
                on_direct.push(call(&direct, per_round).await?);
                on_gateway.push(call(&gateway, per_round).await?);
            } else {
                on_gateway.push(call(&gateway, per_round).await?);
                on_direct.push(call(&direct, per_round).await?);
            }
        }
        results.push((method, "direct", combine(&on_direct)));
        results.push((method, "gateway", combine(&on_gateway)));
    }

    println!(
        "{} calls per method and path, {} in flight over {} connections",
        args.requests, args.concurrency, args.connections
    );
    println!(
        "{:<11} {:<8} {:>10} {:>9} {:>9}",
        "method", "path", "req/s", "p50 ms", "p99 ms"
    );
    for (method, path, s) in &results {
        println!(
            "{method:<11} {path:<8} {:>10.0} {:>9.2} {:>9.2}",
            s.rate,
            ms(s.p50),
            ms(s.p99)
        );
    }
    for pair in results.chunks(2) {
        let [(method, _, direct), (_, _, gateway)] = pair else {
            continue;
        };
        let ratio = gateway.rate / direct.rate;
        let added = ms(gateway.p50) - ms(direct.p50);
        println!(
            "{method}: gateway/direct throughput {ratio:.2}, added p50 {added:+.2} ms, added p99 {:+.2} ms",
            ms(gateway.p99) - ms(direct.p99)
        );
        println!(
            "RESULT method={method} direct_per_sec={:.0} gateway_per_sec={:.0} ratio={ratio:.3} direct_p50_ms={:.3} gateway_p50_ms={:.3} added_p50_ms={added:.3} direct_p99_ms={:.3} gateway_p99_ms={:.3}",
            direct.rate,
            gateway.rate,
            ms(direct.p50),
            ms(gateway.p50),
            ms(direct.p99),
            ms(gateway.p99)
        );
    }
    Ok(())
}
