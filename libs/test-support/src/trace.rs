//! Spans captured in memory, for tests that check trace propagation.

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
pub use opentelemetry_sdk::trace::SpanData;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

#[derive(Debug)]
pub struct SpanCapture {
    exporter: InMemorySpanExporter,
    provider: SdkTracerProvider,
}

impl SpanCapture {
    /// Installs the process-wide subscriber (once per test binary) with an
    /// OpenTelemetry layer exporting into memory, and W3C propagation.
    pub fn install() -> Self {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")))
            .init();
        recourse_platform::telemetry::install_propagator();
        Self { exporter, provider }
    }

    /// The finished spans once `done` holds (servers close their spans just
    /// after answering), or whatever finished within 5 s.
    pub async fn spans_until(&self, done: impl Fn(&[SpanData]) -> bool) -> Vec<SpanData> {
        let mut spans = Vec::new();
        for _ in 0..100 {
            let _ = self.provider.force_flush();
            spans = self.exporter.get_finished_spans().unwrap_or_default();
            if done(&spans) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        spans
    }
}

/// The first span named `name`.
pub fn named<'a>(spans: &'a [SpanData], name: &str) -> Option<&'a SpanData> {
    spans.iter().find(|s| s.name == name)
}

/// The span named `name` whose parent is `parent`.
pub fn child<'a>(spans: &'a [SpanData], name: &str, parent: &SpanData) -> Option<&'a SpanData> {
    spans
        .iter()
        .find(|s| s.name == name && s.parent_span_id == parent.span_context.span_id())
}
