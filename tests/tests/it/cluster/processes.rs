//! The processes of a one-machine cluster: the real `recourse` binary as
//! `serve <service>` and `serve gateway`, and a real OTLP collector (rotel),
//! each a child process killed when its guard drops (a stray server would
//! hold the test run's output open).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// The `recourse` binary, built by cargo. This crate cannot name another
/// package's binary (`CARGO_BIN_EXE_*` is only for a package's own), so it
/// asks cargo for the build the README's test command makes (`cargo test
/// --workspace`, same profile) and takes the path cargo reports: never a
/// stale copy, and a no-op under that command, which has just built it.
/// (A narrower `cargo build -p recourse` would resolve other features and
/// build a second copy of everything.)
pub fn recourse_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let exe = std::env::current_exe().expect("the test binary's path");
        // target/<profile dir>/deps/it-<hash>: the profile this test was built in.
        let profile = exe
            .parent()
            .and_then(Path::parent)
            .and_then(Path::file_name)
            .and_then(|p| p.to_str())
            .unwrap_or("debug")
            .to_owned();
        let mut command = Command::new(cargo);
        command.args([
            "test",
            "--workspace",
            "--no-run",
            "--quiet",
            "--message-format",
            "json",
        ]);
        match profile.as_str() {
            "debug" => {}
            "release" => {
                command.arg("--release");
            }
            other => {
                command.args(["--profile", other]);
            }
        }
        let out = command
            .stderr(Stdio::inherit())
            .output()
            .expect("run cargo to build the recourse binary");
        assert!(
            out.status.success(),
            "cargo test --workspace --no-run failed"
        );
        let stdout = String::from_utf8(out.stdout).expect("cargo's JSON is UTF-8");
        stdout
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|m| m["reason"] == "compiler-artifact")
            .filter(|m| m["target"]["name"] == "recourse" && m["profile"]["test"] == false)
            .filter(|m| {
                m["target"]["kind"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| k == "bin"))
            })
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo reported the recourse executable")
    })
}

/// The rotel collector's agent binary: `RECOURSE_TEST_ROTEL`, or the one
/// the `rotel` wheel installed into the check tools' virtualenv
/// (`.ci/python-tools.sh`) or into the machine's Python. Missing fails the
/// test: it never skips.
pub fn rotel_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("RECOURSE_TEST_ROTEL") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "RECOURSE_TEST_ROTEL={} is not a file",
            path.display()
        );
        return path;
    }
    let venv = std::env::var_os("RECOURSE_TOOLS_VENV")
        .map(PathBuf::from)
        .or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
            Some(cache.join("recourse/tools-venv"))
        });
    let pythons = venv
        .map(|v| v.join("bin/python"))
        .into_iter()
        .chain([PathBuf::from("python3")]);
    for python in pythons {
        let found = Command::new(&python)
            .args(["-c", "import rotel.agent as a; print(a.Agent.agent_path)"])
            .stderr(Stdio::null())
            .output();
        if let Ok(out) = found
            && out.status.success()
        {
            let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            if path.is_file() {
                return path;
            }
        }
    }
    panic!(
        "the rotel OTLP collector is required and was not found: `bash .ci/run` installs it \
         (the `rotel` wheel, pinned in .ci/requirements-tools.txt), or `pip install rotel` \
         and set RECOURSE_TEST_ROTEL to its rotel/rotel-agent"
    );
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A child process, SIGKILLed and reaped when dropped.
pub struct Process {
    pub name: String,
    child: Child,
    pub log: PathBuf,
}

impl Process {
    pub fn spawn(name: &str, mut command: Command, log: PathBuf) -> Self {
        let file = std::fs::File::create(&log).expect("create the process log");
        let err = file.try_clone().expect("clone the log handle");
        let child = command
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {name}: {e}"));
        Self {
            name: name.to_owned(),
            child,
            log,
        }
    }

    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().expect("poll the child")
    }

    /// The end of its log, for a failure message.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<_> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// SIGKILL: no drain, no flush — a crash as the kernel makes it.
    pub fn sigkill(mut self) {
        self.child.kill().expect("SIGKILL");
        let status = self.child.wait().expect("reap");
        assert!(!status.success(), "{} was killed: {status}", self.name);
    }

    /// SIGTERM and wait for a graceful exit (the exporters flush on the way
    /// out); the exit status.
    pub async fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "SIGTERM {}", self.name);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.exited() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not stop within 30 s of SIGTERM",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `recourse serve <service>` with `env` (the shared settings plus
/// this service's own), listening on `listen`, and waits until it has
/// written its ready file and reports SERVING. Returns it and its address.
pub async fn serve(
    dir: &Path,
    service: &str,
    listen: &str,
    env: &BTreeMap<String, String>,
) -> (Process, String) {
    let data_dir = dir.join(service);
    std::fs::create_dir_all(&data_dir).expect("data dir");
    let ready = dir.join(format!("{service}.ready"));
    let _ = std::fs::remove_file(&ready);
    let mut command = Command::new(recourse_bin());
    command
        .args(["serve", service, "--listen", listen, "--ready-file"])
        .arg(&ready)
        .arg("--data-dir")
        .arg(&data_dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env);
    // Logs of every start, kept side by side (a restart appends a number).
    let mut log = dir.join(format!("{service}.log"));
    for n in 1.. {
        if !log.exists() {
            break;
        }
        log = dir.join(format!("{service}.{n}.log"));
    }
    let mut process = Process::spawn(service, command, log);
    let deadline = Instant::now() + Duration::from_secs(60);
    let addr = loop {
        if let Ok(text) = std::fs::read_to_string(&ready) {
            break text.trim().to_owned();
        }
        if let Some(status) = process.exited() {
            panic!(
                "recourse serve {service} exited before it was ready ({status}):\n{}",
                process.log_tail()
            );
        }
        assert!(
            Instant::now() < deadline,
            "recourse serve {service} wrote no ready file within 60 s:\n{}",
            process.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    wait_serving(service, &addr).await;
    (process, addr)
}

async fn wait_serving(service: &str, addr: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(channel) = Channel::from_shared(format!("http://{addr}"))
            .expect("url")
            .connect()
            .await
        {
            let status = HealthClient::new(channel)
                .check(HealthCheckRequest {
                    service: String::new(),
                })
                .await;
            if status.is_ok_and(|s| s.into_inner().status() == ServingStatus::Serving) {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{service} on {addr} is not SERVING"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A rotel collector receiving OTLP/gRPC on a loopback port and printing
/// every span it receives (its debug exporter, detailed) into its log,
/// which is the collector output the trace checks read.
pub async fn rotel(dir: &Path) -> (Process, String) {
    let bin = rotel_bin();
    // The ports are picked free and then handed over, so another process
    // may take one first: rotel then exits, and gets new ones.
    for attempt in 1..=3 {
        let grpc = format!("127.0.0.1:{}", free_port());
        let http = format!("127.0.0.1:{}", free_port());
        let mut command = Command::new(&bin);
        command
            .args(["start", "--otlp-grpc-endpoint", &grpc])
            .args(["--otlp-http-endpoint", &http])
            .args(["--debug-log", "traces", "--debug-log-verbosity", "detailed"])
            // Received spans are only printed: nothing is forwarded.
            .args(["--exporter", "blackhole"])
            .arg("--pid-file")
            .arg(dir.join("rotel.pid"))
            .arg("--log-file")
            .arg(dir.join("rotel-agent.log"))
            .env("NO_COLOR", "1");
        let mut process = Process::spawn("rotel", command, dir.join("rotel.log"));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let listening = tokio::net::TcpStream::connect(&grpc).await.is_ok();
            if let Some(status) = process.exited() {
                assert!(
                    attempt < 3,
                    "rotel exited ({status}):\n{}",
                    process.log_tail()
                );
                break;
            }
            if listening {
                return (process, format!("http://{grpc}"));
            }
            assert!(
                Instant::now() < deadline,
                "rotel does not listen on {grpc}:\n{}",
                process.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
    unreachable!("the third attempt returns or fails")
}
