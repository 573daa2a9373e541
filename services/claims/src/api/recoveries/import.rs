//! ImportRemittances: a CSV of remittance lines, grouped into remittances
//! and recorded one by one; bad rows are reported by line, good ones kept.

use chrono::NaiveDate;
use recourse_money::Currency;
use recourse_platform::ApiError;
use recourse_platform::auth::Principal;
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::claims as pb;

use super::{RecoveryApi, new_remittance};

/// Largest remittance file accepted in one import.
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;
const CSV_HEADER: [&str; 10] = [
    "carrier",
    "kind",
    "reference",
    "invoice_reference",
    "date",
    "currency",
    "amount_minor",
    "claim",
    "tracking_number",
    "line_amount_minor",
];

/// One CSV row, as the remittance line it describes.
struct Row {
    line: u64,
    remittance: pb::Remittance,
}

fn parse_row(record: &csv::StringRecord) -> Result<pb::Remittance, String> {
    let field = |i: usize| record.get(i).unwrap_or_default().trim();
    let kind = match field(1).to_ascii_uppercase().as_str() {
        "PAYMENT" => pb::RemittanceKind::Payment,
        "CREDIT_MEMO" => pb::RemittanceKind::CreditMemo,
        other => return Err(format!("kind `{other}` is not PAYMENT or CREDIT_MEMO")),
    };
    let date = NaiveDate::parse_from_str(field(4), "%Y-%m-%d")
        .map_err(|_| format!("date `{}` is not YYYY-MM-DD", field(4)))?;
    let currency = Currency::parse(field(5))
        .map_err(|_| format!("currency `{}` is not an ISO-4217 code", field(5)))?;
    let int = |i: usize, name: &str| {
        field(i)
            .parse::<i64>()
            .map_err(|_| format!("{name} `{}` is not a whole number of minor units", field(i)))
    };
    let money = |amount_minor| {
        Some(recourse_proto::common::Money {
            amount_minor,
            currency_code: currency.as_str().to_owned(),
        })
    };
    Ok(pb::Remittance {
        carrier: field(0).to_owned(),
        kind: kind.into(),
        reference: field(2).to_owned(),
        invoice_reference: field(3).to_owned(),
        remittance_date: Some(date_to_proto(date)),
        amount: money(int(6, "amount_minor")?),
        lines: vec![pb::RemittanceLine {
            claim: field(7).to_owned(),
            tracking_number: field(8).to_owned(),
            amount: money(int(9, "line_amount_minor")?),
            ..Default::default()
        }],
        ..Default::default()
    })
}

fn describe(err: &ApiError) -> String {
    err.to_string()
}

impl RecoveryApi {
    /// Parses the file, groups rows into remittances (carrier + reference),
    /// records each group, and reports bad rows by line without losing the
    /// good ones.
    pub(super) async fn import(
        &self,
        caller: &Principal,
        bytes: &[u8],
    ) -> Result<pb::ImportRemittancesResponse, ApiError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(bytes);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| ApiError::invalid("csv", format!("unreadable header: {e}")))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        if header != CSV_HEADER {
            return Err(ApiError::invalid(
                "csv",
                format!("the header must be: {}", CSV_HEADER.join(",")),
            ));
        }
        let mut response = pb::ImportRemittancesResponse::default();
        let mut groups: Vec<(String, Vec<Row>)> = Vec::new();
        for record in reader.records() {
            response.rows += 1;
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, csv::Position::line);
                    response.errors.push(pb::ImportError {
                        line,
                        message: e.to_string(),
                    });
                    continue;
                }
            };
            let line = record.position().map_or(0, csv::Position::line);
            if record.len() != CSV_HEADER.len() {
                response.errors.push(pb::ImportError {
                    line,
                    message: format!(
                        "expected {} fields, found {}",
                        CSV_HEADER.len(),
                        record.len()
                    ),
                });
                continue;
            }
            match parse_row(&record) {
                Ok(remittance) => {
                    let key = format!("{}|{}", remittance.carrier, remittance.reference);
                    let row = Row { line, remittance };
                    match groups.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, rows)) => rows.push(row),
                        None => groups.push((key, vec![row])),
                    }
                }
                Err(message) => response.errors.push(pb::ImportError { line, message }),
            }
        }
        for (key, rows) in groups {
            let Some(first) = rows.first() else { continue };
            let mut remittance = first.remittance.clone();
            remittance.lines.clear();
            let consistent = rows.iter().all(|r| {
                r.remittance.kind == remittance.kind
                    && r.remittance.invoice_reference == remittance.invoice_reference
                    && r.remittance.remittance_date == remittance.remittance_date
                    && r.remittance.amount == remittance.amount
            });
            let fail = |response: &mut pb::ImportRemittancesResponse, message: &str| {
                for r in &rows {
                    response.errors.push(pb::ImportError {
                        line: r.line,
                        message: message.to_owned(),
                    });
                }
            };
            if !consistent {
                fail(
                    &mut response,
                    "rows of one remittance disagree on kind, invoice, date or amount",
                );
                continue;
            }
            remittance.lines = rows
                .iter()
                .flat_map(|r| r.remittance.lines.clone())
                .collect();
            let recorded = match new_remittance(Some(&remittance)) {
                Ok(new) => {
                    let body = pb::RecordRemittanceRequest {
                        request_id: format!("import:{key}"),
                        remittance: Some(remittance.clone()),
                    };
                    match IdempotencyKey::new(
                        "ImportRemittances",
                        caller,
                        &body.request_id.chars().take(128).collect::<String>(),
                        &body,
                    ) {
                        Ok(k) => self.desk.record(k, caller, new).await,
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            };
            match recorded {
                Ok(r) => {
                    response.imported_rows += rows.len() as u64;
                    response.remittances.push(r.name);
                }
                Err(ApiError::Internal(detail)) => return Err(ApiError::Internal(detail)),
                Err(err) => fail(&mut response, &describe(&err)),
            }
        }
        response.errors.sort_by_key(|e| e.line);
        Ok(response)
    }
}
