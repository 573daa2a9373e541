//! A client for `test.v1.Probe`, as tonic would generate it.

use std::time::Duration;

use http::uri::PathAndQuery;
use recourse_platform::client::OutboundInterceptor;
use tokio_stream::StreamExt as _;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic::{Request, Status, Streaming};
use tonic_prost::ProstCodec;

#[derive(Clone)]
pub struct ProbeClient(
    pub(super) tonic::client::Grpc<InterceptedService<Channel, OutboundInterceptor>>,
);

impl ProbeClient {
    async fn ready(&mut self) -> Result<(), Status> {
        self.0
            .ready()
            .await
            .map_err(|e| Status::unavailable(e.to_string()))
    }

    pub async fn sleep(&mut self, request: Request<u64>) -> Result<u64, Status> {
        self.ready().await?;
        let path = PathAndQuery::from_static("/test.v1.Probe/Sleep");
        Ok(self
            .0
            .unary(request, path, ProstCodec::default())
            .await?
            .into_inner())
    }

    pub async fn relay(&mut self, request: Request<u64>) -> Result<u64, Status> {
        self.ready().await?;
        let path = PathAndQuery::from_static("/test.v1.Probe/Relay");
        Ok(self
            .0
            .unary(request, path, ProstCodec::default())
            .await?
            .into_inner())
    }

    pub async fn echo(&mut self, bytes: Vec<u8>) -> Result<u64, Status> {
        self.ready().await?;
        let path = PathAndQuery::from_static("/test.v1.Probe/Echo");
        Ok(self
            .0
            .unary(Request::new(bytes), path, ProstCodec::default())
            .await?
            .into_inner())
    }

    pub async fn fill(&mut self, n: u64) -> Result<Vec<u8>, Status> {
        self.ready().await?;
        let path = PathAndQuery::from_static("/test.v1.Probe/Fill");
        Ok(self
            .0
            .unary(Request::new(n), path, ProstCodec::default())
            .await?
            .into_inner())
    }

    pub async fn feed(&mut self, n: u64) -> Result<Streaming<u64>, Status> {
        self.ready().await?;
        let path = PathAndQuery::from_static("/test.v1.Probe/Feed");
        Ok(self
            .0
            .server_streaming(Request::new(n), path, ProstCodec::default())
            .await?
            .into_inner())
    }

    /// Sends `chunks`, one every `every`.
    pub async fn upload(&mut self, chunks: Vec<Vec<u8>>, every: Duration) -> Result<u64, Status> {
        self.ready().await?;
        let path = PathAndQuery::from_static("/test.v1.Probe/Upload");
        let stream = tokio_stream::iter(chunks).throttle(every);
        Ok(self
            .0
            .client_streaming(Request::new(stream), path, ProstCodec::default())
            .await?
            .into_inner())
    }
}
