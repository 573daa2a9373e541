//! `recourse`: run the platform, one service of it, mint a token, manage
//! the gateway's API keys, or write a report to a file.

#![warn(clippy::wildcard_enum_match_arm)] // no `_ =>` over our own enums: a new variant must be handled

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use recourse::{Application, Role, ServiceName};
use recourse_platform::auth::{self, Principal, TokenKeys};
use recourse_platform::config::{Overrides, Settings};
use recourse_platform::server::shutdown_signal;

mod report_cmd;

use report_cmd::{ReportArgs, ReportKind, report};

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
    /// Once migrated and listening, write the bound address here (e.g.
    /// `127.0.0.1:40123`): the readiness signal for a supervisor or test
    /// that starts the process on port 0 and must learn where it answers.
    #[arg(long)]
    ready_file: Option<PathBuf>,
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
    /// The gateway on one port and every service behind it (SQLite by default).
    Standalone(Where),
    /// One service, or the gateway, for a cluster (PostgreSQL).
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
    /// Create, list, rotate and revoke the gateway's API keys.
    Apikey {
        /// Gateway URL (default: http://<server.listen>).
        #[arg(long, global = true)]
        target: Option<String>,
        /// Call as this admin API key instead of minting an admin token
        /// with the installation's key.
        #[arg(long, global = true, env = "RECOURSE_API_KEY", hide_env_values = true)]
        api_key: Option<String>,
        #[arg(long, global = true)]
        data_dir: Option<PathBuf>,
        #[command(subcommand)]
        action: ApiKeyAction,
    },
    /// Fill a running platform with a plausible, seeded book through the
    /// gateway (needs the installation's key: it acts as several parties).
    Demo {
        /// Gateway URL (default: http://<server.listen>).
        #[arg(long)]
        target: Option<String>,
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Quarters of history, up to yesterday (1-8).
        #[arg(long, default_value_t = 1)]
        quarters: u32,
        /// The same seed gives the same book (and a rerun replays it).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Import a remittance file (CSV) into the claims service.
    Remittances {
        /// Gateway URL (default: http://<server.listen>).
        #[arg(long, global = true)]
        target: Option<String>,
        /// Call with this API key (finance or admin) instead of minting an
        /// admin token with the installation's key.
        #[arg(long, global = true, env = "RECOURSE_API_KEY", hide_env_values = true)]
        api_key: Option<String>,
        #[arg(long, global = true)]
        data_dir: Option<PathBuf>,
        #[command(subcommand)]
        action: RemittanceAction,
    },
    /// Write a report to a file (CSV, or HTML for `qbr`).
    Report {
        /// Gateway URL (default: http://<server.listen>).
        #[arg(long, global = true)]
        target: Option<String>,
        /// Call with this API key instead of minting an admin token with
        /// the installation's key.
        #[arg(long, global = true, env = "RECOURSE_API_KEY", hide_env_values = true)]
        api_key: Option<String>,
        #[arg(long, global = true)]
        data_dir: Option<PathBuf>,
        /// Any day of the period (YYYY-MM-DD; default today, UTC).
        #[arg(long, global = true)]
        date: Option<chrono::NaiveDate>,
        /// Where to write it (required).
        #[arg(long, global = true)]
        out: Option<PathBuf>,
        #[command(subcommand)]
        kind: ReportKind,
    },
}

#[derive(Subcommand)]
enum RemittanceAction {
    /// Send FILE (header: carrier,kind,reference,invoice_reference,date,
    /// currency,amount_minor,claim,tracking_number,line_amount_minor).
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum ApiKeyAction {
    /// Create a key; prints the key (shown once) on stdout.
    Create {
        #[arg(long)]
        role: auth::Role,
        /// What the key is for.
        #[arg(long)]
        name: String,
        /// `carriers/{id}` for a carrier key.
        #[arg(long, conflicts_with = "party")]
        carrier: Option<String>,
        /// 3PL account id for a 3pl key.
        #[arg(long)]
        party: Option<String>,
        /// Days until the key expires (default: never).
        #[arg(long)]
        expires_in_days: Option<u32>,
        /// Per-key rate limit override (calls/s); needs --burst.
        #[arg(long, requires = "burst")]
        rate: Option<u32>,
        #[arg(long, requires = "rate")]
        burst: Option<u32>,
        /// Idempotency id (default: a new one).
        #[arg(long)]
        request_id: Option<String>,
    },
    /// List keys (never their secrets).
    List {
        #[arg(long)]
        show_revoked: bool,
    },
    /// Issue a new secret; prints the new key. The old one works for --grace-seconds.
    Rotate {
        /// `apikeys/{id}`.
        name: String,
        #[arg(long, default_value_t = 0)]
        grace_seconds: u32,
    },
    /// Revoke a key: every secret of it stops working.
    Revoke {
        /// `apikeys/{id}`.
        name: String,
    },
}

async fn serve(config: Option<PathBuf>, at: Where, role: Role) -> anyhow::Result<()> {
    let ready_file = at.ready_file.clone();
    let settings = Settings::load(config.as_deref(), &at.into())?;
    let _telemetry = recourse_platform::telemetry::init(&settings.telemetry)?;
    let app = Application::build(settings, role).await?;
    if let Some(path) = ready_file {
        let addr = app
            .local_addr()
            .context("the listener has no local address")?;
        signal_ready(&path, &addr.to_string())?;
    }
    app.run_until_stopped(shutdown_signal()).await?;
    Ok(())
}

/// Writes `addr` to `path` whole or not at all (a temporary file renamed
/// into place), so a reader polling for the file never sees half an address.
fn signal_ready(path: &std::path::Path, addr: &str) -> anyhow::Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, format!("{addr}\n"))
        .with_context(|| format!("writing the ready file {}", partial.display()))?;
    std::fs::rename(&partial, path)
        .with_context(|| format!("writing the ready file {}", path.display()))?;
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

async fn apikey(
    config: Option<PathBuf>,
    target: Option<String>,
    api_key: Option<String>,
    data_dir: Option<PathBuf>,
    action: ApiKeyAction,
) -> anyhow::Result<()> {
    use recourse_proto::gateway as pb;
    let overrides = Overrides {
        data_dir,
        ..Overrides::default()
    };
    let settings = Settings::load(config.as_deref(), &overrides)?;
    let target = target.unwrap_or_else(|| format!("http://{}", settings.server.listen));
    let credential = match api_key {
        Some(key) => key,
        None => {
            // The installation's own key, never a new one (as `token`).
            let (keys, _source) = TokenKeys::existing(&settings.auth, &settings.database.data_dir)?;
            let admin = Principal::new("recourse-cli", auth::Role::Admin, None)
                .map_err(anyhow::Error::msg)?;
            keys.mint(&admin, 300).map_err(anyhow::Error::msg)?
        }
    };
    let mut client = recourse::apikey::connect(&target, &credential)
        .await
        .map_err(anyhow::Error::msg)?;
    let status = |s: tonic::Status| anyhow::anyhow!("{:?}: {}", s.code(), s.message());
    match action {
        ApiKeyAction::Create {
            role,
            name,
            carrier,
            party,
            expires_in_days,
            rate,
            burst,
            request_id,
        } => {
            let expire_time = expires_in_days.map(|days| prost_types::Timestamp {
                seconds: chrono::Utc::now().timestamp() + i64::from(days) * 86_400,
                nanos: 0,
            });
            let request = pb::CreateApiKeyRequest {
                request_id: request_id
                    .unwrap_or_else(|| format!("cli-{}", chrono::Utc::now().timestamp_micros())),
                api_key: Some(pb::ApiKey {
                    display_name: name,
                    role: recourse::apikey::role(role).into(),
                    carrier: carrier.unwrap_or_default(),
                    party: party.unwrap_or_default(),
                    expire_time,
                    rate_limit: rate
                        .zip(burst)
                        .map(|(requests_per_second, burst)| pb::RateLimit {
                            requests_per_second,
                            burst,
                            max_streams: 0,
                        }),
                    ..Default::default()
                }),
            };
            let created = client
                .create_api_key(request)
                .await
                .map_err(status)?
                .into_inner();
            if let Some(key) = &created.api_key {
                eprintln!("created {}", recourse::apikey::describe(key));
            }
            if created.key.is_empty() {
                anyhow::bail!(
                    "this request_id was already used: the key is not shown again; rotate it"
                );
            }
            eprintln!("the key is shown once; keep it secret");
            println!("{}", created.key);
        }
        ApiKeyAction::List { show_revoked } => {
            let mut page_token = String::new();
            loop {
                let page = client
                    .list_api_keys(pb::ListApiKeysRequest {
                        page_size: 500,
                        page_token,
                        show_revoked,
                    })
                    .await
                    .map_err(status)?
                    .into_inner();
                for key in &page.api_keys {
                    println!("{}", recourse::apikey::describe(key));
                }
                if page.next_page_token.is_empty() {
                    break;
                }
                page_token = page.next_page_token;
            }
        }
        ApiKeyAction::Rotate {
            name,
            grace_seconds,
        } => {
            let rotated = client
                .rotate_api_key(pb::RotateApiKeyRequest {
                    name,
                    grace_period_seconds: grace_seconds,
                    etag: String::new(),
                })
                .await
                .map_err(status)?
                .into_inner();
            if let Some(key) = &rotated.api_key {
                eprintln!("rotated {}", recourse::apikey::describe(key));
            }
            println!("{}", rotated.key);
        }
        ApiKeyAction::Revoke { name } => {
            let key = client
                .revoke_api_key(pb::RevokeApiKeyRequest {
                    name,
                    etag: String::new(),
                })
                .await
                .map_err(status)?
                .into_inner();
            println!("{}", recourse::apikey::describe(&key));
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Standalone(at) => serve(cli.config, at, Role::Standalone).await,
        Command::Serve { service, at } => serve(cli.config, at, Role::Serve(service)).await,
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
        Command::Apikey {
            target,
            api_key,
            data_dir,
            action,
        } => apikey(cli.config, target, api_key, data_dir, action).await,
        Command::Demo {
            target,
            data_dir,
            quarters,
            seed,
        } => report_cmd::demo(cli.config, target, data_dir, quarters, seed).await,
        Command::Remittances {
            target,
            api_key,
            data_dir,
            action: RemittanceAction::Import { file },
        } => report_cmd::import(cli.config, target, api_key, data_dir, file).await,
        Command::Report {
            target,
            api_key,
            data_dir,
            date,
            out,
            kind,
        } => {
            let args = ReportArgs {
                target,
                api_key,
                data_dir,
                date,
                out,
                kind,
            };
            report(cli.config, args).await
        }
    }
}
