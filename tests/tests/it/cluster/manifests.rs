//! The settings the manifests give each pod (k8s/base), read from them, so
//! the cluster test sets the keys a real deployment sets and notices when
//! the manifests rename one.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn base() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../k8s/base")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The shared `recourse-config` keys (the kustomization's literals).
pub fn shared_keys() -> BTreeSet<String> {
    read(&base().join("kustomization.yaml"))
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- RECOURSE__"))
        .filter_map(|l| l.split_once('='))
        .map(|(key, _)| format!("RECOURSE__{key}"))
        .collect()
}

/// The keys `service`'s Deployment (and the patch every Deployment gets)
/// sets one by one: its database, its name, the token secret, drain timings.
pub fn pod_keys(service: &str) -> BTreeSet<String> {
    [
        base().join(service).join("deployment.yaml"),
        base().join("pod-defaults.yaml"),
    ]
    .iter()
    .flat_map(|path| {
        read(path)
            .lines()
            .filter_map(|l| l.trim().strip_prefix("- name: RECOURSE__"))
            .map(|key| format!("RECOURSE__{}", key.trim()))
            .collect::<Vec<_>>()
    })
    .collect()
}

/// Keys the test sets that the manifests do not: how much it logs.
pub const TEST_ONLY: [&str; 1] = ["RECOURSE__TELEMETRY__LOG_FILTER"];

/// Panics unless every key of `env` is one the manifests give `service`'s
/// pod (or a test-only key).
pub fn assert_pod_env<'a>(service: &str, env: impl IntoIterator<Item = &'a String>) {
    let shared = shared_keys();
    let own = pod_keys(service);
    for key in env {
        assert!(
            shared.contains(key) || own.contains(key) || TEST_ONLY.contains(&key.as_str()),
            "the cluster test sets {key} for {service}, which k8s/base does not: \
             keep the test's settings those of a real pod (shared: {shared:?}; {service}: {own:?})"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_keys_the_base_sets() {
        let shared = shared_keys();
        for key in [
            "RECOURSE__SERVICES__CARRIERS_URL",
            "RECOURSE__GATEWAY__UPSTREAMS__CLAIMS",
            "RECOURSE__TELEMETRY__OTLP_ENDPOINT",
        ] {
            assert!(shared.contains(key), "{key} in {shared:?}");
        }
        let own = pod_keys("claims");
        for key in [
            "RECOURSE__DATABASE__URL",
            "RECOURSE__TELEMETRY__SERVICE_NAME",
            "RECOURSE__AUTH__TOKEN_SECRET",
        ] {
            assert!(own.contains(key), "{key} in {own:?}");
        }
    }
}
