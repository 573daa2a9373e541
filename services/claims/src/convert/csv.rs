//! The remittance CSV (`ImportRemittances`): one row per remittance line;
//! rows sharing `carrier` + `reference` form one remittance, grouped in
//! one pass in file order. Columns (header required, in this order):
//!
//! | column | format |
//! |---|---|
//! | `carrier` | `carriers/{id}` or the bare id |
//! | `kind` | `PAYMENT` or `CREDIT_MEMO` (any case) |
//! | `reference` | the carrier's reference, 1-64 characters |
//! | `invoice_reference` | the invoice a credit memo credits (0-64) |
//! | `date` | `YYYY-MM-DD`, 2000-01-01 to 2100-12-31 |
//! | `currency` | ISO-4217, e.g. `USD` |
//! | `amount_minor` | the remittance total in minor units, repeated on each row |
//! | `claim` | `claims/{id}`, a claim number, `disputes/{id}` (a credit on a dispute), or empty |
//! | `tracking_number` | when no claim is named |
//! | `line_amount_minor` | the line in minor units |

use chrono::NaiveDate;
use indexmap::IndexMap;
use recourse_claims_domain::limits::MAX_IMPORT_ROWS;
use recourse_money::Currency;
use recourse_platform::ApiError;
use recourse_platform::auth::Principal;
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::claims as pb;

use super::recoveries::new_remittance;
use crate::recoveries::{ImportErrors, ImportGroup};

pub const CSV_HEADER: [&str; 10] = [
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

/// A parsed file: its data rows, the remittances it describes, and the
/// rows that could not be used.
#[derive(Debug, Default)]
pub struct ParsedCsv {
    pub rows: u64,
    pub groups: Vec<ImportGroup>,
    pub errors: ImportErrors,
}

/// A cell echoed in a message: at most 40 characters.
fn echo(cell: &str) -> String {
    recourse_platform::error::bound::truncate_chars(cell, 40).into_owned()
}

/// One row as the remittance line it describes.
fn parse_row(record: &csv::StringRecord) -> Result<pb::Remittance, String> {
    let field = |i: usize| record.get(i).unwrap_or_default().trim();
    let kind = match field(1).to_ascii_uppercase().as_str() {
        "PAYMENT" => pb::RemittanceKind::Payment,
        "CREDIT_MEMO" => pb::RemittanceKind::CreditMemo,
        _ => {
            return Err(format!(
                "kind: `{}` is not PAYMENT or CREDIT_MEMO",
                echo(field(1))
            ));
        }
    };
    let date = NaiveDate::parse_from_str(field(4), "%Y-%m-%d")
        .map_err(|_| format!("date: `{}` is not YYYY-MM-DD", echo(field(4))))?;
    let currency = Currency::parse(field(5)).map_err(|_| {
        format!(
            "currency: `{}` is not an ISO-4217 code such as USD",
            echo(field(5))
        )
    })?;
    let int = |i: usize| {
        field(i).parse::<i64>().map_err(|_| {
            format!(
                "{}: `{}` is not a whole number of minor units",
                CSV_HEADER[i],
                echo(field(i))
            )
        })
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
        amount: money(int(6)?),
        lines: vec![pb::RemittanceLine {
            // `disputes/{id}` in the claim column credits that dispute.
            claim: Some(field(7))
                .filter(|c| !c.starts_with("disputes/"))
                .unwrap_or_default()
                .to_owned(),
            dispute: Some(field(7))
                .filter(|c| c.starts_with("disputes/"))
                .unwrap_or_default()
                .to_owned(),
            tracking_number: field(8).to_owned(),
            amount: money(int(9)?),
            ..Default::default()
        }],
        ..Default::default()
    })
}

/// The CSV column a remittance field path came from.
fn column_of(field: &str) -> String {
    let rest = field.strip_prefix("remittance.").unwrap_or(field);
    let (base, _) = rest.split_once('.').unwrap_or((rest, ""));
    let line_field = rest
        .strip_prefix("lines[")
        .and_then(|r| r.split_once("].").map(|(_, f)| f));
    let column = match (base, line_field) {
        (_, Some(f)) if f.starts_with("amount") => "line_amount_minor",
        (_, Some(f)) if f.starts_with("tracking_number") => "tracking_number",
        (_, Some(_)) => "claim",
        ("amount", None) => "amount_minor",
        ("remittance_date", None) => "date",
        (other, None) => other,
    };
    column.to_owned()
}

/// The line index within the group a violation is about, if any.
fn line_index(field: &str) -> Option<usize> {
    field
        .strip_prefix("remittance.lines[")?
        .split_once(']')?
        .0
        .parse()
        .ok()
}

/// Reports a group's violations on the rows they are about (a line's on
/// its row, the remittance's on every row of it).
fn report(errors: &mut ImportErrors, lines: &[u64], err: &ApiError) {
    let ApiError::InvalidArgument(violations) = err else {
        for &line in lines {
            errors.push(line, err.to_string());
        }
        return;
    };
    for v in violations {
        let message = format!("{}: {}", column_of(&v.field), v.description);
        match line_index(&v.field).and_then(|i| lines.get(i)) {
            Some(&line) => errors.push(line, message),
            None => {
                for &line in lines {
                    errors.push(line, message.clone());
                }
            }
        }
    }
}

/// Parses a whole file into remittances to record (each with its own
/// idempotency key, derived from carrier and reference) and row errors.
/// A file without the header, or with more than [`MAX_IMPORT_ROWS`] data
/// rows, is refused whole.
pub fn parse(bytes: &[u8], caller: &Principal) -> Result<ParsedCsv, ApiError> {
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
    let mut parsed = ParsedCsv::default();
    // (carrier, reference) → (rows' line numbers, the rows' remittances).
    let mut groups: IndexMap<(String, String), (Vec<u64>, Vec<pb::Remittance>)> = IndexMap::new();
    for record in reader.records() {
        parsed.rows += 1;
        if parsed.rows > MAX_IMPORT_ROWS as u64 {
            return Err(ApiError::invalid(
                "csv",
                format!("a remittance file may have at most {MAX_IMPORT_ROWS} rows; split it"),
            ));
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                parsed.errors.push(line, e.to_string());
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.len() != CSV_HEADER.len() {
            let message = format!(
                "expected {} fields, found {}",
                CSV_HEADER.len(),
                record.len()
            );
            parsed.errors.push(line, message);
            continue;
        }
        match parse_row(&record) {
            Ok(r) => {
                let (lines, rows) = groups
                    .entry((r.carrier.clone(), r.reference.clone()))
                    .or_default();
                lines.push(line);
                rows.push(r);
            }
            Err(message) => parsed.errors.push(line, message),
        }
    }
    for ((carrier, reference), (lines, rows)) in groups {
        let Some(mut remittance) = rows.first().cloned() else {
            continue;
        };
        let consistent = rows.iter().all(|r| {
            r.kind == remittance.kind
                && r.invoice_reference == remittance.invoice_reference
                && r.remittance_date == remittance.remittance_date
                && r.amount == remittance.amount
        });
        if !consistent {
            for &line in &lines {
                parsed.errors.push(
                    line,
                    "rows of one remittance disagree on kind, invoice_reference, date, \
                     currency or amount_minor"
                        .into(),
                );
            }
            continue;
        }
        remittance.lines = rows.into_iter().flat_map(|r| r.lines).collect();
        let new = match new_remittance(Some(&remittance)) {
            Ok(new) => new,
            Err(err) => {
                report(&mut parsed.errors, &lines, &err);
                continue;
            }
        };
        let body = pb::RecordRemittanceRequest {
            request_id: String::new(),
            remittance: Some(remittance),
        };
        let request_id: String = format!("import:{carrier}|{reference}")
            .chars()
            .take(128)
            .collect();
        let key = IdempotencyKey::new("ImportRemittances", caller, &request_id, &body)?;
        parsed.groups.push(ImportGroup {
            lines,
            key,
            remittance: new,
        });
    }
    Ok(parsed)
}
