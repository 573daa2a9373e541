//! The HTTP/2 connections to one upstream. Calls go straight onto hyper's
//! HTTP/2 `SendRequest` of a connection taken in turn: no `tonic` channel
//! in between, whose `Buffer` hands every call to a worker task (a task
//! wake-up and ~10,000 instructions per call, see README "The gateway's
//! cost"). A connection that closed is replaced by the next call that
//! picks it, so an upstream that comes back is reached without a restart;
//! connecting has `gateway.connect_timeout_ms`, so a down upstream is
//! UNAVAILABLE at once, never a hang.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use http::uri::{Authority, PathAndQuery, Scheme};
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tonic::Status;
use tonic::body::Body as TonicBody;
use tonic::transport::Channel;

/// How the connections are made.
#[derive(Debug, Clone, Copy)]
pub struct ConnectSettings {
    pub connect_timeout: Duration,
    pub keep_alive_interval: Duration,
    pub keep_alive_timeout: Duration,
}

#[derive(Debug, Default)]
struct Slot {
    sender: Mutex<Option<SendRequest<TonicBody>>>,
    /// Held while (re)connecting, so concurrent calls wait for one
    /// connection instead of each opening their own.
    connecting: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Inner {
    authority: Authority,
    settings: ConnectSettings,
    slots: Vec<Slot>,
    next: AtomicUsize,
    /// For health polling only (a tonic client needs a channel).
    health: Channel,
}

/// A few HTTP/2 connections to one upstream, taken in turn. One connection
/// carries every call's frames through one connection task on each side,
/// which then caps the throughput at what one core reads and writes; a
/// client reaching the services directly spreads its calls over several.
#[derive(Debug, Clone)]
pub struct Connections {
    inner: Arc<Inner>,
}

impl Connections {
    /// `count` connections (at least one) to `url` (`http://host:port`),
    /// opened lazily; `health` is the channel the health poller uses.
    pub fn new(
        url: &str,
        count: usize,
        settings: ConnectSettings,
        health: Channel,
    ) -> Result<Self, String> {
        let uri: http::Uri = url.parse().map_err(|e| format!("bad URL: {e}"))?;
        if uri.scheme() != Some(&Scheme::HTTP) {
            return Err("must be an http:// URL (plain HTTP/2 inside the cluster)".into());
        }
        let authority = uri
            .authority()
            .cloned()
            .ok_or_else(|| "has no host".to_owned())?;
        Ok(Self {
            inner: Arc::new(Inner {
                authority,
                settings,
                slots: (0..count.max(1)).map(|_| Slot::default()).collect(),
                next: AtomicUsize::new(0),
                health,
            }),
        })
    }

    /// The channel the health poller uses.
    pub fn health_channel(&self) -> Channel {
        self.inner.health.clone()
    }

    /// Sends `request` on the next connection in turn and returns the
    /// response head; the bodies stream as they come. Any failure to reach
    /// the upstream is UNAVAILABLE with the cause.
    pub async fn send(
        &self,
        mut request: http::Request<TonicBody>,
    ) -> Result<http::Response<TonicBody>, Status> {
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(Scheme::HTTP);
        parts.authority = Some(self.inner.authority.clone());
        parts.path_and_query = request
            .uri()
            .path_and_query()
            .cloned()
            .or_else(|| Some(PathAndQuery::from_static("/")));
        *request.uri_mut() = http::Uri::from_parts(parts)
            .map_err(|e| Status::internal(format!("cannot address the upstream: {e}")))?;
        let i = self.inner.next.fetch_add(1, Ordering::Relaxed);
        let slot = &self.inner.slots[i % self.inner.slots.len()];
        let mut sender = self.sender(slot).await?;
        sender
            .ready()
            .await
            .map_err(|e| Status::unavailable(super::describe(&e)))?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| Status::unavailable(super::describe(&e)))?;
        Ok(response.map(TonicBody::new))
    }

    /// The slot's open connection, or a new one.
    async fn sender(&self, slot: &Slot) -> Result<SendRequest<TonicBody>, Status> {
        if let Some(open) = open_sender(slot) {
            return Ok(open);
        }
        let _connecting = slot.connecting.lock().await;
        // Another call may have connected while this one waited.
        if let Some(open) = open_sender(slot) {
            return Ok(open);
        }
        let sender = self.connect().await?;
        *slot.sender.lock().unwrap_or_else(PoisonError::into_inner) = Some(sender.clone());
        Ok(sender)
    }

    async fn connect(&self) -> Result<SendRequest<TonicBody>, Status> {
        let settings = self.inner.settings;
        let authority = &self.inner.authority;
        let address = format!(
            "{}:{}",
            authority.host(),
            authority.port_u16().unwrap_or(80)
        );
        let stream = tokio::time::timeout(settings.connect_timeout, TcpStream::connect(&address))
            .await
            .map_err(|_| {
                Status::unavailable(format!(
                    "connecting to {address} took over {} ms",
                    settings.connect_timeout.as_millis()
                ))
            })?
            .map_err(|e| Status::unavailable(format!("connecting to {address}: {e}")))?;
        stream
            .set_nodelay(true)
            .map_err(|e| Status::unavailable(format!("connecting to {address}: {e}")))?;
        let (sender, connection) = hyper::client::conn::http2::Builder::new(TokioExecutor::new())
            .timer(TokioTimer::new())
            .keep_alive_interval(settings.keep_alive_interval)
            .keep_alive_timeout(settings.keep_alive_timeout)
            .keep_alive_while_idle(true)
            .handshake(TokioIo::new(stream))
            .await
            .map_err(|e| Status::unavailable(super::describe(&e)))?;
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(%err, "upstream connection closed");
            }
        });
        Ok(sender)
    }
}

fn open_sender(slot: &Slot) -> Option<SendRequest<TonicBody>> {
    slot.sender
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .filter(|s| !s.is_closed())
        .cloned()
}
