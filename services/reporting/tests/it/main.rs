//! One integration-test binary for this crate (each module a test file).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod common;
mod consumers;
mod heads;
mod kpis;
mod qbr;
mod rebuild;
mod reports;
