//! AIP-211 on every claims and recovery RPC: a principal asking about what
//! it may not see gets the same answer whether it exists or not. A carrier
//! principal of A and a 3PL of another account walk every RPC with B's
//! real names (claim, shipment, remittance, carrier) and with made-up ones:
//! code and message agree once the names sent are set aside — so no
//! message can name anything of B's the caller did not send (a made-up
//! name has no owner to name) — and no message carries B's claim number,
//! its 3PL or its carrier's code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;
use crate::recoveries::{approved, remittance};

use chrono::{Duration, Utc};
use common::{Authed, TestApp, World, claim_request, spawn_app, submit, usd};
use recourse_platform::auth::Role;
use recourse_proto::claims as pb;
use recourse_proto::claims::claim_service_client::ClaimServiceClient;
use recourse_proto::claims::recovery_service_client::RecoveryServiceClient;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

backend_tests!(another_partys_names_and_made_up_ones_get_the_same_answer_on_every_rpc);

/// What a probe sends: names of claims, shipments, remittances, carriers.
#[derive(Debug, Clone)]
struct Names {
    claim: String,
    etag: String,
    shipment: String,
    remittance: String,
    carrier: String,
}

impl Names {
    fn made_up() -> Self {
        let id = || uuid::Uuid::now_v7().to_string();
        Self {
            claim: format!("claims/{}", id()),
            etag: "\"1\"".into(),
            shipment: format!("shipments/{}", id()),
            remittance: format!("remittances/{}", id()),
            carrier: format!("carriers/{}", id()),
        }
    }

    /// `message` with every name of these replaced by its placeholder.
    fn neutral(&self, message: &str) -> String {
        let mut m = message.to_owned();
        for (name, placeholder) in [
            (&self.claim, "{claim}"),
            (&self.shipment, "{shipment}"),
            (&self.remittance, "{remittance}"),
            (&self.carrier, "{carrier}"),
        ] {
            m = m.replace(name.as_str(), placeholder);
            let id = name.split('/').next_back().unwrap_or_default();
            m = m.replace(id, placeholder);
        }
        m
    }
}

fn answer<T>(r: Result<tonic::Response<T>, tonic::Status>) -> (Code, String) {
    match r {
        Ok(_) => (Code::Ok, String::new()),
        Err(e) => (e.code(), e.message().to_owned()),
    }
}

/// Every RPC of ClaimService and RecoveryService called with `n`, as the
/// principal behind the clients: (rpc, code, message).
async fn walk(
    claims: &mut ClaimServiceClient<Authed>,
    money: &mut RecoveryServiceClient<Authed>,
    n: &Names,
) -> Vec<(&'static str, Code, String)> {
    let mut out = Vec::new();
    let mut add = |rpc, (code, message): (Code, String)| out.push((rpc, code, n.neutral(&message)));
    let mut create = claim_request("probe-create", &n.shipment, cpb::ClaimType::Loss, 1, 100);
    create.claim.as_mut().unwrap().claimant = Some(pb::Claimant {
        kind: pb::ClaimantKind::Partner3pl.into(),
        name: "Probe".into(),
        on_behalf_of: "Someone".into(),
    });
    add("CreateClaim", answer(claims.create_claim(create).await));
    let get = pb::GetClaimRequest {
        name: n.claim.clone(),
    };
    add("GetClaim", answer(claims.get_claim(get).await));
    let list = pb::ListClaimsRequest {
        carrier: n.carrier.clone(),
        shipment: n.shipment.clone(),
        ..Default::default()
    };
    add("ListClaims", answer(claims.list_claims(list).await));
    let mut edit = claim_request("x", &n.shipment, cpb::ClaimType::Damage, 1, 100)
        .claim
        .unwrap();
    edit.name = n.claim.clone();
    edit.etag = n.etag.clone();
    let update = pb::UpdateClaimRequest {
        claim: Some(edit),
        update_mask: Some(prost_types::FieldMask {
            paths: vec!["notes".into()],
        }),
    };
    add("UpdateClaim", answer(claims.update_claim(update).await));
    let submit = pb::SubmitClaimRequest {
        request_id: "probe-submit".into(),
        name: n.claim.clone(),
        etag: n.etag.clone(),
        ..Default::default()
    };
    add("SubmitClaim", answer(claims.submit_claim(submit).await));
    for (rpc, to) in [
        (
            "TransitionClaim(acknowledge)",
            pb::ClaimStatus::Acknowledged,
        ),
        ("TransitionClaim(withdraw)", pb::ClaimStatus::Withdrawn),
    ] {
        let step = pb::TransitionClaimRequest {
            request_id: format!("probe-{rpc}"),
            name: n.claim.clone(),
            etag: n.etag.clone(),
            to: to.into(),
            reason: "probing".into(),
            ..Default::default()
        };
        add(rpc, answer(claims.transition_claim(step).await));
    }
    let history = pb::ListClaimHistoryRequest {
        name: n.claim.clone(),
    };
    add(
        "ListClaimHistory",
        answer(claims.list_claim_history(history).await),
    );
    let document = pb::AddDocumentRequest {
        claim: n.claim.clone(),
        document: Some(common::document(cpb::DocumentKind::Photo, "x.jpg")),
    };
    add("AddDocument", answer(claims.add_document(document).await));
    let upload = [
        pb::UploadDocumentRequest {
            part: Some(pb::upload_document_request::Part::Header(
                pb::UploadHeader {
                    claim: n.claim.clone(),
                    kind: cpb::DocumentKind::Photo.into(),
                    file_name: "x.jpg".into(),
                    sha256: "a".repeat(64),
                },
            )),
        },
        pb::UploadDocumentRequest {
            part: Some(pb::upload_document_request::Part::Chunk(b"photo".to_vec())),
        },
    ];
    let uploaded = claims.upload_document(tokio_stream::iter(upload)).await;
    add("UploadDocument", answer(uploaded));
    let overdue = pb::ListOverdueClaimsRequest {
        carrier: n.carrier.clone(),
        ..Default::default()
    };
    add(
        "ListOverdueClaims",
        answer(claims.list_overdue_claims(overdue).await),
    );
    let delay = pb::CreateDelayClaimsRequest {
        request_id: "probe-delay".into(),
        carrier: n.carrier.clone(),
        shipment: n.shipment.clone(),
        submit: false,
    };
    add(
        "CreateDelayClaims",
        answer(claims.create_delay_claims(delay).await),
    );

    let record = remittance(
        &World {
            carrier: n.carrier.clone(),
        },
        "PROBE",
        usd(100),
        vec![],
    );
    add(
        "RecordRemittance",
        answer(money.record_remittance(record).await),
    );
    let get = pb::GetRemittanceRequest {
        name: n.remittance.clone(),
    };
    add("GetRemittance", answer(money.get_remittance(get).await));
    let list = pb::ListRemittancesRequest {
        carrier: n.carrier.clone(),
        ..Default::default()
    };
    add(
        "ListRemittances",
        answer(money.list_remittances(list).await),
    );
    let allocate = pb::AllocateRemittanceRequest {
        dispute: String::new(),
        request_id: "probe-allocate".into(),
        remittance: n.remittance.clone(),
        claim: n.claim.clone(),
        amount: usd(100),
    };
    add(
        "AllocateRemittance",
        answer(money.allocate_remittance(allocate).await),
    );
    let csv = pb::ImportRemittancesRequest {
        csv: format!(
            "carrier,kind,reference,invoice_reference,date,currency,amount_minor,claim,\
             tracking_number,line_amount_minor\n{},PAYMENT,P1,,2026-01-01,USD,100,{},,100\n",
            n.carrier, n.claim
        )
        .into_bytes(),
    };
    let imported = money.import_remittances(tokio_stream::iter([csv])).await;
    add("ImportRemittances", answer(imported));
    let write_off = pb::WriteOffClaimRequest {
        request_id: "probe-write-off".into(),
        claim: n.claim.clone(),
        reason: "probing".into(),
        amount: None,
    };
    add(
        "WriteOffClaim",
        answer(money.write_off_claim(write_off).await),
    );
    let reconciliation = pb::GetReconciliationRequest {
        carrier: n.carrier.clone(),
        ..Default::default()
    };
    add(
        "GetReconciliation",
        answer(money.get_reconciliation(reconciliation).await),
    );
    out
}

/// B's world: a submitted claim filed by 3PL `owner3pl` for a parcel it
/// tendered, and a remittance from B.
async fn world_b(app: &TestApp) -> (Names, String) {
    let b = app.world("BETA").await;
    let mut s = common::shipment(&b.carrier, "B1", Utc::now() - Duration::days(5));
    s.shipper_account = "owner3pl".into();
    let shipment = app.ship(&b, s, None).await;
    let mut request = claim_request("b-claim", &shipment, cpb::ClaimType::Loss, 1, 5_000);
    request.claim.as_mut().unwrap().claimant = Some(pb::Claimant {
        kind: pb::ClaimantKind::Partner3pl.into(),
        name: "Owner 3PL".into(),
        on_behalf_of: "Merchant Co".into(),
    });
    let mut owner = app.tpl_claims("owner3pl");
    let draft = owner.create_claim(request).await.unwrap().into_inner();
    let claim = submit(&mut owner, &draft).await.unwrap();
    // A second claim of B's, approved, so money and write-offs exist.
    approved(app, &b, "B2", 1, 4_000, 4_000).await;
    let paid = app
        .recoveries(Role::Finance)
        .record_remittance(remittance(&b, "B-PAY", usd(1_000), vec![]))
        .await
        .unwrap()
        .into_inner();
    let names = Names {
        claim: claim.name.clone(),
        etag: claim.etag.clone(),
        shipment,
        remittance: paid.name,
        carrier: b.carrier.clone(),
    };
    (names, claim.number)
}

async fn another_partys_names_and_made_up_ones_get_the_same_answer_on_every_rpc(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app.world("ALPHA").await;
    let (real, number) = world_b(&app).await;
    let carrier_token = app.auth.token(
        Role::Carrier,
        Some(a.carrier.trim_start_matches("carriers/")),
    );
    let tpl_token = app.auth.token(Role::ThirdParty, Some("probe3pl"));
    for (who, token) in [("carrier of A", carrier_token), ("3PL probe3pl", tpl_token)] {
        let channel = app.server.authed(Some(&token));
        let mut claims = ClaimServiceClient::new(channel.clone());
        let mut money = RecoveryServiceClient::new(channel);
        let with_real = walk(&mut claims, &mut money, &real).await;
        let made_up = Names::made_up();
        let with_made_up = walk(&mut claims, &mut money, &made_up).await;
        for (r, m) in with_real.iter().zip(&with_made_up) {
            assert_eq!(r, m, "{who}: {} tells B's names from made-up ones", r.0);
            assert_ne!(r.1, Code::Internal, "{who}: {}", r.0);
            for secret in [number.as_str(), "owner3pl", "Owner 3PL", "BETA"] {
                assert!(
                    !r.2.contains(secret),
                    "{who}: {} says {secret}: {}",
                    r.0,
                    r.2
                );
            }
        }
        // Nothing of B's is readable: the claim reads as absent.
        let by_rpc = |rpc: &str| with_real.iter().find(|r| r.0 == rpc).unwrap().1;
        assert_eq!(by_rpc("GetClaim"), Code::NotFound, "{who}");
        assert_eq!(by_rpc("ListClaimHistory"), Code::NotFound, "{who}");
        assert_eq!(by_rpc("GetRemittance"), Code::PermissionDenied, "{who}");
    }
}
