//! One integration-test binary for the platform (each module a test file):
//! the server stack, feeds, idempotency and retention on real databases and
//! real gRPC on 127.0.0.1:0.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod client;
mod feed;
mod idempotency;
mod probe;
mod retention;
mod stack;
