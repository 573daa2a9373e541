//! A plain HTTP/1.1 client for the gateway's REST surface (hyper, as curl
//! would speak it) and a carrier with an active contract and a delivered
//! shipment to claim against, set up over gRPC through the gateway.

use chrono::{Duration, Utc};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use recourse_platform::auth::Role;
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::contracts as cpb;
use recourse_proto::contracts::contract_service_client::ContractServiceClient;
use recourse_proto::contracts::shipment_service_client::ShipmentServiceClient;
use recourse_test_support::fixtures::{event, shipment, terms};

use super::TestApp;

pub struct Rest {
    base: String,
    client: Client<HttpConnector, Full<bytes::Bytes>>,
}

pub struct Answer {
    pub status: http::StatusCode,
    pub headers: http::HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

impl Rest {
    pub fn new(app: &TestApp) -> Self {
        Self {
            base: app.gateway.url(),
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    pub fn request(
        &self,
        verb: &str,
        path: &str,
        key: Option<&str>,
        body: Option<&str>,
    ) -> http::request::Builder {
        let _ = body;
        let mut builder = http::Request::builder()
            .method(verb)
            .uri(format!("{}{path}", self.base))
            .header("content-type", "application/json");
        if let Some(key) = key {
            builder = builder.header("authorization", format!("Bearer {key}"));
        }
        builder
    }

    pub async fn send(&self, builder: http::request::Builder, body: Option<&str>) -> Answer {
        let body = Full::new(bytes::Bytes::from(body.unwrap_or_default().to_owned()));
        let response = self
            .client
            .request(builder.body(body).expect("request"))
            .await
            .expect("HTTP call");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Answer {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn call(
        &self,
        verb: &str,
        path: &str,
        key: Option<&str>,
        body: Option<&str>,
    ) -> Answer {
        self.send(self.request(verb, path, key, body), body).await
    }

    /// A streaming GET: the status, headers and the first NDJSON lines
    /// until `done` says enough (the feed itself never ends).
    pub async fn lines(
        &self,
        path: &str,
        key: &str,
        done: impl Fn(&[serde_json::Value]) -> bool,
    ) -> (http::StatusCode, http::HeaderMap, Vec<serde_json::Value>) {
        let builder = self.request("GET", path, Some(key), None);
        let response = self
            .client
            .request(
                builder
                    .body(Full::new(bytes::Bytes::new()))
                    .expect("request"),
            )
            .await
            .expect("HTTP call");
        let status = response.status();
        let headers = response.headers().clone();
        let mut body = response.into_body();
        let mut text = String::new();
        let mut lines = Vec::new();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        while !done(&lines) {
            let frame = tokio::time::timeout_at(deadline, body.frame())
                .await
                .expect("lines in time");
            let Some(frame) = frame else { break };
            if let Ok(data) = frame.expect("frame").into_data() {
                text.push_str(&String::from_utf8_lossy(&data));
            }
            while let Some(end) = text.find('\n') {
                let line: String = text.drain(..=end).collect();
                lines.push(serde_json::from_str(line.trim()).expect("NDJSON line"));
            }
        }
        (status, headers, lines)
    }
}

/// A carrier with an active contract and a shipment delivered yesterday
/// shipped five days ago; returns (carrier, shipment) names.
pub async fn claimable_shipment(app: &TestApp, code: &str) -> (String, String) {
    claimable_shipment_of(app, code, "").await
}

/// As [`claimable_shipment`], tendered by the 3PL `account` ("" for none).
pub async fn claimable_shipment_of(app: &TestApp, code: &str, account: &str) -> (String, String) {
    let token = app.auth.token(Role::Admin, None);
    let carrier = app.carrier(code).await;
    let mut contracts = ContractServiceClient::new(app.gateway.with(Some(&token)));
    let from = (Utc::now() - Duration::days(400)).date_naive();
    let contract = contracts
        .create_contract(cpb::CreateContractRequest {
            request_id: format!("contract-{code}"),
            carrier: carrier.clone(),
            reference: format!("MSA-{code}"),
            display_name: "Master".into(),
            effective_from: Some(date_to_proto(from)),
            effective_to: None,
            terms: Some(terms()),
        })
        .await
        .expect("contract")
        .into_inner();
    let v = &contract.versions[0];
    contracts
        .activate_contract_version(cpb::ActivateContractVersionRequest {
            name: v.name.clone(),
            etag: v.etag.clone(),
        })
        .await
        .expect("activate");
    let mut shipments = ShipmentServiceClient::new(app.gateway.with(Some(&token)));
    let tracking = format!("1Z{code}");
    let ship_time = Utc::now() - Duration::days(5);
    let registered = shipments
        .register_shipment(cpb::RegisterShipmentRequest {
            request_id: format!("ship-{tracking}"),
            shipment: Some(cpb::Shipment {
                shipper_account: account.to_owned(),
                ..shipment(&carrier, &tracking, ship_time)
            }),
        })
        .await
        .expect("register")
        .into_inner();
    let events = vec![event(
        &format!("{tracking}-d"),
        &tracking,
        cpb::TrackingEventType::Delivered,
        ship_time + Duration::days(1),
    )];
    shipments
        .ingest_tracking_events(tokio_stream::iter([cpb::IngestTrackingEventsRequest {
            carrier: carrier.clone(),
            events,
        }]))
        .await
        .expect("ingest");
    (carrier, registered.name)
}
