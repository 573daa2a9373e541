//! Stripe-style signatures. Each delivery carries
//! `Recourse-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where the MAC
//! is over `"<t>.<body>"` with the endpoint's secret. Signing the timestamp
//! with the body lets a receiver refuse replays older than its tolerance;
//! several `v1=` entries may appear while a secret is being rotated (one per
//! live secret), and a receiver accepts the delivery if any matches.
//!
//! Verification, as a receiver would write it (the same in any language):
//!
//! ```
//! use recourse_webhooks_domain::signature::{sign, verify};
//! let secret = b"whsec_test";
//! let body = br#"{"id":"evt_1","type":"claim.submitted"}"#;
//! let header = sign(&[secret.as_slice()], 1_700_000_000, body);
//! assert!(verify(&header, secret, body, 1_700_000_100, 300).is_ok());
//! ```

use hmac::{Hmac, Mac as _};
use sha2::Sha256;

/// The header carrying the signature.
pub const HEADER: &str = "Recourse-Signature";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature header is malformed")]
    Malformed,
    #[error("the timestamp is {age_seconds} s from now, outside the tolerance")]
    Stale { age_seconds: i64 },
    #[error("no signature matches the secret")]
    Mismatch,
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable_key());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

#[allow(clippy::panic)] // HMAC accepts every key length; kept out of line so the why is here
fn unreachable_key() -> Hmac<Sha256> {
    panic!("HMAC-SHA256 accepts keys of any length")
}

/// The header value for `body` sent at `timestamp`, one `v1` per secret.
pub fn sign(secrets: &[&[u8]], timestamp: i64, body: &[u8]) -> String {
    let mut out = format!("t={timestamp}");
    for secret in secrets {
        out.push_str(",v1=");
        out.push_str(&hex::encode(
            mac(secret, timestamp, body).finalize().into_bytes(),
        ));
    }
    out
}

/// Checks `header` against `secret` and `body` at `now` (unix seconds),
/// refusing timestamps more than `tolerance_seconds` away. The comparison
/// is constant-time (`Mac::verify_slice`).
pub fn verify(
    header: &str,
    secret: &[u8],
    body: &[u8],
    now: i64,
    tolerance_seconds: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => {
                timestamp = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed)?,
                );
            }
            Some(("v1", value)) => {
                signatures.push(hex::decode(value).map_err(|_| SignatureError::Malformed)?);
            }
            // Other schemes (a future v2) are skipped, as Stripe's are.
            Some(_) => {}
            None => return Err(SignatureError::Malformed),
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let age_seconds = now.saturating_sub(timestamp);
    if age_seconds.saturating_abs() > tolerance_seconds {
        return Err(SignatureError::Stale { age_seconds });
    }
    let expected = mac(secret, timestamp, body);
    if signatures
        .iter()
        .any(|s| expected.clone().verify_slice(s).is_ok())
    {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_vector() {
        // Computed independently:
        // `printf '1700000000.{}' | openssl dgst -sha256 -hmac secret`.
        assert_eq!(
            sign(&[b"secret"], 1_700_000_000, b"{}"),
            "t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        );
    }

    #[test]
    fn verification_refuses_tampering_staleness_and_other_secrets() {
        let body = br#"{"type":"claim.submitted"}"#;
        let header = sign(&[b"old", b"new"], 1_000, body);
        assert_eq!(verify(&header, b"new", body, 1_100, 300), Ok(()));
        assert_eq!(verify(&header, b"old", body, 1_100, 300), Ok(()));
        assert_eq!(
            verify(&header, b"other", body, 1_100, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&header, b"new", b"{}", 1_100, 300),
            Err(SignatureError::Mismatch)
        );
        // 1,301 − 1,000 = 301 s old: one second past a 300 s tolerance.
        assert_eq!(
            verify(&header, b"new", body, 1_301, 300),
            Err(SignatureError::Stale { age_seconds: 301 })
        );
        for bad in [
            "",
            "t=x,v1=00",
            "v1=00",
            "t=1000",
            "t=1000,v1=zz",
            "garbage",
        ] {
            assert_eq!(
                verify(bad, b"new", body, 1_000, 300),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
    }
}
