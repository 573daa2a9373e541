//! An API key's life: active until it expires or is revoked; a rotation
//! issues a new secret and lets the previous one work for a grace period.

use chrono::{DateTime, Duration, Utc};
use recourse_platform::auth::{Principal, Role};

use super::key_format::{KeyId, PresentedKey, SecretHash};

/// A per-key override of the role's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateOverride {
    pub requests_per_second: u32,
    pub burst: u32,
    /// `None`: the role's stream limit applies.
    pub max_streams: Option<u32>,
}

/// What the caller asked to create, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiKey {
    pub display_name: String,
    pub role: Role,
    /// Carrier id (carrier role) or 3PL account (3pl role).
    pub scope: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub rate: Option<RateOverride>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: KeyId,
    pub display_name: String,
    pub role: Role,
    pub scope: Option<String>,
    pub secret_hash: SecretHash,
    /// The secret before the last rotation and until when it still works.
    pub previous: Option<(SecretHash, DateTime<Utc>)>,
    pub expires_at: Option<DateTime<Utc>>,
    pub rate: Option<RateOverride>,
    pub created_at: DateTime<Utc>,
    pub rotated_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub version: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    Active,
    Expired,
    Revoked,
}

/// Why a presented key was refused. Callers never learn which: the gateway
/// answers every one with the same UNAUTHENTICATED message (no oracle).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Unknown,
    WrongSecret,
    Revoked,
    Expired,
    PastGrace,
}

/// Why a key operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("API key `{0}` not found")]
    NotFound(String),
    #[error("API key `{id}` has changed since it was read (etag {given}, now {current})")]
    StaleEtag {
        id: String,
        given: i64,
        current: i64,
    },
    #[error("API key `{0}` is revoked")]
    Revoked(String),
    #[error("API key `{0}` has expired")]
    Expired(String),
    #[error("a grace period of {given} s exceeds the maximum of {max} s")]
    GraceTooLong { given: u64, max: u64 },
}

impl NewApiKey {
    /// The stored key, its secret hashed.
    pub fn into_key(self, id: KeyId, secret: SecretHash, now: DateTime<Utc>) -> ApiKey {
        ApiKey {
            id,
            display_name: self.display_name,
            role: self.role,
            scope: self.scope,
            secret_hash: secret,
            previous: None,
            expires_at: self.expires_at,
            rate: self.rate,
            created_at: now,
            rotated_at: now,
            revoked_at: None,
            last_used_at: None,
            version: 1,
        }
    }
}

impl ApiKey {
    pub fn state(&self, now: DateTime<Utc>) -> KeyState {
        if self.revoked_at.is_some() {
            KeyState::Revoked
        } else if self.expires_at.is_some_and(|at| at <= now) {
            KeyState::Expired
        } else {
            KeyState::Active
        }
    }

    /// The principal the key acts as.
    pub fn principal(&self) -> Result<Principal, String> {
        Principal::new(self.id.subject(), self.role, self.scope.clone())
    }

    /// Whether `presented` opens this key at `now`: the current secret, or
    /// the previous one while its grace lasts, of a key neither revoked nor
    /// expired.
    pub fn authenticate(
        &self,
        presented: &PresentedKey,
        now: DateTime<Utc>,
    ) -> Result<(), Refused> {
        if presented.id != self.id {
            return Err(Refused::Unknown);
        }
        // Both comparisons always run, so timing says nothing about which
        // secret matched.
        let current = presented.hash.matches(&self.secret_hash);
        let previous = self
            .previous
            .map(|(hash, until)| (presented.hash.matches(&hash), until));
        match self.state(now) {
            KeyState::Revoked => return Err(Refused::Revoked),
            KeyState::Expired => return Err(Refused::Expired),
            KeyState::Active => {}
        }
        match (current, previous) {
            (true, _) => Ok(()),
            (false, Some((true, until))) if now < until => Ok(()),
            (false, Some((true, _))) => Err(Refused::PastGrace),
            (false, _) => Err(Refused::WrongSecret),
        }
    }

    /// Until when a token minted for this key may live: never past the
    /// key's own expiry.
    pub fn usable_until(&self, now: DateTime<Utc>, ttl: Duration) -> DateTime<Utc> {
        let until = now + ttl;
        self.expires_at.map_or(until, |at| at.min(until))
    }

    fn ensure_active(&self, now: DateTime<Utc>) -> Result<(), KeyError> {
        match self.state(now) {
            KeyState::Active => Ok(()),
            KeyState::Revoked => Err(KeyError::Revoked(self.id.resource_name())),
            KeyState::Expired => Err(KeyError::Expired(self.id.resource_name())),
        }
    }

    /// Issues `new_secret`; the current secret keeps working for `grace`
    /// (none when zero). A previous secret still in its grace is dropped:
    /// only the last two secrets ever work.
    pub fn rotate(
        mut self,
        new_secret: SecretHash,
        grace: Duration,
        max_grace: Duration,
        now: DateTime<Utc>,
    ) -> Result<Self, KeyError> {
        self.ensure_active(now)?;
        if grace > max_grace {
            return Err(KeyError::GraceTooLong {
                given: u64::try_from(grace.num_seconds()).unwrap_or(u64::MAX),
                max: u64::try_from(max_grace.num_seconds()).unwrap_or(u64::MAX),
            });
        }
        self.previous = (grace > Duration::zero()).then(|| (self.secret_hash, now + grace));
        self.secret_hash = new_secret;
        self.rotated_at = now;
        self.version += 1;
        Ok(self)
    }

    /// Revokes every secret of the key.
    pub fn revoke(mut self, now: DateTime<Utc>) -> Result<Self, KeyError> {
        if self.revoked_at.is_some() {
            return Err(KeyError::Revoked(self.id.resource_name()));
        }
        self.revoked_at = Some(now);
        self.previous = None;
        self.version += 1;
        Ok(self)
    }

    /// Refuses a stale etag (the version the caller last read).
    pub fn check_version(&self, given: Option<i64>) -> Result<(), KeyError> {
        match given {
            Some(given) if given != self.version => Err(KeyError::StaleEtag {
                id: self.id.resource_name(),
                given,
                current: self.version,
            }),
            Some(_) | None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::KeySecret;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    fn key(expires_at: Option<DateTime<Utc>>) -> (ApiKey, String) {
        let id = KeyId::generate();
        let secret = KeySecret::generate().unwrap();
        let new = NewApiKey {
            display_name: "Acme".into(),
            role: Role::Carrier,
            scope: Some("c1".into()),
            expires_at,
            rate: None,
        };
        (new.into_key(id, secret.hash(), at(0)), secret.full_key(&id))
    }

    fn presented(full: &str) -> PresentedKey {
        PresentedKey::parse(full).unwrap()
    }

    #[test]
    fn the_secret_opens_the_key_and_another_does_not() {
        let (key, full) = key(None);
        assert_eq!(key.authenticate(&presented(&full), at(1)), Ok(()));
        let other = KeySecret::generate().unwrap().full_key(&key.id);
        assert_eq!(
            key.authenticate(&presented(&other), at(1)),
            Err(Refused::WrongSecret)
        );
        let principal = key.principal().unwrap();
        assert_eq!(principal.subject, key.id.resource_name());
        assert_eq!(principal.carrier_scope(), Some("c1"));
    }

    #[test]
    fn an_expired_key_is_refused_from_its_expiry_on() {
        let (key, full) = key(Some(at(100)));
        assert_eq!(key.authenticate(&presented(&full), at(99)), Ok(()));
        assert_eq!(
            key.authenticate(&presented(&full), at(100)),
            Err(Refused::Expired)
        );
        assert_eq!(key.state(at(100)), KeyState::Expired);
        // A token minted at 90 with a 300 s lifetime stops at the key's expiry.
        assert_eq!(key.usable_until(at(90), Duration::seconds(300)), at(100));
    }

    #[test]
    fn rotation_keeps_the_old_secret_for_the_grace_then_refuses_it() {
        let (key, old) = key(None);
        let new_secret = KeySecret::generate().unwrap();
        let new = new_secret.full_key(&key.id);
        // Rotated at t=10 with 60 s of grace: the old secret works until t=70.
        let rotated = key
            .rotate(
                new_secret.hash(),
                Duration::seconds(60),
                Duration::days(30),
                at(10),
            )
            .unwrap();
        assert_eq!(rotated.version, 2);
        assert_eq!(rotated.authenticate(&presented(&new), at(11)), Ok(()));
        assert_eq!(rotated.authenticate(&presented(&old), at(69)), Ok(()));
        assert_eq!(
            rotated.authenticate(&presented(&old), at(70)),
            Err(Refused::PastGrace)
        );
        assert_eq!(rotated.authenticate(&presented(&new), at(70)), Ok(()));
    }

    #[test]
    fn rotation_without_grace_stops_the_old_secret_at_once() {
        let (key, old) = key(None);
        let rotated = key
            .rotate(
                KeySecret::generate().unwrap().hash(),
                Duration::zero(),
                Duration::days(30),
                at(10),
            )
            .unwrap();
        assert_eq!(
            rotated.authenticate(&presented(&old), at(10)),
            Err(Refused::WrongSecret)
        );
    }

    #[test]
    fn revocation_refuses_every_secret_and_happens_once() {
        let (key, old) = key(None);
        let new_secret = KeySecret::generate().unwrap();
        let rotated = key
            .rotate(
                new_secret.hash(),
                Duration::hours(1),
                Duration::days(30),
                at(0),
            )
            .unwrap();
        let revoked = rotated.revoke(at(5)).unwrap();
        for full in [old, new_secret.full_key(&revoked.id)] {
            assert_eq!(
                revoked.authenticate(&presented(&full), at(6)),
                Err(Refused::Revoked)
            );
        }
        assert!(matches!(
            revoked.clone().revoke(at(7)),
            Err(KeyError::Revoked(_))
        ));
        assert!(matches!(
            revoked.rotate(
                new_secret.hash(),
                Duration::zero(),
                Duration::days(1),
                at(8)
            ),
            Err(KeyError::Revoked(_))
        ));
    }

    #[test]
    fn grace_is_bounded_and_stale_versions_are_refused() {
        let (key, _) = key(None);
        assert!(matches!(
            key.clone().rotate(
                KeySecret::generate().unwrap().hash(),
                Duration::days(31),
                Duration::days(30),
                at(0)
            ),
            Err(KeyError::GraceTooLong { .. })
        ));
        assert!(key.check_version(Some(1)).is_ok());
        assert!(key.check_version(None).is_ok());
        assert!(matches!(
            key.check_version(Some(2)),
            Err(KeyError::StaleEtag { .. })
        ));
    }
}
