//! One integration-test binary for this crate (each module a test file).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod appeals;
mod bounds;
mod change_events;
mod claims;
mod common;
mod contracts_feed;
mod dispute_credits;
mod disputes;
mod documents;
mod escalation_sources;
mod escalations;
mod field_errors;
mod open_claims;
mod overflow;
mod races;
mod reconciliation;
mod recoveries;
mod refunds;
mod remittance_files;
mod returns;
mod roles;
mod scoping;
mod terms;
mod trace;
mod visibility;
mod x12;
