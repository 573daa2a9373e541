//! Every documented maximum, tried at the edge: the maximum is accepted,
//! one more is INVALID_ARGUMENT naming the field (docs/rules.md,
//! "Bounds"). Amounts (10^12 minor units) are tried in
//! `reconciliation::huge_amounts_are_refused_at_the_api_and_old_overflowing_rows_reported`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;
use crate::recoveries::{approved, line, remittance};

use chrono::NaiveDate;
use common::{claim_request, spawn_app, transition, usd, violated_fields};
use recourse_platform::auth::Role;
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

backend_tests!(
    claim_fields_are_bounded_at_the_edge,
    moves_and_write_offs_are_bounded_at_the_edge,
    remittances_are_bounded_at_the_edge,
    a_claim_holds_at_most_a_hundred_documents,
    a_file_of_bad_rows_gets_its_first_thousand_errors_and_a_count,
);

fn chars(n: usize) -> String {
    "é".repeat(n)
}

async fn claim_fields_are_bounded_at_the_edge(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let mut internal = app.claims(Role::Internal);
    // Each case: the field, a request at its maximum, one past it.
    type Edit = fn(&mut pb::Claim, bool);
    let cases: [(&str, Edit); 7] = [
        ("claim.line_items", |c, over| {
            let item = c.line_items[0].clone();
            c.line_items = vec![item; if over { 101 } else { 100 }];
        }),
        ("claim.line_items[0].quantity", |c, over| {
            c.line_items[0].quantity = if over { 1_000_001 } else { 1_000_000 };
            c.line_items[0].unit_value = usd(1);
        }),
        ("claim.line_items[0].sku", |c, over| {
            c.line_items[0].sku = chars(if over { 65 } else { 64 });
        }),
        ("claim.line_items[0].description", |c, over| {
            c.line_items[0].description = chars(if over { 501 } else { 500 });
        }),
        ("claim.claimant.name", |c, over| {
            c.claimant.as_mut().unwrap().name = chars(if over { 201 } else { 200 });
        }),
        ("claim.claimant.on_behalf_of", |c, over| {
            c.claimant.as_mut().unwrap().on_behalf_of = chars(if over { 201 } else { 200 });
        }),
        ("claim.notes", |c, over| {
            c.notes = chars(if over { 10_001 } else { 10_000 });
        }),
    ];
    for (i, (field, edit)) in cases.into_iter().enumerate() {
        let shipment = app.shipped(&world, &format!("E{i}"), 5, false).await;
        let mut request =
            claim_request(&format!("max-{i}"), &shipment, cpb::ClaimType::Loss, 1, 100);
        edit(request.claim.as_mut().unwrap(), false);
        let at_max = internal.create_claim(request.clone()).await;
        assert!(at_max.is_ok(), "{field} at its maximum: {at_max:?}");
        request.request_id = format!("over-{i}");
        edit(request.claim.as_mut().unwrap(), true);
        let err = internal.create_claim(request).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{field}");
        assert_eq!(violated_fields(&err), [field], "{err:?}");
    }
}

async fn moves_and_write_offs_are_bounded_at_the_edge(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let mut internal = app.claims(Role::Internal);
    // A withdrawal's reason: 1,000 characters, not 1,001.
    for (i, n, ok) in [(0, 1_000, true), (1, 1_001, false)] {
        let shipment = app.shipped(&world, &format!("W{i}"), 5, false).await;
        let draft = internal
            .create_claim(claim_request(
                &format!("w{i}"),
                &shipment,
                cpb::ClaimType::Loss,
                1,
                100,
            ))
            .await
            .unwrap()
            .into_inner();
        let moved = transition(
            &mut internal,
            &draft,
            pb::ClaimStatus::Withdrawn,
            &chars(n),
            None,
        )
        .await;
        match moved {
            Ok(c) => assert!(ok && c.status() == pb::ClaimStatus::Withdrawn),
            Err(err) => assert!(!ok && violated_fields(&err) == ["reason"], "{err:?}"),
        }
    }
    // A late-filing justification: the same bound, on its own field.
    let shipment = app.shipped(&world, "J", 5, false).await;
    let draft = internal
        .create_claim(claim_request("j", &shipment, cpb::ClaimType::Loss, 1, 100))
        .await
        .unwrap()
        .into_inner();
    let mut submit = pb::SubmitClaimRequest {
        request_id: "j-over".into(),
        name: draft.name.clone(),
        etag: draft.etag.clone(),
        override_late_filing: true,
        override_justification: chars(1_001),
    };
    let err = app
        .claims(Role::Admin)
        .submit_claim(submit.clone())
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["override_justification"]);
    submit.request_id = "j-max".into();
    submit.override_justification = chars(1_000);
    app.claims(Role::Admin).submit_claim(submit).await.unwrap();
    // A write-off's reason.
    let c = approved(&app, &world, "WO", 1, 1_000, 1_000).await;
    let mut finance = app.recoveries(Role::Finance);
    let write_off = |id: &str, n: usize| pb::WriteOffClaimRequest {
        request_id: id.into(),
        claim: c.name.clone(),
        reason: chars(n),
        amount: usd(100),
    };
    let err = finance
        .write_off_claim(write_off("wo-over", 1_001))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["reason"]);
    finance
        .write_off_claim(write_off("wo-max", 1_000))
        .await
        .unwrap();
    // Times: the overdue clock's as_of within 2000-2099.
    let year = |y: i32| {
        let day = NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
        Some(timestamp_to_proto(
            day.and_hms_opt(0, 0, 0).unwrap().and_utc(),
        ))
    };
    let overdue = |as_of| pb::ListOverdueClaimsRequest {
        as_of,
        ..Default::default()
    };
    let err = internal
        .list_overdue_claims(overdue(year(2100)))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["as_of"]);
    internal
        .list_overdue_claims(overdue(year(2099)))
        .await
        .unwrap();
    let err = finance
        .get_reconciliation(pb::GetReconciliationRequest {
            as_of: Some(date_to_proto(
                NaiveDate::from_ymd_opt(1999, 12, 31).unwrap(),
            )),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["as_of"]);
}

async fn remittances_are_bounded_at_the_edge(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let mut finance = app.recoveries(Role::Finance);
    let record = |reference: &str, amount: i64, lines: Vec<pb::RemittanceLine>| {
        remittance(&world, reference, usd(amount), lines)
    };
    let refused = |r: Result<tonic::Response<pb::Remittance>, tonic::Status>| {
        violated_fields(&r.unwrap_err())
    };
    // 5,000 lines of 0.01 each in a 50.00 remittance; 5,001 are refused.
    let lines = |n: usize| (0..n).map(|i| line("", &format!("T{i}"), usd(1))).collect();
    let recorded = finance
        .record_remittance(record("MAX", 5_000, lines(5_000)))
        .await
        .unwrap();
    assert_eq!(recorded.get_ref().lines.len(), 5_000);
    let over = finance
        .record_remittance(record("OVER", 5_001, lines(5_001)))
        .await;
    assert_eq!(refused(over), ["remittance.lines"]);
    // A page of ListRemittances ends early rather than carry more than
    // 5,000 lines: the 5,000-line remittance alone, then the rest.
    finance
        .record_remittance(record("AFTER", 100, vec![line("", "X", usd(100))]))
        .await
        .unwrap();
    let page = |page_token: String| pb::ListRemittancesRequest {
        page_size: 50,
        page_token,
        ..Default::default()
    };
    let first = finance
        .list_remittances(page(String::new()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.remittances.len(), 1);
    assert_eq!(first.remittances[0].lines.len(), 5_000);
    assert!(!first.next_page_token.is_empty());
    let second = finance
        .list_remittances(page(first.next_page_token))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(second.remittances.len(), 1);
    assert_eq!(second.remittances[0].reference, "AFTER");
    assert!(second.next_page_token.is_empty());
    // Lines adding up to more than the remittance: 60.00 + 50.00 > 100.00.
    let too_much = vec![line("", "A", usd(6_000)), line("", "B", usd(5_000))];
    let over = finance
        .record_remittance(record("SUM", 10_000, too_much))
        .await;
    assert_eq!(refused(over), ["remittance.lines"]);
    // References, claim references and tracking numbers: 64 characters.
    let mut at_max = record(&chars(64), 100, vec![line(&chars(64), "", usd(100))]);
    at_max.remittance.as_mut().unwrap().invoice_reference = chars(64);
    finance.record_remittance(at_max).await.unwrap();
    let mut over = record(
        &chars(65),
        100,
        vec![line(&chars(65), &chars(65), usd(100))],
    );
    over.request_id = "refs-over".into();
    over.remittance.as_mut().unwrap().invoice_reference = chars(65);
    assert_eq!(
        refused(finance.record_remittance(over).await),
        [
            "remittance.reference",
            "remittance.invoice_reference",
            "remittance.lines[0].claim",
            "remittance.lines[0].tracking_number"
        ]
    );
    // Dates: 2000-01-01 to 2099-12-31.
    for (y, m, d, ok) in [
        (2000, 1, 1, true),
        (1999, 12, 31, false),
        (2099, 12, 31, true),
        (2100, 1, 1, false),
    ] {
        let mut r = record(&format!("D{y}"), 100, vec![]);
        let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
        r.remittance.as_mut().unwrap().remittance_date = Some(date_to_proto(date));
        let answer = finance.record_remittance(r).await;
        if ok {
            answer.unwrap();
        } else {
            assert_eq!(refused(answer), ["remittance.remittance_date"], "{date}");
        }
    }
}

async fn a_claim_holds_at_most_a_hundred_documents(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let mut internal = app.claims(Role::Internal);
    let shipment = app.shipped(&world, "DOCS", 5, false).await;
    let draft = internal
        .create_claim(claim_request(
            "docs",
            &shipment,
            cpb::ClaimType::Damage,
            1,
            100,
        ))
        .await
        .unwrap()
        .into_inner();
    let add = |i: usize| pb::AddDocumentRequest {
        claim: draft.name.clone(),
        document: Some(common::document(
            cpb::DocumentKind::Photo,
            &format!("p{i}.jpg"),
        )),
    };
    for i in 0..100 {
        internal.add_document(add(i)).await.unwrap();
    }
    let err = internal.add_document(add(100)).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert_eq!(common::kind_of(&err), "DOCUMENT_LIMIT");
}

async fn a_file_of_bad_rows_gets_its_first_thousand_errors_and_a_count(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let header = "carrier,kind,reference,invoice_reference,date,currency,amount_minor,claim,\
                  tracking_number,line_amount_minor\n";
    let file = |rows: usize| {
        let mut csv = header.to_owned();
        for i in 0..rows {
            csv.push_str(&format!(
                "{},CHEQUE,R{i},,2026-01-01,USD,100,,T{i},100\n",
                world.carrier
            ));
        }
        csv.into_bytes()
    };
    let import = |bytes: Vec<u8>| {
        let mut finance = app.recoveries(Role::Finance);
        // Chunks of 64 KiB, as a client would stream a big file.
        let chunks: Vec<pb::ImportRemittancesRequest> = bytes
            .chunks(64 * 1024)
            .map(|c| pb::ImportRemittancesRequest { csv: c.to_vec() })
            .collect();
        async move { finance.import_remittances(tokio_stream::iter(chunks)).await }
    };
    // 20,000 rows (the most a file may have), every one bad: the first
    // 1,000 by line are listed (lines 2-1001, after the header), the other
    // 19,000 counted.
    let answer = import(file(20_000)).await.unwrap().into_inner();
    assert_eq!((answer.rows, answer.imported_rows), (20_000, 0));
    assert_eq!(answer.errors.len(), 1_000);
    assert_eq!(answer.more_errors, 19_000);
    assert_eq!(answer.errors[0].line, 2);
    assert_eq!(answer.errors[999].line, 1_001);
    assert!(
        answer.errors[0].message.contains("CHEQUE"),
        "{:?}",
        answer.errors[0]
    );
    // 20,001 rows: the file is refused whole.
    let err = import(file(20_001)).await.unwrap_err();
    assert_eq!(violated_fields(&err), ["csv"]);
}
