//! The 920 and 926 mappings: a 920 round trip and malformed 926s.

use chrono::NaiveDate;
use recourse_money::{Currency, Money};

use super::claim920::{self, ClaimFiling, Envelope, FilingLine, decimal, parse_decimal};
use super::status926::{ReportedStatus, StatusReport, reports};
use super::*;
use crate::claim::ClaimType;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn filing() -> ClaimFiling {
    ClaimFiling {
        claim_number: "CLM-2026-000123".into(),
        filed_on: day(2026, 11, 20),
        // 2 × 25.00 + 1 × 12.50 = 62.50
        claimed: Money::new(6_250, Currency::USD),
        claim_type: ClaimType::Damage,
        carrier: "acme".into(),
        tracking_number: "1Z999".into(),
        ship_date: Some(day(2026, 11, 2)),
        lines: vec![
            FilingLine {
                quantity: 2,
                unit_value: Money::new(2_500, Currency::USD),
                description: "Ceramic vase".into(),
                sku: "VASE-1".into(),
            },
            FilingLine {
                quantity: 1,
                unit_value: Money::new(1_250, Currency::USD),
                description: "Lamp".into(),
                sku: "LAMP-2".into(),
            },
        ],
    }
}

fn envelope() -> Envelope {
    Envelope {
        sender: ("ZZ".into(), "RECOURSE".into()),
        receiver: ("ZZ".into(), "ACME".into()),
        at: day(2026, 11, 23).and_hms_opt(18, 5, 0).unwrap(),
        control_number: 42,
        usage: 'P',
    }
}

#[test]
fn decimals_follow_the_currency_minor_digits() {
    assert_eq!(decimal(6_250, 2), "62.50");
    assert_eq!(decimal(5, 2), "0.05");
    assert_eq!(decimal(1_000, 0), "1000");
    assert_eq!(parse_decimal("62.5", 2), Some(6_250));
    assert_eq!(parse_decimal("62", 2), Some(6_200));
    assert_eq!(parse_decimal("62.505", 2), None);
    assert_eq!(parse_decimal("-1", 2), None);
    assert_eq!(parse_decimal("1e3", 2), None);
    assert_eq!(parse_decimal("", 2), None);
    assert_eq!(parse_decimal("9999999999999999", 2), None);
}

#[test]
fn a_920_round_trips_through_the_envelope() {
    let text = write(&claim920::interchange(&filing(), &envelope()));
    assert!(text.contains("ST*920*0001~"), "{text}");
    assert!(
        text.contains("F01*CLM-2026-000123*20261120*62.50*USD*DAMAGE~"),
        "{text}"
    );
    assert!(text.contains("F02*acme*1Z999*20261102~"), "{text}");
    // 2 × 25.00 = 50.00 on the first line.
    assert!(
        text.contains("F09*2*EA*25.00*50.00*Ceramic vase*VASE-1~"),
        "{text}"
    );
    // ST, F01, F02, F09, F09, SE = 6.
    assert!(text.contains("SE*6*0001~"), "{text}");
    let read = parse(&text).unwrap();
    assert_eq!(read, claim920::interchange(&filing(), &envelope()));
    assert_eq!(read.control_number, 42);
    let t = &read.groups[0].transactions[0];
    // ISA 1, GS 2, ST 3: the body starts at 4.
    assert_eq!(claim920::read(t, 4), Ok(filing()));
}

#[test]
fn a_920_without_a_ship_date_leaves_f02_03_empty() {
    let mut f = filing();
    f.ship_date = None;
    let text = write(&claim920::interchange(&f, &envelope()));
    assert!(text.contains("F02*acme*1Z999*~"), "{text}");
    let read = parse(&text).unwrap();
    assert_eq!(claim920::read(&read.groups[0].transactions[0], 4), Ok(f));
}

/// A 926 interchange with one transaction set per body.
fn file_926(bodies: &[&[Segment]]) -> String {
    let transactions = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| Transaction {
            set_id: "926".into(),
            control_number: format!("{:04}", i + 1),
            segments: body.to_vec(),
        })
        .collect();
    write(&Interchange {
        sender: ("ZZ".into(), "ACME".into()),
        receiver: ("ZZ".into(), "RECOURSE".into()),
        date: "261123".into(),
        time: "1805".into(),
        control_number: 7,
        usage: 'P',
        groups: vec![Group {
            functional_id: "GC".into(),
            sender: "ACME".into(),
            receiver: "RECOURSE".into(),
            date: "20261123".into(),
            time: "1805".into(),
            control_number: 7,
            version: "005010".into(),
            transactions,
        }],
    })
}

#[test]
fn a_926_reports_acknowledged_paid_and_declined() {
    let text = file_926(&[
        &[Segment::new("F11", &["CLM-2026-000001", "A"])],
        &[
            Segment::new("N9", &["CN", "X"]),
            Segment::new("F11", &["CLM-2026-000002", "P", "40.5", "USD"]),
        ],
        &[Segment::new(
            "F11",
            &["CLM-2026-000003", "D", "", "", "packaging inadequate"],
        )],
    ]);
    let got = reports(&parse(&text).unwrap()).unwrap();
    assert_eq!(
        got,
        vec![
            StatusReport {
                control_number: "0001".into(),
                claim_number: "CLM-2026-000001".into(),
                status: ReportedStatus::Acknowledged,
            },
            StatusReport {
                control_number: "0002".into(),
                claim_number: "CLM-2026-000002".into(),
                // 40.5 USD = 4 050 cents.
                status: ReportedStatus::Paid(Money::new(4_050, Currency::USD)),
            },
            StatusReport {
                control_number: "0003".into(),
                claim_number: "CLM-2026-000003".into(),
                status: ReportedStatus::Declined("packaging inadequate".into()),
            },
        ]
    );
}

fn errors_of(bodies: &[&[Segment]]) -> Vec<String> {
    let text = file_926(bodies);
    reports(&parse(&text).unwrap())
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn malformed_926s_name_segment_and_element() {
    // ISA 1, GS 2, ST 3, F11 4, SE 5, ST 6, N9 7, F11 8, SE 9, ST 10, SE 11.
    let errors = errors_of(&[
        &[Segment::new("F11", &["CLM-1", "X"])],
        &[
            Segment::new("N9", &["CN"]),
            Segment::new("F11", &["CLM-2", "P", "12.345", "USD"]),
        ],
        &[],
    ]);
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[0].starts_with("segment 4 (F11): element 2 (status) `X`"),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("segment 8 (F11): element 3 `12.345`"),
        "{errors:?}"
    );
    assert_eq!(
        errors[2],
        "segment 11 (SE): transaction set 0003 has no F11 segment"
    );

    let errors = errors_of(&[&[Segment::new("F11", &["CLM-1", "D"])]]);
    assert!(
        errors[0].starts_with("segment 4 (F11): element 5 (reason) is required"),
        "{errors:?}"
    );
    let errors = errors_of(&[&[Segment::new("F11", &["", "A"])]]);
    assert!(
        errors[0].starts_with("segment 4 (F11): element 1"),
        "{errors:?}"
    );
    let errors = errors_of(&[&[Segment::new("F11", &["CLM-1", "P", "10.00", "usd"])]]);
    assert!(
        errors[0].starts_with("segment 4 (F11): element 4"),
        "{errors:?}"
    );
    let errors = errors_of(&[&[Segment::new("F11", &["CLM-1", "P", "0", "USD"])]]);
    assert!(errors[0].contains("element 3 (paid amount)"), "{errors:?}");
    let errors = errors_of(&[&[
        Segment::new("F11", &["CLM-1", "A"]),
        Segment::new("F11", &["CLM-1", "A"]),
    ]]);
    assert_eq!(
        errors,
        vec!["segment 5 (F11): a transaction set carries one F11"]
    );
}

#[test]
fn a_920_is_not_a_926() {
    let text = write(&claim920::interchange(&filing(), &envelope()));
    let errors = reports(&parse(&text).unwrap()).unwrap_err();
    assert_eq!(
        errors[0].to_string(),
        "segment 3 (ST): element 1 is `920`, expected 926"
    );
}
