//! Calling a running cluster the way a client does: through the gateway
//! with an API key and the caller's trace context, retrying while a
//! restarted service comes back.

use std::future::Future;
use std::process::Command;
use std::time::{Duration, Instant};

use recourse_proto::claims as clpb;
use recourse_proto::contracts as kpb;
use recourse_test_support::fixtures;
use tonic::Code;
use tonic::metadata::MetadataValue;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

use super::processes::recourse_bin;
use super::{Cluster, TOKEN_SECRET};

/// The flow's own trace: every call carries this W3C trace context, as a
/// caller tracing its business process does; the gateway continues it.
pub const TRACE_ID: &str = "5ce0e9a56015fec5aadfa328ae398115";
pub const CALLER_SPAN: &str = "ab9f1ae6c2d3e4f5";

/// A bearer credential and the flow's trace context on every call.
#[derive(Clone)]
pub struct Caller {
    authorization: MetadataValue<tonic::metadata::Ascii>,
    traceparent: MetadataValue<tonic::metadata::Ascii>,
}

impl tonic::service::Interceptor for Caller {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        let metadata = request.metadata_mut();
        metadata.insert("authorization", self.authorization.clone());
        metadata.insert("traceparent", self.traceparent.clone());
        Ok(request)
    }
}

pub type Gw = InterceptedService<Channel, Caller>;

pub fn through_gateway(cluster: &Cluster, key: &str) -> Gw {
    let channel = Channel::from_shared(format!("http://{}", cluster.addr("gateway")))
        .expect("url")
        .connect_lazy();
    InterceptedService::new(
        channel,
        Caller {
            authorization: format!("Bearer {key}").parse().expect("ascii key"),
            traceparent: format!("00-{TRACE_ID}-{CALLER_SPAN}-01")
                .parse()
                .expect("ascii"),
        },
    )
}

/// Retries `call` while the platform answers UNAVAILABLE (a restarted
/// service coming back behind the gateway), as a client with backoff does;
/// any other answer is returned.
pub async fn retrying<T, F, Fut>(what: &str, mut call: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<tonic::Response<T>, tonic::Status>>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match call().await {
            Ok(response) => return response.into_inner(),
            Err(status) if status.code() == Code::Unavailable && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(status) => panic!("{what}: {status:?}"),
        }
    }
}

/// The first API key, made as an operator does (README): `recourse apikey
/// create` against the gateway, signed with the installation's token secret.
pub fn first_admin_key(cluster: &Cluster) -> String {
    let out = Command::new(recourse_bin())
        .args(["apikey", "--target"])
        .arg(format!("http://{}", cluster.addr("gateway")))
        .args(["--data-dir"])
        .arg(cluster.data_dir())
        .args(["create", "--role", "admin", "--name", "cluster test"])
        .args(["--request-id", "cluster-first-key"])
        .env_clear()
        .env("RECOURSE__AUTH__TOKEN_SECRET", TOKEN_SECRET)
        .output()
        .expect("run recourse apikey");
    assert!(
        out.status.success(),
        "recourse apikey create: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned();
    assert!(key.starts_with("rk_"), "{key}");
    key
}

/// A loss claim for `shipment`: one 10.00 USD vase.
pub fn claim_request(request_id: &str, shipment: &str) -> clpb::CreateClaimRequest {
    clpb::CreateClaimRequest {
        request_id: request_id.into(),
        claim: Some(clpb::Claim {
            shipment: shipment.into(),
            r#type: kpb::ClaimType::Loss.into(),
            claimant: Some(clpb::Claimant {
                kind: clpb::ClaimantKind::InternalTeam.into(),
                name: "Customer care".into(),
                on_behalf_of: String::new(),
            }),
            line_items: vec![clpb::LineItem {
                sku: "SKU-1".into(),
                description: "Ceramic vase".into(),
                quantity: 1,
                unit_value: fixtures::usd(1_000),
            }],
            ..Default::default()
        }),
    }
}
