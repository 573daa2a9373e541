//! One integration-test binary for this crate (each module a test file).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod common;
mod keys;
mod limits;
mod oidc;
mod proxy;
mod resilience;
mod rest;
