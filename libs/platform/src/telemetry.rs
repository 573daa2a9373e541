//! Logs, traces and (through [`crate::metrics`]) metrics. A `tracing` subscriber with its own filter per layer (log
//! output, OTLP export), W3C `traceparent` extracted from every incoming call
//! ([`server_span`]) and injected into every outgoing one
//! ([`inject_trace_context`]).

use opentelemetry::global;
use opentelemetry::propagation::{Extractor, Injector};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer as _};

use crate::config::TelemetrySettings;
use crate::server::methods::MethodKind;

#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("telemetry filter: {0}")]
    Filter(#[from] tracing_subscriber::filter::ParseError),
    #[error("OTLP exporter: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    #[error("a global tracing subscriber is already installed: {0}")]
    AlreadyInstalled(#[from] tracing_subscriber::util::TryInitError),
    #[error(transparent)]
    Metrics(#[from] crate::metrics::MetricsError),
}

/// Flushes and stops span export when dropped, so the last spans of a
/// shutting-down process reach the collector.
#[derive(Debug)]
pub struct TelemetryGuard {
    /// Writes the log lines still queued when dropped (last, after spans).
    _log_writer: tracing_appender::non_blocking::WorkerGuard,
    provider: Option<SdkTracerProvider>,
    meters: Option<opentelemetry_sdk::metrics::SdkMeterProvider>,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(err) = provider.shutdown()
        {
            eprintln!("telemetry: flushing spans failed: {err}");
        }
        if let Some(meters) = self.meters.take()
            && let Err(err) = meters.shutdown()
        {
            eprintln!("telemetry: flushing metrics failed: {err}");
        }
    }
}

/// Uses W3C trace context (`traceparent`/`tracestate`) for propagation.
pub fn install_propagator() {
    global::set_text_map_propagator(TraceContextPropagator::new());
}

/// Installs the process-wide subscriber. Must run inside a Tokio runtime
/// when OTLP export is configured (the gRPC exporter lives on it).
pub fn init(settings: &TelemetrySettings) -> Result<TelemetryGuard, TelemetryError> {
    install_propagator();
    let log_filter = EnvFilter::try_new(&settings.log_filter)?;
    let (writer, log_writer) = log_writer();
    let log_layer = match settings.log_format.as_str() {
        "json" => tracing_subscriber::fmt::layer()
            .json()
            .with_ansi(false)
            .with_writer(writer)
            .with_filter(log_filter)
            .boxed(),
        _ => tracing_subscriber::fmt::layer()
            .with_target(true)
            .with_ansi(colour_logs())
            .with_writer(writer)
            .with_filter(log_filter)
            .boxed(),
    };

    let (otel_layer, provider) = match &settings.otlp_endpoint {
        Some(endpoint) => {
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_tonic()
                .with_endpoint(endpoint.clone())
                .build()?;
            let provider = SdkTracerProvider::builder()
                .with_batch_exporter(exporter)
                .with_resource(
                    Resource::builder()
                        .with_service_name(settings.service_name.clone())
                        .build(),
                )
                .build();
            global::set_tracer_provider(provider.clone());
            let layer = tracing_opentelemetry::layer()
                .with_tracer(provider.tracer("recourse"))
                .with_filter(EnvFilter::try_new(&settings.otlp_filter)?);
            (Some(layer), Some(provider))
        }
        None => (None, None),
    };

    tracing_subscriber::registry()
        .with(log_layer)
        .with(otel_layer)
        .try_init()?;
    let meters = crate::metrics::install(settings)?;
    Ok(TelemetryGuard {
        _log_writer: log_writer,
        provider,
        meters,
    })
}

/// Lines queued for the log thread before a caller waits for it.
const LOG_QUEUE_LINES: usize = 64 * 1024;

/// Stdout through a dedicated thread: a call formats its line and queues it
/// (the gateway writes one access-log line per call), and the thread writes
/// whatever is queued in one `write` before it waits again — so no request
/// waits on the terminal, file or pipe behind stdout, nor on the lock of
/// stdout that every other thread's line would hold. The queue is bounded
/// and not lossy: when the output cannot keep up for LOG_QUEUE_LINES lines,
/// callers wait (back-pressure) instead of dropping access-log lines or
/// growing memory without bound.
fn log_writer() -> (
    tracing_appender::non_blocking::NonBlocking,
    tracing_appender::non_blocking::WorkerGuard,
) {
    tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .thread_name("recourse-log")
        .finish(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stdout(),
        ))
}

/// Logs (written to stdout) are coloured only on a terminal: a file, a pipe
/// or a log collector gets plain text. `NO_COLOR` turns colour off anyway.
fn colour_logs() -> bool {
    use std::io::IsTerminal as _;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
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

struct MetadataInjector<'a>(&'a mut tonic::metadata::MetadataMap);

impl Injector for MetadataInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        let key = tonic::metadata::MetadataKey::from_bytes(key.as_bytes());
        let value = tonic::metadata::MetadataValue::try_from(value.as_str());
        if let (Ok(key), Ok(value)) = (key, value) {
            self.0.insert(key, value);
        }
    }
}

/// The span of one incoming gRPC call, parented on the caller's
/// `traceparent` when it sent one (usable as tonic's `trace_fn`).
pub fn server_span(request: &http::Request<()>) -> tracing::Span {
    call_span(request.uri(), request.headers(), MethodKind::Unary)
}

/// The span the server stack opens for each call; the stack records the
/// final `rpc.grpc.status_code` and `rpc.duration_ms` when the call ends.
pub(crate) fn call_span(
    uri: &http::Uri,
    headers: &http::HeaderMap,
    kind: MethodKind,
) -> tracing::Span {
    let parent = global::get_text_map_propagator(|p| p.extract(&HeaderExtractor(headers)));
    let path = uri.path();
    let (service, method) = path
        .trim_start_matches('/')
        .split_once('/')
        .unwrap_or((path, ""));
    let span = tracing::info_span!(
        "grpc.server",
        otel.name = %path,
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        rpc.system = "grpc",
        rpc.service = %service,
        rpc.method = %method,
        rpc.grpc.kind = kind.as_str(),
        rpc.grpc.status_code = tracing::field::Empty,
        rpc.duration_ms = tracing::field::Empty,
        enduser.id = tracing::field::Empty,
    );
    // Without an OpenTelemetry layer there is nothing to parent; that is fine.
    let _ = span.set_parent(parent);
    span
}

/// Writes the current span's context as `traceparent` into an outgoing
/// call's metadata.
pub fn inject_trace_context(metadata: &mut tonic::metadata::MetadataMap) {
    let context = tracing::Span::current().context();
    global::get_text_map_propagator(|p| {
        p.inject_context(&context, &mut MetadataInjector(metadata));
    });
}
