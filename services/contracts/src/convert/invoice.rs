//! ImportInvoice's header and CSV, and invoices, lines and findings as
//! messages. The CSV (header row required, columns in this order):
//!
//! | column | format |
//! |---|---|
//! | `tracking_number` | 1-64 letters, digits, spaces, dashes, underscores |
//! | `ship_date` | `YYYY-MM-DD`, 2000-2099 |
//! | `service_level` | the carrier's code, e.g. `GROUND` |
//! | `zone` | as billed, or empty |
//! | `billed_weight` | billable weight as billed, e.g. `13` or `2.268`, or empty |
//! | `weight_unit` | `lb` or `kg` (required with a weight) |
//! | `base_minor` | base (transportation) charge in minor units, or empty |
//! | `surcharges` | `CODE=minor` pairs separated by `;` (e.g. `FUEL=375;RESIDENTIAL=495`), or empty |
//! | `total_minor` | the line's billed total in minor units |

use recourse_money::{Currency, Money};
use recourse_platform::Violations;
use recourse_platform::proto_types::{MAX_AMOUNT_MINOR, date_to_proto, timestamp_to_proto};
use recourse_proto::contracts as pb;
use recourse_units::{Weight, WeightUnit};
use sha2::{Digest, Sha256};

use super::common::{carrier_id, carrier_name, currency, date, minor_to_proto, token_like};
use super::limits;
use crate::invoices::{ImportOutcome, InvoiceHeader, LineErrors, LineInput, ParsedInvoice};
use crate::repo::invoices::{FindingRow, InvoiceRow, LineRow};

pub const CSV_HEADER: [&str; 9] = [
    "tracking_number",
    "ship_date",
    "service_level",
    "zone",
    "billed_weight",
    "weight_unit",
    "base_minor",
    "surcharges",
    "total_minor",
];

/// The first message's header, every violation with its path.
pub fn header(h: Option<&pb::InvoiceHeader>) -> Result<InvoiceHeader, recourse_platform::ApiError> {
    let mut v = Violations::new();
    let Some(h) = h else {
        v.add("header", "is required in the first message");
        v.into_result()?;
        return Err(super::super::api::invalid_request());
    };
    let carrier = carrier_id(&mut v, "header.carrier", &h.carrier);
    let n = h.invoice_number.chars().count();
    v.check(
        n > 0
            && n <= limits::INVOICE_NUMBER
            && h.invoice_number.trim() == h.invoice_number
            && !h.invoice_number.chars().any(char::is_control),
        "header.invoice_number",
        format!(
            "must be 1-{} characters without control characters or surrounding spaces",
            limits::INVOICE_NUMBER
        ),
    );
    let invoice_date = date(&mut v, "header.invoice_date", h.invoice_date.as_ref());
    let received_date = match &h.received_date {
        Some(d) => date(&mut v, "header.received_date", Some(d)),
        None => invoice_date,
    };
    let cur = currency(&mut v, "header.currency_code", &h.currency_code);
    let total = recourse_platform::proto_types::bounded_money(
        &mut v,
        "header.total",
        h.total.as_ref(),
        cur,
        false,
    );
    v.into_result()?;
    match (carrier, invoice_date, received_date, total) {
        (Some(carrier_id), Some(invoice_date), Some(received_date), Some(total)) => {
            Ok(InvoiceHeader {
                carrier_id,
                number: h.invoice_number.clone(),
                invoice_date,
                received_date,
                total,
                record_only: h.record_only,
            })
        }
        _ => Err(super::super::api::invalid_request()),
    }
}

/// The file's lines: a bad row is a line error, the others are kept. A
/// missing or wrong header row, or more than the bound of rows, refuses the
/// whole file (INVALID_ARGUMENT on `csv`).
pub fn parse_csv(
    header: &InvoiceHeader,
    bytes: &[u8],
) -> Result<ParsedInvoice, recourse_platform::ApiError> {
    let mut digest = Sha256::new();
    digest.update(header.carrier_id.as_bytes());
    digest.update([0]);
    digest.update(header.number.as_bytes());
    digest.update([0]);
    digest.update(header.invoice_date.to_string().as_bytes());
    digest.update(header.received_date.to_string().as_bytes());
    digest.update(header.total.to_string().as_bytes());
    digest.update([u8::from(header.record_only)]);
    digest.update(bytes);
    let mut out = ParsedInvoice {
        content_sha256: hex::encode(digest.finalize()),
        errors: LineErrors::default(),
        ..ParsedInvoice::default()
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let found: Vec<String> = reader
        .headers()
        .map_err(|e| recourse_platform::ApiError::invalid("csv", format!("no header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if found != CSV_HEADER {
        return Err(recourse_platform::ApiError::invalid(
            "csv",
            format!("the header row must be `{}`", CSV_HEADER.join(",")),
        ));
    }
    let currency = header.total.currency();
    for record in reader.records() {
        out.rows += 1;
        if out.rows > limits::INVOICE_ROWS {
            return Err(recourse_platform::ApiError::invalid(
                "csv",
                format!("must have at most {} rows", limits::INVOICE_ROWS),
            ));
        }
        let (line, parsed) = match record {
            Ok(r) => {
                let line = r.position().map_or(out.rows + 1, |p| p.line());
                (line, parse_row(&r, line, currency))
            }
            Err(e) => {
                let line = e.position().map_or(out.rows + 1, |p| p.line());
                (line, Err(format!("not CSV: {e}")))
            }
        };
        match parsed {
            Ok(l) => out.lines.push(l),
            Err(message) => out.errors.push(line, &message),
        }
    }
    Ok(out)
}

fn echo(cell: &str) -> String {
    recourse_platform::error::bound::truncate_chars(cell, 40).into_owned()
}

fn minor(cell: &str, column: &str, currency: Currency) -> Result<Money, String> {
    let n = cell
        .parse::<i64>()
        .ok()
        .filter(|n| (0..=MAX_AMOUNT_MINOR).contains(n))
        .ok_or_else(|| {
            format!(
                "{column}: `{}` is not a whole number of minor units from 0 to {MAX_AMOUNT_MINOR}",
                echo(cell)
            )
        })?;
    Ok(Money::new(n, currency))
}

/// `13`, `2.5` or `2.268` in thousandths.
fn thousandths(cell: &str) -> Option<i64> {
    let (whole, frac) = cell.split_once('.').unwrap_or((cell, ""));
    if whole.is_empty()
        || frac.len() > 3
        || !whole
            .chars()
            .chain(frac.chars())
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<3}").parse().ok()?;
    whole.checked_mul(1_000)?.checked_add(frac)
}

fn parse_row(r: &csv::StringRecord, line: u64, currency: Currency) -> Result<LineInput, String> {
    let cell = |i: usize| r.get(i).unwrap_or_default().trim();
    if r.len() != CSV_HEADER.len() {
        return Err(format!("has {} columns, not {}", r.len(), CSV_HEADER.len()));
    }
    let mut v = Violations::new();
    let tracking_number = token_like(&mut v, "tracking_number", cell(0), limits::TRACKING_NUMBER);
    if !v.is_empty() {
        return Err(format!(
            "tracking_number: `{}` must be 1-{} letters, digits, spaces, dashes or underscores",
            echo(cell(0)),
            limits::TRACKING_NUMBER
        ));
    }
    let ship_date = chrono::NaiveDate::parse_from_str(cell(1), "%Y-%m-%d")
        .ok()
        .filter(|d| {
            use chrono::Datelike as _;
            (2000..=2099).contains(&d.year())
        })
        .ok_or_else(|| {
            format!(
                "ship_date: `{}` is not YYYY-MM-DD in 2000-2099",
                echo(cell(1))
            )
        })?;
    let service_level = cell(2).to_owned();
    if !super::common::code(&mut v, "service_level", &service_level) {
        return Err(format!(
            "service_level: `{}` must be 1-32 upper-case letters, digits or underscores",
            echo(cell(2))
        ));
    }
    let zone = match cell(3) {
        "" => None,
        z if z.chars().count() <= limits::ZONE && !z.chars().any(char::is_control) => {
            Some(z.to_owned())
        }
        z => {
            return Err(format!(
                "zone: `{}` is longer than {} characters",
                echo(z),
                limits::ZONE
            ));
        }
    };
    let billable_weight = match (cell(4), cell(5).to_ascii_lowercase().as_str()) {
        ("", "") => None,
        (w, unit) => {
            let unit = match unit {
                "lb" => WeightUnit::Lb,
                "kg" => WeightUnit::Kg,
                other => return Err(format!("weight_unit: `{}` is not lb or kg", echo(other))),
            };
            let t = thousandths(w)
                .filter(|t| *t > 0 && *t <= limits::WEIGHT_THOUSANDTHS)
                .ok_or_else(|| {
                    format!(
                        "billed_weight: `{}` is not a weight above 0 with at most 3 decimals, up to 100000",
                        echo(w)
                    )
                })?;
            Some(Weight::new(t, unit))
        }
    };
    let base = match cell(6) {
        "" => None,
        b => Some(minor(b, "base_minor", currency)?),
    };
    let mut surcharges = Vec::new();
    for pair in cell(7).split(';').map(str::trim).filter(|p| !p.is_empty()) {
        if surcharges.len() == limits::BILLED_SURCHARGES {
            return Err(format!(
                "surcharges: more than {} charges",
                limits::BILLED_SURCHARGES
            ));
        }
        let (code, amount) = pair
            .split_once('=')
            .ok_or_else(|| format!("surcharges: `{}` is not CODE=minor", echo(pair)))?;
        let code = code.trim();
        if !super::common::code(&mut v, "surcharges", code) {
            return Err(format!(
                "surcharges: `{}` must be 1-32 upper-case letters, digits or underscores",
                echo(code)
            ));
        }
        surcharges.push((
            code.to_owned(),
            minor(amount.trim(), "surcharges", currency)?,
        ));
    }
    let total = minor(cell(8), "total_minor", currency)?;
    Ok(LineInput {
        line,
        tracking_number,
        ship_date,
        service_level,
        zone,
        billable_weight,
        base,
        surcharges,
        total,
    })
}

pub fn invoice_name(id: &str) -> String {
    format!("invoices/{id}")
}

pub fn invoice_to_proto(i: &InvoiceRow) -> pb::Invoice {
    pb::Invoice {
        name: invoice_name(&i.id),
        carrier: carrier_name(&i.carrier_id),
        invoice_number: i.invoice_number.clone(),
        invoice_date: Some(date_to_proto(i.invoice_date)),
        received_date: Some(date_to_proto(i.received_date)),
        dispute_deadline: Some(date_to_proto(i.dispute_deadline)),
        total: minor_to_proto(Some(i.total_minor), &i.currency),
        lines_total: minor_to_proto(Some(i.lines_total_minor), &i.currency),
        line_count: u64::try_from(i.line_count).unwrap_or_default(),
        lines_with_findings: u64::try_from(i.lines_with_findings).unwrap_or_default(),
        amount_at_stake: minor_to_proto(Some(i.at_stake_minor), &i.currency),
        import_time: Some(timestamp_to_proto(i.imported_at)),
        record_only: i.record_only,
    }
}

pub fn outcome_to_proto(o: &ImportOutcome) -> pb::ImportInvoiceResponse {
    pb::ImportInvoiceResponse {
        invoice: Some(invoice_to_proto(&o.invoice)),
        rows: o.rows,
        errors: o
            .errors
            .listed()
            .into_iter()
            .map(|e| pb::LineError {
                line: e.line,
                message: e.message,
            })
            .collect(),
        error_count: o.errors.count(),
        replayed: false,
    }
}

fn cause_to_proto(cause: &str) -> pb::FindingCause {
    use recourse_contracts_domain::invoice::FindingCause as C;
    match C::parse(cause) {
        Some(C::Zone) => pb::FindingCause::Zone,
        Some(C::Weight) => pb::FindingCause::Weight,
        Some(C::BaseRate) => pb::FindingCause::BaseRate,
        Some(C::Surcharge) => pb::FindingCause::Surcharge,
        Some(C::UnrequestedAccessorial) => pb::FindingCause::UnrequestedAccessorial,
        Some(C::Total) => pb::FindingCause::Total,
        Some(C::Duplicate) => pb::FindingCause::Duplicate,
        Some(C::NeverHandedOver) => pb::FindingCause::NeverHandedOver,
        Some(C::LateGuaranteed) => pb::FindingCause::LateGuaranteed,
        Some(C::UnknownShipment) => pb::FindingCause::UnknownShipment,
        Some(C::Unrated) => pb::FindingCause::Unrated,
        None => pb::FindingCause::Unspecified,
    }
}

pub fn line_to_proto(currency: &str, l: &LineRow, findings: &[FindingRow]) -> pb::InvoiceLine {
    pb::InvoiceLine {
        name: format!("invoices/{}/lines/{}", l.invoice_id, l.line_no),
        line: u64::try_from(l.line_no).unwrap_or_default(),
        tracking_number: l.tracking_number.clone(),
        shipment: l
            .shipment_id
            .as_ref()
            .map(|id| format!("shipments/{id}"))
            .unwrap_or_default(),
        ship_date: Some(date_to_proto(l.ship_date)),
        service_level: l.service_level.clone(),
        billed_total: minor_to_proto(Some(l.total_minor), currency),
        expected_total: minor_to_proto(l.expected_total_minor, currency),
        contract_version: l.contract_version.clone(),
        findings: findings
            .iter()
            .map(|f| pb::Finding {
                cause: cause_to_proto(&f.cause).into(),
                code: f.code.clone(),
                expected: f.expected.clone(),
                billed: f.billed.clone(),
                amount: minor_to_proto(Some(f.amount_minor), currency),
            })
            .collect(),
        amount_at_stake: minor_to_proto(Some(l.at_stake_minor), currency),
    }
}
