//! A year of one account's parcels on one invoice file: every line
//! audited with the findings a hand calculation expects, and the audit's
//! cost against recording the same file without it (`record_only`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::fmt::Write as _;
use std::time::Instant;

use crate::common;

use chrono::Duration;
use common::{
    INVOICE_CSV_HEADER, at, day, event, import_invoice, ingest, invoice_header, shipment,
    spawn_app, usd,
};
use futures::StreamExt as _;
use recourse_platform::auth::Role;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};

use pb::TrackingEventType::PickedUp;

backend_tests!(a_year_of_lines_is_audited_as_a_hand_calculation_expects);

/// Parcels in the year (about a hundred a week).
const N: usize = 5_000;

/// Shipments P00000.. of 2026 (GROUND, zone 2, 3 lb billable: 11.25 as
/// contracted), shipped on day `i % 300` of the year; every one scanned
/// but each `i % 50 == 49`. The invoice bills each once, then re-bills
/// P00000..P00099:
/// - `i % 10 == 3`: an unrequested RESIDENTIAL 4.95 (11.25 + 4.95 =
///   16.20) — 500 lines × 4.95 = 2,475.00 at stake;
/// - `i % 25 == 7`: zone 5, base 12.00, fuel 1.50 (13.50) — 200 lines ×
///   2.25 = 450.00;
/// - `i % 50 == 49`: never scanned, billed 11.25 — 100 lines × 11.25 =
///   1,125.00 (the three patterns never meet: 3 mod 10, 7 or 32 mod 50,
///   and 49 mod 50 are distinct classes);
/// - the 100 re-billed lines (11.25 each) are duplicates: 1,125.00.
///
/// At stake 2,475.00 + 450.00 + 1,125.00 + 1,125.00 = 5,175.00 on 900
/// lines; lines total 5,000 × 11.25 + 500 × 4.95 + 200 × 2.25 + 100 ×
/// 11.25 = 56,250.00 + 2,475.00 + 450.00 + 1,125.00 = 60,300.00.
async fn a_year_of_lines_is_audited_as_a_hand_calculation_expects(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let other = app.carrier("BASELINE").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let shipped = |i: usize| at(2026, 1, 1, 9, 0) + Duration::days((i % 300) as i64);
    futures::stream::iter(0..N)
        .map(|i| app.register(shipment(&carrier, &format!("P{i:05}"), shipped(i))))
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    let scans: Vec<pb::TrackingEvent> = (0..N)
        .filter(|i| i % 50 != 49)
        .map(|i| {
            let t = format!("P{i:05}");
            event(
                &format!("pu-{t}"),
                &t,
                PickedUp,
                shipped(i) + Duration::hours(1),
            )
        })
        .collect();
    let batches = scans.chunks(1_000).map(<[_]>::to_vec).collect();
    ingest(&mut app.shipments(Role::Internal), &carrier, batches)
        .await
        .unwrap();

    let mut csv = String::from(INVOICE_CSV_HEADER);
    let ship_date = |i: usize| shipped(i).date_naive().format("%Y-%m-%d").to_string();
    for i in 0..N {
        let d = ship_date(i);
        let line = if i % 10 == 3 {
            format!("P{i:05},{d},GROUND,2,3,lb,1000,FUEL=125;RESIDENTIAL=495,1620")
        } else if i % 25 == 7 {
            format!("P{i:05},{d},GROUND,5,3,lb,1200,FUEL=150,1350")
        } else {
            format!("P{i:05},{d},GROUND,2,3,lb,1000,FUEL=125,1125")
        };
        writeln!(csv, "{line}").unwrap();
    }
    for i in 0..100 {
        writeln!(
            csv,
            "P{i:05},{},GROUND,2,3,lb,1000,FUEL=125,1125",
            ship_date(i)
        )
        .unwrap();
    }

    let mut client = app.invoices(Role::Finance);
    // The baseline: the same file recorded without audit (another
    // carrier, so its lines are nobody's first billing here).
    let mut plain = invoice_header(&other, "YEAR", 6_030_000);
    plain.record_only = true;
    let started = Instant::now();
    let recorded = import_invoice(&mut client, plain, &csv, 64 * 1024)
        .await
        .unwrap();
    let record_time = started.elapsed();
    assert_eq!(recorded.invoice.unwrap().line_count, (N + 100) as u64);

    let started = Instant::now();
    let answer = import_invoice(
        &mut client,
        invoice_header(&carrier, "YEAR", 6_030_000),
        &csv,
        64 * 1024,
    )
    .await
    .unwrap();
    let audit_time = started.elapsed();
    println!(
        "{N} + 100 lines: recorded in {record_time:?}, audited in {audit_time:?} ({:.2}×)",
        audit_time.as_secs_f64() / record_time.as_secs_f64()
    );
    assert_eq!(answer.error_count, 0);
    let invoice = answer.invoice.unwrap();
    assert_eq!(invoice.line_count, (N + 100) as u64);
    assert_eq!(invoice.lines_total, usd(6_030_000));
    assert_eq!(invoice.lines_with_findings, 900);
    assert_eq!(invoice.amount_at_stake, usd(517_500));
}
