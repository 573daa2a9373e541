//! RebuildReadModels: dropping the read models and replaying every feed
//! from position 0 gives byte-identical reports.

use chrono::Utc;
use recourse_platform::auth::Role;
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_proto::contracts as cpb;
use recourse_proto::reporting as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use crate::common::{TestApp, World, event, spawn_app};

backend_tests!(a_rebuild_gives_byte_identical_reports, only_admins_rebuild,);

/// Ten shipments shipped 8 days ago: deliveries on time, late, an
/// exception, and one claim approved.
pub async fn small_book(app: &TestApp, world: &World) {
    let shipped = Utc::now() - chrono::Duration::days(8);
    let mut events = Vec::new();
    let mut names = Vec::new();
    for i in 0..10 {
        let tag = &world.carrier[world.carrier.len() - 8..];
        let s = app.register(world, &format!("{tag}-{i}"), shipped).await;
        let promised = s.promised_delivery_time.unwrap();
        let at = chrono::DateTime::from_timestamp(promised.seconds, 0).unwrap();
        let at = if i == 7 {
            at + chrono::Duration::hours(2)
        } else {
            at
        };
        if i == 8 {
            let mut e = event(
                &format!("x{tag}{i}"),
                &s.tracking_number,
                cpb::TrackingEventType::Exception,
                shipped + chrono::Duration::hours(5),
            );
            e.exception_reason = "DAMAGED".into();
            events.push(e);
        }
        events.push(event(
            &format!("d{tag}{i}"),
            &s.tracking_number,
            cpb::TrackingEventType::Delivered,
            at,
        ));
        names.push(s.name);
    }
    app.track(world, events).await;
    app.approved(world, &names[8], 5_000, 4_000).await;
}

async fn exports(app: &TestApp, world: &World, as_of: chrono::DateTime<Utc>) -> Vec<String> {
    use pb::export_report_request::Report;
    let today = Utc::now().date_naive();
    let quarter = pb::Period {
        kind: pb::PeriodKind::Quarter.into(),
        date: Some(date_to_proto(today)),
    };
    let as_of = Some(timestamp_to_proto(as_of));
    let mut out = Vec::new();
    for report in [
        Report::Scorecard(pb::GetCarrierScorecardRequest {
            carrier: world.carrier.clone(),
            period: Some(quarter),
            weights: None,
            as_of,
        }),
        Report::Comparison(pb::CompareCarriersRequest {
            period: Some(quarter),
            weights: None,
            as_of,
        }),
        Report::Aging(pb::GetClaimsAgingRequest {
            carrier: String::new(),
            as_of: Some(date_to_proto(today)),
        }),
        Report::Reconciliation(pb::GetRecoveryReconciliationRequest {
            carrier: String::new(),
            period: Some(quarter),
        }),
    ] {
        out.push(app.export(Role::Admin, report).await);
    }
    out
}

async fn a_rebuild_gives_byte_identical_reports(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.world("ACME").await;
    let zip = app.world("ZIP").await;
    small_book(&app, &acme).await;
    small_book(&app, &zip).await;
    app.caught_up().await;
    let as_of = Utc::now() + chrono::Duration::days(1);
    let before = exports(&app, &acme, as_of).await;
    // Every report has its header and rows.
    assert!(
        before.iter().all(|csv| csv.lines().count() >= 2),
        "{before:?}"
    );
    let answer = app
        .reporting(Role::Admin)
        .rebuild_read_models(pb::RebuildReadModelsRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer.feeds, ["carriers", "contracts", "claims"]);
    app.caught_up().await;
    let after = exports(&app, &acme, as_of).await;
    assert_eq!(before, after);
}

async fn only_admins_rebuild(backend: Backend) {
    let app = spawn_app(backend).await;
    for role in [Role::Internal, Role::Finance, Role::Auditor] {
        let err = app
            .reporting(role)
            .rebuild_read_models(pb::RebuildReadModelsRequest {})
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::PermissionDenied, "{role:?}");
    }
}
