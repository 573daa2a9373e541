//! Invoice input bounds through real gRPC on SQLite and PostgreSQL: a bad
//! header names every field at fault, a wrong header row or a file over
//! the row bound is refused whole, bad cells are line errors naming the
//! column while good lines are kept.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;
use crate::invoices::setup;

use common::{INVOICE_CSV_HEADER, day, import_invoice, invoice_header, spawn_app, violated_fields};
use recourse_platform::auth::Role;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

backend_tests!(
    bad_headers_and_files_are_refused_naming_the_field,
    a_file_over_200_000_rows_is_refused_whole,
);

async fn bad_headers_and_files_are_refused_naming_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let (carrier, _) = setup(&app).await;
    let mut finance = app.invoices(Role::Finance);
    let mut bad = invoice_header(&carrier, "", 100);
    bad.invoice_date = day(1999, 1, 1);
    bad.currency_code = "usd".into();
    let err = import_invoice(&mut finance, bad, INVOICE_CSV_HEADER, 4_096)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(
        violated_fields(&err),
        [
            "header.invoice_number",
            "header.invoice_date",
            "header.currency_code"
        ]
    );
    let err = import_invoice(
        &mut finance,
        invoice_header(&carrier, &"N".repeat(65), 100),
        INVOICE_CSV_HEADER,
        4_096,
    )
    .await
    .unwrap_err();
    assert_eq!(violated_fields(&err), ["header.invoice_number"]);
    // No header message at all.
    let err = finance
        .import_invoice(tokio_stream::iter(Vec::<pb::ImportInvoiceRequest>::new()))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["header"]);
    // A file whose header row is not the documented one.
    let err = import_invoice(
        &mut finance,
        invoice_header(&carrier, "INV-X", 100),
        "tracking,total\nT1,100\n",
        4_096,
    )
    .await
    .unwrap_err();
    assert_eq!(violated_fields(&err), ["csv"]);
    // Another carrier's name for a partner would be NOT_FOUND; for finance
    // a malformed one is INVALID_ARGUMENT.
    let err = import_invoice(
        &mut finance,
        invoice_header("carriers/nope", "INV-X", 100),
        INVOICE_CSV_HEADER,
        4_096,
    )
    .await
    .unwrap_err();
    assert_eq!(violated_fields(&err), ["header.carrier"]);
    // Bad cells are line errors naming the column; the good line is kept.
    let answer = import_invoice(
        &mut finance,
        invoice_header(&carrier, "INV-Y", 1_125),
        &format!(
            "{INVOICE_CSV_HEADER}T1,2026-11-02,GROUND,2,3,lb,1000,FUEL=125,1125\n\
             T2,2026-11-02,GROUND,2,3,oz,1000,,1125\n\
             T3,2026-11-02,GROUND,2,3,lb,-5,,1125\n\
             T4,2026-11-02,GROUND,2,3,lb,1000,FUEL:12,1125\n\
             T5,2026-11-02,GROUND,2,3,lb,1000,,1000000000001\n\
             T6,2026-11-02\n"
        ),
        4_096,
    )
    .await
    .unwrap();
    let messages: Vec<(u64, &str)> = answer
        .errors
        .iter()
        .map(|e| (e.line, e.message.split(':').next().unwrap()))
        .collect();
    assert_eq!(
        messages,
        [
            (3, "weight_unit"),
            (4, "base_minor"),
            (5, "surcharges"),
            (6, "total_minor"),
            (7, "has 2 columns, not 9")
        ]
    );
    assert_eq!(answer.invoice.unwrap().line_count, 1);
}

/// 200,001 rows (one more than the bound) are refused before anything is
/// written. (A file at the bound imports like the year-sized one in
/// `invoice_volume`, only longer: not repeated here.)
async fn a_file_over_200_000_rows_is_refused_whole(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let mut finance = app.invoices(Role::Finance);
    let row = "X,2026-11-02,GROUND,,,,,,1\n";
    let mut csv = String::from(INVOICE_CSV_HEADER);
    csv.push_str(&row.repeat(200_001));
    let err = import_invoice(
        &mut finance,
        invoice_header(&carrier, "BIG+1", 200_001),
        &csv,
        1024 * 1024,
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(violated_fields(&err), ["csv"]);
    assert!(err.message().contains("200000"), "{err:?}");
    let err = finance
        .get_invoice(pb::GetInvoiceRequest {
            name: "invoices/0190f3a0-0000-7000-8000-000000000000".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    // Nothing was stored under the number: the corrected file imports.
    let answer = import_invoice(
        &mut finance,
        invoice_header(&carrier, "BIG+1", 1),
        &format!("{INVOICE_CSV_HEADER}{row}"),
        1024,
    )
    .await
    .unwrap();
    assert!(!answer.replayed);
    assert_eq!(answer.invoice.unwrap().line_count, 1);
}
