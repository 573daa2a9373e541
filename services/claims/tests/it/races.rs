//! Money moved by tens of calls at once: allocations of one remittance to
//! many claims, of many remittances to one claim, and remittances booking
//! lines onto the same claims. The invariants — a remittance never gives
//! more than its amount, a claim never recovers more than was approved —
//! are decided by row locks taken in one order (remittance, then claims by
//! id) and a conditional update, so they hold on PostgreSQL under READ
//! COMMITTED; SQLite (one writer) runs the same calls serialised and must
//! agree. A loser is FAILED_PRECONDITION (nothing left, nothing owed) or
//! ABORTED (retry), never INTERNAL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;
use crate::recoveries::{approved, line, remittance};

use common::{TestApp, kind_of, spawn_app, usd};
use recourse_platform::auth::Role;
use recourse_proto::claims as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::ClaimStatus as S;

backend_tests!(
    twenty_claims_racing_for_one_remittance_never_over_allocate_it,
    twenty_remittances_racing_to_pay_one_claim_never_over_pay_it,
    remittances_recorded_at_once_never_over_pay_the_claims_their_lines_name,
);

fn amount(m: &Option<recourse_proto::common::Money>) -> i64 {
    m.as_ref().map_or(0, |m| m.amount_minor)
}

async fn claim_now(app: &TestApp, name: &str) -> pb::Claim {
    app.claims(Role::Auditor)
        .get_claim(pb::GetClaimRequest { name: name.into() })
        .await
        .unwrap()
        .into_inner()
}

/// A loser of a race: told why, never INTERNAL.
fn lost_cleanly(err: &tonic::Status) {
    assert!(
        matches!(err.code(), Code::FailedPrecondition | Code::Aborted),
        "{err:?}"
    );
    if err.code() == Code::FailedPrecondition {
        assert_eq!(kind_of(err), "ALLOCATION", "{err:?}");
    }
}

async fn twenty_claims_racing_for_one_remittance_never_over_allocate_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    // Twenty claims approved for 50.00 each; a remittance of 300.00 with
    // nothing allocated: it can pay six of them, not one cent more.
    let mut claims = Vec::new();
    for i in 0..20 {
        claims.push(approved(&app, &world, &format!("P{i}"), 1, 5_000, 5_000).await);
    }
    let r = app
        .recoveries(Role::Finance)
        .record_remittance(remittance(&world, "BULK", usd(30_000), vec![]))
        .await
        .unwrap()
        .into_inner();
    let calls = claims.iter().enumerate().map(|(i, c)| {
        let mut finance = app.recoveries(Role::Finance);
        let request = pb::AllocateRemittanceRequest {
            dispute: String::new(),
            request_id: format!("alloc-{i}"),
            remittance: r.name.clone(),
            claim: c.name.clone(),
            amount: None,
        };
        async move { finance.allocate_remittance(request).await }
    });
    let results = futures::future::join_all(calls).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    for err in results.iter().filter_map(|r| r.as_ref().err()) {
        lost_cleanly(err);
    }
    let after = app
        .recoveries(Role::Auditor)
        .get_remittance(pb::GetRemittanceRequest {
            name: r.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    // 300.00 / 50.00 = 6 claims paid in full; the remittance is spent.
    assert_eq!(won, 6, "{results:?}");
    assert_eq!(amount(&after.allocated), 30_000);
    assert_eq!(amount(&after.unallocated), 0);
    let mut recovered = 0;
    for c in &claims {
        let now = claim_now(&app, &c.name).await;
        let got = amount(&now.recovered_amount);
        assert!(got == 0 || got == 5_000, "{} recovered {got}", c.name);
        if got == 5_000 {
            assert_eq!(now.status(), S::Settled);
        }
        recovered += got;
    }
    assert_eq!(
        recovered, 30_000,
        "what the claims received is what was given"
    );
}

async fn twenty_remittances_racing_to_pay_one_claim_never_over_pay_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    // One claim approved for 100.00; twenty remittances of 30.00 each.
    let claim = approved(&app, &world, "ONE", 1, 10_000, 10_000).await;
    let mut remittances = Vec::new();
    for i in 0..20 {
        remittances.push(
            app.recoveries(Role::Finance)
                .record_remittance(remittance(&world, &format!("R{i}"), usd(3_000), vec![]))
                .await
                .unwrap()
                .into_inner(),
        );
    }
    let calls = remittances.iter().enumerate().map(|(i, r)| {
        let mut finance = app.recoveries(Role::Finance);
        let request = pb::AllocateRemittanceRequest {
            dispute: String::new(),
            request_id: format!("pay-{i}"),
            remittance: r.name.clone(),
            claim: claim.name.clone(),
            amount: None,
        };
        async move { finance.allocate_remittance(request).await }
    });
    let results = futures::future::join_all(calls).await;
    for err in results.iter().filter_map(|r| r.as_ref().err()) {
        lost_cleanly(err);
    }
    // 30.00 + 30.00 + 30.00 + 10.00 = 100.00: four remittances pay, the
    // claim is settled and owes nothing; nobody paid beyond it.
    let won: Vec<i64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|r| amount(&r.get_ref().allocated))
        .collect();
    assert_eq!(won.len(), 4, "{results:?}");
    assert_eq!(won.iter().sum::<i64>(), 10_000);
    let now = claim_now(&app, &claim.name).await;
    assert_eq!(amount(&now.recovered_amount), 10_000);
    assert_eq!(now.status(), S::Settled);
    let mut given = 0;
    for r in &remittances {
        let after = app
            .recoveries(Role::Auditor)
            .get_remittance(pb::GetRemittanceRequest {
                name: r.name.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(amount(&after.allocated) <= 3_000);
        given += amount(&after.allocated);
    }
    assert_eq!(given, 10_000);
}

async fn remittances_recorded_at_once_never_over_pay_the_claims_their_lines_name(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    // Two claims owed 100.00 each; twenty remittances each paying 20.00 to
    // both, lines in opposite orders (by number, by tracking number) so the
    // bookings lock the two claims from different ends of their files.
    let a = approved(&app, &world, "LA", 1, 10_000, 10_000).await;
    let b = approved(&app, &world, "LB", 1, 10_000, 10_000).await;
    let calls = (0..20).map(|i| {
        let mut finance = app.recoveries(Role::Finance);
        let lines = if i % 2 == 0 {
            vec![line(&a.number, "", usd(2_000)), line("", "LB", usd(2_000))]
        } else {
            vec![line(&b.number, "", usd(2_000)), line("", "LA", usd(2_000))]
        };
        let request = remittance(&world, &format!("L{i}"), usd(4_000), lines);
        async move { finance.record_remittance(request).await }
    });
    let results = futures::future::join_all(calls).await;
    let mut given = 0;
    for r in &results {
        match r {
            Ok(r) => given += amount(&r.get_ref().allocated),
            Err(err) => assert_eq!(err.code(), Code::Aborted, "{err:?}"),
        }
    }
    // Every remittance is recorded (a line a claim no longer needs stays
    // unmatched); each claim got exactly what it was owed.
    assert!(
        results.iter().filter(|r| r.is_ok()).count() >= 10,
        "{results:?}"
    );
    for c in [&a, &b] {
        let now = claim_now(&app, &c.name).await;
        assert_eq!(amount(&now.recovered_amount), 10_000, "{}", c.name);
        assert_eq!(now.status(), S::Settled);
    }
    assert_eq!(given, 20_000);
}
