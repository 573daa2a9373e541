//! Carrier invoices through real gRPC on SQLite and PostgreSQL: a file
//! audited line by line with the findings a hand calculation expects,
//! per-line errors that keep the good lines, re-imports replayed or
//! refused, duplicates across invoices, the shipments' billing facts,
//! partners seeing only their own carrier's invoices, and racing imports.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use common::{
    INVOICE_CSV_HEADER, at, day, event, import_invoice, ingest, invoice_header, shipment,
    spawn_app, usd,
};
use recourse_platform::auth::Role;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::FindingCause as C;
use pb::TrackingEventType::{Delivered, PickedUp};

backend_tests!(
    an_invoice_is_audited_with_the_findings_a_hand_calculation_expects,
    a_reimport_is_replayed_or_refused_and_a_later_invoice_billing_again_is_a_duplicate,
    partners_read_only_their_own_carriers_invoices,
    racing_imports_bill_a_parcel_once_and_store_an_invoice_once,
);

/// The standard contract and shipments T1..T7 of 2 Nov 2026 (GROUND, zone
/// 2, 2 lb in a 10×8×4 in box: DIM 320 ÷ 139 = 2.302 → 3 lb billable;
/// base 10.00, fuel 12.5 % = 1.25, total 11.25), all scanned but T3; T2
/// asked for a signature; T5 is NEXT_DAY (guaranteed, due Tue 3 Nov 10:30)
/// delivered 12:05, 95 minutes late.
pub async fn setup(app: &common::TestApp) -> (String, Vec<pb::Shipment>) {
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let mut out = Vec::new();
    for t in ["T1", "T2", "T3", "T4", "T5", "T7"] {
        let mut s = shipment(&carrier, t, at(2026, 11, 2, 9, 0));
        if t == "T2" {
            s.requested_services = vec!["SIGNATURE".into()];
        }
        if t == "T5" {
            s.service_level = "NEXT_DAY".into();
        }
        out.push(app.register(s).await);
    }
    let mut events: Vec<pb::TrackingEvent> = ["T1", "T2", "T4", "T5", "T7"]
        .iter()
        .map(|t| event(&format!("pu-{t}"), t, PickedUp, at(2026, 11, 2, 9, 30)))
        .collect();
    events.push(event("dl-T5", "T5", Delivered, at(2026, 11, 3, 12, 5)));
    ingest(&mut app.shipments(Role::Internal), &carrier, vec![events])
        .await
        .unwrap();
    (carrier, out)
}

const INV1: &str = "\
T1,2026-11-02,GROUND,2,3,lb,1000,FUEL=125,1125
T2,2026-11-02,GROUND,2,3,lb,1000,FUEL=125;SIGNATURE=300;RESIDENTIAL=495,1920
T3,2026-11-02,GROUND,2,3,lb,1000,FUEL=125,1125
T4,2026-11-02,GROUND,5,3,lb,1200,FUEL=150,1350
T5,2026-11-02,NEXT_DAY,2,3,lb,1000,FUEL=125,1125
T1,2026-11-02,GROUND,2,3,lb,1000,FUEL=125,1125
NOPE,2026-11-02,GROUND,2,3,lb,1000,FUEL=125,1125
T6,2026-13-01,GROUND,2,3,lb,1000,FUEL=125,1125
T7,2026-11-02,GROUND,2,7,lb,1800,FUEL=225,2025
";

fn findings(line: &pb::InvoiceLine) -> Vec<(C, &str, i64)> {
    line.findings
        .iter()
        .map(|f| {
            (
                f.cause(),
                f.code.as_str(),
                f.amount.as_ref().unwrap().amount_minor,
            )
        })
        .collect()
}

async fn all_lines(app: &common::TestApp, invoice: &str) -> Vec<pb::InvoiceLine> {
    let mut client = app.invoices(Role::Auditor);
    let mut out = Vec::new();
    let mut token = String::new();
    loop {
        let page = client
            .list_invoice_lines(pb::ListInvoiceLinesRequest {
                invoice: invoice.into(),
                page_size: 3,
                page_token: token,
                only_findings: false,
            })
            .await
            .unwrap()
            .into_inner();
        out.extend(page.lines);
        if page.next_page_token.is_empty() {
            return out;
        }
        token = page.next_page_token;
    }
}

async fn an_invoice_is_audited_with_the_findings_a_hand_calculation_expects(backend: Backend) {
    let app = spawn_app(backend).await;
    let (carrier, shipments) = setup(&app).await;
    let csv = format!("{INVOICE_CSV_HEADER}{INV1}");
    let answer = import_invoice(
        &mut app.invoices(Role::Finance),
        invoice_header(&carrier, "INV-1", 10_920),
        &csv,
        37,
    )
    .await
    .unwrap();
    // Line 9 (T6) has month 13: reported, the other eight stored.
    assert_eq!((answer.rows, answer.error_count), (9, 1));
    assert_eq!(answer.errors[0].line, 9);
    assert!(
        answer.errors[0].message.contains("ship_date"),
        "{:?}",
        answer.errors
    );
    assert!(!answer.replayed);
    let invoice = answer.invoice.unwrap();
    assert_eq!(invoice.line_count, 8);
    // 11.25 × 5 (T1, T3, T5, T1 again, NOPE) + 19.20 + 13.50 + 20.25
    // = 56.25 + 52.95 = 109.20, the printed total.
    assert_eq!(invoice.lines_total, usd(10_920));
    assert_eq!(invoice.lines_with_findings, 7);
    // At stake: 0 (T1) + 4.95 (T2) + 11.25 (T3) + 2.25 (T4) + 10.00 (T5)
    // + 11.25 (T1 again) + 0 (NOPE) + 9.00 (T7) = 48.70.
    assert_eq!(invoice.amount_at_stake, usd(4_870));

    let lines = all_lines(&app, &invoice.name).await;
    let numbers: Vec<u64> = lines.iter().map(|l| l.line).collect();
    assert_eq!(numbers, [2, 3, 4, 5, 6, 7, 8, 10]);
    let stake: Vec<i64> = lines
        .iter()
        .map(|l| l.amount_at_stake.as_ref().unwrap().amount_minor)
        .collect();
    assert_eq!(stake, [0, 495, 1_125, 225, 1_000, 1_125, 0, 900]);
    // T1: billed as contracted.
    assert!(lines[0].findings.is_empty());
    assert_eq!(lines[0].expected_total, usd(1_125));
    assert_eq!(lines[0].shipment, shipments[0].name);
    // T2: 10.00 + 1.25 + 3.00 (asked) + 4.95 RESIDENTIAL (not asked) =
    // 19.20 against 14.25: 4.95, once.
    assert_eq!(
        findings(&lines[1]),
        [
            (C::Surcharge, "RESIDENTIAL", 495),
            (C::UnrequestedAccessorial, "RESIDENTIAL", 0)
        ]
    );
    // T3: never scanned, nothing owed.
    assert_eq!(
        findings(&lines[2]),
        [(C::NeverHandedOver, "NO_SCAN", 1_125)]
    );
    // T4: zone 5 billed for a zone-2 lane: base 12.00 − 10.00 = 2.00, fuel
    // 1.50 − 1.25 = 0.25; 13.50 − 11.25 = 2.25 at stake.
    assert_eq!(
        findings(&lines[3]),
        [
            (C::Zone, "ZONE", 0),
            (C::BaseRate, "BASE", 200),
            (C::Surcharge, "FUEL", 25)
        ]
    );
    // T5: 95 minutes late on a guarantee: the contracted base 10.00 back;
    // owed 11.25 − 10.00 = 1.25, at stake 11.25 − 1.25 = 10.00.
    assert_eq!(findings(&lines[4]), [(C::LateGuaranteed, "LATE", 1_000)]);
    assert_eq!(lines[4].findings[0].billed, "95 minutes late");
    // T1 again: a duplicate of line 2.
    assert_eq!(findings(&lines[5]), [(C::Duplicate, "DUPLICATE", 1_125)]);
    assert!(lines[5].findings[0].expected.contains("INV-1 line 2"));
    // NOPE: no such shipment.
    assert_eq!(findings(&lines[6]), [(C::UnknownShipment, "UNKNOWN", 0)]);
    assert_eq!(lines[6].shipment, "");
    // T7: 7 lb billed for 3: base 18.00 − 10.00 = 8.00, fuel 2.25 − 1.25 =
    // 1.00; 20.25 − 11.25 = 9.00.
    assert_eq!(
        findings(&lines[7]),
        [
            (C::Weight, "WEIGHT", 0),
            (C::BaseRate, "BASE", 800),
            (C::Surcharge, "FUEL", 100)
        ]
    );
    // Only lines with findings.
    let only = app
        .invoices(Role::Finance)
        .list_invoice_lines(pb::ListInvoiceLinesRequest {
            invoice: invoice.name.clone(),
            only_findings: true,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(only.lines.len(), 7);

    // The shipments carry the invoice's date and charges now (T1 from its
    // first line, not the duplicate).
    let t1 = app
        .shipments(Role::Internal)
        .get_shipment(pb::GetShipmentRequest {
            name: shipments[0].name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(t1.invoice_date, day(2026, 11, 9));
    assert_eq!(t1.billed_charge, usd(1_125));
    assert_eq!(t1.billed_transportation_charge, usd(1_000));
    let fetched = app
        .invoices(Role::Auditor)
        .get_invoice(pb::GetInvoiceRequest {
            name: invoice.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(fetched, invoice);
    assert_eq!(fetched.received_date, day(2026, 11, 10));
    // Received 10 Nov 2026, the default 180 days (the terms say 0): 20 days
    // of November, 31, 31, 28, 31, 30 → 171, and 9 of May: 9 May 2027.
    assert_eq!(fetched.dispute_deadline, day(2027, 5, 9));
}

async fn a_reimport_is_replayed_or_refused_and_a_later_invoice_billing_again_is_a_duplicate(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (carrier, _) = setup(&app).await;
    let mut finance = app.invoices(Role::Finance);
    let csv = format!("{INVOICE_CSV_HEADER}{INV1}");
    let first = import_invoice(
        &mut finance,
        invoice_header(&carrier, "INV-1", 10_920),
        &csv,
        4_096,
    )
    .await
    .unwrap();
    // The same file again, in other chunks: the first answer, replayed.
    let again = import_invoice(
        &mut finance,
        invoice_header(&carrier, "INV-1", 10_920),
        &csv,
        5,
    )
    .await
    .unwrap();
    assert!(again.replayed);
    assert_eq!(again.invoice, first.invoice);
    assert_eq!(again.errors, first.errors);
    // Other content under the same number: refused, nothing doubled.
    let changed = csv.replace("1920", "1921");
    let err = import_invoice(
        &mut finance,
        invoice_header(&carrier, "INV-1", 10_921),
        &changed,
        4_096,
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists, "{err:?}");
    // INV-2 bills T2 again and T7 for the first time.
    let second = import_invoice(
        &mut finance,
        invoice_header(&carrier, "INV-2", 3_945),
        &format!(
            "{INVOICE_CSV_HEADER}T2,2026-11-02,GROUND,2,3,lb,1000,FUEL=125;SIGNATURE=300,1425\n\
             T7,2026-11-02,GROUND,2,3,lb,1000,FUEL=125,1125\n"
        ),
        4_096,
    )
    .await
    .unwrap();
    let lines = all_lines(&app, &second.invoice.as_ref().unwrap().name).await;
    assert_eq!(findings(&lines[0]), [(C::Duplicate, "DUPLICATE", 1_425)]);
    assert!(lines[0].findings[0].expected.contains("INV-1 line 3"));
    // T7 was on INV-1 too (line 10): also a duplicate.
    assert_eq!(findings(&lines[1]), [(C::Duplicate, "DUPLICATE", 1_125)]);
    assert_eq!(second.invoice.unwrap().amount_at_stake, usd(2_550));
}

async fn partners_read_only_their_own_carriers_invoices(backend: Backend) {
    let app = spawn_app(backend).await;
    let (carrier, _) = setup(&app).await;
    let other = app.carrier("OTHER").await;
    let imported = import_invoice(
        &mut app.invoices(Role::Finance),
        invoice_header(&carrier, "INV-1", 10_920),
        &format!("{INVOICE_CSV_HEADER}{INV1}"),
        4_096,
    )
    .await
    .unwrap();
    let name = imported.invoice.unwrap().name;
    let get = |name: &str| pb::GetInvoiceRequest { name: name.into() };
    // Its own carrier reads it.
    app.partner_invoices(&carrier)
        .get_invoice(get(&name))
        .await
        .unwrap();
    // Another carrier gets the answer of a made-up name.
    let made_up = "invoices/0190f3a0-0000-7000-8000-000000000000";
    let mut partner = app.partner_invoices(&other);
    let real = partner.get_invoice(get(&name)).await.unwrap_err();
    let fake = partner.get_invoice(get(made_up)).await.unwrap_err();
    assert_eq!((real.code(), fake.code()), (Code::NotFound, Code::NotFound));
    assert_eq!(
        real.message().replace(&name, "X"),
        fake.message().replace(made_up, "X")
    );
    let err = partner
        .list_invoice_lines(pb::ListInvoiceLinesRequest {
            invoice: name.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    // Carriers and 3PLs do not import.
    let err = import_invoice(
        &mut app.partner_invoices(&carrier),
        invoice_header(&carrier, "INV-9", 0),
        INVOICE_CSV_HEADER,
        4_096,
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
}

async fn racing_imports_bill_a_parcel_once_and_store_an_invoice_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (carrier, _) = setup(&app).await;
    // 20 invoices, each billing T1: exactly one is its first billing.
    let line = "T1,2026-11-02,GROUND,2,3,lb,1000,FUEL=125,1125\n";
    let csv = format!("{INVOICE_CSV_HEADER}{line}");
    let mut tasks = Vec::new();
    for i in 0..20 {
        let mut client = app.invoices(Role::Finance);
        let csv = csv.clone();
        let header = invoice_header(&carrier, &format!("R-{i}"), 1_125);
        tasks.push(tokio::spawn(async move {
            import_invoice(&mut client, header, &csv, 4_096).await
        }));
    }
    let mut first_billings = 0;
    for task in tasks {
        let answer = task.await.unwrap().unwrap();
        let invoice = answer.invoice.unwrap();
        if invoice.amount_at_stake == usd(0) {
            first_billings += 1;
        } else {
            assert_eq!(invoice.amount_at_stake, usd(1_125), "a duplicate");
        }
    }
    assert_eq!(first_billings, 1);
    // 20 identical imports of one invoice: one stored, 19 replays.
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let mut client = app.invoices(Role::Finance);
        let csv = format!("{INVOICE_CSV_HEADER}{INV1}");
        let header = invoice_header(&carrier, "SAME", 10_920);
        tasks.push(tokio::spawn(async move {
            import_invoice(&mut client, header, &csv, 4_096).await
        }));
    }
    let mut names = std::collections::HashSet::new();
    let mut fresh = 0;
    for task in tasks {
        let answer = task.await.unwrap().unwrap();
        fresh += usize::from(!answer.replayed);
        names.insert(answer.invoice.unwrap().name);
    }
    assert_eq!((fresh, names.len()), (1, 1));
}
