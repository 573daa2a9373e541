//! The gateway's domain: pure types and rules, no I/O. API keys (their
//! format, hashing and lifecycle) and the rate-limit arithmetic.

mod key;
mod key_format;
pub mod rate;

pub use key::{ApiKey, KeyError, KeyState, NewApiKey, RateOverride, Refused};
pub use key_format::{KeyId, KeySecret, PresentedKey, SecretHash};
