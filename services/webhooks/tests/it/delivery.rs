//! End to end against a real HTTP receiver: a feed event becomes a signed
//! delivery; the receiver fails (500), times out and recovers while the
//! test clock walks the retry schedule; the log records every attempt;
//! manual redelivery; a persistently failing endpoint is disabled and an
//! escalation raised in the claims service's queue.

use chrono::Duration;
use recourse_platform::auth::Role;
use recourse_proto::claims as clpb;
use recourse_proto::claims::escalation_service_client::EscalationServiceClient;
use recourse_proto::webhooks as pb;
use recourse_test_support::{Backend, backend_tests};
use recourse_webhooks_domain::signature;
use tonic::Code;

use crate::common::*;

backend_tests!(
    an_event_is_retried_through_failure_and_timeout_until_delivered,
    a_persistently_failing_endpoint_is_disabled_and_escalated,
);

fn state(d: &pb::Delivery) -> pb::DeliveryState {
    pb::DeliveryState::try_from(d.state).unwrap()
}

async fn an_event_is_retried_through_failure_and_timeout_until_delivered(backend: Backend) {
    let app = spawn_app(backend).await;
    let receiver = Receiver::start().await;
    let acme = app.carrier("ACME").await;
    let other = app.carrier("OTHR").await;
    let created = app
        .endpoint(Role::Carrier, Some(&acme), &receiver.url, &["shipment.*"])
        .await;
    assert!(created.secret.starts_with("whsec_"), "{}", created.secret);
    assert_eq!(created.carrier, acme);
    // Another carrier's endpoint, and one of ACME's for claims only: neither
    // is sent ACME's shipment.
    let stranger = app
        .endpoint(Role::Carrier, Some(&other), &receiver.url, &["*"])
        .await;
    let claims_only = app
        .endpoint(Role::Carrier, Some(&acme), &receiver.url, &["claim.*"])
        .await;

    let shipment = app.ship(&acme, "1Z-RETRY").await;
    let deliveries = app.await_deliveries(&created.name, 1).await;
    let delivery = &deliveries[0];
    assert_eq!(delivery.event_type, "shipment.registered");
    assert_eq!(delivery.subject, shipment.name);
    assert_eq!(state(delivery), pb::DeliveryState::Pending);
    // (The stranger may see its own carrier's contract activation, read
    // after it registered; never ACME's shipment.)
    assert!(
        app.deliveries(&stranger.name)
            .await
            .iter()
            .all(|d| d.subject != shipment.name)
    );
    assert!(app.deliveries(&claims_only.name).await.is_empty());

    // Attempt 1: the receiver answers 500. With jitter 0 the wait after
    // attempt 1 is base(1)/2 = 30 s / 2 = 15 s.
    receiver.answer(Mode::Status(500));
    let t1 = app.clock();
    assert_eq!(app.worker().run_once().await.unwrap(), 1);
    let d = &app.deliveries(&created.name).await[0];
    assert_eq!(state(d), pb::DeliveryState::Pending);
    assert_eq!(d.attempt_count, 1);
    assert_eq!(d.attempts[0].status_code, 500);
    assert_eq!(
        d.next_attempt_time,
        Some(recourse_platform::proto_types::timestamp_to_proto(
            t1 + Duration::seconds(15)
        ))
    );
    // Not due yet: nothing is sent.
    assert_eq!(app.worker().run_once().await.unwrap(), 0);

    // Attempt 2, 15 s later: the receiver holds the request past the
    // timeout. The wait after attempt 2 is base(2)/2 = 60 s / 2 = 30 s.
    receiver.answer(Mode::Hang);
    app.advance(Duration::seconds(15));
    let t2 = app.clock();
    assert_eq!(app.worker().run_once().await.unwrap(), 1);
    let d = &app.deliveries(&created.name).await[0];
    assert_eq!(d.attempt_count, 2);
    assert_eq!(d.attempts[0].status_code, 0);
    assert!(
        d.attempts[0].error.contains("no answer within 300 ms"),
        "{:?}",
        d.attempts[0]
    );
    assert_eq!(
        d.next_attempt_time,
        Some(recourse_platform::proto_types::timestamp_to_proto(
            t2 + Duration::seconds(30)
        ))
    );

    // Attempt 3, 30 s later: the receiver has recovered.
    receiver.answer(Mode::Status(204));
    app.advance(Duration::seconds(30));
    assert_eq!(app.worker().run_once().await.unwrap(), 1);
    let d = &app.deliveries(&created.name).await[0];
    assert_eq!(state(d), pb::DeliveryState::Delivered);
    assert_eq!(
        d.attempts.iter().map(|a| a.status_code).collect::<Vec<_>>(),
        [204, 0, 500]
    );
    assert_eq!(d.next_attempt_time, None);
    let endpoint = app.get(&created.name).await;
    assert_eq!(endpoint.failure_count, 0, "a success resets the streak");
    assert!(endpoint.secret.is_empty(), "the secret is shown only once");

    // Three requests of one event, each signed over timestamp + body.
    let got = receiver.received();
    assert_eq!(got.len(), 3);
    for r in &got {
        assert_eq!(r.header("Recourse-Event-Id"), d.event_id);
        assert_eq!(r.header("content-type"), "application/json");
        let header = r.header(signature::HEADER);
        let t: i64 = header
            .split(',')
            .find_map(|p| p.strip_prefix("t="))
            .unwrap()
            .parse()
            .unwrap();
        signature::verify(header, created.secret.as_bytes(), r.body.as_bytes(), t, 300).unwrap();
        assert_eq!(
            signature::verify(header, b"whsec_wrong", r.body.as_bytes(), t, 300),
            Err(signature::SignatureError::Mismatch)
        );
    }
    let body: serde_json::Value = serde_json::from_str(&got[2].body).unwrap();
    assert_eq!(body["id"], d.event_id.as_str());
    assert_eq!(body["type"], "shipment.registered");
    assert_eq!(body["carrier"], acme.as_str());
    assert_eq!(body["data"]["shipment"]["trackingNumber"], "1Z-RETRY");

    // Manual redelivery: one more attempt now, marked manual, same event id.
    let again = app
        .webhooks(Role::Carrier, Some(&acme))
        .redeliver_delivery(pb::RedeliverDeliveryRequest {
            name: d.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(state(&again), pb::DeliveryState::Pending);
    assert_eq!(app.worker().run_once().await.unwrap(), 1);
    let d = &app.deliveries(&created.name).await[0];
    assert_eq!(state(d), pb::DeliveryState::Delivered);
    assert_eq!(d.attempt_count, 4);
    assert!(d.attempts[0].manual && !d.attempts[1].manual);
    let got = receiver.received();
    assert_eq!(got.len(), 4);
    assert_eq!(got[3].header("Recourse-Event-Id"), d.event_id);

    // Another carrier cannot see or redeliver it: NOT_FOUND, as if absent.
    let err = app
        .webhooks(Role::Carrier, Some(&other))
        .redeliver_delivery(pb::RedeliverDeliveryRequest {
            name: d.name.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
}

async fn a_persistently_failing_endpoint_is_disabled_and_escalated(backend: Backend) {
    let app = spawn_app(backend).await;
    let receiver = Receiver::start().await;
    receiver.answer(Mode::Status(503));
    let acme = app.carrier("ACME").await;
    let created = app
        .endpoint(
            Role::Carrier,
            Some(&acme),
            &receiver.url,
            &["shipment.registered"],
        )
        .await;
    app.ship(&acme, "1Z-DOWN-1").await;
    app.await_deliveries(&created.name, 1).await;
    let t0 = app.clock();

    // Walk the whole schedule: every wait with jitter 0 is the shortest,
    // 15 s, 30 s, … capped at 3 h; the domain's worked example counts 33
    // attempts within three days, the 34th would fall past t0 + 72 h.
    loop {
        app.worker().run_once().await.unwrap();
        let d = &app.deliveries(&created.name).await[0];
        match d.next_attempt_time {
            Some(next) => {
                app.advance_to(recourse_platform::proto_types::timestamp_from_proto(&next).unwrap())
            }
            None => break,
        }
    }
    let d = &app.deliveries(&created.name).await[0];
    assert_eq!(state(d), pb::DeliveryState::Failed);
    assert_eq!(d.attempt_count, 33);
    assert_eq!(d.attempts.len(), 10, "the log shows the last ten attempts");
    assert_eq!(d.attempts[0].number, 33);
    // One schedule alone never disables: 33 failures, but the streak is
    // only as old as the last attempt (< 72 h).
    let endpoint = app.get(&created.name).await;
    assert_eq!(endpoint.failure_count, 33);
    assert_eq!(
        pb::EndpointState::try_from(endpoint.state).unwrap(),
        pb::EndpointState::Enabled
    );

    // A new event after t0 + 72 h fails too: 34 failures over more than
    // three days → disabled, and an escalation is raised.
    app.advance_to(t0 + Duration::hours(73));
    app.ship(&acme, "1Z-DOWN-2").await;
    app.await_deliveries(&created.name, 2).await;
    app.worker().run_once().await.unwrap();
    let endpoint = app.get(&created.name).await;
    assert_eq!(
        pb::EndpointState::try_from(endpoint.state).unwrap(),
        pb::EndpointState::Disabled
    );
    assert_eq!(endpoint.failure_count, 34);
    assert!(
        endpoint.disabled_reason.contains("34 failed attempts"),
        "{}",
        endpoint.disabled_reason
    );
    assert!(
        endpoint.escalation.starts_with("escalations/"),
        "{endpoint:?}"
    );
    let id = created.name.trim_start_matches("webhookEndpoints/");
    let queue = EscalationServiceClient::new(app.channel(Role::Admin, None))
        .list_escalations(clpb::ListEscalationsRequest {
            page_size: 50,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .escalations;
    let item = queue
        .iter()
        .find(|e| e.subject == format!("webhookEndpoints/{id}"))
        .expect("escalation in the queue");
    assert_eq!(item.name, endpoint.escalation);
    assert_eq!(item.carrier, acme);

    // Disabled: nothing is sent, and redelivery is refused until re-enabled.
    let sent = receiver.received().len();
    app.advance(Duration::hours(1));
    assert_eq!(app.worker().run_once().await.unwrap(), 0);
    assert_eq!(receiver.received().len(), sent);
    let newest = app.deliveries(&created.name).await[0].name.clone();
    let mut partner = app.webhooks(Role::Carrier, Some(&acme));
    let err = partner
        .redeliver_delivery(pb::RedeliverDeliveryRequest {
            name: newest.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);

    // The partner fixes its receiver and re-enables: the streak clears and
    // the pending delivery goes out.
    receiver.answer(Mode::Status(200));
    let enabled = partner
        .update_webhook_endpoint(pb::UpdateWebhookEndpointRequest {
            webhook_endpoint: Some(pb::WebhookEndpoint {
                name: endpoint.name.clone(),
                etag: endpoint.etag.clone(),
                state: pb::EndpointState::Enabled.into(),
                ..Default::default()
            }),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["state".into()],
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(enabled.failure_count, 0);
    assert!(enabled.disabled_reason.is_empty());
    assert_eq!(app.worker().run_once().await.unwrap(), 1);
    assert_eq!(
        state(&app.deliveries(&created.name).await[0]),
        pb::DeliveryState::Delivered
    );
}
