//! `recourse-load`: a gRPC load generator against a running `recourse`
//! server. `ingest` measures tracking-event ingest throughput, `quote`
//! measures QuoteRate throughput and latency, `claims` times the claim
//! write paths (create, submit, transitions, remittance import), `shop`
//! times ShopRates over ten carriers against one QuoteRate, `gateway` times
//! the same unary calls directly and through the gateway, `audit` times an
//! audited invoice import against a record-only one. Each run sets up its own
//! carrier and active contract under unique codes, so it can be pointed at a
//! server that already holds data. See `tests/bench/load.sh` (every write
//! path, with its pgbench and COPY baselines), `ingest.sh` and `gateway.sh`.

#[path = "load/audit.rs"]
mod audit;
#[path = "load/claims.rs"]
mod claims;
#[path = "load/compare.rs"]
mod compare;
#[path = "load/fixtures.rs"]
mod fixtures;
#[path = "load/ingest.rs"]
mod ingest;
#[path = "load/quote.rs"]
mod quote;
#[path = "load/scorecard.rs"]
mod scorecard;
#[path = "load/shop.rs"]
mod shop;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use recourse_platform::client::OutboundInterceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

pub type Authed = InterceptedService<Channel, OutboundInterceptor>;

#[derive(Parser)]
#[command(
    name = "recourse-load",
    about = "gRPC load generator for a running recourse server"
)]
struct Cli {
    /// Server URL, e.g. http://127.0.0.1:50051.
    #[arg(long)]
    target: String,
    /// Bearer token of an admin (`recourse token --role admin`).
    #[arg(long, env = "RECOURSE_TOKEN")]
    token: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Register shipments, then time streaming tracking events.
    Ingest(ingest::Args),
    /// Time QuoteRate calls.
    Quote(quote::Args),
    /// Time CreateClaim, SubmitClaim, the carrier's transitions and a
    /// remittance import paying every claim.
    Claims(claims::Args),
    /// Time GetCarrier and QuoteRate directly and through the gateway.
    Gateway(compare::Args),
    /// Time ShopRates over N carriers against a single QuoteRate.
    Shop(shop::Args),
    /// Time an audited ImportInvoice against a record-only one of the
    /// same size.
    Audit(audit::Args),
    /// Time the quarterly scorecard of every carrier (CompareCarriers).
    Scorecard(scorecard::Args),
}

/// A connected, authenticated channel: one TCP connection (HTTP/2).
pub struct Connector {
    target: String,
    interceptor: OutboundInterceptor,
}

impl Connector {
    pub async fn connect(&self) -> anyhow::Result<Authed> {
        let channel = Endpoint::from_shared(self.target.clone())
            .context("bad --target")?
            .tcp_nodelay(true)
            .connect()
            .await
            .with_context(|| format!("connecting to {}", self.target))?;
        Ok(InterceptedService::new(channel, self.interceptor.clone()))
    }
}

/// A unique suffix for this run's codes and ids (milliseconds since 1970).
pub fn run_id() -> String {
    chrono::Utc::now().timestamp_millis().to_string()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let connector = Connector {
        target: cli.target,
        interceptor: OutboundInterceptor::new(Some(&cli.token)).map_err(anyhow::Error::msg)?,
    };
    match cli.command {
        Command::Ingest(args) => ingest::run(&connector, &args).await,
        Command::Quote(args) => quote::run(&connector, &args).await,
        Command::Claims(args) => claims::run(&connector, &args).await,
        Command::Gateway(args) => compare::run(&connector, &cli.token, &args).await,
        Command::Shop(args) => shop::run(&connector, &args).await,
        Command::Audit(args) => audit::run(&connector, &args).await,
        Command::Scorecard(args) => scorecard::run(&connector, &args).await,
    }
}
