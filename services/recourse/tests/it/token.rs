//! `recourse token` finds the installation's key or says where it looked,
//! the server says why a token is refused, and logs to a pipe are plain.

use std::io::Read as _;
use std::process::{Command, Stdio};

use recourse_proto::carriers as pb;
use tonic::Code;

use crate::process::{BIN, Standalone, token};

fn token_in(cwd: &std::path::Path, envs: &[(&str, &std::path::Path)]) -> std::process::Output {
    let mut command = Command::new(BIN);
    command
        .args(["token", "--role", "admin"])
        .current_dir(cwd)
        .env_remove("RECOURSE__DATABASE__DATA_DIR")
        .env_remove("RECOURSE__AUTH__TOKEN_SECRET");
    for (key, value) in envs {
        command.env(key, value);
    }
    command.output().unwrap()
}

#[test]
fn token_without_a_key_fails_naming_the_file_and_how_to_point_at_it() {
    let elsewhere = tempfile::tempdir().unwrap();
    let out = token_in(elsewhere.path(), &[]);
    assert!(!out.status.success(), "no key, no token");
    assert!(out.stdout.is_empty(), "nothing that looks like a token");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let looked_at = elsewhere.path().join("data").join("auth.key");
    assert!(
        stderr.contains(&looked_at.display().to_string()),
        "names the key file it looked for: {stderr}"
    );
    assert!(stderr.contains("--data-dir"), "{stderr}");
    assert!(stderr.contains("RECOURSE__AUTH__TOKEN_SECRET"), "{stderr}");
    assert!(!looked_at.exists(), "no key was created");
}

#[tokio::test]
async fn token_from_another_directory_uses_the_servers_key_when_pointed_at_it() {
    let data = tempfile::tempdir().unwrap();
    let server = Standalone::start(data.path()).await;
    let elsewhere = tempfile::tempdir().unwrap();
    let out = token_in(
        elsewhere.path(),
        &[("RECOURSE__DATABASE__DATA_DIR", data.path())],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let key = data.path().join("auth.key").display().to_string();
    assert!(stderr.contains(&key), "says which key it used: {stderr}");
    let minted = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    server
        .client(&minted)
        .list_carriers(pb::ListCarriersRequest::default())
        .await
        .expect("the server accepts it");
}

#[tokio::test]
async fn a_token_signed_with_another_installations_key_is_refused_with_how_to_mint_one() {
    let data = tempfile::tempdir().unwrap();
    let server = Standalone::start(data.path()).await;
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("auth.key"), "ab".repeat(32)).unwrap();
    let foreign = token("admin", other.path());
    let status = server
        .client(&foreign)
        .list_carriers(pb::ListCarriersRequest::default())
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    let message = status.message();
    assert!(
        message.contains("does not match this installation's key"),
        "{message}"
    );
    assert!(message.contains("recourse token"), "{message}");
    assert!(
        !message.contains(&"ab".repeat(16)),
        "no key material: {message}"
    );
}

#[tokio::test]
async fn logs_written_to_a_pipe_carry_no_colour_codes() {
    let data = tempfile::tempdir().unwrap();
    let mut server = Standalone::start_with(data.path(), |command| {
        command
            .env("RECOURSE__TELEMETRY__LOG_FILTER", "info")
            .env_remove("NO_COLOR")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
    })
    .await;
    let admin = token("admin", data.path());
    let _ = server
        .client(&admin)
        .list_carriers(pb::ListCarriersRequest::default())
        .await;
    let mut stdout = server.child.stdout.take().unwrap();
    let mut stderr = server.child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        stdout.read_to_end(&mut out).unwrap();
        out
    });
    let err_reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        stderr.read_to_end(&mut out).unwrap();
        out
    });
    assert!(server.terminate().await.success());
    let mut output = out_reader.join().unwrap();
    output.extend(err_reader.join().unwrap());
    let text = String::from_utf8_lossy(&output);
    assert!(text.contains("serving gRPC"), "logs were written: {text}");
    assert!(
        !output.contains(&0x1b),
        "no ANSI escape in piped logs: {text}"
    );
}
