//! The gRPC server every role runs: the services mounted on it, plus
//! `grpc.health.v1`, server reflection (v1 and v1alpha, so grpcurl 1.8 and
//! newer both work), the call stack in front of them ([`stack`]: a span and
//! metrics per call, load shedding, unary deadlines, message size limits),
//! and a graceful shutdown that reports NOT_SERVING before it drains.

mod frames;
pub mod methods;
mod observe;
mod stack;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tonic::body::Body;
use tonic::server::NamedService;
use tonic::service::RoutesBuilder;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;
use tower::Service;

use self::methods::MethodTable;
use self::stack::CallStackLayer;
use crate::config::ServerSettings;
use crate::metrics::RpcMetrics;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("binding {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("reflection: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    #[error("serving: {0}")]
    Transport(#[from] tonic::transport::Error),
    #[error("a registered file descriptor set does not decode: {0}")]
    Descriptors(#[from] prost::DecodeError),
}

/// The services one process serves, and how it serves them.
#[derive(Default)]
pub struct Host {
    routes: RoutesBuilder,
    names: Vec<&'static str>,
    /// Descriptor sets of services mounted besides ours (tests), so the
    /// stack knows which of their methods stream.
    descriptors: Vec<&'static [u8]>,
    /// Told the health reporter once serving starts (a service that reports
    /// more than "up", e.g. reporting's stopped feed consumers).
    health_watchers: Vec<HealthWatcher>,
}

/// Receives the process's health reporter when serving starts.
pub type HealthWatcher = Box<dyn FnOnce(tonic_health::server::HealthReporter) + Send>;

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("services", &self.names)
            .finish()
    }
}

impl Host {
    pub fn new() -> Self {
        Self::default()
    }

    /// Mounts a gRPC service; its health is reported under its full name.
    pub fn add_service<S>(&mut self, service: S) -> &mut Self
    where
        S: Service<http::Request<Body>, Error = Infallible>
            + NamedService
            + Clone
            + Send
            + Sync
            + 'static,
        S::Response: axum::response::IntoResponse,
        S::Future: Send + 'static,
    {
        self.names.push(S::NAME);
        self.routes.add_service(service);
        self
    }

    /// Declares the methods of services whose descriptors are not in
    /// `recourse_proto` (ours, health and reflection are known), so the
    /// stack can tell their streams from unary calls.
    pub fn register_descriptors(&mut self, encoded: &'static [u8]) -> &mut Self {
        self.descriptors.push(encoded);
        self
    }

    /// Hands `watch` the health reporter once serving starts, so a service
    /// can report more than "up" under names of its own (it must not touch
    /// the mounted services' names: shutdown owns those).
    pub fn watch_health(&mut self, watch: HealthWatcher) -> &mut Self {
        self.health_watchers.push(watch);
        self
    }

    /// Names of the mounted services.
    pub fn service_names(&self) -> &[&'static str] {
        &self.names
    }

    /// Binds `addr` (port 0 picks a free port; read it from the listener).
    pub async fn bind(addr: SocketAddr) -> Result<TcpListener, ServerError> {
        TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Bind { addr, source })
    }

    /// Serves until `shutdown` completes, then reports NOT_SERVING, waits
    /// `drain_delay_ms`, stops accepting and lets in-flight calls finish for
    /// up to `shutdown_grace_seconds`.
    pub async fn serve(
        self,
        listener: TcpListener,
        settings: &ServerSettings,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), ServerError> {
        let (reporter, health) = tonic_health::server::health_reporter();
        for name in &self.names {
            reporter
                .set_service_status(name, ServingStatus::Serving)
                .await;
        }
        for watch in self.health_watchers {
            watch(reporter.clone());
        }
        let reflection = || {
            tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(recourse_proto::FILE_DESCRIPTOR_SET)
                .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
                .register_encoded_file_descriptor_set(tonic_types::pb::FILE_DESCRIPTOR_SET)
        };
        let mut methods = MethodTable::default();
        for set in [
            recourse_proto::FILE_DESCRIPTOR_SET,
            tonic_health::pb::FILE_DESCRIPTOR_SET,
            tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET,
            tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET,
        ]
        .into_iter()
        .chain(self.descriptors.iter().copied())
        {
            methods.register(set)?;
        }
        let metrics = Arc::new(RpcMetrics::new(&crate::metrics::meter()));
        let stack = CallStackLayer::new(settings, methods, Some(metrics));
        let mut routes = self.routes;
        routes
            .add_service(health)
            .add_service(reflection().build_v1()?)
            .add_service(reflection().build_v1alpha()?);

        let addr = listener.local_addr().ok();
        let names = self.names.clone();
        let drain_delay = Duration::from_millis(settings.drain_delay_ms);
        let grace = Duration::from_secs(settings.shutdown_grace_seconds);
        let (draining_tx, mut draining_rx) = tokio::sync::watch::channel(false);
        let signal = async move {
            shutdown.await;
            tracing::info!("shutting down: reporting NOT_SERVING, then draining");
            reporter
                .set_service_status("", ServingStatus::NotServing)
                .await;
            for name in &names {
                reporter
                    .set_service_status(name, ServingStatus::NotServing)
                    .await;
            }
            tokio::time::sleep(drain_delay).await;
            let _ = draining_tx.send(true);
        };

        tracing::info!(?addr, services = ?self.names, "serving gRPC");
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
        let server = tonic::transport::Server::builder()
            .layer(stack)
            .add_routes(routes.routes())
            .serve_with_incoming_shutdown(incoming, signal);
        tokio::pin!(server);
        let grace_expired = async {
            let _ = draining_rx.wait_for(|draining| *draining).await;
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            result = &mut server => result?,
            () = grace_expired => {
                tracing::warn!(?grace, "grace period over; abandoning in-flight calls");
            }
        }
        tracing::info!("server stopped");
        Ok(())
    }
}

/// Completes on SIGTERM (Kubernetes) or ctrl-c (a terminal).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
