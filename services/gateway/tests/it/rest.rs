//! REST/JSON through the gateway: the same keys, roles, scoping and
//! idempotency as gRPC, canonical protobuf JSON both ways, AIP-193 errors
//! with their HTTP status, a feed as NDJSON, and the OpenAPI document of
//! the very routes it serves.

use chrono::Datelike as _;
use recourse_proto::gateway as pb;
use recourse_test_support::{Backend, backend_tests};
use serde_json::json;

use crate::common::rest::{Rest, claimable_shipment, claimable_shipment_of};
use crate::common::{key, spawn_app};

backend_tests!(
    a_claim_is_filed_documented_submitted_and_followed_over_rest,
    a_3pl_files_on_rest_alone_and_sees_it_approved_and_settled,
    rest_errors_are_aip193_json_with_their_http_status,
);

fn claim_body(shipment: &str) -> String {
    json!({
        "shipment": shipment,
        "type": "CLAIM_TYPE_LOSS",
        "claimant": {"kind": "CLAIMANT_KIND_INTERNAL_TEAM", "name": "Customer care"},
        "lineItems": [{
            "sku": "SKU-1",
            "description": "Ceramic vase",
            "quantity": 2,
            "unitValue": {"amountMinor": "2500", "currencyCode": "USD"},
        }],
        "notes": "Never arrived",
    })
    .to_string()
}

async fn a_claim_is_filed_documented_submitted_and_followed_over_rest(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_key().await;
    let rest = Rest::new(&app);
    let (_, shipment) = claimable_shipment(&app, "RSTA").await;

    // Idempotency-Key is the request id: the retry gets the first answer.
    let body = claim_body(&shipment);
    let create = || {
        rest.request("POST", "/v1/claims", Some(&admin), None)
            .header("idempotency-key", "rest-create-1")
    };
    let created = rest.send(create(), Some(&body)).await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(created.headers["content-type"], "application/json");
    let claim = created.json();
    let name = claim["name"].as_str().unwrap().to_owned();
    assert!(name.starts_with("claims/"), "{claim}");
    assert_eq!(claim["status"], "CLAIM_STATUS_DRAFT");
    // 2 × 2,500 minor units claimed; int64 is a string in canonical JSON.
    assert_eq!(claim["claimedAmount"]["amountMinor"], "5000", "{claim}");
    let again = rest.send(create(), Some(&body)).await;
    assert_eq!(again.json()["name"], claim["name"]);

    let fetched = rest
        .call("GET", &format!("/v1/{name}"), Some(&admin), None)
        .await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.json()["etag"], claim["etag"]);
    let listed = rest
        .call(
            "GET",
            "/v1/claims?pageSize=10&status=CLAIM_STATUS_DRAFT",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let names: Vec<_> = listed.json()["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(names, vec![claim["name"].clone()]);

    let document = json!({
        "kind": "DOCUMENT_KIND_INVOICE",
        "fileName": "invoice.pdf",
        "sizeBytes": "1024",
        "sha256": "a".repeat(64),
        "storageUri": "s3://evidence/invoice.pdf",
    })
    .to_string();
    let added = rest
        .call(
            "POST",
            &format!("/v1/{name}/documents"),
            Some(&admin),
            Some(&document),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.text);
    assert_eq!(added.json()["fileName"], "invoice.pdf");

    // A client stream as NDJSON: the header (its claim from the path), then
    // the bytes, checked against their SHA-256.
    let content = b"%PDF-1.4 a bill of lading";
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(content));
    let upload = format!(
        "{}\n{}\n",
        json!({"header": {"kind": "DOCUMENT_KIND_PHOTO", "fileName": "box.jpg", "sha256": sha256}}),
        json!({"chunk": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, content)}),
    );
    let uploaded = rest
        .call(
            "POST",
            &format!("/v1/{name}/documents:upload"),
            Some(&admin),
            Some(&upload),
        )
        .await;
    assert_eq!(uploaded.status, 200, "{}", uploaded.text);
    assert_eq!(
        uploaded.json()["contentVerified"],
        true,
        "{}",
        uploaded.text
    );

    let etag = rest
        .call("GET", &format!("/v1/{name}"), Some(&admin), None)
        .await
        .json()["etag"]
        .clone();
    let submit = json!({"etag": etag}).to_string();
    let submitted = rest
        .send(
            rest.request("POST", &format!("/v1/{name}:submit"), Some(&admin), None)
                .header("idempotency-key", "rest-submit-1"),
            Some(&submit),
        )
        .await;
    assert_eq!(submitted.status, 200, "{}", submitted.text);
    assert_eq!(submitted.json()["status"], "CLAIM_STATUS_SUBMITTED");
    // The submitted claim as an X12 920 interchange.
    let x12 = rest
        .call(
            "POST",
            &format!("/v1/{name}:exportX12"),
            Some(&admin),
            Some("{}"),
        )
        .await;
    assert_eq!(x12.status, 200, "{}", x12.text);
    let content = x12.json()["content"].as_str().unwrap().to_owned();
    assert!(
        content.starts_with("ISA*") && content.contains("ST*920*0001~"),
        "{content}"
    );

    let history = rest
        .call("GET", &format!("/v1/{name}/history"), Some(&admin), None)
        .await;
    assert_eq!(history.status, 200, "{}", history.text);
    assert!(!history.json()["entries"].as_array().unwrap().is_empty());

    // The claims feed as NDJSON, from the start: created then submitted.
    let (status, headers, lines) = rest
        .lines(
            "/v1/claimEvents:subscribe?afterPosition=0",
            &admin,
            |lines| lines.iter().any(|l| l["type"] == "claim.submitted"),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/x-ndjson");
    assert_eq!(lines[0]["type"], "claim.created", "{lines:?}");
    assert!(
        lines.iter().all(|l| l["subject"] == claim["name"]),
        "{lines:?}"
    );
}

async fn rest_errors_are_aip193_json_with_their_http_status(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_key().await;
    let rest = Rest::new(&app);
    let (carrier, shipment) = claimable_shipment(&app, "RSTB").await;
    let created = rest
        .send(
            rest.request("POST", "/v1/claims", Some(&admin), None)
                .header("idempotency-key", "e-1"),
            Some(&claim_body(&shipment)),
        )
        .await
        .json();
    let name = created["name"].as_str().unwrap().to_owned();

    // No credential: 401 UNAUTHENTICATED, as gRPC callers get it.
    let answer = rest.call("GET", &format!("/v1/{name}"), None, None).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.json()["error"]["status"], "UNAUTHENTICATED");

    // Another carrier's key sees nothing of this carrier's claims (AIP-211).
    let other = app.carrier("RSTC").await;
    let (_, other_key) = app
        .create_key(pb::ApiKey {
            carrier: other,
            ..key(pb::Role::Carrier, "other carrier")
        })
        .await;
    let answer = rest
        .call("GET", &format!("/v1/{name}"), Some(&other_key), None)
        .await;
    assert_eq!(answer.status, 404, "{}", answer.text);
    let error = &answer.json()["error"];
    assert_eq!(
        (error["code"].clone(), error["status"].clone()),
        (json!(404), json!("NOT_FOUND"))
    );
    let answer = rest
        .call(
            "GET",
            &format!("/v1/claims?carrier={carrier}"),
            Some(&other_key),
            None,
        )
        .await;
    assert_eq!(answer.status, 404, "{}", answer.text);

    // A service's field violations arrive as google.rpc.BadRequest details.
    let bad = json!({"shipment": shipment, "type": "CLAIM_TYPE_LOSS", "lineItems": []}).to_string();
    let answer = rest
        .send(
            rest.request("POST", "/v1/claims", Some(&admin), None)
                .header("idempotency-key", "e-2"),
            Some(&bad),
        )
        .await;
    assert_eq!(answer.status, 400, "{}", answer.text);
    let details = answer.json()["error"]["details"].clone();
    let bad_request = details
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["@type"] == "type.googleapis.com/google.rpc.BadRequest")
        .unwrap_or_else(|| panic!("{details}"))
        .clone();
    let fields: Vec<_> = bad_request["fieldViolations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["field"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        fields.iter().any(|f| f.contains("line_items")),
        "{fields:?}"
    );

    // JSON that does not fit the message never reaches a service.
    for body in [
        "{not json",
        r#"{"lineItems": "x"}"#,
        r#"{"noSuchField": 1}"#,
    ] {
        let answer = rest
            .call("POST", "/v1/claims", Some(&admin), Some(body))
            .await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.text);
        assert_eq!(answer.json()["error"]["status"], "INVALID_ARGUMENT");
    }
    let answer = rest
        .call("GET", "/v1/claims?pageSize=x", Some(&admin), None)
        .await;
    assert_eq!(answer.status, 400, "{}", answer.text);
    let answer = rest
        .call("GET", "/v1/claims?nope=1", Some(&admin), None)
        .await;
    assert_eq!(answer.status, 400, "{}", answer.text);
    // An Idempotency-Key that contradicts the body's request_id.
    let answer = rest
        .send(
            rest.request("POST", &format!("/v1/{name}:submit"), Some(&admin), None)
                .header("idempotency-key", "k-1"),
            Some(r#"{"requestId": "k-2"}"#),
        )
        .await;
    assert_eq!(answer.status, 400, "{}", answer.text);
    // A stale etag: the service's FAILED_PRECONDITION/ABORTED keeps its code.
    let answer = rest
        .send(
            rest.request("POST", &format!("/v1/{name}:submit"), Some(&admin), None)
                .header("idempotency-key", "k-3"),
            Some(r#"{"etag": "stale"}"#),
        )
        .await;
    assert!(
        [400, 409].contains(&answer.status.as_u16()),
        "{}",
        answer.text
    );

    // The gateway's own API is a REST resource too; never a secret in a read.
    let keys = rest
        .call("GET", "/v1/apikeys?pageSize=50", Some(&admin), None)
        .await;
    assert_eq!(keys.status, 200, "{}", keys.text);
    assert!(
        keys.json()["apiKeys"].as_array().unwrap().len() >= 2,
        "{}",
        keys.text
    );
    assert!(!keys.text.contains(&admin), "{}", keys.text);
    let answer = rest
        .call("GET", "/v1/apikeys", Some(&other_key), None)
        .await;
    assert_eq!(answer.status, 403, "{}", answer.text);

    // Routes: unknown path 404, wrong verb 405 with Allow.
    let answer = rest.call("GET", "/v1/nothing", Some(&admin), None).await;
    assert_eq!(answer.status, 404);
    let answer = rest.call("DELETE", "/v1/claims", Some(&admin), None).await;
    assert_eq!(answer.status, 405);
    assert!(answer.headers["allow"].to_str().unwrap().contains("POST"));

    // The OpenAPI document lists the routes it serves, with their schemas.
    let doc = rest.call("GET", "/v1/openapi.json", None, None).await;
    assert_eq!(doc.status, 200);
    let doc = doc.json();
    assert_eq!(doc["openapi"], "3.0.3");
    assert!(
        doc["paths"]["/v1/claims/{claimsId}:submit"]["post"].is_object(),
        "{}",
        doc["paths"]
    );
    assert!(
        doc["paths"]["/v1/claims"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "page_size")
    );
    assert!(doc["components"]["schemas"]["recourse.claims.v1.Claim"].is_object());
}

/// Moves `claim` (JSON) to `to` over REST as `key`; returns the new claim.
async fn transition(
    rest: &Rest,
    key: &str,
    claim: &serde_json::Value,
    to: &str,
    extra: serde_json::Value,
) -> serde_json::Value {
    let name = claim["name"].as_str().unwrap();
    let mut body = json!({"etag": claim["etag"], "to": to});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let answer = rest
        .send(
            rest.request("POST", &format!("/v1/{name}:transition"), Some(key), None)
                .header("idempotency-key", format!("{name}-{to}")),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(answer.status, 200, "{to}: {}", answer.text);
    answer.json()
}

async fn a_3pl_files_on_rest_alone_and_sees_it_approved_and_settled(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin_key().await;
    let rest = Rest::new(&app);
    let (carrier, shipment) = claimable_shipment_of(&app, "RSTP", "acct-rest").await;
    let tpl = |party: &str| pb::ApiKey {
        party: party.to_owned(),
        ..key(pb::Role::ThirdParty, party)
    };
    let (_, partner) = app.create_key(tpl("acct-rest")).await;
    let (_, stranger) = app.create_key(tpl("acct-other")).await;
    let (_, carrier_key) = app
        .create_key(pb::ApiKey {
            carrier: carrier.clone(),
            ..key(pb::Role::Carrier, "carrier desk")
        })
        .await;

    // The 3PL files for a merchant and submits, on REST alone.
    let body = json!({
        "shipment": shipment,
        "type": "CLAIM_TYPE_LOSS",
        "claimant": {"kind": "CLAIMANT_KIND_PARTNER_3PL", "name": "Rest 3PL", "onBehalfOf": "Merchant Co"},
        "lineItems": [{"description": "Lamp", "quantity": 1, "unitValue": {"amountMinor": "4000", "currencyCode": "USD"}}],
    })
    .to_string();
    let filed = rest
        .send(
            rest.request("POST", "/v1/claims", Some(&partner), None)
                .header("idempotency-key", "p-1"),
            Some(&body),
        )
        .await;
    assert_eq!(filed.status, 200, "{}", filed.text);
    let claim = filed.json();
    let name = claim["name"].as_str().unwrap().to_owned();
    let submitted = rest
        .send(
            rest.request("POST", &format!("/v1/{name}:submit"), Some(&partner), None)
                .header("idempotency-key", "p-2"),
            Some(&json!({"etag": claim["etag"]}).to_string()),
        )
        .await;
    assert_eq!(submitted.status, 200, "{}", submitted.text);

    // Another 3PL sees nothing of it; the partner's list holds only it.
    let answer = rest
        .call("GET", &format!("/v1/{name}"), Some(&stranger), None)
        .await;
    assert_eq!(answer.status, 404, "{}", answer.text);
    let listed = rest.call("GET", "/v1/claims", Some(&stranger), None).await;
    assert_eq!(listed.status, 200);
    assert!(listed.json()["claims"].is_null(), "{}", listed.text);
    // A 3PL may not make the carrier's moves.
    let claim = submitted.json();
    let answer = rest
        .call(
            "POST",
            &format!("/v1/{name}:transition"),
            Some(&partner),
            Some(&json!({"etag": claim["etag"], "to": "CLAIM_STATUS_ACKNOWLEDGED", "requestId": "p-3"}).to_string()),
        )
        .await;
    assert_eq!(answer.status, 403, "{}", answer.text);

    // The carrier acknowledges, reviews and approves over REST.
    let claim = transition(
        &rest,
        &carrier_key,
        &claim,
        "CLAIM_STATUS_ACKNOWLEDGED",
        json!({}),
    )
    .await;
    let claim = transition(
        &rest,
        &carrier_key,
        &claim,
        "CLAIM_STATUS_UNDER_REVIEW",
        json!({}),
    )
    .await;
    let claim = transition(
        &rest,
        &carrier_key,
        &claim,
        "CLAIM_STATUS_APPROVED",
        json!({}),
    )
    .await;
    let seen = rest
        .call("GET", &format!("/v1/{name}"), Some(&partner), None)
        .await
        .json();
    assert_eq!(seen["status"], "CLAIM_STATUS_APPROVED", "{seen}");
    assert_eq!(seen["etag"], claim["etag"]);

    // The carrier's payment, recorded by finance (admin here), settles it.
    let today = chrono::Utc::now().date_naive();
    let remittance = json!({
        "carrier": carrier,
        "kind": "REMITTANCE_KIND_PAYMENT",
        "reference": "PAY-REST-1",
        "remittanceDate": {"year": today.year(), "month": today.month(), "day": today.day()},
        "amount": {"amountMinor": "4000", "currencyCode": "USD"},
        "lines": [{"claim": name, "amount": {"amountMinor": "4000", "currencyCode": "USD"}}],
    })
    .to_string();
    let paid = rest
        .send(
            rest.request("POST", "/v1/remittances", Some(&admin), None)
                .header("idempotency-key", "pay-1"),
            Some(&remittance),
        )
        .await;
    assert_eq!(paid.status, 200, "{}", paid.text);
    let seen = rest
        .call("GET", &format!("/v1/{name}"), Some(&partner), None)
        .await
        .json();
    assert_eq!(seen["status"], "CLAIM_STATUS_SETTLED", "{seen}");

    // The partner's feed as NDJSON: only its claim's events — created,
    // submitted and the carrier's three moves at least.
    let (status, _, lines) = rest
        .lines("/v1/claimEvents:subscribe", &partner, |lines| {
            lines.len() >= 5
        })
        .await;
    assert_eq!(status, 200);
    assert!(
        lines.iter().all(|l| l["subject"] == name.as_str()),
        "{lines:?}"
    );
    assert_eq!(lines[0]["type"], "claim.created", "{lines:?}");
    assert_eq!(lines[1]["type"], "claim.submitted", "{lines:?}");
}
