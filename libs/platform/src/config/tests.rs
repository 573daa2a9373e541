use super::*;
use std::collections::HashMap;

fn env(vars: &[(&str, &str)]) -> config::Environment {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    config::Environment::with_prefix(ENV_PREFIX).source(Some(map))
}

fn load(file: Option<&Path>, vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    Settings::load_from(file, &Overrides::default(), env(vars))
}

#[test]
fn defaults_listen_on_localhost_50051_with_sqlite_under_data() -> Result<(), ConfigError> {
    let settings = load(None, &[])?;
    assert_eq!(settings.server.listen.to_string(), "127.0.0.1:50051");
    assert_eq!(settings.database.url, None);
    assert_eq!(settings.database.data_dir, PathBuf::from("./data"));
    Ok(())
}

#[test]
fn env_overrides_file_and_file_overrides_defaults() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("recourse.toml");
    std::fs::write(
        &path,
        "[server]\nlisten = \"127.0.0.1:6000\"\n[telemetry]\nlog_filter = \"debug\"\n",
    )?;
    let settings = load(
        Some(&path),
        &[("RECOURSE__SERVER__LISTEN", "127.0.0.1:7000")],
    )?;
    assert_eq!(settings.server.listen.to_string(), "127.0.0.1:7000");
    assert_eq!(settings.telemetry.log_filter, "debug");
    Ok(())
}

#[test]
fn command_line_overrides_env() -> Result<(), ConfigError> {
    let overrides = Overrides {
        listen: Some("127.0.0.1:9000".into()),
        ..Overrides::default()
    };
    let settings = Settings::load_from(
        None,
        &overrides,
        env(&[("RECOURSE__SERVER__LISTEN", "127.0.0.1:7000")]),
    )?;
    assert_eq!(settings.server.listen.to_string(), "127.0.0.1:9000");
    Ok(())
}

#[test]
fn bad_listen_address_names_the_key() {
    let err = load(None, &[("RECOURSE__SERVER__LISTEN", "not-an-address")])
        .map(|_| ())
        .unwrap_err();
    assert!(err.to_string().contains("server.listen"), "{err}");
}

#[test]
fn unknown_key_is_refused_with_its_name() {
    let err = load(None, &[("RECOURSE__SERVER__LISTN", "127.0.0.1:1")])
        .map(|_| ())
        .unwrap_err();
    assert!(err.to_string().contains("listn"), "{err}");
}

#[test]
fn short_token_secret_names_the_key() {
    let err = load(None, &[("RECOURSE__AUTH__TOKEN_SECRET", "short")])
        .map(|_| ())
        .unwrap_err();
    assert!(err.to_string().contains("auth.token_secret"), "{err}");
}

#[test]
fn bad_database_url_names_the_key() {
    let err = load(None, &[("RECOURSE__DATABASE__URL", "mysql://x")])
        .map(|_| ())
        .unwrap_err();
    assert!(err.to_string().contains("database.url"), "{err}");
}

#[test]
fn missing_config_file_is_an_error() {
    let missing = Path::new("/nonexistent/recourse.toml");
    assert!(load(Some(missing), &[]).is_err());
}
