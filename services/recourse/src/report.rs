//! `recourse report …`: reports from a running platform written to a file
//! (CSV, or the QBR pack's HTML), through the gateway like any client,
//! with an API key or a token minted from this installation's key.

use std::time::Duration;

use chrono::NaiveDate;
use recourse_platform::client::OutboundInterceptor;
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::reporting as pb;
use recourse_proto::reporting::reporting_service_client::ReportingServiceClient;
use tokio_stream::StreamExt as _;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Endpoint;

/// Which report, with its parameters as the command line gave them.
#[derive(Debug, Clone)]
pub enum Report {
    Scorecard {
        carrier: String,
        period: pb::PeriodKind,
        date: NaiveDate,
    },
    Comparison {
        period: pb::PeriodKind,
        date: NaiveDate,
    },
    Aging {
        carrier: Option<String>,
        date: NaiveDate,
    },
    Reconciliation {
        carrier: Option<String>,
        period: pb::PeriodKind,
        date: NaiveDate,
    },
    Qbr {
        carrier: String,
        date: NaiveDate,
    },
}

fn period(kind: pb::PeriodKind, date: NaiveDate) -> Option<pb::Period> {
    Some(pb::Period {
        kind: kind.into(),
        date: Some(date_to_proto(date)),
    })
}

fn carrier_name(c: &str) -> String {
    if c.starts_with("carriers/") {
        c.to_owned()
    } else {
        format!("carriers/{c}")
    }
}

/// Streams `report` from the gateway at `target` into `out`; returns the
/// bytes written, counted on `progress` as they arrive.
pub async fn fetch(
    target: &str,
    credential: &str,
    report: Report,
    out: &mut impl std::io::Write,
    progress: &indicatif::ProgressBar,
) -> Result<u64, String> {
    let channel = Endpoint::from_shared(target.to_owned())
        .map_err(|e| format!("bad gateway URL {target}: {e}"))?
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .map_err(|e| format!("cannot reach the gateway at {target}: {e}"))?;
    let mut client = ReportingServiceClient::new(InterceptedService::new(
        channel,
        OutboundInterceptor::new(Some(credential))?,
    ));
    use pb::export_report_request::Report as Export;
    let export = |report: Export| pb::ExportReportRequest {
        report: Some(report),
    };
    let status = |s: tonic::Status| format!("{:?}: {}", s.code(), s.message());
    let mut stream = match report {
        Report::Qbr { carrier, date } => client
            .get_qbr_pack(pb::GetQbrPackRequest {
                carrier: carrier_name(&carrier),
                quarter_date: Some(date_to_proto(date)),
                as_of: None,
            })
            .await
            .map_err(status)?
            .into_inner(),
        Report::Scorecard {
            carrier,
            period: kind,
            date,
        } => client
            .export_report(export(Export::Scorecard(pb::GetCarrierScorecardRequest {
                carrier: carrier_name(&carrier),
                period: period(kind, date),
                weights: None,
                as_of: None,
            })))
            .await
            .map_err(status)?
            .into_inner(),
        Report::Comparison { period: kind, date } => client
            .export_report(export(Export::Comparison(pb::CompareCarriersRequest {
                period: period(kind, date),
                weights: None,
                as_of: None,
            })))
            .await
            .map_err(status)?
            .into_inner(),
        Report::Aging { carrier, date } => client
            .export_report(export(Export::Aging(pb::GetClaimsAgingRequest {
                carrier: carrier.as_deref().map(carrier_name).unwrap_or_default(),
                as_of: Some(date_to_proto(date)),
            })))
            .await
            .map_err(status)?
            .into_inner(),
        Report::Reconciliation {
            carrier,
            period: kind,
            date,
        } => client
            .export_report(export(Export::Reconciliation(
                pb::GetRecoveryReconciliationRequest {
                    carrier: carrier.as_deref().map(carrier_name).unwrap_or_default(),
                    period: period(kind, date),
                },
            )))
            .await
            .map_err(status)?
            .into_inner(),
    };
    let mut written = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(status)?;
        if !chunk.file_name.is_empty() {
            progress.set_message(format!("receiving {}", chunk.file_name));
        }
        out.write_all(&chunk.data).map_err(|e| e.to_string())?;
        written += chunk.data.len() as u64;
        progress.set_position(written);
    }
    out.flush().map_err(|e| e.to_string())?;
    progress.finish();
    Ok(written)
}

/// What `recourse remittances import` reports back.
#[derive(Debug, Clone)]
pub struct Imported {
    pub rows: u64,
    pub imported_rows: u64,
    pub remittances: usize,
    /// (line, message) of the first rows refused, and how many more.
    pub errors: Vec<(u64, String)>,
    pub more_errors: u64,
}

/// Streams the remittance CSV at `path` to the claims service's
/// `ImportRemittances` through the gateway, 256 KiB a message, counting
/// the bytes sent on `progress` (its length set to the file's size).
pub async fn import_remittances(
    target: &str,
    credential: &str,
    path: &std::path::Path,
    progress: &indicatif::ProgressBar,
) -> Result<Imported, String> {
    use recourse_proto::claims as clpb;
    let bytes = std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let channel = Endpoint::from_shared(target.to_owned())
        .map_err(|e| format!("bad gateway URL {target}: {e}"))?
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .map_err(|e| format!("cannot reach the gateway at {target}: {e}"))?;
    let mut client = clpb::recovery_service_client::RecoveryServiceClient::new(
        InterceptedService::new(channel, OutboundInterceptor::new(Some(credential))?),
    );
    progress.set_length(bytes.len() as u64);
    progress.set_message(format!("importing {}", path.display()));
    let chunks: Vec<clpb::ImportRemittancesRequest> = bytes
        .chunks(256 * 1024)
        .map(|c| clpb::ImportRemittancesRequest { csv: c.to_vec() })
        .collect();
    let bar = progress.clone();
    let stream = tokio_stream::iter(chunks).map(move |chunk| {
        bar.inc(chunk.csv.len() as u64);
        chunk
    });
    let answer = client
        .import_remittances(stream)
        .await
        .map_err(|s| format!("{:?}: {}", s.code(), s.message()))?
        .into_inner();
    progress.finish();
    Ok(Imported {
        rows: answer.rows,
        imported_rows: answer.imported_rows,
        remittances: answer.remittances.len(),
        errors: answer
            .errors
            .into_iter()
            .map(|e| (e.line, e.message))
            .collect(),
        more_errors: answer.more_errors,
    })
}
