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

/// Where `.ci/python-tools.sh` keeps the virtualenv (the same rule).
fn venv_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("RECOURSE_TOOLS_VENV") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache.join("recourse/tools-venv")
}

/// The tools' virtualenv, created or refreshed to the pins first. Panics
/// (the test fails, never skips) when it cannot be provisioned.
pub fn venv() -> &'static Path {
    static READY: OnceLock<PathBuf> = OnceLock::new();
    READY.get_or_init(|| {
        let script = workspace_root().join(".ci/python-tools.sh");
        let status = Command::new("bash")
            .arg("-c")
            .arg("source \"$1\"")
            .arg("python-tools")
            .arg(&script)
            .status()
            .unwrap_or_else(|err| panic!("running {}: {err}", script.display()));
        assert!(
            status.success(),
            "{} could not provision the pinned test tools ({status})",
            script.display()
        );
        venv_dir()
    })
}
