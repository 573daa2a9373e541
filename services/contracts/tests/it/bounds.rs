//! Every input is bounded, tested at the edge: the documented maximum is
//! accepted and one more is INVALID_ARGUMENT naming the field (README,
//! "Limits"). Amounts are at most 10^12 minor units, times in 2000-2099.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use common::{at, day, event, ingest, shipment, spawn_app, terms, ts, usd, violated_fields};
use recourse_proto::contracts as pb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use recourse_platform::auth::Role;

backend_tests!(
    terms_sizes_amounts_and_texts_at_the_edge,
    shipment_times_texts_and_amounts_at_the_edge,
    tracking_event_fields_at_the_edge,
);

const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// The standard terms grown to every maximum at once: 100 zones (one with
/// 500 breaks, the last charging 10^12), 20,000 zone-chart rules, 100
/// accessorials; SLA terms with 1,000 holidays, 100 suspensions (reasons
/// of 200 characters) and 200 excusable codes of 128 characters.
fn terms_at_the_limits() -> pb::ContractTerms {
    let mut t = terms();
    let card = &mut t.rate_cards[0];
    let rates = card.zone_rates[0].clone();
    card.zone_rates = (0..100)
        .map(|z| pb::ZoneRates {
            zone: format!("Z{z}"),
            ..rates.clone()
        })
        .collect();
    card.zone_rates[0].weight_breaks = (1..=500)
        .map(|k| pb::WeightBreak {
            max_weight_thousandths: k * 1_000,
            charge: usd(if k == 500 { MAX_AMOUNT } else { 1_000 + k }),
        })
        .collect();
    card.zone_chart = (0..20_000)
        .map(|r| pb::ZoneRule {
            origin_prefix: format!("{r}"),
            destination_prefix: String::new(),
            zone: format!("Z{}", r % 100),
        })
        .collect();
    card.accessorials = (0..100)
        .map(|a| pb::Accessorial {
            code: format!("ACC_{a}"),
            charge: usd(100),
        })
        .collect();
    let sla = &mut t.sla_terms[0];
    sla.holidays = (0..1_000)
        .map(|d| {
            recourse_platform::proto_types::date_to_proto(
                chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(d),
            )
        })
        .collect();
    sla.guarantee_suspensions = (0..100)
        .map(|i| pb::GuaranteeSuspension {
            first_day: day(2030, 1, 1 + (i % 28)),
            last_day: day(2030, 1, 1 + (i % 28)),
            reason: "r".repeat(200),
        })
        .collect();
    sla.excusable_exceptions = (0..200)
        .map(|i| pb::ExcusableException {
            code: format!("{i:0>128}"),
            category: pb::ExcuseCategory::Weather.into(),
        })
        .collect();
    t
}

async fn terms_sizes_amounts_and_texts_at_the_edge(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    let mut client = app.contracts(Role::Admin);
    let request = |n: usize, reference: String, display_name: String, terms: pb::ContractTerms| {
        pb::CreateContractRequest {
            request_id: format!("edge-{n}"),
            carrier: carrier.clone(),
            reference,
            display_name,
            effective_from: day(2026, 1, 1),
            effective_to: None,
            terms: Some(terms),
        }
    };
    let created = client
        .create_contract(request(
            0,
            "R".repeat(64),
            "D".repeat(200),
            terms_at_the_limits(),
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        created.versions[0].terms.as_ref().unwrap().rate_cards[0]
            .zone_chart
            .len(),
        20_000
    );

    type Change = fn(&mut pb::ContractTerms);
    let one_more: [(&str, Change); 9] = [
        ("terms.rate_cards[0].zone_rates", |t| {
            let z = t.rate_cards[0].zone_rates[1].clone();
            t.rate_cards[0].zone_rates.push(pb::ZoneRates {
                zone: "Z100".into(),
                ..z
            });
        }),
        ("terms.rate_cards[0].zone_rates[0].weight_breaks", |t| {
            t.rate_cards[0].zone_rates[0]
                .weight_breaks
                .push(pb::WeightBreak {
                    max_weight_thousandths: 501_000,
                    charge: usd(1),
                });
        }),
        (
            "terms.rate_cards[0].zone_rates[0].weight_breaks[499].charge.amount_minor",
            |t| t.rate_cards[0].zone_rates[0].weight_breaks[499].charge = usd(MAX_AMOUNT + 1),
        ),
        ("terms.rate_cards[0].zone_chart", |t| {
            let r = t.rate_cards[0].zone_chart[0].clone();
            t.rate_cards[0].zone_chart.push(r);
        }),
        ("terms.rate_cards[0].accessorials", |t| {
            t.rate_cards[0].accessorials.push(pb::Accessorial {
                code: "ONE_MORE".into(),
                charge: usd(1),
            });
        }),
        ("terms.sla_terms[0].holidays", |t| {
            let h = t.sla_terms[0].holidays[0];
            t.sla_terms[0].holidays.push(h);
        }),
        ("terms.sla_terms[0].guarantee_suspensions", |t| {
            let s = t.sla_terms[0].guarantee_suspensions[0].clone();
            t.sla_terms[0].guarantee_suspensions.push(s);
        }),
        ("terms.sla_terms[0].guarantee_suspensions[0].reason", |t| {
            t.sla_terms[0].guarantee_suspensions[0].reason = "r".repeat(201);
        }),
        ("terms.sla_terms[0].excusable_exceptions[0].code", |t| {
            t.sla_terms[0].excusable_exceptions[0].code = "X".repeat(129);
        }),
    ];
    for (n, (field, change)) in one_more.into_iter().enumerate() {
        let mut t = terms_at_the_limits();
        change(&mut t);
        let err = client
            .create_contract(request(n + 1, "R".into(), "D".into(), t))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{field}: {err:?}");
        assert_eq!(violated_fields(&err), [field]);
    }
    for (reference, display_name, field) in [
        ("R".repeat(65), "D".into(), "reference"),
        ("R".into(), "D".repeat(201), "display_name"),
    ] {
        let err = client
            .create_contract(request(99, reference, display_name, terms()))
            .await
            .unwrap_err();
        assert_eq!(violated_fields(&err), [field]);
    }
    // A 2100 start is out of range; 9999 too, and said so (not "required").
    let mut late = request(98, "R".into(), "D".into(), terms());
    late.effective_from = day(2100, 1, 1);
    let err = client.create_contract(late).await.unwrap_err();
    assert_eq!(violated_fields(&err), ["effective_from"]);
    assert!(
        err.message().contains("years 2000-2099"),
        "{}",
        err.message()
    );
}

async fn shipment_times_texts_and_amounts_at_the_edge(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2000, 1, 1)).await;
    let mut client = app.shipments(Role::Admin);
    let mut n = 0;
    let mut register = async |s: pb::Shipment| {
        n += 1;
        client
            .register_shipment(pb::RegisterShipmentRequest {
                request_id: format!("s{n}"),
                shipment: Some(s),
            })
            .await
    };
    let base = || shipment(&carrier, "T", at(2026, 11, 2, 9, 0));
    let last_second = chrono::DateTime::from_timestamp(4_102_444_799, 0).unwrap(); // 2099-12-31T23:59:59Z
    let first_second = at(2000, 1, 3, 0, 0);
    for (tracking, when) in [("LAST", last_second), ("FIRST", first_second)] {
        let mut s = base();
        s.tracking_number = tracking.into();
        s.ship_time = ts(when);
        register(s).await.unwrap();
    }
    let mut edge = base();
    edge.tracking_number = "T".repeat(64);
    edge.origin_postal_code = "9".repeat(16);
    edge.declared_value = usd(MAX_AMOUNT);
    register(edge).await.unwrap();
    type Change<'a> = Box<dyn Fn(&mut pb::Shipment) + 'a>;
    let bad: [(&str, &str, Change<'_>); 7] = [
        (
            "shipment.ship_time",
            "years 2000-2099",
            Box::new(|s| s.ship_time = ts(last_second + chrono::Duration::seconds(1))),
        ),
        (
            "shipment.ship_time",
            "years 2000-2099",
            Box::new(|s| s.ship_time = ts(at(9999, 1, 1, 0, 0))),
        ),
        (
            "shipment.ship_time",
            "years 2000-2099",
            Box::new(|s| s.ship_time = ts(at(1999, 12, 31, 23, 59))),
        ),
        (
            "shipment.ship_time",
            "not a valid time",
            Box::new(|s| {
                s.ship_time = Some(prost_types::Timestamp {
                    seconds: 1_800_000_000,
                    nanos: -1,
                })
            }),
        ),
        (
            "shipment.tracking_number",
            "1-64",
            Box::new(|s| s.tracking_number = "T".repeat(65)),
        ),
        (
            "shipment.origin_postal_code",
            "1-16",
            Box::new(|s| s.origin_postal_code = "9".repeat(17)),
        ),
        (
            "shipment.declared_value.amount_minor",
            "at most",
            Box::new(|s| s.declared_value = usd(MAX_AMOUNT + 1)),
        ),
    ];
    for (field, says, change) in bad {
        let mut s = base();
        change(&mut s);
        let err = register(s).await.unwrap_err();
        assert_eq!(violated_fields(&err), [field], "{err:?}");
        assert!(err.message().contains(says), "{field}: {}", err.message());
    }
    // A missing ship time is "required", an unparseable one "invalid".
    let mut s = base();
    s.ship_time = None;
    let err = register(s).await.unwrap_err();
    assert!(
        err.message().contains("shipment.ship_time: is required"),
        "{}",
        err.message()
    );

    // The override reason: 500 characters are fine, 501 are not.
    let mut admin = app.shipments(Role::Admin);
    let registered = app
        .register(shipment(&carrier, "OVR", at(2026, 11, 2, 9, 0)))
        .await;
    let overriding = |reason: String, etag: String| pb::OverrideShipmentPromiseRequest {
        name: registered.name.clone(),
        etag,
        promised_delivery_time: ts(at(2026, 11, 9, 9, 0)),
        reason,
    };
    let err = admin
        .override_shipment_promise(overriding("r".repeat(501), registered.etag.clone()))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["reason"]);
    admin
        .override_shipment_promise(overriding("r".repeat(500), registered.etag.clone()))
        .await
        .unwrap();

    // Quotes: an overflowing side is the dimension's fault, not the weight's.
    let mut quote = pb::QuoteRateRequest {
        carrier: carrier.clone(),
        service_level: "GROUND".into(),
        origin_postal_code: "94105".into(),
        destination_postal_code: "10001".into(),
        weight: Some(recourse_proto::common::Weight {
            thousandths: 1_000,
            unit: recourse_proto::common::WeightUnit::Lb.into(),
        }),
        dimensions: Some(recourse_proto::common::Dimensions {
            length_thousandths: i64::MAX,
            width_thousandths: 1_000,
            height_thousandths: 1_000,
            unit: recourse_proto::common::LengthUnit::In.into(),
        }),
        ship_date: day(2026, 6, 1),
        ..Default::default()
    };
    let mut contracts = app.contracts(Role::Admin);
    let err = contracts.quote_rate(quote.clone()).await.unwrap_err();
    assert_eq!(violated_fields(&err), ["dimensions.length_thousandths"]);
    quote.dimensions = None;
    quote.accessorials = vec!["NOT_SOLD".into()];
    let err = contracts.quote_rate(quote).await.unwrap_err();
    assert_eq!(violated_fields(&err), ["accessorials"]);
}

async fn tracking_event_fields_at_the_edge(backend: Backend) {
    let app = spawn_app(backend).await;
    let carrier = app.carrier("ACME").await;
    app.active_contract(&carrier, "MSA", day(2026, 1, 1)).await;
    app.register(shipment(&carrier, "T1", at(2026, 11, 2, 9, 0)))
        .await;
    let when = at(2026, 11, 2, 10, 0);
    let mut ok = event("ok", "T1", pb::TrackingEventType::Exception, when);
    ok.location = "L".repeat(128);
    ok.exception_reason = "E".repeat(128);
    ok.carrier_event_id = "I".repeat(128);
    let mut long_location = event("loc", "T1", pb::TrackingEventType::ArrivalScan, when);
    long_location.location = "L".repeat(129);
    let mut long_reason = event("why", "T1", pb::TrackingEventType::Exception, when);
    long_reason.exception_reason = "E".repeat(129);
    let mut bad_time = event("time", "T1", pb::TrackingEventType::ArrivalScan, when);
    bad_time.occur_time = Some(prost_types::Timestamp {
        seconds: 1_800_000_000,
        nanos: 1_000_000_000,
    });
    let mut no_time = event("none", "T1", pb::TrackingEventType::ArrivalScan, when);
    no_time.occur_time = None;
    let mut year_9999 = event("far", "T1", pb::TrackingEventType::ArrivalScan, when);
    year_9999.occur_time = ts(at(9999, 1, 1, 0, 0));
    let summary = ingest(
        &mut app.shipments(Role::Internal),
        &carrier,
        vec![vec![
            ok,
            long_location,
            long_reason,
            bad_time,
            no_time,
            year_9999,
        ]],
    )
    .await
    .unwrap();
    assert_eq!(summary.stored, 1);
    let said: Vec<(u64, &str, &str)> = summary
        .rejections
        .iter()
        .map(|r| (r.index, r.reason.as_str(), r.detail.as_str()))
        .collect();
    assert_eq!(
        said,
        [
            (
                1,
                "INVALID_EVENT",
                "location: must be at most 128 characters"
            ),
            (
                2,
                "INVALID_EVENT",
                "exception_reason: must be at most 128 characters"
            ),
            (3, "INVALID_EVENT", "occur_time: is not a valid time"),
            (4, "INVALID_EVENT", "occur_time: is required"),
            (
                5,
                "INVALID_EVENT",
                "occur_time: must be in the years 2000-2099"
            ),
        ]
    );
}
