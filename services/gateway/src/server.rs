//! Assembles the gateway — key store, credentials, limits, routes, health,
//! reflection — and serves it with a graceful shutdown (NOT_SERVING first,
//! then drain), like every other Recourse server.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::propagation::Extractor;
use recourse_platform::auth::{AuthInterceptor, TokenKeys};
use recourse_platform::config::ServerSettings;
use recourse_platform::gateway_settings::GatewaySettings;
use recourse_proto::gateway::api_key_service_server::{ApiKeyServiceServer, SERVICE_NAME};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tonic::service::Routes;
use tonic::transport::Endpoint;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use crate::OWN_UPSTREAM;
use crate::api::ApiKeyApi;
use crate::auth::Authenticator;
use crate::auth::oidc::{Oidc, OidcError};
use crate::health::{Watched, spawn_poller};
use crate::keys::{KeyBook, KeyDirectory};
use crate::limits::{Limiter, RedisError};
use crate::proxy::routes::RouteTable;
use crate::proxy::{ConnectSettings, Connections, Proxy, ProxyLimits, Target};
use crate::rest::{Front, Rest};

/// HTTP/2 connections per upstream (see [`Connections`]): as many as a
/// client of the services typically opens, enough for two to four cores.
const UPSTREAM_CONNECTIONS: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("gateway.upstreams.{name}: {message}")]
    Upstream { name: String, message: String },
    #[error(transparent)]
    Redis(#[from] RedisError),
    #[error("gateway.oidc: {0}")]
    Oidc(#[from] OidcError),
    #[error("reflection: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    #[error("REST bindings: {0}")]
    RestBindings(#[from] crate::rest::BindingError),
    #[error("REST descriptors: {0}")]
    RestDescriptors(#[from] prost_reflect::DescriptorError),
    #[error("serving: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// A built gateway, ready to serve on a listener.
pub struct Gateway {
    routes: Routes,
    reporter: HealthReporter,
    watched: Vec<Watched>,
    health_interval: Duration,
    directory: Arc<KeyDirectory>,
    limiter: Arc<Limiter>,
    services: Vec<String>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("services", &self.services)
            .finish_non_exhaustive()
    }
}

/// The lazy tonic channel the health poller uses for one upstream.
fn health_channel(
    name: &str,
    url: &str,
    settings: &GatewaySettings,
) -> Result<tonic::transport::Channel, GatewayError> {
    let endpoint = Endpoint::from_shared(url.to_owned()).map_err(|e| GatewayError::Upstream {
        name: name.to_owned(),
        message: e.to_string(),
    })?;
    Ok(endpoint
        .connect_timeout(Duration::from_millis(settings.connect_timeout_ms))
        .tcp_nodelay(true)
        .connect_lazy())
}

/// The connections calls are proxied over (see [`Connections`]).
fn connections(
    name: &str,
    url: &str,
    settings: &GatewaySettings,
) -> Result<Connections, GatewayError> {
    let connect = ConnectSettings {
        connect_timeout: Duration::from_millis(settings.connect_timeout_ms),
        keep_alive_interval: Duration::from_secs(20),
        keep_alive_timeout: Duration::from_secs(10),
    };
    let health = health_channel(name, url, settings)?;
    Connections::new(url, UPSTREAM_CONNECTIONS, connect, health).map_err(|message| {
        GatewayError::Upstream {
            name: name.to_owned(),
            message,
        }
    })
}

impl Gateway {
    /// Builds the gateway over its key store `db`, routing each
    /// `upstreams` entry (`name → URL`) and serving its own API locally.
    pub async fn build(
        settings: &GatewaySettings,
        db: DatabaseConnection,
        keys: Arc<TokenKeys>,
        upstreams: &BTreeMap<String, String>,
    ) -> Result<Self, GatewayError> {
        let directory = Arc::new(KeyDirectory::new(db.clone(), settings.keys.cache_seconds));
        directory.spawn_flusher(Duration::from_secs(settings.keys.last_used_flush_seconds));
        let oidc = match &settings.oidc {
            Some(oidc) => Some(Arc::new(Oidc::new(oidc.clone()).await?)),
            None => None,
        };
        let auth = Arc::new(Authenticator::new(
            keys.clone(),
            directory.clone(),
            oidc,
            settings.internal_token_ttl_seconds,
            settings.rate_limit.clone(),
        ));
        let limiter = Arc::new(Limiter::new(&settings.rate_limit).await?);
        limiter.spawn_purge(Duration::from_secs(
            settings.rate_limit.purge_interval_seconds,
        ));

        let mut routes = RouteTable::new(&[recourse_proto::FILE_DESCRIPTOR_SET]);
        for (name, url) in upstreams {
            if name == OWN_UPSTREAM {
                return Err(GatewayError::Upstream {
                    name: name.clone(),
                    message: "is the gateway's own API and cannot be routed elsewhere".into(),
                });
            }
            let connections = connections(name, url, settings)?;
            routes.add(name, Target::Remote(connections));
        }
        let book = KeyBook::new(db, directory.clone(), settings.keys.max_grace_seconds);
        let own =
            ApiKeyServiceServer::with_interceptor(ApiKeyApi::new(book), AuthInterceptor::new(keys));
        let own = ServiceExt::<http::Request<tonic::body::Body>>::map_response(own, |response| {
            response.map(tonic::body::Body::new)
        });
        routes.add(OWN_UPSTREAM, Target::Local(BoxCloneSyncService::new(own)));

        let routed = routes.routed_services();
        let watched: Vec<Watched> = routes
            .remotes()
            .into_iter()
            .map(|(name, channel)| Watched {
                services: routed
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, s)| s.clone())
                    .unwrap_or_default(),
                name,
                channel,
            })
            .collect();
        let mut services: Vec<String> = routed.into_iter().flat_map(|(_, s)| s).collect();
        services.sort();

        let reflection = || {
            let mut builder = tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(recourse_proto::FILE_DESCRIPTOR_SET)
                .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
                .register_encoded_file_descriptor_set(tonic_types::pb::FILE_DESCRIPTOR_SET)
                .with_service_name("grpc.health.v1.Health")
                .with_service_name("grpc.reflection.v1.ServerReflection")
                .with_service_name("grpc.reflection.v1alpha.ServerReflection");
            for service in &services {
                builder = builder.with_service_name(service.clone());
            }
            builder
        };
        let (reporter, health) = tonic_health::server::health_reporter();
        let proxy = Proxy::new(
            routes,
            auth,
            limiter.clone(),
            ProxyLimits {
                unary_timeout: Duration::from_millis(settings.unary_timeout_ms),
                max_request_message_bytes: settings.max_request_message_bytes,
                max_response_message_bytes: settings.max_response_message_bytes,
            },
        );
        // A REST body may be JSON (bigger than the protobuf it becomes) or a
        // client stream of several messages: four messages' worth.
        let max_body = usize::try_from(settings.max_request_message_bytes)
            .unwrap_or(usize::MAX)
            .saturating_mul(4);
        let rest = Rest::new(crate::rest::descriptor_pool()?, proxy.clone(), max_body)?;
        let router = Routes::new(health)
            .add_service(reflection().build_v1()?)
            .add_service(reflection().build_v1alpha()?)
            .into_axum_router()
            .fallback_service(Front { proxy, rest });
        Ok(Self {
            routes: Routes::from(router),
            reporter,
            watched,
            health_interval: Duration::from_millis(settings.health_interval_ms),
            directory,
            limiter,
            services,
        })
    }

    /// The gRPC services the gateway routes (and lists in reflection).
    pub fn services(&self) -> &[String] {
        &self.services
    }

    /// The limiter (tests observe its bounded memory).
    pub fn limiter(&self) -> Arc<Limiter> {
        self.limiter.clone()
    }

    /// Serves until `shutdown`, then reports NOT_SERVING, waits
    /// `drain_delay_ms`, stops accepting and lets calls finish for up to
    /// `shutdown_grace_seconds`; pending last-use times are written last.
    pub async fn serve(
        self,
        listener: TcpListener,
        settings: &ServerSettings,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), GatewayError> {
        let reporter = self.reporter;
        reporter
            .set_service_status("", ServingStatus::Serving)
            .await;
        reporter
            .set_service_status(SERVICE_NAME, ServingStatus::Serving)
            .await;
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        {
            let reporter = reporter.clone();
            let watched = self.watched.clone();
            let every = self.health_interval;
            let timeout = every.min(Duration::from_secs(2));
            crate::health::poll_once(&reporter, &watched, timeout).await;
            spawn_poller(reporter, watched, every, stop_rx);
        }
        let routes = self.routes;

        let addr = listener.local_addr().ok();
        let mut names: Vec<String> = vec![String::new(), SERVICE_NAME.to_owned()];
        names.extend(self.watched.iter().map(|w| w.name.to_string()));
        names.extend(self.watched.iter().flat_map(|w| w.services.clone()));
        let drain_delay = Duration::from_millis(settings.drain_delay_ms);
        let grace = Duration::from_secs(settings.shutdown_grace_seconds);
        let (draining_tx, mut draining_rx) = tokio::sync::watch::channel(false);
        let signal = async move {
            shutdown.await;
            tracing::info!("gateway shutting down: reporting NOT_SERVING, then draining");
            let _ = stop_tx.send(true);
            for name in &names {
                reporter
                    .set_service_status(name, ServingStatus::NotServing)
                    .await;
            }
            tokio::time::sleep(drain_delay).await;
            let _ = draining_tx.send(true);
        };
        tracing::info!(?addr, services = ?self.services, "gateway serving gRPC");
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
        // HTTP/1.1 too, for REST callers; gRPC callers speak h2 as before.
        let server = tonic::transport::Server::builder()
            .accept_http1(true)
            .trace_fn(gateway_span)
            .add_routes(routes)
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
        if let Err(err) = self.directory.flush().await {
            tracing::warn!(%err, "writing API key last-use times at shutdown failed");
        }
        tracing::info!("gateway stopped");
        Ok(())
    }
}

struct HeaderExtractor<'a>(&'a http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

/// The gateway's span of one call, parented on the caller's `traceparent`
/// (or the root of a new trace). The proxy forwards its context upstream,
/// so the service's span is its child.
fn gateway_span(request: &http::Request<()>) -> tracing::Span {
    let parent = opentelemetry::global::get_text_map_propagator(|p| {
        p.extract(&HeaderExtractor(request.headers()))
    });
    let path = request.uri().path();
    if !crate::rest::is_grpc(request.headers()) {
        let verb = request.method();
        let span = tracing::info_span!(
            "gateway",
            otel.name = %format!("gateway {verb} {path}"),
            otel.kind = "server",
            http.request.method = %verb,
            url.path = %path,
            enduser.id = tracing::field::Empty,
        );
        let _ = span.set_parent(parent);
        return span;
    }
    let (service, method) = path
        .trim_start_matches('/')
        .split_once('/')
        .unwrap_or((path, ""));
    let span = tracing::info_span!(
        "gateway",
        otel.name = %format!("gateway {path}"),
        otel.kind = "server",
        rpc.system = "grpc",
        rpc.service = %service,
        rpc.method = %method,
        enduser.id = tracing::field::Empty,
    );
    let _ = span.set_parent(parent);
    span
}
