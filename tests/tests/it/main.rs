//! One integration-test binary for this crate (each module a test file).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod cluster;
mod lifecycle;
mod reporting;
mod webhooks;
