//! `recourse apikey …`: manage API keys on a running gateway. The CLI calls
//! `recourse.gateway.v1.ApiKeyService` like any client, as an admin: with
//! an admin API key, or — for the very first key — with an admin token it
//! mints from this installation's signing key (`<data_dir>/auth.key` or
//! `auth.token_secret`), which only someone holding that key can do.

use std::time::Duration;

use recourse_platform::client::OutboundInterceptor;
use recourse_proto::gateway as pb;
use recourse_proto::gateway::api_key_service_client::ApiKeyServiceClient;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

pub type Client = ApiKeyServiceClient<InterceptedService<Channel, OutboundInterceptor>>;

/// A client of the gateway at `target`, sending `credential` (a token or an
/// API key) as its bearer.
pub async fn connect(target: &str, credential: &str) -> Result<Client, String> {
    let channel = Endpoint::from_shared(target.to_owned())
        .map_err(|e| format!("bad gateway URL {target}: {e}"))?
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .map_err(|e| format!("cannot reach the gateway at {target}: {e}"))?;
    let interceptor = OutboundInterceptor::new(Some(credential))?;
    Ok(ApiKeyServiceClient::new(InterceptedService::new(
        channel,
        interceptor,
    )))
}

/// The role name the CLI takes (`admin`, `3pl`, ...) as the API's enum.
pub fn role(role: recourse_platform::auth::Role) -> pb::Role {
    use recourse_platform::auth::Role;
    match role {
        Role::Admin => pb::Role::Admin,
        Role::Internal => pb::Role::Internal,
        Role::Carrier => pb::Role::Carrier,
        Role::ThirdParty => pb::Role::ThirdParty,
        Role::Finance => pb::Role::Finance,
        Role::Auditor => pb::Role::Auditor,
    }
}

fn time(ts: Option<&prost_types::Timestamp>) -> String {
    ts.and_then(|t| chrono::DateTime::from_timestamp(t.seconds, 0))
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| "-".to_owned())
}

/// One line per key for `apikey list`.
pub fn describe(key: &pb::ApiKey) -> String {
    let role = key
        .role()
        .as_str_name()
        .trim_start_matches("ROLE_")
        .to_lowercase();
    let scope = if key.carrier.is_empty() {
        &key.party
    } else {
        &key.carrier
    };
    let state = key
        .state()
        .as_str_name()
        .trim_start_matches("API_KEY_STATE_")
        .to_lowercase();
    format!(
        "{}\t{}\t{}\t{}\t{}\texpires {}\tlast used {}\t{}",
        key.name,
        key.key_prefix,
        role,
        if scope.is_empty() { "-" } else { scope },
        state,
        time(key.expire_time.as_ref()),
        time(key.last_use_time.as_ref()),
        key.display_name
    )
}
