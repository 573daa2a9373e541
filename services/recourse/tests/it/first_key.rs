//! The README's first-key story, with the real binary: start standalone,
//! create the first API key with `recourse apikey`, call every service
//! through the one public address with grpcurl and that key, revoke it.

use std::path::Path;
use std::process::{Command, Output};

use crate::cli::{grpcurl, run_grpcurl};
use crate::process::{Standalone, recourse};

fn apikey(args: &[&str], server: &Standalone, data_dir: &Path) -> Output {
    let target = server.url();
    let mut all = vec!["apikey", "--target", &target];
    all.extend_from_slice(args);
    recourse(&all, data_dir)
}

/// The README's first-key story: a newcomer starts standalone, creates the
/// first API key with the installation's own signing key, and calls every
/// service through the one public address with grpcurl and that key.
#[tokio::test]
async fn the_first_api_key_is_made_with_the_cli_and_works_with_grpcurl() {
    let dir = tempfile::tempdir().unwrap();
    let server = Standalone::start(dir.path()).await;
    let out = apikey(
        &["create", "--role", "admin", "--name", "first key"],
        &server,
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(key.starts_with("rk_"), "{key}");

    let listed = apikey(&["list"], &server, dir.path());
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(
        listed.contains("first key") && listed.contains("admin"),
        "{listed}"
    );
    assert!(
        !listed.contains(&key[key.len() - 43..]),
        "the secret is never listed"
    );
    let name = listed.split('\t').next().unwrap().to_owned();

    let Some(_) = grpcurl() else {
        eprintln!("grpcurl not installed; the grpcurl half is skipped outside CI");
        return;
    };
    let addr = server.addr.clone();
    let auth = format!("authorization: Bearer {key}");
    let created = run_grpcurl(&[
        "-plaintext",
        "-H",
        &auth,
        "-d",
        r#"{"request_id":"first-key-1","carrier":{"code":"KEYD","display_name":"Keyed","kind":"CARRIER_KIND_REGIONAL","regions":["US-CA"]}}"#,
        &addr,
        "recourse.carriers.v1.CarrierService/CreateCarrier",
    ]);
    assert!(created.contains("CARRIER_STATUS_ONBOARDING"), "{created}");
    for method in [
        "recourse.contracts.v1.ContractService/ListContracts",
        "recourse.contracts.v1.ShipmentService/ListShipments",
        "recourse.claims.v1.ClaimService/ListClaims",
        "recourse.claims.v1.RecoveryService/ListRemittances",
        "recourse.gateway.v1.ApiKeyService/ListApiKeys",
    ] {
        run_grpcurl(&["-plaintext", "-H", &auth, &addr, method]);
    }
    // Error details still decode through the gateway's reflection.
    let out = Command::new("grpcurl")
        .args([
            "-plaintext",
            "-H",
            &auth,
            "-d",
            r#"{"request_id":"x","carrier":{"code":"bad"}}"#,
            &addr,
            "recourse.carriers.v1.CarrierService/CreateCarrier",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("InvalidArgument") && stderr.contains("carrier.code"),
        "{stderr}"
    );

    // Revoked: the same call is refused.
    let out = apikey(&["revoke", &name], &server, dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new("grpcurl")
        .args([
            "-plaintext",
            "-H",
            &auth,
            &addr,
            "recourse.carriers.v1.CarrierService/ListCarriers",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Unauthenticated"), "{stderr}");
}
