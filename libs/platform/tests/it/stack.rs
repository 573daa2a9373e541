//! The server stack on a real server: unary deadlines that spare streams,
//! load shedding that answers at once, message size limits both ways, and
//! a span per call carrying its final status code.

use std::sync::atomic::Ordering;
use std::time::Duration;

use recourse_platform::config::ServerSettings;
use recourse_test_support::trace::{SpanCapture, SpanData, child, named};
use tonic::{Code, Request};
use tracing::Instrument as _;

use crate::probe::ProbeServer;

fn settings() -> ServerSettings {
    ServerSettings {
        unary_timeout_ms: 300,
        max_concurrent_calls: 2,
        max_concurrent_streams: 1,
        max_decoding_message_bytes: 64 * 1024,
        max_encoding_message_bytes: 64 * 1024,
        shutdown_grace_seconds: 1,
        ..ServerSettings::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_unary_call_is_cut_at_the_timeout_with_deadline_exceeded() {
    let server = ProbeServer::start(settings()).await;
    let mut client = server.client();
    assert_eq!(client.sleep(Request::new(10)).await.unwrap(), 10);
    let status = client.sleep(Request::new(10_000)).await.unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
    assert!(status.message().contains("300 ms"), "{}", status.message());
    // The handler was cancelled, not left running.
    assert_eq!(server.probe.in_flight.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clients_shorter_deadline_cuts_the_handler_too() {
    let server = ProbeServer::start(ServerSettings {
        unary_timeout_ms: 60_000,
        ..settings()
    })
    .await;
    let mut request = Request::new(10_000);
    request.set_timeout(Duration::from_millis(100));
    let status = server.client().sleep(request).await.unwrap_err();
    // tonic's client reports its own expiry as CANCELLED, grpc-core as
    // DEADLINE_EXCEEDED; either way the call is over for the client.
    assert!(
        matches!(status.code(), Code::DeadlineExceeded | Code::Cancelled),
        "{status:?}"
    );
    // And for the server: the handler is dropped long before its 10 s sleep
    // or the server's 60 s limit.
    for _ in 0..100 {
        if server.probe.in_flight.load(Ordering::SeqCst) == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the handler still runs after the client's deadline");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_and_uploads_outlive_the_unary_timeout() {
    let server = ProbeServer::start(settings()).await;
    let mut client = server.client();
    // Ten messages 100 ms apart: about a second, over three unary timeouts.
    let mut feed = client.feed(10).await.unwrap();
    let mut received = Vec::new();
    while let Some(n) = feed.message().await.unwrap() {
        received.push(n);
    }
    assert_eq!(received, (1..=10).collect::<Vec<_>>());

    let chunks = vec![vec![1u8; 1_000]; 8];
    let total = client
        .upload(chunks, Duration::from_millis(100))
        .await
        .unwrap();
    assert_eq!(total, 8_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_over_the_limit_are_shed_with_unavailable_at_once() {
    let server = ProbeServer::start(ServerSettings {
        unary_timeout_ms: 0,
        ..settings()
    })
    .await;
    let mut busy = Vec::new();
    for _ in 0..2 {
        let mut client = server.client();
        busy.push(tokio::spawn(async move {
            client.sleep(Request::new(1_500)).await
        }));
    }
    while server.probe.in_flight.load(Ordering::SeqCst) < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let status = server.client().sleep(Request::new(1)).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    assert!(
        status.message().contains("overloaded"),
        "{}",
        status.message()
    );
    // Refused without waiting for a slot: both holders are still running.
    assert_eq!(server.probe.in_flight.load(Ordering::SeqCst), 2);
    for call in busy {
        assert_eq!(call.await.unwrap().unwrap(), 1_500);
    }
    // Slots come back when calls end.
    assert_eq!(server.client().sleep(Request::new(1)).await.unwrap(), 1);

    // Streams have their own limit (1 here); unary calls still pass.
    let mut feed = server.client().feed(5).await.unwrap();
    let status = server.client().feed(5).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    assert_eq!(server.client().sleep(Request::new(1)).await.unwrap(), 1);
    while feed.message().await.unwrap().is_some() {}
    let mut again = server.client().feed(1).await.unwrap();
    assert_eq!(again.message().await.unwrap(), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_messages_are_refused_with_resource_exhausted_both_ways() {
    let server = ProbeServer::start(settings()).await;
    let mut client = server.client();
    assert_eq!(client.echo(vec![1; 10_000]).await.unwrap(), 10_000);
    let status = client.echo(vec![1; 100_000]).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert!(status.message().contains("100003 bytes") || status.message().contains("larger than"));

    assert_eq!(client.fill(10_000).await.unwrap().len(), 10_000);
    let status = client.fill(100_000).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");

    // One oversize chunk in an upload refuses the upload.
    let chunks = vec![vec![1u8; 1_000], vec![1u8; 100_000]];
    let status = client
        .upload(chunks, Duration::from_millis(1))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    // The server is fine afterwards.
    assert_eq!(client.echo(vec![1; 10]).await.unwrap(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_call_span_records_its_final_status_code_and_latency() {
    let capture = SpanCapture::install();
    let server = ProbeServer::start(settings()).await;
    let mut client = server.client();
    // Other tests in this binary make the same calls at the same time: the
    // spans that matter are the children of these client spans.
    let _ = client
        .sleep(Request::new(10_000))
        .instrument(tracing::info_span!("client.slow"))
        .await;
    async {
        let mut feed = client.feed(3).await.unwrap();
        while feed.message().await.unwrap().is_some() {}
    }
    .instrument(tracing::info_span!("client.feed"))
    .await;
    let server_span = |spans: &[SpanData], client: &str, name: &str| {
        named(spans, client)
            .and_then(|c| child(spans, name, c))
            .cloned()
    };
    let spans = capture
        .spans_until(|spans| {
            server_span(spans, "client.slow", "/test.v1.Probe/Sleep").is_some()
                && server_span(spans, "client.feed", "/test.v1.Probe/Feed").is_some()
        })
        .await;
    let attribute = |client: &str, name: &str, key: &str| {
        server_span(&spans, client, name)
            .unwrap_or_else(|| panic!("span {name}"))
            .attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.to_string())
    };
    // DEADLINE_EXCEEDED = 4, recorded as a server error.
    assert_eq!(
        attribute(
            "client.slow",
            "/test.v1.Probe/Sleep",
            "rpc.grpc.status_code"
        )
        .as_deref(),
        Some("4")
    );
    let slow = server_span(&spans, "client.slow", "/test.v1.Probe/Sleep").unwrap();
    assert!(
        matches!(slow.status, opentelemetry::trace::Status::Error { .. }),
        "{:?}",
        slow.status
    );
    // The feed's OK came in its trailers, after the last message.
    assert_eq!(
        attribute("client.feed", "/test.v1.Probe/Feed", "rpc.grpc.status_code").as_deref(),
        Some("0")
    );
    let feed_ms: f64 = attribute("client.feed", "/test.v1.Probe/Feed", "rpc.duration_ms")
        .unwrap()
        .parse()
        .unwrap();
    // Three messages 100 ms apart: the span lasted as long as the stream.
    assert!(feed_ms >= 200.0, "{feed_ms}");
}
