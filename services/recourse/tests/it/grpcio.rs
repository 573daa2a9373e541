//! A grpc-core client reads our largest errors: Python grpcio with its
//! default limits (it refuses response metadata over 8–16 KiB and would
//! report `RESOURCE_EXHAUSTED: Stream removed` instead of our error),
//! generated from `proto/` at test time, against the real binary.

use std::process::Command;

use crate::process::{Standalone, token};

fn python_with_grpcio() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import grpc, grpc_status, grpc_tools"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("grpcio is required in CI (pip install grpcio grpcio-status grpcio-tools)");
    }
    found
}

#[tokio::test]
async fn python_grpcio_reads_the_code_and_details_of_huge_errors() {
    if !python_with_grpcio() {
        eprintln!("python3 grpcio not installed; skipped outside CI");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let server = Standalone::start(data.path()).await;
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let out = Command::new("python3")
        .arg(format!("{root}/tests/grpcio/bounded_errors.py"))
        .args([
            "--address",
            &server.addr,
            "--token",
            &token("admin", data.path()),
        ])
        .args(["--proto-dir", &format!("{root}/proto")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    // 3,000 bad update_mask paths: the real code, a bounded list of
    // violations in request order and a count of the rest.
    let many = &results["many_violations"];
    assert_eq!(many["code"], "INVALID_ARGUMENT", "{many}");
    let violations = many["violations"].as_array().unwrap();
    assert!(
        (2..=51).contains(&violations.len()),
        "{} violations",
        violations.len()
    );
    assert!(
        violations[0]["description"]
            .as_str()
            .unwrap()
            .contains("no_such_field_0"),
        "{many}"
    );
    let summary = violations.last().unwrap();
    assert_eq!(summary["field"], "(more)", "{summary}");
    let listed = violations.len() - 1;
    assert!(
        summary["description"]
            .as_str()
            .unwrap()
            .contains(&format!("and {} more", 3_000 - listed)),
        "{summary}"
    );
    assert!(many["trailing_metadata_bytes"].as_u64().unwrap() < 8 * 1024);

    // A remittance with 3,000 bad lines (the claims service): the real code,
    // the first lines' violations by path, a count of the rest, all within
    // what grpc-core accepts.
    let remittance = &results["bad_remittance_lines"];
    assert_eq!(remittance["code"], "INVALID_ARGUMENT", "{remittance}");
    let violations = remittance["violations"].as_array().unwrap();
    assert!((2..=51).contains(&violations.len()), "{remittance}");
    assert_eq!(
        violations[0]["field"], "remittance.lines[0].amount.amount_minor",
        "{remittance}"
    );
    let summary = violations.last().unwrap();
    assert_eq!(summary["field"], "(more)", "{summary}");
    assert!(
        summary["description"]
            .as_str()
            .unwrap()
            .contains(&format!("and {} more", 3_000 - (violations.len() - 1))),
        "{summary}"
    );
    assert!(remittance["trailing_metadata_bytes"].as_u64().unwrap() < 8 * 1024);

    // A 150 kB value echoed back: cut to 200 characters with an ellipsis.
    let huge = &results["huge_value"];
    assert_eq!(huge["code"], "INVALID_ARGUMENT", "{huge}");
    let description = huge["violations"][0]["description"].as_str().unwrap();
    assert!(description.chars().count() <= 200, "{}", description.len());
    assert!(description.ends_with('…'), "{description}");
    assert!(huge["message"].as_str().unwrap().len() <= 600);

    // Contracts: 5 zones x 20 breaks priced in EUR under USD terms, 100
    // violations: the real code, the first break named by its full path,
    // the rest counted, everything inside the client's limits.
    let currency = &results["wrong_currency_rate_card"];
    assert_eq!(currency["code"], "INVALID_ARGUMENT", "{currency}");
    let violations = currency["violations"].as_array().unwrap();
    assert_eq!(
        violations[0]["field"],
        "terms.rate_cards[0].zone_rates[0].weight_breaks[0].charge.currency_code",
        "{currency}"
    );
    assert_eq!(violations[0]["description"], "must be USD");
    let summary = violations.last().unwrap();
    assert_eq!(summary["field"], "(more)", "{summary}");
    let listed = violations.len() - 1;
    assert!(
        summary["description"]
            .as_str()
            .unwrap()
            .contains(&format!("and {} more", 100 - listed)),
        "{summary}"
    );
    assert!(currency["trailing_metadata_bytes"].as_u64().unwrap() < 8 * 1024);

    // An unknown 150 kB postal code: refused on its field, not echoed.
    let postal = &results["huge_postal_code"];
    assert_eq!(postal["code"], "INVALID_ARGUMENT", "{postal}");
    assert_eq!(postal["violations"][0]["field"], "origin_postal_code");
    assert!(postal["trailing_metadata_bytes"].as_u64().unwrap() < 8 * 1024);
    assert!(
        !postal["message"]
            .as_str()
            .unwrap()
            .contains("99999999999999999")
    );
}
