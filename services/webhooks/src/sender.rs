//! Sends one signed delivery over HTTP/1.1 (hyper-util's client, already
//! in the tree; `https://` through rustls with the Mozilla roots compiled
//! in, `http://` plain) and reports the status or what went wrong, within
//! a timeout that covers connecting, the TLS handshake and the answer's
//! status line.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
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
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

impl Sender {
    pub fn new(timeout: Duration) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(timeout));
        connector.enforce_http(false);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .wrap_connector(connector);
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

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    /// A plain HTTP/1.1 server on 127.0.0.1 answering 200 to anything.
    async fn plain_server() -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = socket.read(&mut buf).await;
                    let _ = socket
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                        .await;
                });
            }
        });
        addr
    }

    fn request(url: &str) -> Request<'_> {
        Request {
            url,
            event_id: "evt_claims_1",
            delivery: "webhookEndpoints/e/deliveries/d",
            attempt: 1,
            body: "{}",
            secrets: vec!["whsec_test"],
            timestamp: 1_700_000_000,
        }
    }

    #[tokio::test]
    async fn http_is_sent_plain_and_https_only_over_tls() {
        let addr = plain_server().await;
        let sender = Sender::new(Duration::from_secs(5));
        let sent = sender.send(&request(&format!("http://{addr}/h"))).await;
        assert_eq!(sent.status, Some(200), "{sent:?}");
        // The same server named https:// is spoken TLS to: its plain answer
        // fails the handshake, an attempt without a status.
        let sent = sender.send(&request(&format!("https://{addr}/h"))).await;
        assert_eq!(sent.status, None);
        assert!(sent.error.starts_with("request failed"), "{sent:?}");
    }
}
