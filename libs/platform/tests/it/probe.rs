//! `test.v1.Probe`: a hand-written gRPC service (the code tonic would
//! generate, minus the proto) whose calls take as long, stream as long and
//! answer as large as a test asks, served by a real [`Host`] on
//! 127.0.0.1:0, and a client for it.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use http::uri::PathAndQuery;
use prost::Message as _;
use prost_types::{
    FileDescriptorProto, FileDescriptorSet, MethodDescriptorProto, ServiceDescriptorProto,
};
use recourse_platform::client::{self, OutboundInterceptor};
use recourse_platform::config::{ClientSettings, ServerSettings};
use recourse_platform::deadline;
use recourse_platform::server::Host;
use tokio_stream::StreamExt as _;
use tonic::body::Body;
use tonic::server::{
    ClientStreamingService, Grpc, NamedService, ServerStreamingService, UnaryService,
};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic::{Request, Response, Status, Streaming};
use tonic_prost::ProstCodec;

mod probe_client;

pub use probe_client::ProbeClient;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// The service; `in_flight` counts calls inside a handler; `upstream` is
/// the channel `Relay` calls (this very server).
#[derive(Clone, Default)]
pub struct Probe {
    pub in_flight: Arc<AtomicUsize>,
    upstream: Arc<std::sync::OnceLock<Channel>>,
}

impl NamedService for Probe {
    const NAME: &'static str = "test.v1.Probe";
}

/// `Sleep(ms) → ms`: answers after sleeping.
struct Sleep(Arc<AtomicUsize>);
impl UnaryService<u64> for Sleep {
    type Response = u64;
    type Future = BoxFuture<Result<Response<u64>, Status>>;
    fn call(&mut self, request: Request<u64>) -> Self::Future {
        let in_flight = self.0.clone();
        Box::pin(async move {
            // Counted while the handler runs, however it ends (a cancelled
            // handler is dropped mid-sleep).
            struct InFlight(Arc<AtomicUsize>);
            impl Drop for InFlight {
                fn drop(&mut self) {
                    self.0.fetch_sub(1, Ordering::SeqCst);
                }
            }
            in_flight.fetch_add(1, Ordering::SeqCst);
            let _counted = InFlight(in_flight);
            let ms = *request.get_ref();
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok(Response::new(ms))
        })
    }
}

/// `Echo(bytes) → length`: a request of any size.
struct Echo;
impl UnaryService<Vec<u8>> for Echo {
    type Response = u64;
    type Future = BoxFuture<Result<Response<u64>, Status>>;
    fn call(&mut self, request: Request<Vec<u8>>) -> Self::Future {
        let len = request.get_ref().len() as u64;
        Box::pin(async move { Ok(Response::new(len)) })
    }
}

/// `Fill(n) → n bytes`: a response of any size.
struct Fill;
impl UnaryService<u64> for Fill {
    type Response = Vec<u8>;
    type Future = BoxFuture<Result<Response<Vec<u8>>, Status>>;
    fn call(&mut self, request: Request<u64>) -> Self::Future {
        let n = *request.get_ref() as usize;
        Box::pin(async move { Ok(Response::new(vec![7u8; n])) })
    }
}

/// `Deadline() → ms`: the `grpc-timeout` this call arrived with (0: none).
struct Deadline;
impl UnaryService<()> for Deadline {
    type Response = u64;
    type Future = BoxFuture<Result<Response<u64>, Status>>;
    fn call(&mut self, request: Request<()>) -> Self::Future {
        let ms = request
            .metadata()
            .get("grpc-timeout")
            .and_then(|v| v.to_str().ok())
            .and_then(deadline::parse_grpc_timeout)
            .map_or(0, |d| d.as_millis() as u64);
        Box::pin(async move { Ok(Response::new(ms)) })
    }
}

/// `Relay(ms)`: asks the upstream through the platform client — `Deadline`
/// when `ms` is 0, `Echo` of 100 kB when 1, else `Sleep(ms)` — and answers
/// what it answered, its failures passed through [`client::upstream`].
struct Relay(Option<Channel>);
impl UnaryService<u64> for Relay {
    type Response = u64;
    type Future = BoxFuture<Result<Response<u64>, Status>>;
    fn call(&mut self, request: Request<u64>) -> Self::Future {
        let channel = self.0.clone();
        let ms = *request.get_ref();
        Box::pin(async move {
            let channel = channel.ok_or_else(|| Status::internal("no upstream"))?;
            let interceptor = OutboundInterceptor::new(None).map_err(Status::internal)?;
            let mut grpc = tonic::client::Grpc::new(InterceptedService::new(channel, interceptor));
            grpc.ready()
                .await
                .map_err(|e| Status::unavailable(e.to_string()))?;
            let answer = if ms == 0 {
                let path = PathAndQuery::from_static("/test.v1.Probe/Deadline");
                grpc.unary(Request::new(()), path, ProstCodec::<(), u64>::default())
                    .await
            } else if ms == 1 {
                let path = PathAndQuery::from_static("/test.v1.Probe/Echo");
                grpc.unary(
                    Request::new(vec![0u8; 100_000]),
                    path,
                    ProstCodec::<Vec<u8>, u64>::default(),
                )
                .await
            } else {
                let path = PathAndQuery::from_static("/test.v1.Probe/Sleep");
                grpc.unary(Request::new(ms), path, ProstCodec::<u64, u64>::default())
                    .await
            };
            answer
                .map(|r| Response::new(r.into_inner()))
                .map_err(|status| Status::from(client::upstream(status)))
        })
    }
}

type FeedStream = Pin<Box<dyn tokio_stream::Stream<Item = Result<u64, Status>> + Send>>;

/// `Feed(n)`: n messages, one every 100 ms.
struct Feed;
impl ServerStreamingService<u64> for Feed {
    type Response = u64;
    type ResponseStream = FeedStream;
    type Future = BoxFuture<Result<Response<FeedStream>, Status>>;
    fn call(&mut self, request: Request<u64>) -> Self::Future {
        let n = *request.get_ref();
        Box::pin(async move {
            let stream = tokio_stream::iter(1..=n)
                .throttle(Duration::from_millis(100))
                .map(Ok);
            Ok(Response::new(Box::pin(stream) as FeedStream))
        })
    }
}

/// `Upload(stream of bytes) → total length`.
struct Upload;
impl ClientStreamingService<Vec<u8>> for Upload {
    type Response = u64;
    type Future = BoxFuture<Result<Response<u64>, Status>>;
    fn call(&mut self, request: Request<Streaming<Vec<u8>>>) -> Self::Future {
        Box::pin(async move {
            let mut stream = request.into_inner();
            let mut total = 0u64;
            while let Some(chunk) = stream.message().await? {
                total += chunk.len() as u64;
            }
            Ok(Response::new(total))
        })
    }
}

impl tower::Service<http::Request<Body>> for Probe {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<http::Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let in_flight = self.in_flight.clone();
        let upstream = self.upstream.get().cloned();
        Box::pin(async move {
            let response = match request.uri().path() {
                "/test.v1.Probe/Sleep" => {
                    Grpc::new(ProstCodec::default())
                        .unary(Sleep(in_flight), request)
                        .await
                }
                "/test.v1.Probe/Echo" => {
                    Grpc::new(ProstCodec::default()).unary(Echo, request).await
                }
                "/test.v1.Probe/Deadline" => {
                    Grpc::new(ProstCodec::default())
                        .unary(Deadline, request)
                        .await
                }
                "/test.v1.Probe/Relay" => {
                    Grpc::new(ProstCodec::default())
                        .unary(Relay(upstream), request)
                        .await
                }
                "/test.v1.Probe/Fill" => {
                    Grpc::new(ProstCodec::default()).unary(Fill, request).await
                }
                "/test.v1.Probe/Feed" => {
                    Grpc::new(ProstCodec::default())
                        .server_streaming(Feed, request)
                        .await
                }
                "/test.v1.Probe/Upload" => {
                    Grpc::new(ProstCodec::default())
                        .client_streaming(Upload, request)
                        .await
                }
                _ => Status::unimplemented("no such method").into_http(),
            };
            Ok(response)
        })
    }
}

/// The service's descriptor set, so the stack knows Feed and Upload
/// stream.
fn descriptors() -> &'static [u8] {
    let method =
        |name: &str, input: &str, output: &str, client: bool, server: bool| MethodDescriptorProto {
            name: Some(name.into()),
            input_type: Some(input.into()),
            output_type: Some(output.into()),
            client_streaming: Some(client),
            server_streaming: Some(server),
            ..Default::default()
        };
    let set = FileDescriptorSet {
        file: vec![FileDescriptorProto {
            name: Some("test/v1/probe.proto".into()),
            package: Some("test.v1".into()),
            dependency: vec!["google/protobuf/wrappers.proto".into()],
            service: vec![ServiceDescriptorProto {
                name: Some("Probe".into()),
                method: vec![
                    method(
                        "Sleep",
                        ".google.protobuf.UInt64Value",
                        ".google.protobuf.UInt64Value",
                        false,
                        false,
                    ),
                    method(
                        "Echo",
                        ".google.protobuf.BytesValue",
                        ".google.protobuf.UInt64Value",
                        false,
                        false,
                    ),
                    method(
                        "Fill",
                        ".google.protobuf.UInt64Value",
                        ".google.protobuf.BytesValue",
                        false,
                        false,
                    ),
                    method(
                        "Feed",
                        ".google.protobuf.UInt64Value",
                        ".google.protobuf.UInt64Value",
                        false,
                        true,
                    ),
                    method(
                        "Upload",
                        ".google.protobuf.BytesValue",
                        ".google.protobuf.UInt64Value",
                        true,
                        false,
                    ),
                ],
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    Box::leak(set.encode_to_vec().into_boxed_slice())
}

/// A running server with the probe mounted, stopped when dropped.
pub struct ProbeServer {
    pub url: String,
    pub probe: Probe,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for ProbeServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl ProbeServer {
    pub async fn start(settings: ServerSettings) -> Self {
        Self::start_with(settings, ClientSettings::default()).await
    }

    /// `clients` configures the channel `Relay` calls upstream through.
    pub async fn start_with(settings: ServerSettings, clients: ClientSettings) -> Self {
        let probe = Probe::default();
        let mut host = Host::new();
        host.add_service(probe.clone());
        host.register_descriptors(descriptors());
        let listener = Host::bind(([127, 0, 0, 1], 0).into()).await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let _ = probe
            .upstream
            .set(client::channel_with(&url, &clients).unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            host.serve(listener, &settings, shutdown).await.unwrap();
        });
        Self {
            url,
            probe,
            stop: Some(stop),
        }
    }

    pub fn client(&self) -> ProbeClient {
        // Through the platform's interceptor, so calls carry the test's
        // trace context and its spans can be told from other tests'.
        ProbeClient(tonic::client::Grpc::new(InterceptedService::new(
            Channel::from_shared(self.url.clone())
                .unwrap()
                .connect_lazy(),
            OutboundInterceptor::new(None).unwrap(),
        )))
    }
}
