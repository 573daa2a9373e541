//! `recourse-passthrough`: the least a gRPC hop can cost, as a second
//! baseline for the gateway benchmark (tests/bench/gateway.sh). A bare
//! hyper HTTP/2 server whose every call is sent as it came over a few hyper
//! HTTP/2 client connections to one upstream — no routing table, no
//! credentials (the caller's `authorization` is replaced by the token
//! given), no limits, no access log, no span. Not a product: a measuring
//! stick for what any Rust HTTP/2 proxy on this machine must pay per call.
//!
//!   recourse-passthrough --listen 127.0.0.1:50060 --upstream 127.0.0.1:50052 --token <internal token>

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context as _;
use clap::Parser;
use hyper::body::Incoming;
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::{TcpListener, TcpStream};

#[derive(Parser, Debug)]
struct Args {
    #[arg(long)]
    listen: String,
    /// host:port of the services (plain HTTP/2).
    #[arg(long)]
    upstream: String,
    /// The internal token every forwarded call carries.
    #[arg(long, env = "RECOURSE_TOKEN", hide_env_values = true)]
    token: String,
    /// HTTP/2 connections to the upstream, taken in turn (as the gateway).
    #[arg(long, default_value_t = 4)]
    connections: usize,
}

struct Upstream {
    senders: Vec<SendRequest<Incoming>>,
    next: AtomicUsize,
    authorization: http::HeaderValue,
}

async fn connect(addr: &str) -> anyhow::Result<SendRequest<Incoming>> {
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_nodelay(true)?;
    let (sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut senders = Vec::with_capacity(args.connections.max(1));
    for _ in 0..args.connections.max(1) {
        senders.push(connect(&args.upstream).await?);
    }
    let upstream = Arc::new(Upstream {
        senders,
        next: AtomicUsize::new(0),
        authorization: http::HeaderValue::try_from(format!("Bearer {}", args.token))?,
    });
    let listener = TcpListener::bind(&args.listen).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let upstream = Arc::clone(&upstream);
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |mut request: http::Request<Incoming>| {
                    let upstream = Arc::clone(&upstream);
                    async move {
                        request
                            .headers_mut()
                            .insert(http::header::AUTHORIZATION, upstream.authorization.clone());
                        let i = upstream.next.fetch_add(1, Ordering::Relaxed);
                        let mut sender = upstream.senders[i % upstream.senders.len()].clone();
                        sender.ready().await?;
                        sender.send_request(request).await
                    }
                });
            let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
