//! `recourse report …` against a running standalone binary: reports land
//! in files (CSV, and the QBR pack as HTML) through the gateway, with an
//! admin token minted from the installation's key; a carrier the platform
//! does not know is refused with its status.

use std::time::Duration;

use recourse_test_support::fixtures::carrier_request;

use crate::process::{Standalone, recourse, token};

#[tokio::test]
async fn reports_are_written_to_files_through_the_gateway() {
    let dir = tempfile::tempdir().unwrap();
    let server = Standalone::start(dir.path()).await;
    let admin = token("admin", dir.path());
    let carrier = server
        .client(&admin)
        .create_carrier(carrier_request("ACME"))
        .await
        .unwrap()
        .into_inner()
        .name;
    let target = server.url();
    let report = |args: &[&str]| {
        let mut all = vec!["report", "--target", &target];
        all.extend_from_slice(args);
        recourse(&all, dir.path())
    };
    let out = |name: &str| dir.path().join(name).display().to_string();
    // The scorecard is NOT_FOUND until reporting's consumer has the carrier.
    let scorecard = out("scorecard.csv");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let done = report(&["scorecard", "--carrier", &carrier, "--out", &scorecard]);
        if done.status.success() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let csv = std::fs::read_to_string(&scorecard).unwrap();
    assert!(
        csv.starts_with("carrier,carrier_code,service_level,"),
        "{csv}"
    );
    let aging = out("aging.csv");
    assert!(report(&["aging", "--out", &aging]).status.success());
    assert!(
        std::fs::read_to_string(&aging)
            .unwrap()
            .starts_with("as_of,carrier,status,")
    );
    let pack = out("qbr.html");
    let done = report(&[
        "qbr",
        "--carrier",
        &carrier,
        "--out",
        &pack,
        "--date",
        "2026-11-23",
    ]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let html = std::fs::read_to_string(&pack).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("QBR ACME"));
    // A remittance file goes to the claims service the same way: the
    // sample's three remittances are recorded (their lines stay unmatched:
    // no claim here is named in them).
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/samples/remittances.csv"
    );
    let imported = recourse(
        &["remittances", "--target", &target, "import", sample],
        dir.path(),
    );
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let said = String::from_utf8_lossy(&imported.stdout).to_string();
    let rows = std::fs::read_to_string(sample).unwrap().lines().count() - 1;
    assert_eq!(
        said.trim(),
        format!("{rows} rows, {rows} imported into 3 remittances, 0 refused")
    );
    let refused = report(&["qbr", "--carrier", "carriers/nope", "--out", &out("x.html")]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("NotFound"), "{stderr}");
}

/// `recourse demo` fills a fresh standalone through the gateway, and the
/// reports show its book: three carriers ranked, money reconciled.
#[tokio::test]
async fn the_demo_fills_a_platform_the_reports_can_show() {
    let dir = tempfile::tempdir().unwrap();
    let server = Standalone::start(dir.path()).await;
    let target = server.url();
    let demo = recourse(
        &[
            "demo",
            "--target",
            &target,
            "--quarters",
            "1",
            "--seed",
            "3",
        ],
        dir.path(),
    );
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let summary = String::from_utf8_lossy(&demo.stdout).to_string();
    assert!(
        summary.starts_with("3 carriers, 1456 shipments,"),
        "{summary}"
    );
    let out = dir.path().join("comparison.csv").display().to_string();
    // The book ends yesterday: its quarter has shipments whatever today is.
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1))
        .date_naive()
        .to_string();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let done = recourse(
            &[
                "report",
                "--target",
                &target,
                "--date",
                &yesterday,
                "comparison",
                "--period",
                "quarter",
                "--out",
                &out,
            ],
            dir.path(),
        );
        assert!(
            done.status.success(),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
        let csv = std::fs::read_to_string(&out).unwrap();
        let ranked: Vec<&str> = csv
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap())
            .collect();
        if ranked == ["1", "2", "3"] {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{csv}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
