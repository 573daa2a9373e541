//! Outgoing calls made while serving a call: the upstream learns how much
//! of the caller's deadline is left, a slow upstream is given up on at the
//! request timeout with DEADLINE_EXCEEDED (not CANCELLED or UNAVAILABLE).

use std::time::Duration;

use recourse_platform::config::{ClientSettings, ServerSettings};
use tonic::{Code, Request};

use crate::probe::ProbeServer;

fn server_settings(unary_timeout_ms: u64) -> ServerSettings {
    ServerSettings {
        unary_timeout_ms,
        shutdown_grace_seconds: 1,
        ..ServerSettings::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_callers_remaining_deadline_reaches_the_upstream() {
    let server = ProbeServer::start(server_settings(60_000)).await;
    // The client allows 2 s: the upstream is told at most that, and more
    // than nothing.
    let mut request = Request::new(0);
    request.set_timeout(Duration::from_secs(2));
    let told = server.client().relay(request).await.unwrap();
    assert!(told > 0 && told <= 2_000, "upstream was told {told} ms");

    // No client deadline: the server's own unary timeout is the deadline.
    let server = ProbeServer::start(server_settings(1_500)).await;
    let told = server.client().relay(Request::new(0)).await.unwrap();
    assert!(told > 0 && told <= 1_500, "upstream was told {told} ms");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_upstream_is_given_up_on_at_the_request_timeout_as_deadline_exceeded() {
    let server = ProbeServer::start_with(
        server_settings(60_000),
        ClientSettings {
            request_timeout_ms: 200,
            ..ClientSettings::default()
        },
    )
    .await;
    let status = server
        .client()
        .relay(Request::new(5_000))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_failure_keeps_its_code_and_message() {
    // The upstream refuses the relayed 100 kB message: RESOURCE_EXHAUSTED
    // with its own message, passed through rather than flattened into
    // UNAVAILABLE.
    let server = ProbeServer::start(ServerSettings {
        max_decoding_message_bytes: 64 * 1024,
        ..server_settings(60_000)
    })
    .await;
    let status = server.client().relay(Request::new(1)).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert!(
        status
            .message()
            .starts_with("request message of 100004 bytes"),
        "{}",
        status.message()
    );
}
