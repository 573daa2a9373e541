//! The gateway's `grpc.health.v1`: its own status (`""` and
//! `recourse.gateway.v1.ApiKeyService`) and each upstream's, polled every
//! `gateway.health_interval_ms` — under the upstream's name (`carriers`)
//! and under each gRPC service it serves (`recourse.carriers.v1.CarrierService`).
//! An upstream that does not answer is NOT_SERVING until it does.

use std::sync::Arc;
use std::time::Duration;

use tonic::transport::Channel;
use tonic_health::ServingStatus;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus as Wire;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::server::HealthReporter;

/// One upstream to poll: its name, channel and the services it serves.
#[derive(Debug, Clone)]
pub struct Watched {
    pub name: Arc<str>,
    pub channel: Channel,
    pub services: Vec<String>,
}

async fn check(channel: &Channel, service: &str, timeout: Duration) -> ServingStatus {
    let mut client = HealthClient::new(channel.clone());
    let mut request = tonic::Request::new(HealthCheckRequest {
        service: service.to_owned(),
    });
    request.set_timeout(timeout);
    match tokio::time::timeout(timeout, client.check(request)).await {
        Ok(Ok(response)) => match response.into_inner().status() {
            Wire::Serving => ServingStatus::Serving,
            Wire::NotServing | Wire::ServiceUnknown => ServingStatus::NotServing,
            Wire::Unknown => ServingStatus::Unknown,
        },
        Ok(Err(_)) | Err(_) => ServingStatus::NotServing,
    }
}

/// Polls every upstream once and reports what it found.
pub async fn poll_once(reporter: &HealthReporter, watched: &[Watched], timeout: Duration) {
    for upstream in watched {
        let overall = check(&upstream.channel, "", timeout).await;
        reporter.set_service_status(&*upstream.name, overall).await;
        for service in &upstream.services {
            let status = if overall == ServingStatus::Serving {
                check(&upstream.channel, service, timeout).await
            } else {
                overall
            };
            reporter.set_service_status(service, status).await;
        }
    }
}

/// Polls until `stop` flips to true.
pub fn spawn_poller(
    reporter: HealthReporter,
    watched: Vec<Watched>,
    every: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = stop.wait_for(|stopped| *stopped) => return,
                () = tokio::time::sleep(every) => {}
            }
            poll_once(&reporter, &watched, every.min(Duration::from_secs(2))).await;
        }
    });
}
