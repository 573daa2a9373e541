//! Metrics from the real binary: after real calls, the Prometheus endpoint
//! on `telemetry.metrics_listen` shows the calls by method and code, their
//! latency histogram, the pool gauges and the feed gauges.

use std::io::{Read as _, Write as _};
use std::time::Duration;

use recourse_proto::carriers as pb;
use tonic::Code;

use crate::process::{Standalone, free_port, token};

fn scrape(addr: &str) -> String {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    response
}

/// The value of the sample whose line starts with `name{` and contains
/// every label in `labels`.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")))
        .find(|l| labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

#[tokio::test]
async fn real_calls_show_up_on_the_prometheus_endpoint() {
    let data = tempfile::tempdir().unwrap();
    let metrics_addr = format!("127.0.0.1:{}", free_port());
    let server = Standalone::start_with(data.path(), |command| {
        command.env("RECOURSE__TELEMETRY__METRICS_LISTEN", &metrics_addr);
    })
    .await;
    let admin = token("admin", data.path());
    let mut client = server.client(&admin);
    for _ in 0..3 {
        client
            .list_carriers(pb::ListCarriersRequest::default())
            .await
            .unwrap();
    }
    let status = client
        .create_carrier(pb::CreateCarrierRequest {
            request_id: "bad".into(),
            carrier: Some(pb::Carrier {
                code: "bad code".into(),
                ..Default::default()
            }),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);

    let text = scrape(&metrics_addr);
    let method = |m: &str| format!("rpc_method=\"{m}\"");
    let list = method("ListCarriers");
    let create = method("CreateCarrier");
    assert_eq!(
        sample(
            &text,
            "rpc_server_calls_total",
            &[&list, "rpc_grpc_status_code=\"0\""]
        ),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "rpc_server_calls_total",
            &[&create, "rpc_grpc_status_code=\"3\""]
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "rpc_server_call_duration_seconds_count", &[&list]),
        Some(3.0),
        "{text}"
    );
    assert!(
        sample(
            &text,
            "rpc_server_call_duration_seconds_bucket",
            &[&list, "le=\"+Inf\""]
        ) == Some(3.0),
        "{text}"
    );
    // One pool per service; at least one connection open in each.
    for service in ["carriers", "contracts", "claims", "reporting", "webhooks"] {
        let open = sample(
            &text,
            "db_pool_connections",
            &[&format!("service=\"{service}\"")],
        );
        assert!(open.is_some_and(|n| n >= 1.0), "{service}: {text}");
    }
    // Every feed has reporting's consumer of it, the contracts and claims
    // feeds webhooks' too, and the contracts feed claims' follower (it
    // reads SLA evaluations); they subscribe in the background, so wait.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut text = text;
    loop {
        let subscribed = [
            ("carriers_outbox", 1.0),
            ("contracts_outbox", 3.0),
            ("claims_outbox", 2.0),
        ]
        .iter()
        .all(|(feed, readers)| {
            let label = format!("feed=\"{feed}\"");
            sample(&text, "feed_subscribers", &[&label]) == Some(*readers)
        });
        if subscribed {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
        text = scrape(&metrics_addr);
    }
    for feed in ["contracts_outbox", "claims_outbox"] {
        let label = format!("feed=\"{feed}\"");
        assert_eq!(
            sample(&text, "feed_head_position", &[&label]),
            Some(0.0),
            "{text}"
        );
    }
    // Reporting's consumers: where each stands and how far behind.
    for feed in ["carriers", "contracts", "claims"] {
        let label = format!("feed=\"{feed}\"");
        assert!(
            sample(&text, "reporting_feed_lag", &[&label]).is_some(),
            "{text}"
        );
    }
}
