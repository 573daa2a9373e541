//! What every service's tests need: a fresh database per test on SQLite or
//! PostgreSQL, signed tokens for any principal, and a real server on
//! `127.0.0.1:0` with a client channel to it.
//!
//! PostgreSQL tests use `RECOURSE_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) to create and drop one
//! database per test. They fail, never skip, when it cannot be reached.

#![allow(clippy::expect_used, clippy::panic)] // test scaffolding: failing loudly is the point

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use recourse_platform::auth::{Principal, Role, TokenKeys};
use recourse_platform::client::OutboundInterceptor;
use recourse_platform::config::{DatabaseSettings, ServerSettings};
use recourse_platform::server::Host;
use sea_orm::{ConnectionTrait, Database};
use tokio::sync::oneshot;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

pub mod fixtures;
pub mod tools;
pub mod trace;

/// Generates one `#[tokio::test]` per backend for each listed async test
/// function taking a [`Backend`]: `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Postgres).await
                }
            )*
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn postgres_admin_url() -> String {
    std::env::var("RECOURSE_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// Replaces the database name in a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let root = match base.rfind('/') {
        Some(slash) if slash > "postgres://".len() => &base[..slash],
        _ => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

/// A database that exists for one test and is removed after it.
#[derive(Debug)]
pub struct TestDatabase {
    pub settings: DatabaseSettings,
    pub dir: tempfile::TempDir,
    postgres_name: Option<String>,
}

impl TestDatabase {
    pub async fn new(backend: Backend) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = DatabaseSettings {
            data_dir: dir.path().to_path_buf(),
            max_connections: 5,
            connect_timeout_seconds: 5,
            ..DatabaseSettings::default()
        };
        let mut postgres_name = None;
        if backend == Backend::Postgres {
            let admin_url = postgres_admin_url();
            let name = format!("recourse_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(admin_url.as_str())
                .await
                .unwrap_or_else(|err| {
                    panic!(
                        "PostgreSQL is required for the postgres suite and is not reachable at \
                     {admin_url}: {err}. Start it (see README) or set RECOURSE_TEST_POSTGRES_URL."
                    )
                });
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            admin.close().await.ok();
            settings.url = Some(with_database(&admin_url, &name));
            postgres_name = Some(name);
        }
        Self {
            settings,
            dir,
            postgres_name,
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(name) = self.postgres_name.take() else {
            return;
        };
        // Drop runs inside the test's runtime; use a thread with its own.
        let handle = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                if let Ok(admin) = Database::connect(postgres_admin_url().as_str()).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    admin.close().await.ok();
                }
            });
        });
        let _ = handle.join();
    }
}

/// Signs tokens for any principal with a fixed test key.
#[derive(Debug, Clone)]
pub struct TestAuth {
    pub keys: Arc<TokenKeys>,
}

impl Default for TestAuth {
    fn default() -> Self {
        Self {
            keys: Arc::new(TokenKeys::new(
                b"test-secret-test-secret-test-secret!",
                "recourse",
            )),
        }
    }
}

impl TestAuth {
    pub fn token(&self, role: Role, carrier: Option<&str>) -> String {
        let principal = Principal::new(format!("test-{role}"), role, carrier.map(str::to_owned))
            .expect("valid principal");
        self.keys.mint(&principal, 3600).expect("mint token")
    }
}

/// A server on an ephemeral port that shuts down when dropped.
#[derive(Debug)]
pub struct TestServer {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    pub async fn start(host: Host) -> Self {
        Self::start_with(|_| host).await
    }

    /// Binds first, then builds the host knowing its own URL — for services
    /// that call each other on the same server, as `standalone` does.
    pub async fn start_with(build: impl FnOnce(&str) -> Host) -> Self {
        let listener = Host::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let host = build(&format!("http://{addr}"));
        let (tx, rx) = oneshot::channel::<()>();
        let settings = ServerSettings {
            shutdown_grace_seconds: 5,
            ..ServerSettings::default()
        };
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            host.serve(listener, &settings, shutdown)
                .await
                .expect("server failed");
        });
        Self {
            addr,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A channel to the server; connects on first use.
    pub fn channel(&self) -> Channel {
        recourse_platform::client::channel(&self.url()).expect("valid url")
    }

    /// A channel that sends `token` (or none) and the trace context.
    pub fn authed(&self, token: Option<&str>) -> InterceptedService<Channel, OutboundInterceptor> {
        InterceptedService::new(
            self.channel(),
            OutboundInterceptor::new(token).expect("ascii token"),
        )
    }

    /// Stops the server and waits for it to drain.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn swaps_the_database_name_keeping_the_query() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "t2"),
            "postgres://u@h/t2?sslmode=disable"
        );
    }
}
