//! The flow's last step: reporting (its own process, reading the carriers,
//! contracts and claims feeds over loopback) shows what the flow did, read
//! through the gateway with the admin API key. Reporting runs through the
//! SIGKILLs of contracts and claims (its feed streams break and resume)
//! and is SIGKILLed itself between the approval and the remittance: the
//! figures must be exact, nothing counted twice.

use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Utc};
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::reporting as rpb;
use recourse_proto::reporting::reporting_service_client::ReportingServiceClient;
use recourse_test_support::fixtures;

use super::Cluster;
use super::client::{Gw, retrying};

/// Once reporting has applied the claim's approval, SIGKILLs reporting
/// and starts it again: it resumes each feed from the position stored with
/// its rows, so the remittance that follows reaches it only through the
/// new subscriptions and nothing before it is applied twice (the approval
/// would count 20.00).
pub async fn reporting_restarts_midway(cluster: &mut Cluster, admin: &Gw, carrier: &str) {
    let mut reporting = ReportingServiceClient::new(admin.clone());
    let waited = Instant::now();
    caught_up(&mut reporting, carrier, |row| {
        row.approved.as_ref().is_some_and(|m| m.amount_minor > 0)
    })
    .await;
    eprintln!("reporting had the approval {:?} after it", waited.elapsed());
    cluster.kill("reporting");
    cluster.restart("reporting").await;
}

/// What the flow did, as reporting must show it for `carrier`, once every
/// feed is caught up.
pub async fn shows_the_flow(admin: &Gw, carrier: &str, shipped: DateTime<Utc>) {
    let mut reporting = ReportingServiceClient::new(admin.clone());
    let waited = Instant::now();
    caught_up(&mut reporting, carrier, |row| {
        row.recovered.as_ref().is_some_and(|m| m.amount_minor > 0)
    })
    .await;
    eprintln!(
        "reporting (restarted) had the remittance {:?} after it",
        waited.elapsed()
    );
    figures_are_exact(&mut reporting, carrier, shipped).await;
}

/// The reconciliation of this month and the scorecard of the shipping
/// month, each figure written out.
async fn figures_are_exact(
    reporting: &mut ReportingServiceClient<Gw>,
    carrier: &str,
    shipped: DateTime<Utc>,
) {
    let today = Utc::now().date_naive();
    let reconciliation = reconciliation(reporting, carrier).await;
    // One claim approved 10.00 USD today and one remittance of 10.00 USD
    // dated today allocated to it: opening 0 (nothing before the month),
    // approved 10.00, recovered 10.00, written off 0, closing 0 + 10.00 −
    // 10.00 − 0 = 0. Counted twice, approved or recovered would be 20.00.
    let rows: Vec<_> = reconciliation
        .rows
        .iter()
        .map(|r| {
            (
                r.carrier.as_str(),
                r.currency_code.as_str(),
                r.opening.clone(),
                r.approved.clone(),
                r.recovered.clone(),
                r.written_off.clone(),
                r.closing.clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [(
            carrier,
            "USD",
            fixtures::usd(0),
            fixtures::usd(1_000),
            fixtures::usd(1_000),
            fixtures::usd(0),
            fixtures::usd(0),
        )],
        "the recovery reconciliation of this month"
    );

    // The shipping month's scorecard: the two GROUND shipments (one
    // delivered, one lost) and the one claim, counted in the month it was
    // filed (today) — 0 if the parcels shipped last month.
    let card = retrying("scorecard", || {
        let mut client = reporting.clone();
        let request = rpb::GetCarrierScorecardRequest {
            carrier: carrier.to_owned(),
            period: Some(rpb::Period {
                kind: rpb::PeriodKind::Month.into(),
                date: Some(date_to_proto(shipped.date_naive())),
            }),
            weights: None,
            as_of: None,
        };
        async move { client.get_carrier_scorecard(request).await }
    })
    .await;
    let same_month = today.with_day(1) == shipped.date_naive().with_day(1);
    let claims = u64::from(same_month);
    let rows: Vec<_> = card
        .rows
        .iter()
        .map(|r| {
            (
                r.service_level.as_str(),
                r.carrier_code.as_str(),
                r.shipments,
                r.claims,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [("GROUND", "CLSTR", 2, claims)],
        "the scorecard of the shipping month"
    );

    // The claim is settled: no open claim left to age.
    let aging = retrying("claims aging", || {
        let mut client = reporting.clone();
        let request = rpb::GetClaimsAgingRequest {
            carrier: carrier.to_owned(),
            as_of: None,
        };
        async move { client.get_claims_aging(request).await }
    })
    .await;
    assert_eq!(aging.rows, [], "no open claim of {carrier}");
}

async fn reconciliation(
    reporting: &mut ReportingServiceClient<Gw>,
    carrier: &str,
) -> rpb::RecoveryReconciliation {
    retrying("recovery reconciliation", || {
        let mut client = reporting.clone();
        let request = rpb::GetRecoveryReconciliationRequest {
            carrier: carrier.to_owned(),
            period: Some(rpb::Period {
                kind: rpb::PeriodKind::Month.into(),
                date: Some(date_to_proto(Utc::now().date_naive())),
            }),
        };
        async move { client.get_recovery_reconciliation(request).await }
    })
    .await
}

/// Waits (up to 30 s) until every feed runs with lag 0 and the carrier's
/// reconciliation row shows the flow's last event arrived (`arrived`).
async fn caught_up(
    reporting: &mut ReportingServiceClient<Gw>,
    carrier: &str,
    arrived: impl Fn(&rpb::ReconciliationRow) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = retrying("feed status", || {
            let mut client = reporting.clone();
            async move { client.get_feed_status(rpb::GetFeedStatusRequest {}).await }
        })
        .await
        .feeds;
        let mut status = status;
        status.sort_by(|a, b| a.feed.cmp(&b.feed));
        let mut feeds: Vec<_> = status.iter().map(|s| s.feed.as_str()).collect();
        feeds.sort_unstable();
        assert_eq!(feeds, ["carriers", "claims", "contracts"], "{status:?}");
        for feed in &status {
            assert!(feed.running, "{} stopped: {}", feed.feed, feed.last_error);
        }
        let idle = status.iter().all(|s| s.lag == 0 && s.position > 0);
        // Lag 0 alone holds too before the last events reach reporting.
        if idle
            && reconciliation(reporting, carrier)
                .await
                .rows
                .iter()
                .any(&arrived)
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "reporting did not catch up in 30 s: {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
