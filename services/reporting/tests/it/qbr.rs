//! The QBR pack: one self-contained HTML page (inline SVG, the CSV
//! appendix embedded, no scripts or outside references), streamed as a
//! file; a carrier reads only its own; Debian's headless Chromium renders
//! it to a PNG that is far from blank.

use std::process::Command;

use chrono::Utc;
use recourse_platform::auth::Role;
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_proto::reporting as pb;
use recourse_test_support::{Backend, backend_tests};
use tokio_stream::StreamExt as _;
use tonic::Code;

use crate::common::{Authed, TestApp, spawn_app};
use crate::rebuild::small_book;

backend_tests!(a_qbr_pack_renders_in_headless_chromium,);

async fn fetch(
    client: &mut recourse_proto::reporting::reporting_service_client::ReportingServiceClient<
        Authed,
    >,
    carrier: &str,
) -> Result<(String, String), tonic::Status> {
    let mut stream = client
        .get_qbr_pack(pb::GetQbrPackRequest {
            carrier: carrier.into(),
            quarter_date: Some(date_to_proto(
                (Utc::now() - chrono::Duration::days(8)).date_naive(),
            )),
            as_of: Some(timestamp_to_proto(Utc::now())),
        })
        .await?
        .into_inner();
    let mut name = String::new();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        if name.is_empty() {
            assert_eq!(chunk.content_type, "text/html; charset=utf-8");
            name = chunk.file_name;
        }
        bytes.extend(chunk.data);
    }
    Ok((name, String::from_utf8(bytes).unwrap()))
}

/// Renders `html` to a PNG with headless Chromium; returns its size.
fn screenshot(dir: &std::path::Path, stem: &str, html: &str) -> u64 {
    let page = dir.join(format!("{stem}.html"));
    let png = dir.join(format!("{stem}.png"));
    std::fs::write(&page, html).unwrap();
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1024,1400",
        ])
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium (Debian's `chromium`; .ci/run installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::metadata(&png).unwrap().len()
}

async fn a_qbr_pack_renders_in_headless_chromium(backend: Backend) {
    let app: TestApp = spawn_app(backend).await;
    let acme = app.world("ACME").await;
    let zip = app.world("ZIP").await;
    small_book(&app, &acme).await;
    app.caught_up().await;
    // The carrier reads its own pack.
    let mut partner = app.partner_reporting(&acme.carrier);
    let (name, html) = fetch(&mut partner, &acme.carrier).await.unwrap();
    assert!(
        name.starts_with("qbr-ACME-") && name.ends_with(".html"),
        "{name}"
    );
    for part in [
        "<!DOCTYPE html>",
        "QBR ACME",
        "<svg",
        "On-time rate by week",
        "Top claim causes",
        "LOSS",
        "Contract targets for next quarter",
        "data:text/csv;base64,",
        "on_time_rate_pct",
    ] {
        assert!(html.contains(part), "{part} missing");
    }
    // Self-contained: nothing fetched, nothing run.
    assert!(!html.contains("<script") && !html.contains("src=\"http"));
    // Another carrier's pack is the NOT_FOUND of a made-up carrier.
    let err = fetch(&mut partner, &zip.carrier).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    // Finance reads any.
    fetch(&mut app.reporting(Role::Finance), &zip.carrier)
        .await
        .unwrap();
    // Rendered, it is far from a blank page of the same size.
    let dir = tempfile::tempdir().unwrap();
    let blank = screenshot(
        dir.path(),
        "blank",
        "<!DOCTYPE html><html><body></body></html>",
    );
    let pack = screenshot(dir.path(), "qbr", &html);
    assert!(pack > blank * 3, "pack {pack} bytes vs blank {blank}");
}
