//! The 920 (Loss or Damage Claim — General Commodities) of one claim, in
//! our profile: F01 claim identification, one F02 loop (the shipment) and
//! an F09 detail per line item. (The issue said "F11" for the claim
//! segment; F11 is the 926's status segment, so the 920 uses F01/F02/F09.)
//!
//! | segment | elements |
//! |---|---|
//! | F01 | 01 claim number, 02 filed on CCYYMMDD, 03 claimed amount, 04 currency, 05 claim type code |
//! | F02 | 01 carrier id, 02 tracking/PRO number, 03 ship date CCYYMMDD (empty when unknown) |
//! | F09 | 01 quantity, 02 `EA`, 03 unit value, 04 line total, 05 description, 06 SKU |
//!
//! Amounts are decimals with the currency's minor digits (`1250.00` USD).

use chrono::NaiveDate;
use recourse_money::{Currency, Money};

use super::{Group, Interchange, Segment, Transaction, X12Error};
use crate::claim::ClaimType;

/// What a 920 says about a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimFiling {
    pub claim_number: String,
    pub filed_on: NaiveDate,
    pub claimed: Money,
    pub claim_type: ClaimType,
    pub carrier: String,
    pub tracking_number: String,
    pub ship_date: Option<NaiveDate>,
    pub lines: Vec<FilingLine>,
}

/// One F09 detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilingLine {
    pub quantity: u32,
    pub unit_value: Money,
    pub description: String,
    pub sku: String,
}

/// Who sends to whom, when, under which interchange control number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub sender: (String, String),
    pub receiver: (String, String),
    pub at: chrono::NaiveDateTime,
    /// ISA13 and GS06; at most 999 999 999.
    pub control_number: u32,
    pub usage: char,
}

/// `minor` as a decimal with `digits` decimals: 125000, 2 → "1250.00".
pub fn decimal(minor: i64, digits: u32) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    if digits == 0 {
        return format!("{sign}{abs}");
    }
    let scale = 10u64.pow(digits);
    let width = digits as usize;
    format!("{sign}{}.{:0width$}", abs / scale, abs % scale)
}

/// A non-negative decimal with at most `digits` decimals, in minor units:
/// "1250.5", 2 → 125050. None for anything else.
pub fn parse_decimal(s: &str, digits: u32) -> Option<i64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits_only = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits_only(whole) || !digits_only(frac) {
        return None;
    }
    if frac.len() > digits as usize || whole.len() > 15 {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac_minor: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<width$}", width = digits as usize)
            .parse()
            .ok()?
    };
    whole
        .checked_mul(10i64.checked_pow(digits)?)?
        .checked_add(frac_minor)
}

fn money(m: Money) -> String {
    decimal(m.amount_minor(), m.currency().minor_digits())
}

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// The 920 transaction body of `filing`.
pub fn segments(filing: &ClaimFiling) -> Vec<Segment> {
    let mut out = vec![
        Segment::new(
            "F01",
            &[
                &filing.claim_number,
                &date(filing.filed_on),
                &money(filing.claimed),
                filing.claimed.currency().as_str(),
                filing.claim_type.code(),
            ],
        ),
        Segment::new(
            "F02",
            &[
                &filing.carrier,
                &filing.tracking_number,
                &filing.ship_date.map(date).unwrap_or_default(),
            ],
        ),
    ];
    for line in &filing.lines {
        let total = line
            .unit_value
            .amount_minor()
            .saturating_mul(i64::from(line.quantity));
        out.push(Segment::new(
            "F09",
            &[
                &line.quantity.to_string(),
                "EA",
                &money(line.unit_value),
                &decimal(total, line.unit_value.currency().minor_digits()),
                &line.description,
                &line.sku,
            ],
        ));
    }
    out
}

/// The whole interchange: one GC group with one 920 (ST02 `0001`).
pub fn interchange(filing: &ClaimFiling, envelope: &Envelope) -> Interchange {
    Interchange {
        sender: envelope.sender.clone(),
        receiver: envelope.receiver.clone(),
        date: envelope.at.format("%y%m%d").to_string(),
        time: envelope.at.format("%H%M").to_string(),
        control_number: envelope.control_number,
        usage: envelope.usage,
        groups: vec![Group {
            functional_id: "GC".into(),
            sender: envelope.sender.1.clone(),
            receiver: envelope.receiver.1.clone(),
            date: envelope.at.format("%Y%m%d").to_string(),
            time: envelope.at.format("%H%M").to_string(),
            control_number: envelope.control_number,
            version: "005010".into(),
            transactions: vec![Transaction {
                set_id: "920".into(),
                control_number: "0001".into(),
                segments: segments(filing),
            }],
        }],
    }
}

/// Errors of one segment at `position` in the file.
pub(super) struct Fault<'a> {
    pub position: usize,
    pub segment: &'a Segment,
    pub errors: &'a mut Vec<X12Error>,
}

impl Fault<'_> {
    pub fn element(&mut self, n: usize, reason: impl std::fmt::Display) {
        self.errors.push(X12Error {
            position: self.position,
            segment: self.segment.id.clone(),
            reason: format!("element {n} {reason}"),
        });
    }

    pub fn date(&mut self, n: usize) -> Option<NaiveDate> {
        let v = self.segment.element(n);
        let d = NaiveDate::parse_from_str(v, "%Y%m%d").ok();
        if d.is_none() {
            self.element(n, format_args!("`{v}` is not a CCYYMMDD date"));
        }
        d
    }

    pub fn money(&mut self, n: usize, currency: Currency) -> Option<Money> {
        let v = self.segment.element(n);
        let m = parse_decimal(v, currency.minor_digits()).map(|m| Money::new(m, currency));
        if m.is_none() {
            self.element(
                n,
                format_args!(
                    "`{v}` is not an amount with at most {} decimals",
                    currency.minor_digits()
                ),
            );
        }
        m
    }

    pub fn currency(&mut self, n: usize) -> Option<Currency> {
        let v = self.segment.element(n);
        let c = Currency::parse(v).ok();
        if c.is_none() {
            self.element(n, format_args!("`{v}` is not a currency code"));
        }
        c
    }
}

/// Reads a 920 body back (the segments after ST, whose first body segment
/// is at `first_position` in the file).
pub fn read(
    transaction: &Transaction,
    first_position: usize,
) -> Result<ClaimFiling, Vec<X12Error>> {
    let mut errors = Vec::new();
    let mut f01 = None;
    let mut f02 = None;
    let mut lines = Vec::new();
    for (i, segment) in transaction.segments.iter().enumerate() {
        let mut fault = Fault {
            position: first_position + i,
            segment,
            errors: &mut errors,
        };
        match segment.id.as_str() {
            "F01" => {
                let filed_on = fault.date(2);
                let currency = fault.currency(4);
                let claimed = currency.and_then(|c| fault.money(3, c));
                let claim_type = ClaimType::from_code(segment.element(5));
                if claim_type.is_none() {
                    fault.element(5, "is not a claim type code");
                }
                f01 = Some((filed_on, claimed, claim_type, currency));
            }
            "F02" => {
                let ship = segment.element(3);
                let ship_date = if ship.is_empty() { None } else { fault.date(3) };
                f02 = Some((segment.element(1), segment.element(2), ship_date));
            }
            "F09" => {
                let quantity = segment.element(1).parse::<u32>().ok();
                if quantity.is_none() {
                    fault.element(1, "is not a quantity");
                }
                let currency = f01.as_ref().and_then(|f| f.3);
                let unit = currency.and_then(|c| fault.money(3, c));
                if let (Some(quantity), Some(unit_value)) = (quantity, unit) {
                    lines.push(FilingLine {
                        quantity,
                        unit_value,
                        description: segment.element(5).to_owned(),
                        sku: segment.element(6).to_owned(),
                    });
                }
            }
            _ => {}
        }
    }
    let f01_segment = transaction.segments.iter().find(|s| s.id == "F01");
    match (f01, f02, f01_segment) {
        (
            Some((Some(filed_on), Some(claimed), Some(claim_type), _)),
            Some((carrier, tracking, ship_date)),
            Some(f01),
        ) if errors.is_empty() => Ok(ClaimFiling {
            claim_number: f01.element(1).to_owned(),
            filed_on,
            claimed,
            claim_type,
            carrier: carrier.to_owned(),
            tracking_number: tracking.to_owned(),
            ship_date,
            lines,
        }),
        _ => {
            if errors.is_empty() {
                errors.push(X12Error {
                    position: first_position.saturating_sub(1),
                    segment: "ST".into(),
                    reason: "a 920 needs an F01 and an F02".into(),
                });
            }
            Err(errors)
        }
    }
}
