//! The claims feed carries each change (`Event.change`): the status moved
//! from and to, the money moved and, for allocations, the remittance and
//! its date — what a read model (reporting) needs without diffing
//! snapshots.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::time::Duration;

use chrono::NaiveDate;
use recourse_platform::auth::Role;
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::claims as pb;
use recourse_test_support::{Backend, backend_tests};
use tokio_stream::StreamExt as _;

use crate::common::{spawn_app, usd};
use crate::recoveries::{approved, line, remittance};

use pb::ClaimStatus as S;

backend_tests!(claim_events_carry_status_transitions_and_money,);

async fn claim_events_carry_status_transitions_and_money(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    // 1 × 80.00 claimed, approved 50.00 (partially).
    let claim = approved(&app, &world, "A", 1, 8_000, 5_000).await;
    let mut request = remittance(
        &world,
        "R1",
        usd(2_000),
        vec![line(&claim.number, "", usd(2_000))],
    );
    let dated = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    request.remittance.as_mut().unwrap().remittance_date = Some(date_to_proto(dated));
    let r = app
        .recoveries(Role::Finance)
        .record_remittance(request)
        .await
        .unwrap()
        .into_inner();
    let mut stream = app
        .events(Role::Internal, None)
        .subscribe(pb::SubscribeRequest {
            after_position: 0,
            types: vec![
                "claim.submitted".into(),
                "claim.status_changed".into(),
                "claim.recovered".into(),
            ],
        })
        .await
        .unwrap()
        .into_inner();
    let mut seen = Vec::new();
    while seen.len() < 5 {
        let e = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let c = e
            .change
            .clone()
            .unwrap_or_else(|| panic!("no change: {e:?}"));
        assert!(c.change_time.is_some());
        seen.push((
            e.r#type.clone(),
            c.from_status(),
            c.to_status(),
            c.amount.map(|m| m.amount_minor),
            c.remittance.clone(),
            c.remittance_date,
        ));
    }
    let none = || (None, String::new(), None);
    let row = |t: &str, from, to, (amount, rem, date)| (t.to_owned(), from, to, amount, rem, date);
    assert_eq!(
        seen,
        [
            row("claim.submitted", S::Draft, S::Submitted, none()),
            row(
                "claim.status_changed",
                S::Submitted,
                S::Acknowledged,
                none()
            ),
            row(
                "claim.status_changed",
                S::Acknowledged,
                S::UnderReview,
                none()
            ),
            row(
                "claim.status_changed",
                S::UnderReview,
                S::PartiallyApproved,
                (Some(5_000), String::new(), None)
            ),
            row(
                "claim.recovered",
                S::PartiallyApproved,
                S::PartiallyApproved,
                (Some(2_000), r.name.clone(), Some(date_to_proto(dated)))
            ),
        ]
    );
}
