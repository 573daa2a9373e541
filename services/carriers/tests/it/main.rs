//! One integration-test binary for this crate (each module a test file).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod access;
mod api;
mod common;
mod feed;
mod listing;
mod trace;
mod updates;
