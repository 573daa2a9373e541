//! One integration-test binary for this crate (each module a test file).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod common;
mod delivery;
mod endpoints;
mod race;
mod restart;
