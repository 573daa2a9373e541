//! X12 EDI through real gRPC: a submitted claim exported as a 920, 926
//! status reports acknowledging, paying and declining claims through the
//! lifecycle's rules, re-imports that change nothing, malformed files named
//! by segment, and carriers kept to their own claims. Amounts in USD cents.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use common::{Authed, TestApp, World, claim_request, spawn_app, submit};
use pb::claim_service_client::ClaimServiceClient;
use recourse_claims_domain::x12::{Group, Interchange, Segment, Transaction, parse, write};
use recourse_platform::auth::Role;
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::ClaimStatus as S;

backend_tests!(
    a_submitted_claim_exports_as_a_920_with_fresh_control_numbers,
    a_926_acknowledges_then_pays_and_a_reimport_changes_nothing,
    a_926_declines_with_its_reason,
    a_malformed_926_is_invalid_argument_by_segment,
    a_carrier_moves_only_its_own_carriers_claims,
    twenty_imports_of_one_interchange_move_the_claim_once,
);

/// A submitted LOSS claim of `quantity` × `unit`, filed by internal.
async fn submitted(
    app: &TestApp,
    world: &World,
    tracking: &str,
    quantity: u32,
    unit: i64,
) -> pb::Claim {
    let draft = common::draft(app, world, tracking, cpb::ClaimType::Loss, quantity, unit).await;
    submit(&mut app.claims(Role::Internal), &draft)
        .await
        .unwrap()
}

async fn claim_now(app: &TestApp, name: &str) -> pb::Claim {
    app.claims(Role::Auditor)
        .get_claim(pb::GetClaimRequest { name: name.into() })
        .await
        .unwrap()
        .into_inner()
}

/// A 926 interchange from `sender` numbered `control`, one F11 a set.
fn file_926(sender: &str, control: u32, f11s: &[&[&str]]) -> String {
    let transactions = f11s
        .iter()
        .enumerate()
        .map(|(i, f11)| Transaction {
            set_id: "926".into(),
            control_number: format!("{:04}", i + 1),
            segments: vec![Segment::new("F11", f11)],
        })
        .collect();
    write(&Interchange {
        sender: ("ZZ".into(), sender.into()),
        receiver: ("ZZ".into(), "RECOURSE".into()),
        date: "261123".into(),
        time: "1805".into(),
        control_number: control,
        usage: 'P',
        groups: vec![Group {
            functional_id: "GC".into(),
            sender: sender.into(),
            receiver: "RECOURSE".into(),
            date: "20261123".into(),
            time: "1805".into(),
            control_number: control,
            version: "005010".into(),
            transactions,
        }],
    })
}

async fn import(
    client: &mut ClaimServiceClient<Authed>,
    content: String,
) -> Result<pb::ImportClaimStatusX12Response, tonic::Status> {
    client
        .import_claim_status_x12(pb::ImportClaimStatusX12Request { content })
        .await
        .map(tonic::Response::into_inner)
}

async fn a_submitted_claim_exports_as_a_920_with_fresh_control_numbers(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    // 2 × 40.00 = 80.00 claimed.
    let c = submitted(&app, &world, "X1", 2, 4_000).await;
    let mut admin = app.claims(Role::Admin);
    let export = |name: String| pb::ExportClaimX12Request { name };
    let first = admin
        .export_claim_x12(export(c.name.clone()))
        .await
        .unwrap()
        .into_inner();
    let interchange = parse(&first.content).unwrap();
    assert_eq!(i64::from(interchange.control_number), first.control_number);
    assert_eq!(interchange.sender, ("ZZ".to_owned(), "RECOURSE".to_owned()));
    let group = &interchange.groups[0];
    assert_eq!(group.functional_id, "GC");
    let t = &group.transactions[0];
    assert_eq!(t.set_id, "920");
    let ids: Vec<_> = t.segments.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["F01", "F02", "F09"]);
    let (f01, f02, f09) = (&t.segments[0], &t.segments[1], &t.segments[2]);
    assert_eq!(f01.element(1), c.number);
    assert_eq!(
        (f01.element(3), f01.element(4), f01.element(5)),
        ("80.00", "USD", "LOSS")
    );
    let carrier_id = world.carrier.trim_start_matches("carriers/");
    assert_eq!((f02.element(1), f02.element(2)), (carrier_id, "X1"));
    // Shipped 5 days ago: the ship date the deadline counts from.
    let shipped = (chrono::Utc::now() - chrono::Duration::days(5))
        .format("%Y%m%d")
        .to_string();
    assert_eq!(f02.element(3), shipped);
    // 2 × 40.00 = 80.00.
    assert_eq!(
        f09.elements,
        ["2", "EA", "40.00", "80.00", "Ceramic vase", "SKU-1"]
    );
    let second = admin
        .export_claim_x12(export(c.name.clone()))
        .await
        .unwrap()
        .into_inner();
    assert!(second.control_number > first.control_number, "{second:?}");

    // Not for a carrier; not for a draft.
    let err = app
        .partner_claims(&world.carrier)
        .export_claim_x12(export(c.name.clone()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let shipment = app.shipped(&world, "X2", 5, true).await;
    let draft = app
        .claims(Role::Internal)
        .create_claim(claim_request(
            "c-X2",
            &shipment,
            cpb::ClaimType::Loss,
            1,
            100,
        ))
        .await
        .unwrap()
        .into_inner();
    let err = admin
        .export_claim_x12(export(draft.name))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
}

async fn a_926_acknowledges_then_pays_and_a_reimport_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    // 2 × 40.00 = 80.00 claimed; cap min(80.00, default 100.00) = 80.00.
    let c = submitted(&app, &world, "X1", 2, 4_000).await;
    let mut carrier = app.partner_claims(&world.carrier);

    let ack = import(&mut carrier, file_926("ACME", 1, &[&[&c.number, "A"]]))
        .await
        .unwrap();
    assert!(!ack.replayed);
    assert_eq!(ack.interchange, "ZZ:ACME:000000001");
    assert_eq!(ack.results.len(), 1);
    assert_eq!(ack.results[0].claim, c.name);
    assert_eq!(ack.results[0].status(), S::Acknowledged, "{ack:?}");
    assert_eq!(claim_now(&app, &c.name).await.status(), S::Acknowledged);

    // Paid 60.00 of 80.00: approved with 60.00 (6 000 cents).
    let paid = file_926("ACME", 2, &[&[&c.number, "P", "60.00", "USD"]]);
    let first = import(&mut carrier, paid.clone()).await.unwrap();
    assert_eq!(first.results[0].status(), S::Approved, "{first:?}");
    assert_eq!(first.results[0].error, "");
    let after = claim_now(&app, &c.name).await;
    assert_eq!(after.status(), S::Approved);
    assert_eq!(after.approved_amount.as_ref().unwrap().amount_minor, 6_000);
    let history = app
        .claims(Role::Auditor)
        .list_claim_history(pb::ListClaimHistoryRequest {
            name: c.name.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .entries;
    let moves: Vec<_> = history.iter().map(|h| h.to()).collect();
    assert_eq!(
        moves,
        [S::Submitted, S::Acknowledged, S::UnderReview, S::Approved]
    );
    assert_eq!(history[3].amount.as_ref().unwrap().amount_minor, 6_000);

    // The same interchange again: nothing moves, the first answer comes back.
    let again = import(&mut carrier, paid.clone()).await.unwrap();
    assert!(again.replayed);
    assert_eq!(again.results, first.results);
    assert_eq!(claim_now(&app, &c.name).await.etag, after.etag);
    // Even from admin, the same sender and number is the same interchange
    // only within the importer's scope: admin's import is its own, and
    // the claim, already approved, refuses a second approval.
    let admin = import(&mut app.claims(Role::Admin), paid).await.unwrap();
    assert!(!admin.replayed);
    assert!(
        admin.results[0].error.starts_with("FAILED_PRECONDITION"),
        "{admin:?}"
    );
    assert_eq!(claim_now(&app, &c.name).await.etag, after.etag);
}

async fn a_926_declines_with_its_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let c = submitted(&app, &world, "X1", 1, 4_000).await;
    let mut carrier = app.partner_claims(&world.carrier);
    let file = file_926("ACME", 9, &[&[&c.number, "D", "", "", "no proof of value"]]);
    let done = import(&mut carrier, file).await.unwrap();
    assert_eq!(done.results[0].status(), S::Denied, "{done:?}");
    let history = app
        .claims(Role::Auditor)
        .list_claim_history(pb::ListClaimHistoryRequest {
            name: c.name.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .entries;
    let last = history.last().unwrap();
    assert_eq!(last.to(), S::Denied);
    assert!(last.reason.ends_with("no proof of value"), "{last:?}");
}

async fn a_malformed_926_is_invalid_argument_by_segment(backend: Backend) {
    use tonic_types::StatusExt as _;
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let c = submitted(&app, &world, "X1", 1, 4_000).await;
    let mut carrier = app.partner_claims(&world.carrier);
    // ISA 1, GS 2, ST 3, F11 4, SE 5, ST 6, F11 7, SE 8.
    let file = file_926("ACME", 3, &[&[&c.number, "A"], &[&c.number, "Z"]]);
    let err = import(&mut carrier, file).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "{err:?}");
    let violations: Vec<(String, String)> = err
        .get_error_details()
        .bad_request()
        .unwrap()
        .field_violations
        .iter()
        .map(|v| (v.field.clone(), v.description.clone()))
        .collect();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].0, "content");
    assert!(
        violations[0]
            .1
            .starts_with("segment 7 (F11): element 2 (status) `Z`"),
        "{violations:?}"
    );
    // Nothing of a rejected file is applied.
    assert_eq!(claim_now(&app, &c.name).await.status(), S::Submitted);

    let good = file_926("ACME", 4, &[&[&c.number, "A"]]);
    let broken = good.replace("SE*3*0001~", "SE*9*0001~");
    let err = import(&mut carrier, broken).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("segment 5 (SE)"), "{err:?}");
    let err = import(&mut carrier, "hello".into()).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
}

async fn a_carrier_moves_only_its_own_carriers_claims(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.world("ACME").await;
    let bolt = app.world("BOLT").await;
    let theirs = submitted(&app, &bolt, "B1", 1, 4_000).await;
    let mut acme_carrier = app.partner_claims(&acme.carrier);
    let file = file_926(
        "ACME",
        1,
        &[&[&theirs.number, "A"], &["CLM-1999-999999", "A"]],
    );
    let done = import(&mut acme_carrier, file).await.unwrap();
    // Another carrier's claim reads exactly as one that does not exist.
    for r in &done.results {
        assert!(r.error.starts_with("NOT_FOUND"), "{done:?}");
        assert_eq!((r.claim.as_str(), r.status()), ("", S::Unspecified));
    }
    assert_eq!(claim_now(&app, &theirs.name).await.status(), S::Submitted);
    // A 3PL imports nothing.
    let err = import(
        &mut app.tpl_claims("acct-1"),
        file_926("ACME", 2, &[&[&theirs.number, "A"]]),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
}

async fn twenty_imports_of_one_interchange_move_the_claim_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    // 1 × 40.00 claimed, paid 40.00.
    let c = submitted(&app, &world, "X1", 1, 4_000).await;
    let file = file_926("ACME", 5, &[&[&c.number, "P", "40", "USD"]]);
    let calls = (0..20).map(|_| {
        let mut carrier = app.partner_claims(&world.carrier);
        let file = file.clone();
        async move { import(&mut carrier, file).await }
    });
    let results = futures::future::join_all(calls).await;
    let mut fresh = 0;
    for r in &results {
        match r {
            Ok(done) => {
                fresh += usize::from(!done.replayed);
                assert_eq!(done.results[0].status(), S::Approved, "{done:?}");
            }
            // A loser may be told to retry, never INTERNAL.
            Err(err) => assert_eq!(err.code(), Code::Aborted, "{err:?}"),
        }
    }
    assert_eq!(fresh, 1, "one import records the interchange: {results:?}");
    let history = app
        .claims(Role::Auditor)
        .list_claim_history(pb::ListClaimHistoryRequest {
            name: c.name.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .entries;
    // submitted, acknowledged, under review, approved: each once.
    assert_eq!(history.len(), 4, "{history:?}");
    let after = claim_now(&app, &c.name).await;
    assert_eq!(after.approved_amount.unwrap().amount_minor, 4_000);
}
