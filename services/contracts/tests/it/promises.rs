//! Promises in local time through real gRPC on SQLite and PostgreSQL:
//! business days in the origin's calendar, the commitment in the
//! destination's zone (DST included), never before the hand-over, and only
//! admin/internal may set or override one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use chrono::{DateTime, Utc};
use common::{at, day, shipment, spawn_app, terms, ts, violated_fields};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::timestamp_from_proto;
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

backend_tests!(
    commitments_are_local_to_the_destination_and_follow_daylight_saving,
    only_admin_and_internal_set_or_override_the_promise,
);

fn promised(s: &pb::Shipment) -> Option<DateTime<Utc>> {
    timestamp_from_proto(s.promised_delivery_time.as_ref().unwrap())
}

fn lane(
    carrier: &str,
    tracking: &str,
    level: &str,
    shipped: DateTime<Utc>,
    zones: (&str, &str),
) -> pb::Shipment {
    let mut s = shipment(carrier, tracking, shipped);
    s.service_level = level.into();
    s.origin_time_zone = zones.0.into();
    s.destination_time_zone = zones.1.into();
    s
}

async fn commitments_are_local_to_the_destination_and_follow_daylight_saving(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let la_ny = ("America/Los_Angeles", "America/New_York");
    // NEXT_DAY: 1 business day, by 10:30 destination time.
    // Thu 29 Oct 2026 12:00 PDT (19:00 UTC) → Fri 30 Oct 10:30 EDT = 14:30 UTC.
    let s = app
        .register(lane(
            &carrier,
            "THU",
            "NEXT_DAY",
            at(2026, 10, 29, 19, 0),
            la_ny,
        ))
        .await;
    assert_eq!(promised(&s), Some(at(2026, 10, 30, 14, 30)));
    // Fri 30 Oct 12:00 PDT → Mon 2 Nov, after New York left EDT on Sun 1
    // Nov: 10:30 EST = 15:30 UTC (an hour later in UTC for the same 10:30).
    let s = app
        .register(lane(
            &carrier,
            "FRI",
            "NEXT_DAY",
            at(2026, 10, 30, 19, 0),
            la_ny,
        ))
        .await;
    assert_eq!(promised(&s), Some(at(2026, 11, 2, 15, 30)));
    assert_eq!(
        (
            s.origin_time_zone.as_str(),
            s.destination_time_zone.as_str()
        ),
        la_ny
    );

    // Honolulu → New York, GROUND zone 2 = 2 business days by 20:00.
    // Handed over Fri 6 Mar 2026 15:00 HST = Sat 7 Mar 01:00 UTC: the local
    // ship date is Friday, so Mon 9, Tue 10 March; New York is on EDT from
    // Sun 8 March: Tue 20:00 EDT = Wed 11 Mar 00:00 UTC. (From the UTC date,
    // Saturday, it would have been Wednesday.)
    let s = app
        .register(lane(
            &carrier,
            "HNL",
            "GROUND",
            at(2026, 3, 7, 1, 0),
            ("Pacific/Honolulu", "America/New_York"),
        ))
        .await;
    assert_eq!(promised(&s), Some(at(2026, 3, 11, 0, 0)));

    // Honolulu → Tokyo, NEXT_DAY: handed over Mon 2 Nov 20:00 HST = Tue
    // 06:00 UTC. Local ship date Monday + 1 = Tuesday 10:30 JST = Tue 01:30
    // UTC, before the hand-over: it moves to Wed 4 Nov 10:30 JST = Wed
    // 01:30 UTC.
    let s = app
        .register(lane(
            &carrier,
            "NRT",
            "NEXT_DAY",
            at(2026, 11, 3, 6, 0),
            ("Pacific/Honolulu", "Asia/Tokyo"),
        ))
        .await;
    assert_eq!(promised(&s), Some(at(2026, 11, 4, 1, 30)));

    // END_OF_DAY is the midnight at the end of the due date: LA → NY
    // GROUND shipped Mon 2 Nov 09:00 PST (17:00 UTC), 2 business days =
    // Wed 4 Nov, 24:00 EST = Thu 5 Nov 05:00 UTC.
    let other = app.carrier("EOD").await;
    let mut eod = terms();
    eod.sla_terms[0].commit_kind = pb::CommitKind::EndOfDay.into();
    eod.sla_terms[0].delivery_commit_minute = 0;
    app.active_contract_with(&other, "EOD", day(2026, 1, 1), eod)
        .await;
    let s = app
        .register(lane(
            &other,
            "EOD1",
            "GROUND",
            at(2026, 11, 2, 17, 0),
            la_ny,
        ))
        .await;
    assert_eq!(promised(&s), Some(at(2026, 11, 5, 5, 0)));

    // Zones are required, and must be IANA names.
    let bad = lane(
        &carrier,
        "BAD",
        "GROUND",
        at(2026, 11, 2, 17, 0),
        ("", "Mars/Base"),
    );
    let err = app
        .shipments(Role::Admin)
        .register_shipment(pb::RegisterShipmentRequest {
            request_id: "bad".into(),
            shipment: Some(bad),
        })
        .await
        .unwrap_err();
    assert_eq!(
        violated_fields(&err),
        [
            "shipment.origin_time_zone",
            "shipment.destination_time_zone"
        ]
    );
}

async fn only_admin_and_internal_set_or_override_the_promise(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    let mut partner = app.partner_shipments(&carrier);
    // A carrier cannot name the promise it is measured against.
    let mut chosen = shipment(&carrier, "C1", at(2026, 11, 2, 9, 0));
    chosen.promised_delivery_time = ts(at(2026, 11, 20, 9, 0));
    let err = partner
        .register_shipment(pb::RegisterShipmentRequest {
            request_id: "c1".into(),
            shipment: Some(chosen),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    // Without one it gets the contracted promise: Mon 2 Nov + 2 business
    // days = Wed 4 Nov 20:00 UTC, not overridden.
    let s = partner
        .register_shipment(pb::RegisterShipmentRequest {
            request_id: "c2".into(),
            shipment: Some(shipment(&carrier, "C2", at(2026, 11, 2, 9, 0))),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(promised(&s), Some(at(2026, 11, 4, 20, 0)));
    assert!(!s.promise_overridden);
    let override_request = |etag: &str, reason: &str| pb::OverrideShipmentPromiseRequest {
        name: s.name.clone(),
        etag: etag.into(),
        promised_delivery_time: ts(at(2026, 11, 6, 20, 0)),
        reason: reason.into(),
    };
    let err = partner
        .override_shipment_promise(override_request(&s.etag, "weather"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let mut admin = app.shipments(Role::Admin);
    let err = admin
        .override_shipment_promise(override_request(&s.etag, ""))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["reason"]);
    let changed = admin
        .override_shipment_promise(override_request(&s.etag, "road closed by the county"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(promised(&changed), Some(at(2026, 11, 6, 20, 0)));
    assert!(changed.promise_overridden);
    assert_eq!(changed.promise_override_reason, "road closed by the county");
    assert_ne!(changed.etag, s.etag);
    let err = admin
        .override_shipment_promise(override_request(&s.etag, "again"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Aborted, "stale etag");
    // An admin giving one at registration is recorded as an override too.
    let mut given = shipment(&carrier, "A1", at(2026, 11, 2, 9, 0));
    given.promised_delivery_time = ts(at(2026, 11, 3, 12, 0));
    let s = app.register(given).await;
    assert!(s.promise_overridden);
    assert!(s.promise_override_reason.contains("admin"));
}
