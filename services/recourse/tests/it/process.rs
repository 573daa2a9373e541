//! The real `recourse` binary as a test drives it: a standalone process on
//! a free port, its CLI, and clients to it.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use recourse_platform::client::OutboundInterceptor;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

pub const BIN: &str = env!("CARGO_BIN_EXE_recourse");

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub struct Standalone {
    pub child: Child,
    pub addr: String,
}

impl Standalone {
    pub async fn start(data_dir: &Path) -> Self {
        Self::start_with(data_dir, |_| {}).await
    }

    /// Starts with extra settings (environment, output) applied by
    /// `configure` after the defaults.
    pub async fn start_with(data_dir: &Path, configure: impl FnOnce(&mut Command)) -> Self {
        let addr = format!("127.0.0.1:{}", free_port());
        let mut command = Command::new(BIN);
        command
            .args(["standalone", "--listen", &addr, "--data-dir"])
            .arg(data_dir)
            .env("RECOURSE__TELEMETRY__LOG_FILTER", "warn")
            .stdout(Stdio::null());
        configure(&mut command);
        let child = command.spawn().expect("spawn recourse standalone");
        let server = Self { child, addr };
        server.wait_until_serving().await;
        server
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn wait_until_serving(&self) {
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

    pub fn client(
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
    pub async fn terminate(mut self) -> std::process::ExitStatus {
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

pub fn recourse(args: &[&str], data_dir: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .expect("run recourse")
}

pub fn token(role: &str, data_dir: &Path) -> String {
    let out = recourse(&["token", "--role", role], data_dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}
