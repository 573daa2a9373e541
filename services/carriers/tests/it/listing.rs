//! ListCarriers: pages that walk every row once, tokens bound to their
//! filters, the filters.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use std::collections::HashSet;

use crate::updates::change_status;
use common::{spawn_app, violated_fields};
use recourse_proto::carriers as pb;
use recourse_test_support::{Backend, backend_tests};

backend_tests!(
    pagination_walks_every_row_exactly_once,
    page_token_is_bound_to_its_filters,
    list_filters_by_status_kind_and_region,
    list_by_names_reads_a_known_set_in_one_call,
);

async fn pagination_walks_every_row_exactly_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut created = HashSet::new();
    for i in 0..23 {
        created.insert(app.create(&format!("C{i:02}")).await.name);
    }
    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let page = app
            .admin()
            .list_carriers(pb::ListCarriersRequest {
                page_size: 5,
                page_token: token.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        pages += 1;
        assert!(page.carriers.len() <= 5);
        seen.extend(page.carriers.into_iter().map(|c| c.name));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(pages, 5);
    assert_eq!(seen.len(), 23, "no row twice");
    assert_eq!(
        seen.iter().cloned().collect::<HashSet<_>>(),
        created,
        "every row once"
    );
}

async fn page_token_is_bound_to_its_filters(backend: Backend) {
    let app = spawn_app(backend).await;
    for code in ["AA", "BB", "CC"] {
        app.create(code).await;
    }
    let first = app
        .admin()
        .list_carriers(pb::ListCarriersRequest {
            page_size: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let err = app
        .admin()
        .list_carriers(pb::ListCarriersRequest {
            page_size: 1,
            page_token: first.next_page_token,
            region: "DE".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["page_token"]);
    let err = app
        .admin()
        .list_carriers(pb::ListCarriersRequest {
            page_size: -1,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["page_size"]);
}

async fn list_filters_by_status_kind_and_region(backend: Backend) {
    let app = spawn_app(backend).await;
    let national = app.create("NAT").await;
    let mut regional = common::carrier("REG");
    regional.kind = pb::CarrierKind::Regional.into();
    regional.regions = vec!["DE-BY".into()];
    app.admin()
        .create_carrier(pb::CreateCarrierRequest {
            request_id: "reg".into(),
            carrier: Some(regional),
        })
        .await
        .unwrap();
    change_status(&app, &national, pb::CarrierStatus::Active)
        .await
        .unwrap();
    let codes = |request: pb::ListCarriersRequest| {
        let mut client = app.admin();
        async move {
            let mut codes: Vec<String> = client
                .list_carriers(request)
                .await
                .unwrap()
                .into_inner()
                .carriers
                .into_iter()
                .map(|c| c.code)
                .collect();
            codes.sort();
            codes
        }
    };
    assert_eq!(
        codes(pb::ListCarriersRequest {
            status: pb::CarrierStatus::Active.into(),
            ..Default::default()
        })
        .await,
        ["NAT"]
    );
    assert_eq!(
        codes(pb::ListCarriersRequest {
            kind: pb::CarrierKind::Regional.into(),
            ..Default::default()
        })
        .await,
        ["REG"]
    );
    assert_eq!(
        codes(pb::ListCarriersRequest {
            region: "DE-BY".into(),
            ..Default::default()
        })
        .await,
        ["REG"]
    );
    assert_eq!(
        codes(pb::ListCarriersRequest {
            region: "US-CA".into(),
            status: pb::CarrierStatus::Onboarding.into(),
            ..Default::default()
        })
        .await,
        Vec::<String>::new()
    );
    let err = app
        .admin()
        .list_carriers(pb::ListCarriersRequest {
            status: 99,
            region: "bad region".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["status", "region"]);
}

async fn list_by_names_reads_a_known_set_in_one_call(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.create("NA").await.name;
    let _b = app.create("NB").await.name;
    let c = app.create("NC").await.name;
    let made_up = "carriers/00000000-0000-7000-8000-000000000000".to_owned();
    let list = |names: Vec<String>| pb::ListCarriersRequest {
        page_size: 500,
        names,
        ..Default::default()
    };
    // The named ones that exist, none other; a made-up name is not listed.
    let page = app
        .admin()
        .list_carriers(list(vec![a.clone(), c.clone(), made_up.clone()]))
        .await
        .unwrap()
        .into_inner();
    let mut names: Vec<String> = page.carriers.into_iter().map(|x| x.name).collect();
    names.sort();
    let mut expected = vec![a.clone(), c.clone()];
    expected.sort();
    assert_eq!(names, expected);
    // Bad names are named; 500 is the most.
    let status = app
        .admin()
        .list_carriers(list(vec![a.clone(), "nope".into()]))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&status), ["names[1]"]);
    let status = app
        .admin()
        .list_carriers(list(vec![made_up.clone(); 501]))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&status), ["names"]);
    app.admin()
        .list_carriers(list(vec![made_up; 500]))
        .await
        .unwrap();
}
