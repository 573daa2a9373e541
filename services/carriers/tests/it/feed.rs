//! EventService/Subscribe: the registry's change feed on SQLite and
//! PostgreSQL. Every change shows up once with the carrier as it stood,
//! in position order; resuming after a position gives exactly what
//! followed; a carrier principal sees only its own carrier; a failed write
//! leaves no event.

use std::time::Duration;

use recourse_platform::auth::Role;
use recourse_proto::carriers as pb;
use recourse_proto::carriers::event_service_client::EventServiceClient;
use recourse_test_support::{Backend, backend_tests};
use tokio_stream::StreamExt as _;
use tonic::Code;

use crate::common::{TestApp, spawn_app};

backend_tests!(
    every_change_is_an_event_in_order_and_resumes_after_a_position,
    partners_follow_only_their_own_carrier,
    refused_changes_leave_no_event,
);

async fn take(app: &TestApp, token: &str, after: i64, n: usize) -> Vec<pb::Event> {
    let mut client = EventServiceClient::new(app.server.authed(Some(token)));
    let mut stream = client
        .subscribe(pb::SubscribeRequest {
            after_position: after,
            types: vec![],
        })
        .await
        .unwrap()
        .into_inner();
    let mut out = Vec::new();
    while out.len() < n {
        let next = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .unwrap_or_else(|_| panic!("only {} of {n} events arrived: {out:?}", out.len()))
            .unwrap()
            .unwrap();
        out.push(next);
    }
    let extra = tokio::time::timeout(Duration::from_millis(700), stream.next()).await;
    assert!(extra.is_err(), "unexpected extra event: {extra:?}");
    out
}

fn data(e: &pb::Event) -> &pb::Carrier {
    match &e.data {
        Some(pb::event::Data::CarrierData(c)) => c,
        None => panic!("event without a carrier: {e:?}"),
    }
}

async fn activate(app: &TestApp, carrier: &pb::Carrier) -> pb::Carrier {
    app.admin()
        .change_carrier_status(pb::ChangeCarrierStatusRequest {
            name: carrier.name.clone(),
            status: pb::CarrierStatus::Active.into(),
            reason: "contract signed".into(),
            etag: carrier.etag.clone(),
        })
        .await
        .unwrap()
        .into_inner()
}

async fn every_change_is_an_event_in_order_and_resumes_after_a_position(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.create("ACME").await;
    let zip = app.create("ZIP").await;
    let active = activate(&app, &acme).await;
    let token = app.auth.token(Role::Internal, None);
    let all = take(&app, &token, 0, 3).await;
    let seen: Vec<_> = all
        .iter()
        .map(|e| (e.position, e.r#type.as_str(), e.subject.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            (1, "carrier.created", acme.name.as_str()),
            (2, "carrier.created", zip.name.as_str()),
            (3, "carrier.status_changed", acme.name.as_str()),
        ]
    );
    // The payload is the carrier as the API answered it.
    assert_eq!(data(&all[2]), &active);
    assert_eq!(all[2].carrier, acme.name);
    assert!(all[2].occur_time.is_some());
    // Resuming after 1 gives exactly 2 and 3.
    let rest = take(&app, &token, 1, 2).await;
    assert_eq!(rest, all[1..]);
}

async fn partners_follow_only_their_own_carrier(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.create("ACME").await;
    let _zip = app.create("ZIP").await;
    activate(&app, &acme).await;
    let id = acme.name.trim_start_matches("carriers/");
    let partner = app.auth.token(Role::Carrier, Some(id));
    let mine = take(&app, &partner, 0, 2).await;
    assert!(mine.iter().all(|e| e.subject == acme.name), "{mine:?}");
    // A 3PL may not read carriers at all.
    let tpl = app.auth.token(Role::ThirdParty, Some("acct-1"));
    let mut client = EventServiceClient::new(app.server.authed(Some(&tpl)));
    let err = client
        .subscribe(pb::SubscribeRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
}

async fn refused_changes_leave_no_event(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.create("ACME").await;
    // A stale etag is refused; the replayed create is the same carrier.
    let _ = activate(&app, &acme).await;
    let err = app
        .admin()
        .change_carrier_status(pb::ChangeCarrierStatusRequest {
            name: acme.name.clone(),
            status: pb::CarrierStatus::Suspended.into(),
            reason: "late".into(),
            etag: acme.etag.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Aborted);
    let again = app.create("ACME").await;
    assert_eq!(again.name, acme.name);
    let token = app.auth.token(Role::Auditor, None);
    let all = take(&app, &token, 0, 2).await;
    assert_eq!(all[0].r#type, "carrier.created");
    assert_eq!(all[1].r#type, "carrier.status_changed");
}
