//! The pure rules of webhook delivery, for the webhook service to build on:
//! how a delivery is signed and verified ([`signature`]), when a failed
//! delivery is tried again and when it is given up ([`retry`]), and when an
//! endpoint that keeps failing is disabled ([`health`]). No I/O, no clock,
//! no randomness of its own: time and jitter come in as arguments, so every
//! figure has a worked example (docs/rules.md, "Webhooks").

#![warn(clippy::wildcard_enum_match_arm)] // no `_ =>` over our own enums: a new variant must be handled

pub mod delivery;
pub mod endpoint;
pub mod health;
pub mod retry;
pub mod signature;
