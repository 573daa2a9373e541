//! Carrier invoices: ImportInvoice records an invoice and its lines in one
//! transaction, auditing every line against the contract in force on its
//! ship date as it goes (`audit.rs`), and sets the audited shipments'
//! invoice date and billed charges; reads within the caller's carrier.
//!
//! A re-import of the same carrier + invoice number is decided under a
//! per-carrier lock and the unique index on the number: the same content
//! replays the first answer, other content is ALREADY_EXISTS.

mod audit;

use std::collections::BinaryHeap;

use chrono::{NaiveDate, SubsecRound as _, Utc};
use recourse_money::Money;
use recourse_platform::ApiError;
use recourse_platform::error::bound::truncate_chars;
use recourse_platform::pagination::PageRequest;
use recourse_units::Weight;
use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::error::ContractsError;
use crate::repo::invoices::{self as repo, FindingRow, InvoiceRow, LineRow};

pub use audit::AuditedLine;

/// Errors listed in an answer; the rest are counted.
pub const MAX_LISTED_ERRORS: usize = 1_000;
/// Lines audited and written per batch.
const BATCH: usize = 1_000;

/// The first message's invoice, parsed.
#[derive(Debug, Clone)]
pub struct InvoiceHeader {
    pub carrier_id: String,
    pub number: String,
    pub invoice_date: NaiveDate,
    pub received_date: NaiveDate,
    pub total: Money,
    /// Lines and duplicates only (see the proto).
    pub record_only: bool,
}

/// One CSV line, parsed (amounts in the invoice's currency).
#[derive(Debug, Clone)]
pub struct LineInput {
    /// 1-based line of the file.
    pub line: u64,
    pub tracking_number: String,
    pub ship_date: NaiveDate,
    pub service_level: String,
    pub zone: Option<String>,
    pub billable_weight: Option<Weight>,
    pub base: Option<Money>,
    pub surcharges: Vec<(String, Money)>,
    pub total: Money,
}

/// A line that could not be stored.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineError {
    pub line: u64,
    pub message: String,
}

/// Line errors: the lowest [`MAX_LISTED_ERRORS`] lines listed, all counted.
#[derive(Debug, Default)]
pub struct LineErrors {
    listed: BinaryHeap<LineError>,
    count: u64,
}

impl LineErrors {
    pub fn push(&mut self, line: u64, message: &str) {
        let message = truncate_chars(message, 300).into_owned();
        self.listed.push(LineError { line, message });
        self.count += 1;
        if self.listed.len() > MAX_LISTED_ERRORS {
            self.listed.pop();
        }
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn listed(&self) -> Vec<LineError> {
        self.listed.clone().into_sorted_vec()
    }
}

/// A whole file: its data rows, the good lines and the errors.
#[derive(Debug, Default)]
pub struct ParsedInvoice {
    pub rows: u64,
    pub lines: Vec<LineInput>,
    pub errors: LineErrors,
    /// SHA-256 of the header and the file, hex.
    pub content_sha256: String,
}

/// What an import did.
#[derive(Debug)]
pub struct ImportOutcome {
    pub invoice: InvoiceRow,
    pub rows: u64,
    pub errors: LineErrors,
}

/// A new import, or the stored answer of the first identical one.
#[derive(Debug)]
pub enum Imported {
    New(Box<ImportOutcome>),
    Replayed(Vec<u8>),
}

#[derive(Debug, Clone)]
pub struct InvoiceDesk {
    db: DatabaseConnection,
}

fn not_found(id: &str) -> ContractsError {
    ContractsError::NotFound {
        resource: "invoice",
        name: format!("invoices/{id}"),
    }
}

impl InvoiceDesk {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// ImportInvoice: `render` turns the outcome into the answer a replay
    /// returns (stored with the invoice).
    pub async fn import(
        &self,
        header: InvoiceHeader,
        file: ParsedInvoice,
        render: impl FnOnce(&ImportOutcome) -> Vec<u8>,
    ) -> Result<Imported, ApiError> {
        let txn = self.db.begin().await?;
        repo::lock_carrier(&txn, &header.carrier_id).await?;
        if let Some(existing) =
            repo::find_by_number(&txn, &header.carrier_id, &header.number).await?
        {
            if existing.content_sha256 == file.content_sha256 {
                return Ok(Imported::Replayed(existing.answer));
            }
            return Err(ContractsError::InvoiceTaken(header.number).into());
        }
        let currency = header.total.currency();
        let mut auditor = audit::Auditor::load(&txn, &header).await?;
        let mut invoice = InvoiceRow {
            id: uuid::Uuid::now_v7().to_string(),
            carrier_id: header.carrier_id.clone(),
            invoice_number: header.number.clone(),
            invoice_date: header.invoice_date,
            received_date: header.received_date,
            dispute_deadline: auditor.dispute_deadline(),
            currency: currency.as_str().to_owned(),
            total_minor: header.total.amount_minor(),
            lines_total_minor: 0,
            line_count: 0,
            lines_with_findings: 0,
            at_stake_minor: 0,
            content_sha256: file.content_sha256.clone(),
            record_only: header.record_only,
            answer: Vec::new(),
            // Microseconds, as PostgreSQL stores them, so the answer
            // returned now equals the one read back later.
            imported_at: Utc::now().trunc_subsecs(6),
        };
        repo::insert(&txn, invoice.clone()).await.map_err(|err| {
            if recourse_platform::database::lost_race(&err) {
                ApiError::from(ContractsError::Concurrent("the invoice"))
            } else {
                ApiError::from(err)
            }
        })?;
        let mut lines = file.lines;
        let mut lines_total = Money::zero(currency);
        let mut at_stake = Money::zero(currency);
        while !lines.is_empty() {
            let rest = lines.split_off(lines.len().min(BATCH));
            let batch = std::mem::replace(&mut lines, rest);
            let audited = auditor.audit(&txn, &invoice.id, batch).await?;
            let mut line_rows = Vec::with_capacity(audited.len());
            let mut finding_rows = Vec::new();
            let mut billing = Vec::new();
            for a in audited {
                let overflow = |_| ContractsError::invalid("total", "the lines overflow");
                lines_total = lines_total.checked_add(a.total).map_err(overflow)?;
                at_stake = at_stake.checked_add(a.at_stake).map_err(overflow)?;
                invoice.line_count += 1;
                if !a.findings.is_empty() {
                    invoice.lines_with_findings += 1;
                }
                if let Some(fact) = a.billing {
                    billing.push(fact);
                }
                finding_rows.extend(a.findings);
                line_rows.push(a.line_row);
            }
            repo::insert_lines(&txn, line_rows)
                .await
                .map_err(lost_race)?;
            repo::insert_findings(&txn, finding_rows).await?;
            repo::record_billing(&txn, &billing).await?;
        }
        invoice.lines_total_minor = lines_total.amount_minor();
        invoice.at_stake_minor = at_stake.amount_minor();
        let outcome = ImportOutcome {
            invoice,
            rows: file.rows,
            errors: file.errors,
        };
        let answer = render(&outcome);
        let mut stored = outcome.invoice.clone();
        stored.answer = answer;
        repo::finish(&txn, &stored).await?;
        txn.commit().await?;
        Ok(Imported::New(Box::new(outcome)))
    }

    /// GetInvoice within the caller's carrier (another's is NOT_FOUND).
    pub async fn get(&self, id: &str, carrier: Option<&str>) -> Result<InvoiceRow, ApiError> {
        Ok(repo::find(&self.db, id, carrier)
            .await?
            .ok_or_else(|| not_found(id))?)
    }

    /// ListInvoiceLines: a page of lines in file order.
    pub async fn lines(
        &self,
        id: &str,
        carrier: Option<&str>,
        only_findings: bool,
        page: &PageRequest,
    ) -> Result<(InvoiceRow, Vec<(LineRow, Vec<FindingRow>)>, String), ApiError> {
        let invoice = self.get(id, carrier).await?;
        let after = match &page.after {
            Some(key) => key
                .parse::<i64>()
                .map_err(|_| ApiError::invalid("page_token", "is not a token this API issued"))?,
            None => 0,
        };
        let rows = repo::lines(&self.db, id, after, page.fetch_limit(), only_findings).await?;
        let (rows, token) = page.finish(rows, |(l, _)| l.line_no.to_string());
        Ok((invoice, rows, token))
    }
}

/// Two imports deciding "billed first" differently: the unique index on
/// first billings refused one; it retries.
fn lost_race(err: sea_orm::DbErr) -> ApiError {
    if recourse_platform::database::lost_race(&err) {
        ContractsError::Concurrent("the invoice lines").into()
    } else {
        err.into()
    }
}
