//! The assembled `standalone` role, in-process on real sockets, on SQLite and
//! PostgreSQL: the gateway on the public address and the services behind it,
//! health, reflection (v1 and v1alpha), and a shutdown that reports
//! NOT_SERVING before it drains.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::time::Duration;

use recourse::{Application, Role};
use recourse_platform::config::Settings;
use recourse_test_support::{Backend, TestDatabase, backend_tests};
use tokio::sync::oneshot;
use tokio_stream::StreamExt as _;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

backend_tests!(
    health_reports_serving_then_not_serving_on_shutdown,
    reflection_v1_and_v1alpha_list_every_service,
);

struct Running {
    url: String,
    /// Where the services answer behind the gateway.
    internal_url: String,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
    _db: TestDatabase,
}

async fn start(backend: Backend, drain_delay_ms: u64) -> Running {
    let db = TestDatabase::new(backend).await;
    let mut settings = Settings::default();
    settings.server.listen = "127.0.0.1:0".parse().unwrap();
    settings.server.drain_delay_ms = drain_delay_ms;
    settings.server.shutdown_grace_seconds = 5;
    settings.database = db.settings.clone();
    let app = Application::build(settings, Role::Standalone)
        .await
        .unwrap();
    let url = format!("http://{}", app.local_addr().unwrap());
    let internal_url = format!("http://{}", app.internal_addr().unwrap());
    assert_ne!(
        url, internal_url,
        "standalone puts the services behind the gateway"
    );
    let (stop, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        app.run_until_stopped(async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    Running {
        url,
        internal_url,
        stop,
        task,
        _db: db,
    }
}

async fn health_reports_serving_then_not_serving_on_shutdown(backend: Backend) {
    let running = start(backend, 300).await;
    let channel = Channel::from_shared(running.url.clone())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = HealthClient::new(channel);
    // The services answer on the internal listener too (the gateway's hop).
    let internal = Channel::from_shared(running.internal_url.clone())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let status = HealthClient::new(internal)
        .check(HealthCheckRequest {
            service: "recourse.carriers.v1.CarrierService".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .status();
    assert_eq!(status, ServingStatus::Serving);
    for service in [
        "",
        "recourse.gateway.v1.ApiKeyService",
        "carriers",
        "recourse.carriers.v1.CarrierService",
        "recourse.contracts.v1.ShipmentService",
    ] {
        let status = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap()
            .into_inner()
            .status();
        assert_eq!(status, ServingStatus::Serving, "{service:?}");
    }
    let err = health
        .check(HealthCheckRequest {
            service: "recourse.nope.v1.Nope".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);

    let mut watch = health
        .watch(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let first = watch.next().await.unwrap().unwrap();
    assert_eq!(first.status(), ServingStatus::Serving);
    running.stop.send(()).unwrap();
    let next = tokio::time::timeout(Duration::from_secs(10), watch.next())
        .await
        .expect("a status change while draining")
        .unwrap()
        .unwrap();
    assert_eq!(next.status(), ServingStatus::NotServing);
    drop(watch);
    drop(health);
    tokio::time::timeout(Duration::from_secs(10), running.task)
        .await
        .expect("server stops after draining")
        .unwrap();
}

async fn reflection_v1_and_v1alpha_list_every_service(backend: Backend) {
    use tonic_reflection::pb::{v1, v1alpha};
    let running = start(backend, 0).await;
    let channel = Channel::from_shared(running.url.clone())
        .unwrap()
        .connect()
        .await
        .unwrap();

    let request = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(
            String::new(),
        )),
    };
    let mut client = v1::server_reflection_client::ServerReflectionClient::new(channel.clone());
    let mut stream = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let response = stream.next().await.unwrap().unwrap();
    let Some(v1::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
        response.message_response
    else {
        panic!("unexpected reflection response");
    };
    let names: Vec<_> = list.service.into_iter().map(|s| s.name).collect();
    for expected in [
        "recourse.carriers.v1.CarrierService",
        "grpc.health.v1.Health",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} not in {names:?}"
        );
    }

    let request = v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            v1alpha::server_reflection_request::MessageRequest::FileContainingSymbol(
                "recourse.carriers.v1.CarrierService".into(),
            ),
        ),
    };
    let mut client = v1alpha::server_reflection_client::ServerReflectionClient::new(channel);
    let mut stream = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let response = stream.next().await.unwrap().unwrap();
    assert!(
        matches!(
            response.message_response,
            Some(v1alpha::server_reflection_response::MessageResponse::FileDescriptorResponse(_))
        ),
        "v1alpha answers with the file descriptor"
    );
    drop(stream);
    drop(client);
    running.stop.send(()).unwrap();
    running.task.await.unwrap();
}
