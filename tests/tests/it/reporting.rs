//! `standalone` mounts reporting behind the gateway: its consumers follow
//! the other services' feeds over the internal listener, and its reports
//! (a streamed CSV export too) answer through the gateway's proxy.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::time::Duration;

use recourse::{Application, Role};
use recourse_platform::auth::{Principal, Role as Caller};
use recourse_platform::client::OutboundInterceptor;
use recourse_platform::config::Settings;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use recourse_proto::reporting as pb;
use recourse_proto::reporting::reporting_service_client::ReportingServiceClient;
use recourse_test_support::fixtures::carrier_request;
use recourse_test_support::{Backend, TestDatabase, backend_tests};
use tokio_stream::StreamExt as _;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

backend_tests!(standalone_serves_reporting_behind_the_gateway,);

async fn standalone_serves_reporting_behind_the_gateway(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let mut settings = Settings::default();
    settings.server.listen = "127.0.0.1:0".parse().unwrap();
    settings.server.shutdown_grace_seconds = 5;
    settings.database = db.settings.clone();
    let app = Application::build(settings.clone(), Role::Standalone)
        .await
        .unwrap();
    let url = format!("http://{}", app.local_addr().unwrap());
    let keys = recourse::token_keys(&settings, &Role::Standalone).unwrap();
    let admin = Principal::new("e2e-admin", Caller::Admin, None).unwrap();
    let token = keys.mint(&admin, 600).unwrap();
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        app.run_until_stopped(async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    let channel = Channel::from_shared(url).unwrap().connect().await.unwrap();
    let authed = || {
        InterceptedService::new(
            channel.clone(),
            OutboundInterceptor::new(Some(&token)).unwrap(),
        )
    };
    CarrierServiceClient::new(authed())
        .create_carrier(carrier_request("ACME"))
        .await
        .unwrap();
    let mut reporting = ReportingServiceClient::new(authed());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let feeds = reporting
            .get_feed_status(pb::GetFeedStatusRequest {})
            .await
            .unwrap()
            .into_inner()
            .feeds;
        let carriers = feeds.iter().find(|f| f.feed == "carriers").unwrap();
        if carriers.position == 1 {
            assert!(feeds.iter().all(|f| f.running), "{feeds:?}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{feeds:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut csv = reporting
        .export_report(pb::ExportReportRequest {
            report: Some(pb::export_report_request::Report::Aging(
                pb::GetClaimsAgingRequest::default(),
            )),
        })
        .await
        .unwrap()
        .into_inner();
    let first = csv.next().await.unwrap().unwrap();
    assert_eq!(first.content_type, "text/csv; charset=utf-8");
    assert!(
        String::from_utf8(first.data)
            .unwrap()
            .starts_with("as_of,carrier,status,days_0_30,")
    );
    drop(csv);
    stop.send(()).unwrap();
    task.await.unwrap();
}
