//! The client commands' command-line side — `recourse report …`,
//! `recourse remittances import`, `recourse demo` — arguments,
//! credentials, output; the calls themselves are in `recourse::report` and
//! `recourse::demo`.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;
use recourse_platform::auth::{self, Principal, TokenKeys};
use recourse_platform::config::{Overrides, Settings};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum PeriodArg {
    Week,
    Month,
    Quarter,
}

impl From<PeriodArg> for recourse_proto::reporting::PeriodKind {
    fn from(p: PeriodArg) -> Self {
        match p {
            PeriodArg::Week => Self::Week,
            PeriodArg::Month => Self::Month,
            PeriodArg::Quarter => Self::Quarter,
        }
    }
}

#[derive(Subcommand)]
pub enum ReportKind {
    /// A carrier's scorecard per service level (CSV).
    Scorecard {
        #[arg(long)]
        carrier: String,
        #[arg(long, value_enum, default_value = "month")]
        period: PeriodArg,
    },
    /// Every carrier side by side, ranked (CSV).
    Comparison {
        #[arg(long, value_enum, default_value = "month")]
        period: PeriodArg,
    },
    /// Open claims by age and past clocks (CSV).
    Aging {
        #[arg(long)]
        carrier: Option<String>,
    },
    /// Money recovered per carrier and currency (CSV).
    Reconciliation {
        #[arg(long)]
        carrier: Option<String>,
        #[arg(long, value_enum, default_value = "month")]
        period: PeriodArg,
    },
    /// A carrier's quarterly business review (one HTML page).
    Qbr {
        #[arg(long)]
        carrier: String,
    },
}

/// The bearer for CLI calls: the given API key, or an admin token minted
/// with the installation's own key (never a new one).
pub fn credential(settings: &Settings, api_key: Option<String>) -> anyhow::Result<String> {
    match api_key {
        Some(key) => Ok(key),
        None => {
            let (keys, _source) = TokenKeys::existing(&settings.auth, &settings.database.data_dir)?;
            let admin = Principal::new("recourse-cli", auth::Role::Admin, None)
                .map_err(anyhow::Error::msg)?;
            keys.mint(&admin, 300).map_err(anyhow::Error::msg)
        }
    }
}

pub struct ReportArgs {
    pub target: Option<String>,
    pub api_key: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub date: Option<chrono::NaiveDate>,
    pub out: Option<PathBuf>,
    pub kind: ReportKind,
}

pub async fn report(config: Option<PathBuf>, args: ReportArgs) -> anyhow::Result<()> {
    use recourse::report::Report;
    let Some(path) = args.out else {
        anyhow::bail!("--out FILE is required: where to write the report");
    };
    let overrides = Overrides {
        data_dir: args.data_dir,
        ..Overrides::default()
    };
    let settings = Settings::load(config.as_deref(), &overrides)?;
    let target = args
        .target
        .unwrap_or_else(|| format!("http://{}", settings.server.listen));
    let credential = credential(&settings, args.api_key)?;
    let date = args.date.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let report = match args.kind {
        ReportKind::Scorecard { carrier, period } => Report::Scorecard {
            carrier,
            period: period.into(),
            date,
        },
        ReportKind::Comparison { period } => Report::Comparison {
            period: period.into(),
            date,
        },
        ReportKind::Aging { carrier } => Report::Aging { carrier, date },
        ReportKind::Reconciliation { carrier, period } => Report::Reconciliation {
            carrier,
            period: period.into(),
            date,
        },
        ReportKind::Qbr { carrier } => Report::Qbr { carrier, date },
    };
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?,
    );
    let bar = recourse::progress::download();
    let written = recourse::report::fetch(&target, &credential, report, &mut file, &bar)
        .await
        .map_err(anyhow::Error::msg)?;
    eprintln!("wrote {written} bytes to {}", path.display());
    Ok(())
}

/// `recourse demo`: needs the installation's key (it plays several parties).
pub async fn demo(
    config: Option<PathBuf>,
    target: Option<String>,
    data_dir: Option<PathBuf>,
    quarters: u32,
    seed: u64,
) -> anyhow::Result<()> {
    let overrides = Overrides {
        data_dir,
        ..Overrides::default()
    };
    let settings = Settings::load(config.as_deref(), &overrides)?;
    let target = target.unwrap_or_else(|| format!("http://{}", settings.server.listen));
    let (keys, _source) = TokenKeys::existing(&settings.auth, &settings.database.data_dir)?;
    // A bar on a terminal; elsewhere (logs, CI) the milestone lines.
    let bar = recourse::progress::steps(0);
    let summary = recourse::demo::run(&target, keys, quarters, seed, |step| {
        bar.set_length(step.total);
        bar.set_position(step.done);
        if !step.message.is_empty() {
            if bar.is_hidden() {
                eprintln!("demo: {}", step.message);
            } else {
                bar.set_message(step.message.to_owned());
            }
        }
    })
    .await
    .map_err(anyhow::Error::msg)?;
    bar.finish();
    println!(
        "{} carriers, {} shipments, {} claims, {} remittances",
        summary.carriers, summary.shipments, summary.claims, summary.remittances
    );
    Ok(())
}

/// `recourse remittances import FILE`.
pub async fn import(
    config: Option<PathBuf>,
    target: Option<String>,
    api_key: Option<String>,
    data_dir: Option<PathBuf>,
    file: PathBuf,
) -> anyhow::Result<()> {
    let overrides = Overrides {
        data_dir,
        ..Overrides::default()
    };
    let settings = Settings::load(config.as_deref(), &overrides)?;
    let target = target.unwrap_or_else(|| format!("http://{}", settings.server.listen));
    let credential = credential(&settings, api_key)?;
    let bar = recourse::progress::bytes(0);
    let done = recourse::report::import_remittances(&target, &credential, &file, &bar)
        .await
        .map_err(anyhow::Error::msg)?;
    for (line, message) in &done.errors {
        eprintln!("line {line}: {message}");
    }
    println!(
        "{} rows, {} imported into {} remittances, {} refused",
        done.rows,
        done.imported_rows,
        done.remittances,
        done.errors.len() as u64 + done.more_errors
    );
    Ok(())
}
