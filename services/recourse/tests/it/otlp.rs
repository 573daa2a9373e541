//! Real OTLP export: the `recourse` process sends its spans and metrics
//! over OTLP/gRPC to a collector endpoint — here an OTLP trace and metrics
//! receiver on 127.0.0.1:0 built from the official OpenTelemetry protos.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::metrics::v1::metric::Data;
use recourse_platform::client::OutboundInterceptor;
use recourse_proto::carriers as pb;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

const BIN: &str = env!("CARGO_BIN_EXE_recourse");

/// (service.name, span name) of every span received.
#[derive(Clone, Default)]
struct Receiver(Arc<Mutex<Vec<(String, String)>>>);

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let mut seen = self.0.lock().unwrap();
        for resource_spans in request.into_inner().resource_spans {
            let service = resource_spans
                .resource
                .iter()
                .flat_map(|r| &r.attributes)
                .find(|kv| kv.key == "service.name")
                .and_then(|kv| kv.value.as_ref()?.value.as_ref())
                .map(|v| match v {
                    Value::StringValue(s) => s.clone(),
                    other => format!("{other:?}"),
                })
                .unwrap_or_default();
            for scope in resource_spans.scope_spans {
                for span in scope.spans {
                    seen.push((service.clone(), span.name));
                }
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

/// (metric name, `rpc.method` attribute of each sum data point, value).
#[derive(Clone, Default)]
struct MetricsReceiver(Arc<Mutex<Vec<(String, String, f64)>>>);

#[tonic::async_trait]
impl MetricsService for MetricsReceiver {
    async fn export(
        &self,
        request: tonic::Request<ExportMetricsServiceRequest>,
    ) -> Result<tonic::Response<ExportMetricsServiceResponse>, tonic::Status> {
        let mut seen = self.0.lock().unwrap();
        for resource in request.into_inner().resource_metrics {
            for scope in resource.scope_metrics {
                for metric in scope.metrics {
                    let Some(Data::Sum(sum)) = &metric.data else {
                        seen.push((metric.name.clone(), String::new(), 0.0));
                        continue;
                    };
                    for point in &sum.data_points {
                        let method = point
                            .attributes
                            .iter()
                            .find(|kv| kv.key == "rpc.method")
                            .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
                                Value::StringValue(s) => Some(s.clone()),
                                _ => None,
                            })
                            .unwrap_or_default();
                        let value = match point.value {
                            Some(
                                opentelemetry_proto::tonic::metrics::v1::number_data_point::Value::AsInt(
                                    n,
                                ),
                            ) => n as f64,
                            Some(
                                opentelemetry_proto::tonic::metrics::v1::number_data_point::Value::AsDouble(
                                    x,
                                ),
                            ) => x,
                            None => 0.0,
                        };
                        seen.push((metric.name.clone(), method, value));
                    }
                }
            }
        }
        Ok(tonic::Response::new(ExportMetricsServiceResponse::default()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_and_metrics_reach_an_otlp_collector() {
    let receiver = Receiver::default();
    let metrics = MetricsReceiver::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let collector = listener.local_addr().unwrap();
    let server = tonic::transport::Server::builder()
        .add_service(TraceServiceServer::new(receiver.clone()))
        .add_service(MetricsServiceServer::new(metrics.clone()))
        .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener));
    tokio::spawn(server);

    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(BIN)
        .args(["standalone", "--listen", &addr, "--data-dir"])
        .arg(dir.path())
        .env(
            "RECOURSE__TELEMETRY__OTLP_ENDPOINT",
            format!("http://{collector}"),
        )
        .env("RECOURSE__TELEMETRY__SERVICE_NAME", "recourse-otlp-test")
        .env("RECOURSE__TELEMETRY__METRICS_EXPORT_INTERVAL_MS", "500")
        .env("RECOURSE__TELEMETRY__LOG_FILTER", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut listed = false;
    for _ in 0..200 {
        // The server creates its key as it starts; until then there is no
        // key to sign with.
        let minted = Command::new(BIN)
            .args(["token", "--role", "auditor", "--data-dir"])
            .arg(dir.path())
            .output()
            .unwrap();
        if !minted.status.success() {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        let token = String::from_utf8(minted.stdout).unwrap().trim().to_owned();
        let channel = Channel::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect_lazy();
        let mut client = CarrierServiceClient::new(InterceptedService::new(
            channel,
            OutboundInterceptor::new(Some(&token)).unwrap(),
        ));
        if client
            .list_carriers(pb::ListCarriersRequest::default())
            .await
            .is_ok()
        {
            listed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(listed, "standalone answered");

    // SIGTERM: the process flushes its span batch on the way out.
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let mut exited = None;
    for _ in 0..400 {
        if let Some(status) = child.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    assert!(
        exited.is_some_and(|s| s.success()),
        "graceful exit: {exited:?}"
    );

    let seen = receiver.0.lock().unwrap().clone();
    assert!(
        seen.iter()
            .any(|(service, name)| service == "recourse-otlp-test"
                && name == "/recourse.carriers.v1.CarrierService/ListCarriers"),
        "the server span was exported with its service.name; received {seen:?}"
    );

    // The final export on shutdown carries the call counted above.
    let calls = metrics.0.lock().unwrap().clone();
    assert!(
        calls
            .iter()
            .any(|(name, method, value)| name == "rpc.server.calls"
                && method == "ListCarriers"
                && *value >= 1.0),
        "rpc.server.calls for ListCarriers was exported; received {calls:?}"
    );
}
