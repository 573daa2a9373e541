//! One integration-test binary for this crate (each module a test file).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod cli;
mod first_key;
mod grpcio;
mod metrics;
mod otlp;
mod process;
mod report;
mod schemathesis;
mod token;
