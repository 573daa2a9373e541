//! Real OTLP export: the `recourse` process sends its spans and metrics
//! over OTLP/gRPC to a collector endpoint — here an OTLP trace and metrics
//! receiver on 127.0.0.1:0 built from the official OpenTelemetry protos.
//! One trace runs from the caller through the gateway into the services and
//! on to the services they call.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::process::Command;
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

use crate::process::{BIN, Standalone, token};

/// One exported span, as the collector received it.
#[derive(Clone, Debug)]
struct Received {
    service: String,
    name: String,
    trace_id: Vec<u8>,
    span_id: Vec<u8>,
    parent_span_id: Vec<u8>,
}

#[derive(Clone, Default)]
struct Receiver(Arc<Mutex<Vec<Received>>>);

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
                    seen.push(Received {
                        service: service.clone(),
                        name: span.name,
                        trace_id: span.trace_id,
                        span_id: span.span_id,
                        parent_span_id: span.parent_span_id,
                    });
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
    // A guard that kills the process if the test fails half-way (a stray
    // server would keep the test run's output pipe open).
    let mut server = Standalone::start_with(dir.path(), |command| {
        command
            .env(
                "RECOURSE__TELEMETRY__OTLP_ENDPOINT",
                format!("http://{collector}"),
            )
            .env("RECOURSE__TELEMETRY__SERVICE_NAME", "recourse-otlp-test")
            .env("RECOURSE__TELEMETRY__METRICS_EXPORT_INTERVAL_MS", "500");
    })
    .await;
    let addr = server.addr.clone();
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
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let mut exited = None;
    for _ in 0..400 {
        if let Some(status) = server.child.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = server.child.kill();
    assert!(
        exited.is_some_and(|s| s.success()),
        "graceful exit: {exited:?}"
    );

    let seen = receiver.0.lock().unwrap().clone();
    assert!(
        seen.iter().any(|s| s.service == "recourse-otlp-test"
            && s.name == "/recourse.carriers.v1.CarrierService/ListCarriers"),
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

/// Starts a collector on 127.0.0.1:0; returns its receiver and address.
async fn collector() -> (Receiver, std::net::SocketAddr) {
    let receiver = Receiver::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tonic::transport::Server::builder()
        .add_service(TraceServiceServer::new(receiver.clone()))
        .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener));
    tokio::spawn(server);
    (receiver, addr)
}

/// Whether `span` descends from `ancestor` (same trace, parent links).
fn descends(spans: &[Received], span: &Received, ancestor: &Received) -> bool {
    let mut current = span.clone();
    for _ in 0..16 {
        if current.parent_span_id == ancestor.span_id {
            return current.trace_id == ancestor.trace_id;
        }
        match spans.iter().find(|s| s.span_id == current.parent_span_id) {
            Some(parent) => current = parent.clone(),
            None => return false,
        }
    }
    false
}

fn find<'a>(spans: &'a [Received], name: &str) -> &'a Received {
    spans.iter().find(|s| s.name == name).unwrap_or_else(|| {
        panic!(
            "no span {name}; got {:?}",
            spans.iter().map(|s| &s.name).collect::<Vec<_>>()
        )
    })
}

/// A claim submitted through the gateway is one trace — the caller's —
/// across gateway → claims → contracts; a shipment registered through it
/// spans gateway → contracts → carriers. Exported by the real process to a
/// real OTLP receiver.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_trace_spans_the_gateway_and_every_service_hop() {
    use chrono::{Duration as Days, Utc};
    use recourse_proto::claims as clpb;
    use recourse_proto::claims::claim_service_client::ClaimServiceClient;
    use recourse_proto::contracts as kpb;
    use recourse_proto::contracts::contract_service_client::ContractServiceClient;
    use recourse_proto::contracts::shipment_service_client::ShipmentServiceClient;
    use recourse_test_support::fixtures;

    let (receiver, collector) = collector().await;
    let dir = tempfile::tempdir().unwrap();
    let mut server = Standalone::start_with(dir.path(), |command| {
        command.env(
            "RECOURSE__TELEMETRY__OTLP_ENDPOINT",
            format!("http://{collector}"),
        );
    })
    .await;
    let addr = server.addr.clone();
    let token = token("admin", dir.path());
    let channel = || {
        InterceptedService::new(
            Channel::from_shared(format!("http://{addr}"))
                .unwrap()
                .connect_lazy(),
            OutboundInterceptor::new(Some(&token)).unwrap(),
        )
    };
    let mut carrier = None;
    for _ in 0..200 {
        if let Ok(created) = CarrierServiceClient::new(channel())
            .create_carrier(fixtures::carrier_request("TRCE"))
            .await
        {
            carrier = Some(created.into_inner().name);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let carrier = carrier.expect("standalone answered");
    let mut contracts = ContractServiceClient::new(channel());
    let contract = contracts
        .create_contract(kpb::CreateContractRequest {
            request_id: "trace-contract".into(),
            carrier: carrier.clone(),
            reference: "MSA-TRACE".into(),
            display_name: "Trace".into(),
            effective_from: Some(recourse_platform::proto_types::date_to_proto(
                (Utc::now() - Days::days(400)).date_naive(),
            )),
            effective_to: None,
            terms: Some(fixtures::terms()),
        })
        .await
        .unwrap()
        .into_inner();
    let version = &contract.versions[0];
    contracts
        .activate_contract_version(kpb::ActivateContractVersionRequest {
            name: version.name.clone(),
            etag: version.etag.clone(),
        })
        .await
        .unwrap();
    let shipped = Utc::now() - Days::days(5);
    let shipment = ShipmentServiceClient::new(channel())
        .register_shipment(kpb::RegisterShipmentRequest {
            request_id: "trace-ship".into(),
            shipment: Some(fixtures::shipment(&carrier, "TRACE-1", shipped)),
        })
        .await
        .unwrap()
        .into_inner()
        .name;
    let mut claims = ClaimServiceClient::new(channel());
    let draft = claims
        .create_claim(clpb::CreateClaimRequest {
            request_id: "trace-claim".into(),
            claim: Some(clpb::Claim {
                shipment,
                r#type: kpb::ClaimType::Loss.into(),
                claimant: Some(clpb::Claimant {
                    kind: clpb::ClaimantKind::InternalTeam.into(),
                    name: "Customer care".into(),
                    on_behalf_of: String::new(),
                }),
                line_items: vec![clpb::LineItem {
                    sku: "SKU-1".into(),
                    description: "Vase".into(),
                    quantity: 1,
                    unit_value: fixtures::usd(1_000),
                }],
                ..Default::default()
            }),
        })
        .await
        .unwrap()
        .into_inner();
    // The caller's own trace context: the gateway continues it.
    let caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let caller_span = "00f067aa0ba902b7";
    let mut submit = tonic::Request::new(clpb::SubmitClaimRequest {
        request_id: "trace-submit".into(),
        name: draft.name.clone(),
        etag: draft.etag.clone(),
        ..Default::default()
    });
    submit.metadata_mut().insert(
        "traceparent",
        format!("00-{caller_trace}-{caller_span}-01")
            .parse()
            .unwrap(),
    );
    claims.submit_claim(submit).await.unwrap();

    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    for _ in 0..400 {
        if server.child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = server.child.kill();
    let spans = receiver.0.lock().unwrap().clone();

    // gateway → claims → contracts, in the caller's trace.
    let gateway = find(
        &spans,
        "gateway /recourse.claims.v1.ClaimService/SubmitClaim",
    );
    assert_eq!(hex(&gateway.trace_id), caller_trace);
    assert_eq!(hex(&gateway.parent_span_id), caller_span);
    let submit = spans
        .iter()
        .find(|s| {
            s.name == "/recourse.claims.v1.ClaimService/SubmitClaim"
                && s.parent_span_id == gateway.span_id
        })
        .expect("the claims span is the gateway span's child");
    for hop in [
        "/recourse.contracts.v1.ContractService/GetClaimTerms",
        "/recourse.contracts.v1.ShipmentService/GetShipment",
    ] {
        let call = spans
            .iter()
            .find(|s| s.name == hop && descends(&spans, s, submit))
            .unwrap_or_else(|| panic!("{hop} descends from the claims span"));
        assert_eq!(call.trace_id, gateway.trace_id);
    }
    // gateway → contracts → carriers.
    let gateway = find(
        &spans,
        "gateway /recourse.contracts.v1.ShipmentService/RegisterShipment",
    );
    let register = spans
        .iter()
        .find(|s| {
            s.name == "/recourse.contracts.v1.ShipmentService/RegisterShipment"
                && s.parent_span_id == gateway.span_id
        })
        .expect("the contracts span is the gateway span's child");
    assert!(
        spans.iter().any(
            |s| s.name == "/recourse.carriers.v1.CarrierService/GetCarrier"
                && descends(&spans, s, register)
        ),
        "the carriers span descends from the contracts span"
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
