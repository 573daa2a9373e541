//! Tokens from an external OIDC issuer, checked against a locally
//! generated EC (P-256) key set served from a file and from an http:// URL:
//! the mapped role and scope act as the principal; a wrong audience or
//! issuer, an expired token, an unknown key, an unmapped role are refused.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::ecdsa::SigningKey;
use p256::pkcs8::EncodePrivateKey as _;
use recourse_platform::gateway_settings::OidcSettings;
use recourse_proto::carriers as cpb;
use recourse_test_support::{Backend, backend_tests};
use serde_json::json;
use tonic::Code;

use crate::common::{self, settings, spawn_app_with};

backend_tests!(
    sso_tokens_act_as_their_mapped_role_and_bad_ones_are_refused,
    the_key_set_can_come_from_an_http_url,
);

const ISSUER: &str = "https://sso.example.test";
const AUDIENCE: &str = "recourse";

struct Issuer {
    kid: String,
    key: EncodingKey,
    jwk: serde_json::Value,
}

impl Issuer {
    fn generate(kid: &str) -> Self {
        let signing = loop {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).unwrap();
            if let Ok(key) = SigningKey::from_bytes(&bytes.into()) {
                break key;
            }
        };
        let der = signing.to_pkcs8_der().unwrap();
        let point = signing.verifying_key().to_encoded_point(false);
        let jwk = json!({
            "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": kid,
            "x": URL_SAFE_NO_PAD.encode(point.x().unwrap()),
            "y": URL_SAFE_NO_PAD.encode(point.y().unwrap()),
        });
        Self {
            kid: kid.to_owned(),
            key: EncodingKey::from_ec_der(der.as_bytes()),
            jwk,
        }
    }

    fn token(&self, claims: serde_json::Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.key).unwrap()
    }
}

fn claims(role: &str, audience: &str, expires_in: i64) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": ISSUER, "aud": audience, "sub": "jane@example.test",
        "iat": now, "exp": now + expires_in,
        "groups": ["staff", role],
    })
}

fn oidc(jwks_file: Option<std::path::PathBuf>, jwks_url: Option<String>) -> OidcSettings {
    OidcSettings {
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        jwks_file,
        jwks_url,
        role_claim: "groups".into(),
        roles: BTreeMap::from([
            ("recourse-admins".to_owned(), "admin".to_owned()),
            ("carrier-ops".to_owned(), "carrier".to_owned()),
        ]),
        scope_claim: "carrier".into(),
        ..OidcSettings::default()
    }
}

async fn check(app: &common::TestApp, issuer: &Issuer, stranger: &Issuer) {
    let list = |token: String| {
        let mut client = app.carriers(&token);
        async move {
            client
                .list_carriers(cpb::ListCarriersRequest::default())
                .await
        }
    };
    list(issuer.token(claims("recourse-admins", AUDIENCE, 300)))
        .await
        .expect("an admin SSO token is accepted");
    // A carrier-ops user with a carrier claim sees only that carrier.
    let own = app.carrier("SSOC").await;
    app.carrier("SSOD").await;
    let mut scoped = claims("carrier-ops", AUDIENCE, 300);
    scoped["carrier"] = json!(own.clone());
    let listed = list(issuer.token(scoped)).await.unwrap().into_inner();
    assert_eq!(
        listed
            .carriers
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>(),
        vec![own]
    );
    for (why, token) in [
        (
            "wrong audience",
            issuer.token(claims("recourse-admins", "someone-else", 300)),
        ),
        (
            "expired",
            issuer.token(claims("recourse-admins", AUDIENCE, -120)),
        ),
        (
            "unmapped role",
            issuer.token(claims("visitors", AUDIENCE, 300)),
        ),
        (
            "unknown signing key",
            stranger.token(claims("recourse-admins", AUDIENCE, 300)),
        ),
        (
            "carrier without its scope claim",
            issuer.token(claims("carrier-ops", AUDIENCE, 300)),
        ),
    ] {
        let err = list(token).await.expect_err(why);
        assert_eq!(err.code(), Code::Unauthenticated, "{why}: {err:?}");
        assert_eq!(err.message(), "invalid or expired credentials", "{why}");
    }
    let mut wrong_issuer = claims("recourse-admins", AUDIENCE, 300);
    wrong_issuer["iss"] = json!("https://evil.example.test");
    assert!(list(issuer.token(wrong_issuer)).await.is_err());
}

async fn sso_tokens_act_as_their_mapped_role_and_bad_ones_are_refused(backend: Backend) {
    let issuer = Issuer::generate("k1");
    let stranger = Issuer::generate("k1");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jwks.json");
    std::fs::write(&path, json!({ "keys": [issuer.jwk] }).to_string()).unwrap();
    let mut config = settings();
    config.oidc = Some(oidc(Some(path), None));
    let app = spawn_app_with(backend, config, BTreeMap::new()).await;
    check(&app, &issuer, &stranger).await;
}

/// Serves `body` as JSON to every HTTP/1.1 request on 127.0.0.1.
async fn serve_json(body: String) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}/.well-known/jwks.json")
}

async fn the_key_set_can_come_from_an_http_url(backend: Backend) {
    let issuer = Issuer::generate("url-key");
    let stranger = Issuer::generate("other-key");
    let url = serve_json(json!({ "keys": [issuer.jwk] }).to_string()).await;
    let mut config = settings();
    config.oidc = Some(oidc(None, Some(url)));
    let app = spawn_app_with(backend, config, BTreeMap::new()).await;
    check(&app, &issuer, &stranger).await;
}
