//! A cluster on one machine: the platform started the way Kubernetes runs
//! it (k8s/base) — `recourse serve carriers|contracts|claims|reporting` and
//! `recourse serve gateway`, each its own OS process of the real binary on
//! its own database, reaching its peers over loopback through the same
//! `RECOURSE__*` keys the manifests set, every one exporting its spans over
//! OTLP to a real collector process (rotel). One business flow runs through
//! the gateway with an API key while services are SIGKILLed and restarted;
//! then the collector's output must hold one trace across every hop, and
//! the data must hold every resource exactly once.
//!
//! Runs on PostgreSQL (a fresh database per service, as in production)
//! and, as every integration test here, on SQLite (a file per service).

mod client;
mod crash;
mod flow;
mod manifests;
mod processes;
mod report;
mod spans;
mod trace;

use std::collections::BTreeMap;
use std::path::PathBuf;

use recourse_test_support::{Backend, TestDatabase, backend_tests};

use processes::Process;

backend_tests!(one_business_flow_across_processes_survives_sigkill_and_is_one_trace,);

/// The token secret every process of this cluster shares (the k8s
/// `recourse-auth` Secret).
const TOKEN_SECRET: &str = "cluster-test-secret-cluster-test-secret!";

/// The services behind the gateway, in start order (each calls only those
/// before it: contracts → carriers, claims → contracts).
const SERVICES: [&str; 3] = ["carriers", "contracts", "claims"];

/// Fields drop in order: the processes go before their databases and
/// their directory.
pub struct Cluster {
    /// service → (process, address it answers on).
    running: BTreeMap<String, (Process, String)>,
    pub rotel: Process,
    /// service → the address it had when it was killed.
    killed: BTreeMap<String, String>,
    /// Settings every process gets (the `recourse-config` ConfigMap).
    shared: BTreeMap<String, String>,
    databases: BTreeMap<&'static str, TestDatabase>,
    backend: Backend,
    /// Logs, data dirs, ready files and the collector's output.
    pub dir: tempfile::TempDir,
}

impl Cluster {
    /// Starts the collector, the three services, reporting and the gateway.
    pub async fn start(backend: Backend) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (rotel, otlp) = processes::rotel(dir.path()).await;
        let mut shared = BTreeMap::new();
        for (key, value) in [
            ("RECOURSE__TELEMETRY__OTLP_ENDPOINT", otlp.as_str()),
            ("RECOURSE__TELEMETRY__LOG_FORMAT", "json"),
            ("RECOURSE__TELEMETRY__LOG_FILTER", "info"),
            ("RECOURSE__SERVER__DRAIN_DELAY_MS", "0"),
            ("RECOURSE__SERVER__SHUTDOWN_GRACE_SECONDS", "5"),
        ] {
            shared.insert(key.to_owned(), value.to_owned());
        }
        let mut databases = BTreeMap::new();
        for service in SERVICES.into_iter().chain(["reporting", "gateway"]) {
            databases.insert(service, TestDatabase::new(backend).await);
        }
        let mut cluster = Self {
            dir,
            backend,
            shared,
            databases,
            running: BTreeMap::new(),
            killed: BTreeMap::new(),
            rotel,
        };
        for service in SERVICES {
            let addr = cluster.launch(service, "127.0.0.1:0").await;
            let url = format!("http://{addr}");
            // Where its callers find it (the ConfigMap's peer URLs).
            let upper = service.to_uppercase();
            cluster
                .shared
                .insert(format!("RECOURSE__SERVICES__{upper}_URL"), url.clone());
            cluster
                .shared
                .insert(format!("RECOURSE__GATEWAY__UPSTREAMS__{upper}"), url);
        }
        // Reporting reads the three feeds at the URLs above; the gateway
        // forwards its reports to it.
        let addr = cluster.launch("reporting", "127.0.0.1:0").await;
        cluster.shared.insert(
            "RECOURSE__GATEWAY__UPSTREAMS__REPORTING".into(),
            format!("http://{addr}"),
        );
        cluster.launch("gateway", "127.0.0.1:0").await;
        cluster
    }

    fn database_url(&self, service: &str) -> String {
        let database = &self.databases[service];
        match self.backend {
            Backend::Postgres => database.settings.url.clone().expect("a PostgreSQL URL"),
            Backend::Sqlite => format!(
                "sqlite://{}?mode=rwc",
                database.dir.path().join(format!("{service}.db")).display()
            ),
        }
    }

    /// Starts `recourse serve <service>` on `listen` with the shared
    /// settings and its own (database, name, token secret); its address.
    async fn launch(&mut self, service: &str, listen: &str) -> String {
        let mut env = self.shared.clone();
        env.insert("RECOURSE__DATABASE__URL".into(), self.database_url(service));
        env.insert("RECOURSE__AUTH__TOKEN_SECRET".into(), TOKEN_SECRET.into());
        env.insert(
            "RECOURSE__TELEMETRY__SERVICE_NAME".into(),
            format!("recourse-{service}"),
        );
        manifests::assert_pod_env(service, env.keys());
        let (process, addr) = processes::serve(self.dir.path(), service, listen, &env).await;
        self.running
            .insert(service.to_owned(), (process, addr.clone()));
        addr
    }

    pub fn addr(&self, service: &str) -> &str {
        &self.running[service].1
    }

    /// SIGKILLs `service`: no drain, no flush.
    pub fn kill(&mut self, service: &str) {
        let (process, addr) = self.running.remove(service).expect("running");
        process.sigkill();
        // Keep the address: the restart takes it back, as a pod behind a
        // Service keeps its name.
        self.killed.insert(service.to_owned(), addr);
    }

    /// Starts `service` again on the address it had.
    pub async fn restart(&mut self, service: &str) {
        let addr = self.killed.remove(service).expect("killed before");
        let again = self.launch(service, &addr).await;
        assert_eq!(again, addr, "restarted on its old address");
    }

    /// Stops every process gracefully (gateway first, as a rollout drains
    /// the edge first), so each flushes its spans to the collector.
    pub async fn stop_all(&mut self) {
        for service in ["gateway", "reporting", "claims", "contracts", "carriers"] {
            if let Some((process, _)) = self.running.remove(service) {
                let name = process.name.clone();
                let status = process.terminate().await;
                assert!(status.success(), "{name} stopped gracefully: {status}");
            }
        }
    }

    /// The collector's output so far.
    pub fn collector_output(&self) -> String {
        std::fs::read_to_string(&self.rotel.log).unwrap_or_default()
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("gateway")
    }
}

impl Drop for Cluster {
    /// With `RECOURSE_TEST_KEEP_CLUSTER` set, keeps every process's log and
    /// the collector's output (passed or failed) to read afterwards.
    fn drop(&mut self) {
        if std::env::var_os("RECOURSE_TEST_KEEP_CLUSTER").is_some()
            && let Ok(empty) = tempfile::tempdir()
        {
            let dir = std::mem::replace(&mut self.dir, empty);
            eprintln!("cluster logs kept in {}", dir.keep().display());
        }
    }
}

/// Only one cluster at a time in this test binary: the two backends' runs
/// would otherwise start ten servers and two collectors at once on a
/// small CI machine.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn one_business_flow_across_processes_survives_sigkill_and_is_one_trace(backend: Backend) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let started = std::time::Instant::now();
    let mut cluster = Cluster::start(backend).await;
    eprintln!("cluster ({backend:?}) up in {:?}", started.elapsed());
    flow::run(&mut cluster).await;
    cluster.stop_all().await;
    trace::check_trace(&cluster).await;
    eprintln!("cluster test ({backend:?}) took {:?}", started.elapsed());
}
