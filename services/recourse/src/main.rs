//! `recourse`: run the platform, one service of it, or mint a token.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use recourse::{Application, Role, ServiceName};
use recourse_platform::auth::{self, Principal, TokenKeys};
use recourse_platform::config::{Overrides, Settings};
use recourse_platform::server::shutdown_signal;

#[derive(Parser)]
#[command(name = "recourse", version, about = "Holds parcel carriers to account")]
struct Cli {
    /// TOML configuration file (also RECOURSE_CONFIG).
    #[arg(long, global = true, env = "RECOURSE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct Where {
    /// Address to listen on (server.listen).
    #[arg(long)]
    listen: Option<String>,
    /// Directory for SQLite files and the generated auth key (database.data_dir).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// PostgreSQL or SQLite URL (database.url).
    #[arg(long)]
    database_url: Option<String>,
}

impl From<Where> for Overrides {
    fn from(w: Where) -> Self {
        Overrides {
            listen: w.listen,
            data_dir: w.data_dir,
            database_url: w.database_url,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Every service in one process on one port (SQLite by default).
    Standalone(Where),
    /// One service, for a cluster (PostgreSQL).
    Serve {
        service: ServiceName,
        #[command(flatten)]
        at: Where,
    },
    /// Mint a bearer token signed with an installation's key: its
    /// auth.token_secret, or the auth.key file in its data directory
    /// (`--data-dir`, default ./data). Never creates a key.
    Token {
        #[arg(long)]
        role: auth::Role,
        /// Carrier id (or `carriers/{id}`) a `carrier` principal acts for.
        #[arg(long, conflicts_with = "party")]
        carrier: Option<String>,
        /// 3PL account id a `3pl` principal acts for.
        #[arg(long)]
        party: Option<String>,
        #[arg(long, default_value = "local-user")]
        subject: String,
        /// Lifetime in seconds (default: auth.token_ttl_seconds).
        #[arg(long)]
        ttl: Option<u64>,
        /// The server's data directory, where its auth.key is
        /// (database.data_dir; default ./data).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
}

async fn serve(config: Option<PathBuf>, overrides: Overrides, role: Role) -> anyhow::Result<()> {
    let settings = Settings::load(config.as_deref(), &overrides)?;
    let _telemetry = recourse_platform::telemetry::init(&settings.telemetry)?;
    let app = Application::build(settings, role).await?;
    app.run_until_stopped(shutdown_signal()).await?;
    Ok(())
}

fn mint(
    config: Option<PathBuf>,
    role: auth::Role,
    scope: Option<String>,
    subject: String,
    ttl: Option<u64>,
    data_dir: Option<PathBuf>,
) -> anyhow::Result<()> {
    let overrides = Overrides {
        data_dir,
        ..Overrides::default()
    };
    let settings = Settings::load(config.as_deref(), &overrides)?;
    let principal = Principal::new(subject, role, scope).map_err(anyhow::Error::msg)?;
    // Never a new key: a token signed with a key the server does not hold
    // would be refused with nothing to say why.
    let (keys, source) = TokenKeys::existing(&settings.auth, &settings.database.data_dir)?;
    eprintln!("recourse token: signed with {source}");
    let token = keys
        .mint(&principal, ttl.unwrap_or(settings.auth.token_ttl_seconds))
        .map_err(anyhow::Error::msg)
        .context("minting token")?;
    println!("{token}");
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Standalone(at) => serve(cli.config, at.into(), Role::Standalone).await,
        Command::Serve { service, at } => serve(cli.config, at.into(), Role::Serve(service)).await,
        Command::Token {
            role,
            carrier,
            party,
            subject,
            ttl,
            data_dir,
        } => {
            let carrier = carrier.map(|c| c.trim_start_matches("carriers/").to_owned());
            mint(cli.config, role, carrier.or(party), subject, ttl, data_dir)
        }
    }
}
