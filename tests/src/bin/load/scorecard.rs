//! The quarterly scorecard for every carrier through the API
//! (`ReportingService.CompareCarriers`), one call at a time, against the
//! read models `tests/bench/reporting.sh` generated; the script times a
//! hand-written SQL aggregate over the same rows beside it.

use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_proto::reporting as pb;
use recourse_proto::reporting::reporting_service_client::ReportingServiceClient;

use crate::Connector;
use crate::quote::percentile;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Any day of the quarter (YYYY-MM-DD).
    #[arg(long)]
    date: chrono::NaiveDate,
    /// Undelivered shipments due before it count late (RFC 3339).
    #[arg(long)]
    as_of: chrono::DateTime<chrono::Utc>,
    /// Timed calls (after as many warm-up calls / 10, at least 1).
    #[arg(long, default_value_t = 20)]
    requests: usize,
}

pub async fn run(connector: &Connector, args: &Args) -> anyhow::Result<()> {
    ensure!(args.requests > 0, "--requests must be at least 1");
    let mut client = ReportingServiceClient::new(connector.connect().await?);
    let request = pb::CompareCarriersRequest {
        period: Some(pb::Period {
            kind: pb::PeriodKind::Quarter.into(),
            date: Some(date_to_proto(args.date)),
        }),
        weights: None,
        as_of: Some(timestamp_to_proto(args.as_of)),
    };
    let mut carriers = 0;
    for _ in 0..(args.requests / 10).max(1) {
        carriers = client
            .compare_carriers(request)
            .await
            .context("CompareCarriers")?
            .into_inner()
            .carriers
            .len();
    }
    let mut latencies = Vec::with_capacity(args.requests);
    for _ in 0..args.requests {
        let started = Instant::now();
        client
            .compare_carriers(request)
            .await
            .context("CompareCarriers")?;
        latencies.push(started.elapsed());
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    let mean = latencies.iter().map(|d| ms(*d)).sum::<f64>() / latencies.len() as f64;
    let p50 = ms(percentile(&latencies, 50.0));
    println!(
        "CompareCarriers (quarter, {carriers} carriers): {} calls, mean {mean:.1} ms, p50 {p50:.1} ms, p90 {:.1} ms",
        latencies.len(),
        ms(percentile(&latencies, 90.0)),
    );
    println!("RESULT api_mean_ms={mean:.3} api_p50_ms={p50:.3} carriers={carriers}");
    Ok(())
}
