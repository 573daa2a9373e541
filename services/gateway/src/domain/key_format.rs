//! What an API key looks like: `rk_<id>_<secret>`. The id (32 hex digits, a
//! UUIDv7) finds the key in O(1); the secret (32 random bytes, base64url)
//! proves possession and is stored only as its SHA-256 hash.
//!
//! Why SHA-256 and not argon2 or a salted hash: the secret is 256 bits
//! from the operating system's random generator, not a password a person
//! chose. Nobody can guess or precompute hashes of such values, so a salt
//! (which defeats precomputed tables of likely passwords) and a slow hash
//! (which slows guessing of low-entropy passwords) buy nothing, while a slow
//! hash would cost every call through the gateway milliseconds of CPU.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The id of an API key (a UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(Uuid);

impl KeyId {
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }

    /// `apikeys/{uuid}` or a bare UUID.
    pub fn parse_name(name: &str) -> Result<Self, String> {
        let id = name.strip_prefix("apikeys/").unwrap_or(name);
        Uuid::parse_str(id)
            .map(Self)
            .map_err(|_| "must be `apikeys/{id}` with a UUID id".to_owned())
    }

    /// The id as stored (hyphenated UUID).
    pub fn as_stored(&self) -> String {
        self.0.hyphenated().to_string()
    }

    pub fn resource_name(&self) -> String {
        format!("apikeys/{}", self.0.hyphenated())
    }

    /// `rk_<32 hex>`: the public part of the key.
    pub fn prefix(&self) -> String {
        format!("rk_{}", self.0.simple())
    }

    /// The principal subject services see for this key.
    pub fn subject(&self) -> String {
        self.resource_name()
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.hyphenated())
    }
}

/// A freshly generated secret. Never stored, never logged (no Debug of the
/// value), shown once.
pub struct KeySecret(String);

impl fmt::Debug for KeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeySecret(..)")
    }
}

const SECRET_BYTES: usize = 32;
/// base64url without padding of 32 bytes.
const SECRET_CHARS: usize = 43;

impl KeySecret {
    pub fn generate() -> Result<Self, String> {
        let mut bytes = [0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| format!("random number generator: {e}"))?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes)))
    }

    pub fn hash(&self) -> SecretHash {
        SecretHash::of(&self.0)
    }

    /// The full key a client sends: `rk_<id>_<secret>`.
    pub fn full_key(&self, id: &KeyId) -> String {
        format!("{}_{}", id.prefix(), self.0)
    }
}

/// SHA-256 of a secret.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SecretHash([u8; 32]);

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretHash(..)")
    }
}

impl SecretHash {
    pub fn of(secret: &str) -> Self {
        Self(Sha256::digest(secret.as_bytes()).into())
    }

    pub fn to_hex(self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(value: &str) -> Option<Self> {
        let bytes = hex::decode(value).ok()?;
        bytes.try_into().ok().map(Self)
    }

    /// Compares in time independent of where the hashes differ.
    pub fn matches(&self, other: &SecretHash) -> bool {
        self.0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

/// A key as a client presented it, split into id and secret hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresentedKey {
    pub id: KeyId,
    pub hash: SecretHash,
}

impl PresentedKey {
    /// Parses `rk_<32 hex>_<43 base64url>`; anything else is `None`.
    pub fn parse(token: &str) -> Option<Self> {
        let rest = token.strip_prefix("rk_")?;
        let (id, secret) = rest.split_at_checked(32)?;
        let secret = secret.strip_prefix('_')?;
        if secret.len() != SECRET_CHARS
            || !secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            || !id.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return None;
        }
        let id = Uuid::try_parse(id).ok()?;
        Some(Self {
            id: KeyId(id),
            hash: SecretHash::of(secret),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_parses_back_to_its_id_and_hash() {
        let id = KeyId::generate();
        let secret = KeySecret::generate().unwrap();
        let full = secret.full_key(&id);
        assert!(full.starts_with("rk_"));
        assert_eq!(full.len(), 3 + 32 + 1 + 43);
        let presented = PresentedKey::parse(&full).unwrap();
        assert_eq!(presented.id, id);
        assert!(presented.hash.matches(&secret.hash()));
    }

    #[test]
    fn malformed_keys_do_not_parse() {
        let id = KeyId::generate();
        let good = KeySecret::generate().unwrap().full_key(&id);
        for bad in [
            "",
            "rk_",
            "rk_zz",
            &good[..good.len() - 1],
            &format!("{good}x"),
            &good.replacen("rk_", "rx_", 1),
            &format!("rk_{}_{}", "g".repeat(32), "a".repeat(43)),
            &format!("rk_{}_{}", "0".repeat(32), "a".repeat(42) + "!"),
        ] {
            assert!(PresentedKey::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn hashes_round_trip_through_hex_and_compare() {
        let a = SecretHash::of("a");
        let b = SecretHash::of("b");
        assert_eq!(SecretHash::from_hex(&a.to_hex()), Some(a));
        assert!(a.matches(&a) && !a.matches(&b));
        assert_eq!(SecretHash::from_hex("abc"), None);
    }

    #[test]
    fn names_parse_with_or_without_the_collection() {
        let id = KeyId::generate();
        assert_eq!(KeyId::parse_name(&id.resource_name()), Ok(id));
        assert_eq!(KeyId::parse_name(&id.as_stored()), Ok(id));
        assert!(KeyId::parse_name("apikeys/nope").is_err());
    }
}
