//! The REST surface against a third-party property-based tester:
//! schemathesis reads the live standalone's `/v1/openapi.json` (generated
//! from the same annotations the gateway transcodes) and throws generated
//! and edge-case requests at every operation; none may answer 5xx.

use std::path::PathBuf;
use std::process::Command;

use crate::process::{Standalone, token};

/// schemathesis from `RECOURSE_SCHEMATHESIS` or the pinned tools'
/// virtualenv (provisioned on first use).
fn schemathesis() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("RECOURSE_SCHEMATHESIS") {
        return Some(PathBuf::from(path));
    }
    let venv = recourse_test_support::tools::venv();
    let path = venv.join("bin/schemathesis");
    path.exists().then_some(path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_on_any_rest_operation() {
    // Provisioned from the pins when missing (tools::venv): never skipped.
    let tool = schemathesis().expect(
        "schemathesis is required (.ci/requirements-tools.txt, provisioned by .ci/python-tools.sh)",
    );
    let dir = tempfile::tempdir().unwrap();
    let server = Standalone::start(dir.path()).await;
    let admin = token("admin", dir.path());
    let url = format!("{}/v1/openapi.json", server.url());
    // schemathesis keeps a `.schemathesis/` cache in its working directory:
    // the scratch directory, never the source tree.
    let scratch = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(tool)
            .current_dir(scratch)
            .args(["run", &url, "--checks", "not_a_server_error", "--header"])
            .arg(format!("Authorization: Bearer {admin}"))
            // Feeds never end: a streaming GET would only time out.
            .args(["--exclude-path-regex", "Events:subscribe"])
            .args([
                "--max-examples",
                "5",
                "--seed",
                "13",
                "--request-timeout",
                "20",
                "--no-color",
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "schemathesis failed:\n{stdout}\n{stderr}"
    );
    // Every operation was exercised (the feeds aside), none errored.
    assert!(
        stdout.contains("generated") && stdout.contains("passed"),
        "{stdout}"
    );
    assert!(!stdout.contains("Errored:"), "{stdout}");
    assert!(!stdout.contains("Server error"), "{stdout}");
}
