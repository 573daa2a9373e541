//! The audit of a batch of invoice lines: one query each for the
//! shipments, their scans and earlier billings of the batch's tracking
//! numbers; the contract versions of the carrier read once per import;
//! the rules are the domain's (`recourse_contracts_domain::invoice`).

use std::collections::HashMap;

use chrono::NaiveDate;
use recourse_contracts_domain::audit::Billed;
use recourse_contracts_domain::invoice::{
    self, LateGuarantee, LineAudit, LineFacts, Priced, audit_line,
};
use recourse_contracts_domain::promise::parse_zone;
use recourse_contracts_domain::rating::Charge;
use recourse_contracts_domain::refund::{late_minutes, suspended};
use recourse_contracts_domain::versions::ContractVersion;
use recourse_money::Money;
use recourse_platform::ApiError;
use sea_orm::ConnectionTrait;

use super::{InvoiceHeader, LineInput};
use crate::error::ContractsError;
use crate::quoting::{local_ship_date, price_as_tendered};
use crate::repo::contracts::in_force_versions;
use crate::repo::invoices::{self as repo, FindingRow, LineRow};
use crate::repo::shipments::ShipmentRecord;

/// One line, audited, as it is stored.
#[derive(Debug)]
pub struct AuditedLine {
    pub line_row: LineRow,
    pub findings: Vec<FindingRow>,
    pub total: Money,
    pub at_stake: Money,
    /// (shipment, invoice date, billed total, billed base) for the
    /// shipment's billing facts, on a line that is not a duplicate.
    pub billing: Option<(String, NaiveDate, i64, Option<i64>)>,
}

pub(super) struct Auditor {
    header: InvoiceHeader,
    /// Non-draft versions of the carrier, by effective date.
    versions: Vec<ContractVersion>,
    /// Tracking numbers billed earlier in this file: their line.
    seen: HashMap<String, u64>,
}

impl Auditor {
    pub async fn load<C: ConnectionTrait>(
        conn: &C,
        header: &InvoiceHeader,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            header: header.clone(),
            versions: in_force_versions(conn, &header.carrier_id).await?,
            seen: HashMap::new(),
        })
    }

    /// The invoice's last day to contest: the window of the version in
    /// force on the invoice date (the default without one).
    pub fn dispute_deadline(&self) -> NaiveDate {
        match self.version_on(self.header.invoice_date) {
            Some(v) => v.terms.dispute_deadline(self.header.received_date),
            None => self
                .header
                .received_date
                .checked_add_days(chrono::Days::new(u64::from(
                    recourse_contracts_domain::terms::DEFAULT_INVOICE_DISPUTE_DAYS,
                )))
                .unwrap_or(NaiveDate::MAX),
        }
    }

    fn version_on(&self, date: NaiveDate) -> Option<&ContractVersion> {
        self.versions.iter().rev().find(|v| v.span.covers(date))
    }

    pub async fn audit<C: ConnectionTrait>(
        &mut self,
        conn: &C,
        invoice_id: &str,
        batch: Vec<LineInput>,
    ) -> Result<Vec<AuditedLine>, ApiError> {
        let carrier = self.header.carrier_id.clone();
        let numbers: Vec<&str> = batch.iter().map(|l| l.tracking_number.as_str()).collect();
        let (shipments, scanned) = if self.header.record_only {
            Default::default()
        } else {
            let shipments = repo::shipments_by_tracking(conn, &carrier, &numbers).await?;
            let ids: Vec<&str> = shipments.values().map(|s| s.id.as_str()).collect();
            let scanned = repo::scanned(conn, &ids).await?;
            (shipments, scanned)
        };
        let earlier = repo::first_billings(conn, &carrier, &numbers).await?;
        let mut out = Vec::with_capacity(batch.len());
        for line in batch {
            let duplicate_of = if let Some(first) = self.seen.get(&line.tracking_number) {
                Some(format!("{} line {first}", self.header.number))
            } else {
                earlier
                    .get(&line.tracking_number)
                    .map(|(number, at)| format!("{number} line {at}"))
            };
            if duplicate_of.is_none() {
                self.seen.insert(line.tracking_number.clone(), line.line);
            }
            if self.header.record_only {
                out.push(self.record_one(invoice_id, line, duplicate_of));
                continue;
            }
            let shipment = shipments.get(&line.tracking_number);
            let scanned = shipment.is_some_and(|s| scanned.contains(&s.id));
            out.push(self.audit_one(invoice_id, line, duplicate_of, shipment, scanned)?);
        }
        Ok(out)
    }

    /// A line recorded without rating: only a duplicate is judged (the
    /// first-billing index needs it).
    fn record_one(
        &self,
        invoice_id: &str,
        line: LineInput,
        duplicate_of: Option<String>,
    ) -> AuditedLine {
        let line_no = i64::try_from(line.line).unwrap_or(i64::MAX);
        let zero = Money::zero(line.total.currency());
        let (findings, at_stake) = match duplicate_of {
            Some(first) => (
                vec![FindingRow {
                    invoice_id: invoice_id.to_owned(),
                    line_no,
                    seq: 0,
                    cause: invoice::FindingCause::Duplicate.as_str().to_owned(),
                    code: "DUPLICATE".to_owned(),
                    expected: truncate(&format!("billed once, at {first}"), 200),
                    billed: line.total.to_string(),
                    amount_minor: line.total.amount_minor(),
                }],
                line.total,
            ),
            None => (Vec::new(), zero),
        };
        AuditedLine {
            line_row: LineRow {
                invoice_id: invoice_id.to_owned(),
                line_no,
                carrier_id: self.header.carrier_id.clone(),
                tracking_number: line.tracking_number,
                shipment_id: None,
                ship_date: line.ship_date,
                service_level: line.service_level,
                total_minor: line.total.amount_minor(),
                expected_total_minor: None,
                contract_version: String::new(),
                at_stake_minor: at_stake.amount_minor(),
                duplicate: !findings.is_empty(),
                finding_count: i64::try_from(findings.len()).unwrap_or(i64::MAX),
            },
            findings,
            total: line.total,
            at_stake,
            billing: None,
        }
    }

    fn audit_one(
        &self,
        invoice_id: &str,
        line: LineInput,
        duplicate_of: Option<String>,
        shipment: Option<&ShipmentRecord>,
        scanned: bool,
    ) -> Result<AuditedLine, ApiError> {
        let billed = Billed {
            zone: line.zone.clone(),
            billable_weight: line.billable_weight,
            base_charge: line.base,
            surcharges: line
                .surcharges
                .iter()
                .map(|(code, amount)| Charge {
                    code: code.clone(),
                    amount: *amount,
                })
                .collect(),
            total: line.total,
        };
        let ship_date = shipment.map_or(line.ship_date, local_ship_date);
        let duplicate = duplicate_of.is_some();
        let mut version_name = String::new();
        let mut expected_total = None;
        let verdict = match (duplicate_of, shipment) {
            (Some(first), _) => audit_line(
                &billed,
                &LineFacts {
                    duplicate_of: Some(first),
                    shipment: None,
                },
            ),
            (None, None) => audit_line(
                &billed,
                &LineFacts {
                    duplicate_of: None,
                    shipment: None,
                },
            ),
            (None, Some(s)) => match self.priced(s, scanned, ship_date) {
                Ok((priced, version)) => {
                    version_name = version;
                    expected_total = Some(priced.expected.total.amount_minor());
                    audit_line(
                        &billed,
                        &LineFacts {
                            duplicate_of: None,
                            shipment: Some(priced),
                        },
                    )
                }
                Err(why) => Ok(invoice::unrated(&billed, &why)),
            },
        };
        let LineAudit { findings, at_stake } = verdict.map_err(|error| {
            ApiError::from(ContractsError::Overflow {
                version: version_name.clone(),
                error,
            })
        })?;
        let line_no = i64::try_from(line.line).unwrap_or(i64::MAX);
        let finding_rows: Vec<FindingRow> = findings
            .into_iter()
            .enumerate()
            .map(|(seq, f)| FindingRow {
                invoice_id: invoice_id.to_owned(),
                line_no,
                seq: i64::try_from(seq).unwrap_or(i64::MAX),
                cause: f.cause.as_str().to_owned(),
                code: truncate(&f.code, 64),
                expected: truncate(&f.expected, 200),
                billed: truncate(&f.billed, 200),
                amount_minor: f.amount.amount_minor(),
            })
            .collect();
        let billing = match shipment {
            Some(s) if !duplicate => Some((
                s.id.clone(),
                self.header.invoice_date,
                line.total.amount_minor(),
                line.base.map(|b| b.amount_minor()),
            )),
            Some(_) | None => None,
        };
        Ok(AuditedLine {
            line_row: LineRow {
                invoice_id: invoice_id.to_owned(),
                line_no,
                carrier_id: self.header.carrier_id.clone(),
                tracking_number: line.tracking_number,
                shipment_id: shipment.map(|s| s.id.clone()),
                ship_date,
                service_level: shipment.map_or(line.service_level, |s| s.service_level.clone()),
                total_minor: line.total.amount_minor(),
                expected_total_minor: expected_total,
                contract_version: version_name,
                at_stake_minor: at_stake.amount_minor(),
                duplicate,
                finding_count: i64::try_from(finding_rows.len()).unwrap_or(i64::MAX),
            },
            findings: finding_rows,
            total: line.total,
            at_stake,
            billing,
        })
    }

    /// The shipment as the contract in force on `ship_date` prices it, or
    /// why it cannot.
    fn priced(
        &self,
        s: &ShipmentRecord,
        scanned: bool,
        ship_date: NaiveDate,
    ) -> Result<(Priced, String), String> {
        let version = self
            .version_on(ship_date)
            .ok_or_else(|| format!("no contract version in force on {ship_date}"))?;
        let currency = self.header.total.currency();
        if version.terms.currency != currency {
            return Err(format!(
                "{} is in {}, the invoice in {}",
                version.name(),
                version.terms.currency.as_str(),
                currency.as_str()
            ));
        }
        let expected = price_as_tendered(version, s).map_err(|e| e.to_string())?;
        let late = version.terms.sla(&s.service_level).and_then(|terms| {
            let delivered = s.delivered_at?;
            if !terms.guaranteed || delivered <= s.promised_at {
                return None;
            }
            // A promise due on a suspended day (destination local date) is
            // not guaranteed.
            let zone = parse_zone(&s.destination_time_zone).unwrap_or(chrono_tz::UTC);
            let due = s.promised_at.with_timezone(&zone).date_naive();
            (!suspended(&terms.suspended_days(), due)).then(|| LateGuarantee {
                scope: terms.refund_scope,
                minutes_late: late_minutes(s.promised_at, delivered),
            })
        });
        Ok((
            Priced {
                expected,
                requested: s.requested_services.clone(),
                scanned,
                late,
            },
            version.name(),
        ))
    }
}

fn truncate(s: &str, max: usize) -> String {
    recourse_platform::error::bound::truncate_chars(s, max).into_owned()
}
