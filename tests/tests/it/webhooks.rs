//! `standalone` runs webhooks behind the gateway: an endpoint registered
//! over REST (`POST /v1/webhookEndpoints`, transcoded by the gateway) is
//! sent a signed delivery of a contracts feed event by the background
//! worker, to a real HTTP receiver on 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::sync::{Arc, Mutex};
use std::time::Duration;

use recourse::{Application, Role};
use recourse_platform::auth::{Principal, Role as Caller};
use recourse_platform::client::OutboundInterceptor;
use recourse_platform::config::Settings;
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use recourse_proto::contracts as cpb;
use recourse_proto::contracts::contract_service_client::ContractServiceClient;
use recourse_test_support::fixtures::{carrier_request, terms};
use recourse_test_support::{Backend, TestDatabase, backend_tests};
use recourse_webhooks_domain::signature;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

backend_tests!(standalone_delivers_webhooks_registered_over_rest,);

/// One HTTP message: its head and body.
type Message = (String, Vec<u8>);

/// Reads one HTTP/1.1 message (head and content-length body) from `socket`.
async fn read_message(socket: &mut tokio::net::TcpStream) -> Message {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let length: usize = head
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.trim().parse().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let n = socket.read(&mut chunk).await.unwrap();
                assert!(n > 0, "connection closed mid-body");
                buf.extend_from_slice(&chunk[..n]);
            }
            return (head, buf[end + 4..end + 4 + length].to_vec());
        }
        let n = socket.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed mid-head");
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn header<'a>(head: &'a str, name: &str) -> &'a str {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
        .map_or("", |(_, v)| v.trim())
}

async fn standalone_delivers_webhooks_registered_over_rest(backend: Backend) {
    // The partner's receiver: records each request, answers 200.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got: Arc<Mutex<Vec<Message>>> = Arc::default();
    let sink = got.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let message = read_message(&mut socket).await;
            sink.lock().unwrap().push(message);
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .await;
        }
    });

    let db = TestDatabase::new(backend).await;
    let mut settings = Settings::default();
    settings.server.listen = "127.0.0.1:0".parse().unwrap();
    settings.server.shutdown_grace_seconds = 5;
    settings.database = db.settings.clone();
    let app = Application::build(settings.clone(), Role::Standalone)
        .await
        .unwrap();
    let addr = app.local_addr().unwrap();
    let keys = recourse::token_keys(&settings, &Role::Standalone).unwrap();
    let admin = Principal::new("e2e-admin", Caller::Admin, None).unwrap();
    let token = keys.mint(&admin, 600).unwrap();
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        app.run_until_stopped(async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });

    // Register over REST through the gateway.
    let body = format!(r#"{{"url": "{hook_url}", "eventTypes": ["contract_version.*"]}}"#);
    let request = format!(
        "POST /v1/webhookEndpoints HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\nidempotency-key: e2e-hook\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    socket.write_all(request.as_bytes()).await.unwrap();
    let (head, answer) = read_message(&mut socket).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let endpoint: serde_json::Value = serde_json::from_slice(&answer).unwrap();
    let secret = endpoint["secret"].as_str().unwrap().to_owned();
    assert!(
        endpoint["name"]
            .as_str()
            .unwrap()
            .starts_with("webhookEndpoints/")
    );

    // A contract: contract_version.created on the contracts feed.
    let channel = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let authed = || {
        InterceptedService::new(
            channel.clone(),
            OutboundInterceptor::new(Some(&token)).unwrap(),
        )
    };
    let carrier = CarrierServiceClient::new(authed())
        .create_carrier(carrier_request("ACME"))
        .await
        .unwrap()
        .into_inner()
        .name;
    ContractServiceClient::new(authed())
        .create_contract(cpb::CreateContractRequest {
            request_id: "e2e-contract".into(),
            carrier,
            reference: "MSA-1".into(),
            display_name: "Master".into(),
            effective_from: Some(date_to_proto(chrono::Utc::now().date_naive())),
            effective_to: None,
            terms: Some(terms()),
        })
        .await
        .unwrap();

    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let (head, body) = loop {
        if let Some(first) = got.lock().unwrap().first().cloned() {
            break first;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no delivery arrived"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(head.starts_with("POST /hook "), "{head}");
    let signed = header(&head, signature::HEADER);
    let t: i64 = signed
        .split(',')
        .find_map(|p| p.strip_prefix("t="))
        .unwrap()
        .parse()
        .unwrap();
    signature::verify(signed, secret.as_bytes(), &body, t, 300).unwrap();
    let event: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(event["type"], "contract_version.created");
    assert_eq!(event["id"], header(&head, "Recourse-Event-Id"));

    stop.send(()).unwrap();
    task.await.unwrap();
}
