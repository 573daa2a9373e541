//! The 926 (Claim Status Report and Tracer Reply) in our profile: per
//! transaction set exactly one F11 (status of claim):
//!
//! | element | meaning |
//! |---|---|
//! | F11-01 | our claim number (`CLM-2026-000123`), required |
//! | F11-02 | status: `A` acknowledged, `P` paid, `D` declined |
//! | F11-03 | paid amount (decimal, the currency's minor digits), required for `P` |
//! | F11-04 | the amount's currency (`USD`), required for `P` |
//! | F11-05 | free-text reason, required for `D` |
//!
//! Other body segments are ignored. Errors name the segment's position in
//! the file and the element: `segment 5 (F11): element 2 …`.

use recourse_money::Money;

use super::claim920::Fault;
use super::{Interchange, X12Error};
use crate::limits::{MAX_REASON_CHARS, MAX_REFERENCE_CHARS};

/// What the carrier reports about a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportedStatus {
    Acknowledged,
    Paid(Money),
    Declined(String),
}

/// One transaction set's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    /// ST02.
    pub control_number: String,
    pub claim_number: String,
    pub status: ReportedStatus,
}

/// The most transaction sets one interchange may carry.
pub const MAX_REPORTS: usize = 1_000;

/// The reports of every 926 in `interchange`, in file order, or every
/// error found (the envelope is [`super::parse`]'s business).
pub fn reports(interchange: &Interchange) -> Result<Vec<StatusReport>, Vec<X12Error>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    // ISA is segment 1.
    let mut position = 1;
    for group in &interchange.groups {
        position += 1; // GS
        for t in &group.transactions {
            position += 1; // ST
            let st = position;
            let se = st + t.segments.len() + 1;
            if t.control_number.is_empty() || t.control_number.len() > 9 {
                errors.push(X12Error {
                    position: st,
                    segment: "ST".into(),
                    reason: "element 2 (control number) must be 1 to 9 characters".into(),
                });
            } else if t.set_id != "926" {
                errors.push(X12Error {
                    position: st,
                    segment: "ST".into(),
                    reason: format!("element 1 is `{}`, expected 926", t.set_id),
                });
            } else if let Some(report) = report(t, st, se, &mut errors) {
                out.push(report);
            }
            position = se;
        }
        position += 1; // GE
    }
    if out.len() > MAX_REPORTS {
        errors.push(X12Error {
            position: 1,
            segment: "ISA".into(),
            reason: format!("at most {MAX_REPORTS} transaction sets per interchange"),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn report(
    t: &super::Transaction,
    st: usize,
    se: usize,
    errors: &mut Vec<X12Error>,
) -> Option<StatusReport> {
    let f11s: Vec<(usize, &super::Segment)> = t
        .segments
        .iter()
        .enumerate()
        .filter(|(_, s)| s.id == "F11")
        .map(|(i, s)| (st + 1 + i, s))
        .collect();
    let (position, segment) = match f11s.as_slice() {
        [one] => *one,
        [] => {
            errors.push(X12Error {
                position: se,
                segment: "SE".into(),
                reason: format!("transaction set {} has no F11 segment", t.control_number),
            });
            return None;
        }
        [_, second, ..] => {
            errors.push(X12Error {
                position: second.0,
                segment: "F11".into(),
                reason: "a transaction set carries one F11".into(),
            });
            return None;
        }
    };
    let before = errors.len();
    let mut fault = Fault {
        position,
        segment,
        errors,
    };
    let claim_number = segment.element(1).trim();
    if claim_number.is_empty() || claim_number.chars().count() > MAX_REFERENCE_CHARS {
        fault.element(
            1,
            format_args!("(claim number) must be 1 to {MAX_REFERENCE_CHARS} characters"),
        );
    }
    let status = match segment.element(2) {
        "A" => Some(ReportedStatus::Acknowledged),
        "P" => fault
            .currency(4)
            .and_then(|c| fault.money(3, c))
            .and_then(|m| {
                if m.amount_minor() > 0 {
                    Some(ReportedStatus::Paid(m))
                } else {
                    fault.element(3, "(paid amount) must be above zero");
                    None
                }
            }),
        "D" => {
            let reason = segment.element(5).trim();
            if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
                fault.element(
                    5,
                    format_args!(
                        "(reason) is required to decline, at most {MAX_REASON_CHARS} characters"
                    ),
                );
                None
            } else {
                Some(ReportedStatus::Declined(reason.to_owned()))
            }
        }
        other => {
            fault.element(
                2,
                format_args!(
                    "(status) `{other}` is not A (acknowledged), P (paid) or D (declined)"
                ),
            );
            None
        }
    };
    match status {
        Some(status) if fault.errors.len() == before => Some(StatusReport {
            control_number: t.control_number.clone(),
            claim_number: claim_number.to_owned(),
            status,
        }),
        Some(_) | None => None,
    }
}
