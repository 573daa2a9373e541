//! ShopRates against QuoteRate: `--carriers` carriers (10 by default),
//! each active with a contract on the standard terms, then the same parcel
//! quoted by one QuoteRate and shopped by one ShopRates (every carrier ×
//! both service levels), one call at a time so the two latencies compare.
//! The bar: ShopRates over 10 carriers within 2× a single
//! QuoteRate.

use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::carriers as cpb;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use recourse_proto::contracts as pb;
use recourse_proto::contracts::contract_service_client::ContractServiceClient;
use recourse_proto::contracts::shop_service_client::ShopServiceClient;

use crate::quote::percentile;
use crate::{Connector, fixtures, run_id};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Carriers with a contract in force.
    #[arg(long, default_value_t = 10)]
    carriers: usize,
    /// Timed calls of each RPC (after as many warm-up calls / 10).
    #[arg(long, default_value_t = 2_000)]
    requests: usize,
}

async fn activate(channel: crate::Authed, carrier: &str) -> anyhow::Result<()> {
    let mut client = CarrierServiceClient::new(channel);
    let current = client
        .get_carrier(cpb::GetCarrierRequest {
            name: carrier.to_owned(),
        })
        .await
        .context("GetCarrier")?
        .into_inner();
    client
        .change_carrier_status(cpb::ChangeCarrierStatusRequest {
            name: carrier.to_owned(),
            status: cpb::CarrierStatus::Active.into(),
            reason: "load run".to_owned(),
            etag: current.etag,
        })
        .await
        .context("ChangeCarrierStatus")?;
    Ok(())
}

fn summary(name: &str, mut latencies: Vec<Duration>) -> f64 {
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    let p50 = ms(percentile(&latencies, 50.0));
    println!(
        "{name}: {} calls, p50 {p50:.3} ms, p90 {:.3} ms, p99 {:.3} ms",
        latencies.len(),
        ms(percentile(&latencies, 90.0)),
        ms(percentile(&latencies, 99.0)),
    );
    p50
}

pub async fn run(connector: &Connector, args: &Args) -> anyhow::Result<()> {
    ensure!(
        args.carriers > 0 && args.requests > 0,
        "counts must be positive"
    );
    let run = run_id();
    let setup = connector.connect().await?;
    let mut carriers = Vec::with_capacity(args.carriers);
    for i in 0..args.carriers {
        let carrier =
            fixtures::carrier_with_contract(setup.clone(), &format!("LS{run}{i}")).await?;
        activate(setup.clone(), &carrier).await?;
        carriers.push(carrier);
    }
    let ship_date = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).context("date")?;
    let quote = pb::QuoteRateRequest {
        carrier: carriers[0].clone(),
        service_level: "GROUND".to_owned(),
        origin_postal_code: "94105".to_owned(),
        destination_postal_code: "10001".to_owned(),
        weight: fixtures::weight(3_200),
        dimensions: fixtures::dimensions(),
        declared_value: None,
        ship_date: Some(date_to_proto(ship_date)),
        accessorials: vec!["RESIDENTIAL".to_owned()],
    };
    let shop = pb::ShopRatesRequest {
        origin_postal_code: "94105".to_owned(),
        destination_postal_code: "10001".to_owned(),
        weight: fixtures::weight(3_200),
        dimensions: fixtures::dimensions(),
        declared_value: None,
        ship_date: Some(date_to_proto(ship_date)),
        requested_services: vec!["RESIDENTIAL".to_owned()],
        deliver_by: None,
        guaranteed_only: false,
        origin_time_zone: "America/Los_Angeles".to_owned(),
        destination_time_zone: "America/New_York".to_owned(),
    };
    let channel = connector.connect().await?;
    let mut contracts = ContractServiceClient::new(channel.clone());
    let mut shopper = ShopServiceClient::new(channel);
    let answer = shopper
        .shop_rates(shop.clone())
        .await
        .context("ShopRates")?
        .into_inner();
    println!(
        "run {run}: {} carriers in force (this run's {}), {} options",
        answer.carriers_considered,
        args.carriers,
        answer.options.len()
    );
    let warmup = (args.requests / 10).max(1);
    let (mut quotes, mut shops) = (Vec::new(), Vec::new());
    // Interleaved, so both see the same machine load.
    for i in 0..warmup + args.requests {
        let began = Instant::now();
        contracts
            .quote_rate(quote.clone())
            .await
            .context("QuoteRate")?;
        let q = began.elapsed();
        let began = Instant::now();
        shopper
            .shop_rates(shop.clone())
            .await
            .context("ShopRates")?;
        let s = began.elapsed();
        if i >= warmup {
            quotes.push(q);
            shops.push(s);
        }
    }
    let q = summary("QuoteRate (1 carrier, 1 level)", quotes);
    let s = summary(
        &format!(
            "ShopRates ({} carriers in force)",
            answer.carriers_considered
        ),
        shops,
    );
    println!(
        "RESULT shop_carriers={} quote_p50_ms={q:.3} shop_p50_ms={s:.3} ratio={:.2}",
        answer.carriers_considered,
        s / q
    );
    Ok(())
}
