//! `Probe`: a gRPC upstream that answers any path, for what the real
//! services cannot show. It records the headers of every call it gets.
//! `…/Chat` is a bidi echo of `Timestamp`s (seconds + 1 back; seconds = -1
//! ends the call ABORTED with an ErrorInfo); any other path is unary:
//! sleep the given `Duration`, answer `Timestamp { seconds: 42 }` with an
//! `x-probe` response header (seconds = -1: FAILED_PRECONDITION with a
//! PreconditionFailure).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures::{Stream, StreamExt as _};
use prost_types::{Duration as PbDuration, Timestamp};
use tokio::net::TcpListener;
use tonic::server::Grpc;
use tonic::{Request, Response, Status, Streaming};
use tonic_prost::ProstCodec;
use tonic_types::{ErrorDetails, PreconditionViolation, StatusExt as _};

#[derive(Clone, Default)]
pub struct Probe {
    pub seen: Arc<Mutex<Vec<http::HeaderMap>>>,
}

type EchoStream = Pin<Box<dyn Stream<Item = Result<Timestamp, Status>> + Send>>;

async fn sleep(request: Request<PbDuration>) -> Result<Response<Timestamp>, Status> {
    let d = request.into_inner();
    if d.seconds == -1 {
        return Err(Status::with_error_details(
            tonic::Code::FailedPrecondition,
            "the probe refuses",
            ErrorDetails::with_precondition_failure(vec![PreconditionViolation::new(
                "PROBE",
                "probe",
                "refused on request",
            )]),
        ));
    }
    let wait = std::time::Duration::new(
        u64::try_from(d.seconds).unwrap_or(0),
        u32::try_from(d.nanos).unwrap_or(0),
    );
    tokio::time::sleep(wait).await;
    let mut response = Response::new(Timestamp {
        seconds: 42,
        nanos: 0,
    });
    response
        .metadata_mut()
        .insert("x-probe", tonic::metadata::MetadataValue::from_static("ok"));
    Ok(response)
}

async fn chat(request: Request<Streaming<Timestamp>>) -> Result<Response<EchoStream>, Status> {
    let out = request.into_inner().map(|item| {
        let t = item?;
        if t.seconds == -1 {
            return Err(Status::with_error_details(
                tonic::Code::Aborted,
                "the probe ends the chat",
                ErrorDetails::with_error_info(
                    "PROBE_DONE",
                    "recourse.dev",
                    [("why".to_owned(), "asked".to_owned())]
                        .into_iter()
                        .collect::<std::collections::HashMap<_, _>>(),
                ),
            ));
        }
        Ok(Timestamp {
            seconds: t.seconds + 1,
            nanos: 0,
        })
    });
    Ok(Response::new(Box::pin(out) as EchoStream))
}

impl tower::Service<http::Request<tonic::body::Body>> for Probe {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        self.seen.lock().unwrap().push(request.headers().clone());
        let chat_call = request.uri().path().ends_with("/Chat");
        Box::pin(async move {
            if chat_call {
                let mut grpc = Grpc::new(ProstCodec::<Timestamp, Timestamp>::default());
                Ok(grpc.streaming(tower::service_fn(chat), request).await)
            } else {
                let mut grpc = Grpc::new(ProstCodec::<Timestamp, PbDuration>::default());
                Ok(grpc.unary(tower::service_fn(sleep), request).await)
            }
        })
    }
}

/// A probe serving on `listener` until the handle is dropped.
pub struct RunningProbe {
    pub probe: Probe,
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl RunningProbe {
    pub async fn start(listener: TcpListener) -> Self {
        let probe = Probe::default();
        let addr = listener.local_addr().unwrap();
        let service = probe.clone();
        let task = tokio::spawn(async move {
            let incoming = tonic::transport::server::TcpIncoming::from(listener);
            let _ = tonic::transport::Server::builder()
                .serve_with_incoming_shutdown(service, incoming, std::future::pending::<()>())
                .await;
        });
        Self { probe, addr, task }
    }

    pub async fn bind() -> Self {
        Self::start(TcpListener::bind("127.0.0.1:0").await.unwrap()).await
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn seen(&self) -> Vec<http::HeaderMap> {
        self.probe.seen.lock().unwrap().clone()
    }
}

impl Drop for RunningProbe {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A unary call to the probe through `channel` at `path`.
pub async fn unary(
    channel: crate::common::Authed,
    path: &'static str,
    request: Request<PbDuration>,
) -> Result<Response<Timestamp>, Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    grpc.unary(
        request,
        http::uri::PathAndQuery::from_static(path),
        ProstCodec::<PbDuration, Timestamp>::default(),
    )
    .await
}

/// Opens a bidi chat with the probe through `channel`.
pub async fn chat_call(
    channel: crate::common::Authed,
    outbound: impl Stream<Item = Timestamp> + Send + 'static,
) -> Result<Response<Streaming<Timestamp>>, Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    grpc.streaming(
        Request::new(outbound),
        http::uri::PathAndQuery::from_static("/recourse.probe.v1.Probe/Chat"),
        ProstCodec::<Timestamp, Timestamp>::default(),
    )
    .await
}
