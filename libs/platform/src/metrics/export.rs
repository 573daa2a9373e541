//! Where metrics go: pushed over OTLP/gRPC to `telemetry.otlp_endpoint`
//! and/or served as Prometheus text on `telemetry.metrics_listen` (its own
//! port, `GET /metrics`), both from one OpenTelemetry meter provider.

use std::net::SocketAddr;
use std::time::Duration;

use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::config::TelemetrySettings;

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("OTLP metric exporter: {0}")]
    Otlp(#[from] opentelemetry_otlp::ExporterBuildError),
    #[error("Prometheus exporter: {0}")]
    Prometheus(String),
    #[error("telemetry.metrics_listen {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// Builds and installs the global meter provider when any export is
/// configured; `None` leaves the no-op provider in place. Must run inside
/// a Tokio runtime (the endpoint and the exporter live on it).
pub fn install(settings: &TelemetrySettings) -> Result<Option<SdkMeterProvider>, MetricsError> {
    if settings.otlp_endpoint.is_none() && settings.metrics_listen.is_none() {
        return Ok(None);
    }
    let mut builder = SdkMeterProvider::builder().with_resource(
        Resource::builder()
            .with_service_name(settings.service_name.clone())
            .build(),
    );
    if let Some(endpoint) = &settings.otlp_endpoint {
        let exporter = opentelemetry_otlp::MetricExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint.clone())
            .build()?;
        let reader = PeriodicReader::builder(exporter)
            .with_interval(Duration::from_millis(settings.metrics_export_interval_ms))
            .build();
        builder = builder.with_reader(reader);
    }
    if let Some(addr) = settings.metrics_listen {
        let registry = prometheus::Registry::new();
        let exporter = opentelemetry_prometheus::exporter()
            .with_registry(registry.clone())
            .build()
            .map_err(|e| MetricsError::Prometheus(e.to_string()))?;
        builder = builder.with_reader(exporter);
        let listener = std::net::TcpListener::bind(addr)
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .and_then(tokio::net::TcpListener::from_std)
            .map_err(|source| MetricsError::Listen { addr, source })?;
        tracing::info!(%addr, "serving Prometheus metrics on /metrics");
        tokio::spawn(serve_prometheus(listener, registry));
    }
    let provider = builder.build();
    opentelemetry::global::set_meter_provider(provider.clone());
    Ok(Some(provider))
}

/// A minimal HTTP/1.1 responder: `GET /metrics` gets the text exposition,
/// anything else 404; one request per connection. Enough for Prometheus
/// and curl without an HTTP server dependency.
async fn serve_prometheus(listener: tokio::net::TcpListener, registry: prometheus::Registry) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let registry = registry.clone();
        tokio::spawn(async move {
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
                match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await {
                    Ok(Ok(n)) if n > 0 => head.extend_from_slice(&buf[..n]),
                    _ => return,
                }
            }
            let request_line = head.split(|b| *b == b'\r').next().unwrap_or_default();
            let (status, body) = if request_line.starts_with(b"GET /metrics ")
                || request_line.starts_with(b"GET /metrics?")
            {
                match prometheus::TextEncoder::new().encode_to_string(&registry.gather()) {
                    Ok(text) => ("200 OK", text),
                    Err(err) => ("500 Internal Server Error", err.to_string()),
                }
            } else {
                ("404 Not Found", "metrics are at /metrics\n".to_owned())
            };
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
        });
    }
}
