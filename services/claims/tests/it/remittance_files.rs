//! The sample remittance file of the docs (`docs/samples/remittances.csv`,
//! explained in docs/rules.md "Remittance files") imported as written —
//! only its sample carrier id and claim number swapped for the ones this
//! test created — with the outcome the docs promise; and who may read
//! remittances, as the proto says: admin, finance and auditor, nobody else.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;
use crate::recoveries::approved;

use common::spawn_app;
use recourse_platform::auth::Role;
use recourse_proto::claims as pb;
use recourse_proto::claims::recovery_service_client::RecoveryServiceClient;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::ClaimStatus as S;

backend_tests!(
    the_sample_remittance_file_imports_as_the_docs_say,
    remittances_are_read_by_admin_finance_and_auditors_only,
);

const SAMPLE_CARRIER: &str = "01930000-0000-7000-8000-00000000cafe";
const SAMPLE_CLAIM: &str = "CLM-2026-000001";

fn amount(m: &Option<recourse_proto::common::Money>) -> i64 {
    m.as_ref().map_or(0, |m| m.amount_minor)
}

async fn the_sample_remittance_file_imports_as_the_docs_say(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    // Claim 1 approved for 80.00 (named by number in the file), and the
    // parcel 1ZSAMPLE0002's claim approved for 45.00 (named by tracking).
    let first = approved(&app, &world, "S1", 1, 8_000, 8_000).await;
    let second = approved(&app, &world, "1ZSAMPLE0002", 1, 4_500, 4_500).await;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/samples/remittances.csv"
    );
    let sample = std::fs::read_to_string(path).unwrap();
    let file = sample
        .replace(
            SAMPLE_CARRIER,
            world.carrier.trim_start_matches("carriers/"),
        )
        .replace(SAMPLE_CLAIM, &first.number);
    let answer = app
        .recoveries(Role::Finance)
        .import_remittances(tokio_stream::iter([pb::ImportRemittancesRequest {
            csv: file.into_bytes(),
        }]))
        .await
        .unwrap()
        .into_inner();
    // 4 rows, 3 remittances, every row recorded (an unmatched line is
    // recorded too: it waits for AllocateRemittance).
    assert_eq!((answer.rows, answer.imported_rows), (4, 4), "{answer:?}");
    assert!(
        answer.errors.is_empty() && answer.more_errors == 0,
        "{answer:?}"
    );
    assert_eq!(answer.remittances.len(), 3);
    let get = |name: String| {
        let mut auditor = app.recoveries(Role::Auditor);
        async move {
            auditor
                .get_remittance(pb::GetRemittanceRequest { name })
                .await
                .unwrap()
                .into_inner()
        }
    };
    // ACH-2026-0419: 125.00 = 80.00 to claim 1 + 45.00 to 1ZSAMPLE0002's.
    let ach = get(answer.remittances[0].clone()).await;
    assert_eq!(ach.reference, "ACH-2026-0419");
    assert_eq!(
        (amount(&ach.allocated), amount(&ach.unallocated)),
        (12_500, 0)
    );
    assert_eq!(ach.lines[0].allocated_claim, first.name);
    assert_eq!(ach.lines[1].allocated_claim, second.name);
    // CM-7781: a credit memo (kind in any case) for a parcel with no
    // approved claim: 30.00 kept unallocated, the line says why.
    let memo = get(answer.remittances[1].clone()).await;
    assert_eq!(memo.kind(), pb::RemittanceKind::CreditMemo);
    assert_eq!(memo.invoice_reference, "INV-2026-03-118");
    assert_eq!(amount(&memo.unallocated), 3_000);
    assert!(
        memo.lines[0].unmatched_reason.contains("1ZSAMPLE0003"),
        "{memo:?}"
    );
    // ACH-2026-0502 (carrier given as a bare id) names a claim that does
    // not exist: 20.00 unallocated.
    let other = get(answer.remittances[2].clone()).await;
    assert_eq!(other.carrier, world.carrier);
    assert_eq!(other.lines[0].unmatched_reason, "no claim CLM-2026-000099");
    for c in [&first, &second] {
        let now = app
            .claims(Role::Auditor)
            .get_claim(pb::GetClaimRequest {
                name: c.name.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(now.status(), S::Settled, "{}", c.name);
    }
}

async fn remittances_are_read_by_admin_finance_and_auditors_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let recorded = app
        .recoveries(Role::Finance)
        .record_remittance(crate::recoveries::remittance(
            &world,
            "R1",
            common::usd(100),
            vec![],
        ))
        .await
        .unwrap()
        .into_inner();
    let carrier = world.carrier.trim_start_matches("carriers/");
    for (role, scope, may) in [
        (Role::Admin, None, true),
        (Role::Finance, None, true),
        (Role::Auditor, None, true),
        (Role::Internal, None, false),
        (Role::Carrier, Some(carrier), false),
        (Role::ThirdParty, Some("fast3pl"), false),
    ] {
        let token = app.auth.token(role, scope);
        let mut client = RecoveryServiceClient::new(app.server.authed(Some(&token)));
        let got = client
            .get_remittance(pb::GetRemittanceRequest {
                name: recorded.name.clone(),
            })
            .await;
        let listed = client
            .list_remittances(pb::ListRemittancesRequest::default())
            .await;
        let reconciled = client
            .get_reconciliation(pb::GetReconciliationRequest::default())
            .await;
        if may {
            got.unwrap();
            assert_eq!(listed.unwrap().get_ref().remittances.len(), 1, "{role}");
            reconciled.unwrap();
        } else {
            for code in [
                got.unwrap_err().code(),
                listed.unwrap_err().code(),
                reconciled.unwrap_err().code(),
            ] {
                assert_eq!(code, Code::PermissionDenied, "{role}");
            }
        }
    }
}
