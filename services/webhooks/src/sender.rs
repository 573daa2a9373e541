//! Sends one signed delivery over HTTP/1.1 (hyper-util's client, already
//! in the tree) and reports the status or what went wrong, within a
//! timeout that covers connecting and the answer's status line.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use recourse_webhooks_domain::signature;

/// What an attempt brought back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The HTTP status (`None`: no answer, see `error`).
    pub status: Option<u16>,
    pub latency_ms: i64,
    pub error: String,
}

/// One delivery attempt's request.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub url: &'a str,
    pub event_id: &'a str,
    pub delivery: &'a str,
    pub attempt: u32,
    pub body: &'a str,
    pub secrets: Vec<&'a str>,
    /// Unix seconds, signed with the body.
    pub timestamp: i64,
}

#[derive(Debug, Clone)]
pub struct Sender {
    client: Client<HttpConnector, Full<Bytes>>,
    timeout: Duration,
}

impl Sender {
    pub fn new(timeout: Duration) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(timeout));
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Self { client, timeout }
    }

    pub async fn send(&self, r: &Request<'_>) -> Sent {
        let started = Instant::now();
        let secrets: Vec<&[u8]> = r.secrets.iter().map(|s| s.as_bytes()).collect();
        let header = signature::sign(&secrets, r.timestamp, r.body.as_bytes());
        let request = http::Request::post(r.url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(http::header::USER_AGENT, "Recourse-Webhooks/1")
            .header(signature::HEADER, header)
            .header("Recourse-Event-Id", r.event_id)
            .header("Recourse-Delivery", r.delivery)
            .header("Recourse-Attempt", r.attempt.to_string())
            .body(Full::new(Bytes::copy_from_slice(r.body.as_bytes())));
        let request = match request {
            Ok(request) => request,
            Err(err) => return failed(started, format!("invalid request: {err}")),
        };
        match tokio::time::timeout(self.timeout, self.client.request(request)).await {
            Ok(Ok(response)) => Sent {
                status: Some(response.status().as_u16()),
                latency_ms: elapsed(started),
                error: String::new(),
            },
            Ok(Err(err)) => failed(started, format!("request failed: {err}")),
            Err(_) => failed(
                started,
                format!("no answer within {} ms", self.timeout.as_millis()),
            ),
        }
    }
}

fn elapsed(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
}

fn failed(started: Instant, error: String) -> Sent {
    Sent {
        status: None,
        latency_ms: elapsed(started),
        error,
    }
}
