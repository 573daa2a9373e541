//! The pinned third-party tools some tests drive (the `rotel` OTLP
//! collector, schemathesis): `.ci/requirements-tools.txt` pins them and
//! `.ci/python-tools.sh` keeps them in a private virtualenv. A test that
//! needs one asks [`venv`], which runs that script once per test process
//! (idempotent: quick when the virtualenv matches the pins), so
//! `cargo test --workspace` on a fresh machine provisions what it needs
//! instead of failing for want of a tool CI would have installed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The workspace root (where `.ci/` is).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .expect("libs/test-support sits two levels below the workspace root")
}

/// The tools' virtualenv, created or refreshed to the pins first. Panics
/// (the test fails, never skips) when it cannot be provisioned.
pub fn venv() -> &'static Path {
    static READY: OnceLock<PathBuf> = OnceLock::new();
    READY.get_or_init(|| {
        let script = workspace_root().join(".ci/python-tools.sh");
        // The script decides where the virtualenv lives and puts its bin/
        // first on PATH; ask it, rather than repeat its rule here.
        let out = Command::new("bash")
            .arg("-c")
            .arg("source \"$1\" >&2 && dirname \"$(dirname \"$(command -v python)\")\"")
            .arg("python-tools")
            .arg(&script)
            .stderr(std::process::Stdio::inherit())
            .output()
            .unwrap_or_else(|err| panic!("running {}: {err}", script.display()));
        assert!(
            out.status.success(),
            "{} could not provision the pinned test tools ({})",
            script.display(),
            out.status
        );
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    })
}
