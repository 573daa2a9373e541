//! Internal tokens the gateway mints for API-key and SSO callers, cached per
//! caller and renewed shortly before they expire, so signing costs nothing
//! on the hot path. A token never outlives the credential it stands for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use http::HeaderValue;
use recourse_platform::auth::{Principal, TokenKeys};

/// Renew this long before expiry, so a forwarded token always has at least
/// this much life left when a service checks it.
const RENEW_BEFORE: Duration = Duration::from_secs(30);
const MAX_CACHED: usize = 100_000;

#[derive(Debug, Clone)]
struct Minted {
    header: HeaderValue,
    principal: Principal,
    renew_at: Instant,
}

#[derive(Debug)]
pub struct MintedTokens {
    keys: Arc<TokenKeys>,
    ttl: Duration,
    cache: Mutex<HashMap<Arc<str>, Minted>>,
}

impl MintedTokens {
    pub fn new(keys: Arc<TokenKeys>, ttl_seconds: u64) -> Self {
        Self {
            keys,
            ttl: Duration::from_secs(ttl_seconds),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// `Bearer <token>` for `principal`, cached under `caller`; `None` when
    /// the credential expires too soon to mint anything.
    pub fn get(
        &self,
        caller: &Arc<str>,
        principal: &Principal,
        credential_expires: Option<DateTime<Utc>>,
    ) -> Option<HeaderValue> {
        let now = Instant::now();
        {
            let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(hit) = cache.get(caller)
                && now < hit.renew_at
                && &hit.principal == principal
            {
                return Some(hit.header.clone());
            }
        }
        let mut lifetime = self.ttl;
        if let Some(until) = credential_expires {
            let left = (until - Utc::now()).to_std().ok()?;
            lifetime = lifetime.min(left);
        }
        let seconds = lifetime.as_secs();
        if seconds == 0 {
            return None;
        }
        let token = self.keys.mint(principal, seconds).ok()?;
        let header = HeaderValue::try_from(format!("Bearer {token}")).ok()?;
        let renew_in = lifetime.saturating_sub(RENEW_BEFORE.min(lifetime / 2));
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= MAX_CACHED {
            cache.retain(|_, m| now < m.renew_at);
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
        }
        cache.insert(
            caller.clone(),
            Minted {
                header: header.clone(),
                principal: principal.clone(),
                renew_at: now + renew_in,
            },
        );
        Some(header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use recourse_platform::auth::Role;

    fn keys() -> Arc<TokenKeys> {
        Arc::new(TokenKeys::new(
            b"0123456789abcdef0123456789abcdef",
            "recourse",
        ))
    }

    fn token(header: &HeaderValue) -> String {
        header
            .to_str()
            .unwrap()
            .trim_start_matches("Bearer ")
            .to_owned()
    }

    #[test]
    fn a_token_is_reused_until_renewal_and_verifies_as_the_principal() {
        let minted = MintedTokens::new(keys(), 300);
        let caller: Arc<str> = Arc::from("key:1");
        let p = Principal::new("apikeys/1", Role::Carrier, Some("c1".into())).unwrap();
        let first = minted.get(&caller, &p, None).unwrap();
        let second = minted.get(&caller, &p, None).unwrap();
        assert_eq!(first, second, "cached");
        assert_eq!(keys().verify(&token(&first)).unwrap(), p);
    }

    #[test]
    fn a_token_never_outlives_its_credential() {
        let minted = MintedTokens::new(keys(), 300);
        let caller: Arc<str> = Arc::from("key:2");
        let p = Principal::new("apikeys/2", Role::Admin, None).unwrap();
        assert!(minted.get(&caller, &p, Some(Utc::now())).is_none());
        let soon = Utc::now() + chrono::Duration::seconds(10);
        let header = minted.get(&caller, &p, Some(soon)).unwrap();
        assert!(keys().verify(&token(&header)).is_ok());
    }
}
