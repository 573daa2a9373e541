//! Huge amounts: bounded at the API (10^12 minor units per amount, per
//! claim total, per remittance), and reported — never INTERNAL, never
//! wrapped — when rows stored before the bound overflow a sum of the
//! reconciliation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;
use crate::reconciliation::remittance;

use chrono::Utc;
use common::{TestApp, World, claim_request, kind_of, spawn_app, violated_fields};
use recourse_platform::auth::Role;
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

backend_tests!(huge_amounts_are_refused_at_the_api_and_old_overflowing_rows_reported);

async fn huge_amounts_are_refused_at_the_api_and_old_overflowing_rows_reported(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let shipment = app.shipped(&world, "BIG", 5, false).await;
    let mut internal = app.claims(Role::Internal);
    // The maximum is 10^12 minor units per amount.
    let err = internal
        .create_claim(claim_request(
            "big",
            &shipment,
            cpb::ClaimType::Loss,
            1,
            1_000_000_000_001,
        ))
        .await
        .unwrap_err();
    assert_eq!(
        violated_fields(&err),
        ["claim.line_items[0].unit_value.amount_minor"]
    );
    // 3 × 400,000,000,000 = 1.2 × 10^12: each line fits, the total does not.
    let err = internal
        .create_claim(claim_request(
            "many",
            &shipment,
            cpb::ClaimType::Loss,
            3,
            400_000_000_000,
        ))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["claim.line_items"]);
    let mut finance = app.recoveries(Role::Finance);
    let t = Utc::now().date_naive();
    let err = finance
        .record_remittance(remittance(
            &world,
            "HUGE",
            t,
            6_000_000_000_000_000_000,
            vec![],
        ))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["remittance.amount.amount_minor"]);
    let csv = format!(
        "carrier,kind,reference,invoice_reference,date,currency,amount_minor,claim,tracking_number,line_amount_minor\n\
         {},PAYMENT,HUGE,,{t},USD,9000000000000000000,,BIG,1\n",
        world.carrier
    );
    let imported = finance
        .import_remittances(tokio_stream::iter([pb::ImportRemittancesRequest {
            csv: csv.into_bytes(),
        }]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(imported.imported_rows, 0);
    assert!(
        imported.errors[0].message.contains("at most 1000000000000"),
        "{imported:?}"
    );

    // Rows stored before the bound (written straight into the table): two
    // remittances of 6 × 10^18 add up past i64::MAX (≈ 9.22 × 10^18). The
    // reconciliation reports which sum overflowed instead of crashing.
    insert_old_remittance(&app, &world, "OLD-1", 6_000_000_000_000_000_000).await;
    insert_old_remittance(&app, &world, "OLD-2", 6_000_000_000_000_000_000).await;
    let err = finance
        .get_reconciliation(pb::GetReconciliationRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
    assert_eq!(kind_of(&err), "AMOUNT_OVERFLOW");
    assert!(err.message().contains("unallocated_remittances"), "{err:?}");
}

async fn insert_old_remittance(app: &TestApp, world: &World, reference: &str, amount: i64) {
    use sea_orm::{ConnectionTrait as _, DbBackend, Statement};
    let backend = app.claims_db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "INSERT INTO remittances (id, carrier_id, kind, reference, invoice_reference, \
             remittance_date, amount_minor, currency, created_at) \
             VALUES ($1, $2, 'REMITTANCE_KIND_PAYMENT', $3, '', $4, $5, 'USD', $6)"
        }
        _ => {
            "INSERT INTO remittances (id, carrier_id, kind, reference, invoice_reference, \
             remittance_date, amount_minor, currency, created_at) \
             VALUES (?, ?, 'REMITTANCE_KIND_PAYMENT', ?, '', ?, ?, 'USD', ?)"
        }
    };
    let now = Utc::now();
    app.claims_db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                uuid::Uuid::now_v7().to_string().into(),
                world.carrier.trim_start_matches("carriers/").into(),
                reference.into(),
                now.date_naive().into(),
                amount.into(),
                now.into(),
            ],
        ))
        .await
        .expect("insert an old remittance");
}
