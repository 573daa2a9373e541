//! One integration-test binary for this crate (each module a test file).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod aip211;
mod billing;
mod bounds;
mod claim_terms;
mod common;
mod contracts;
mod feed;
mod invoice_bounds;
mod invoice_volume;
mod invoices;
mod promises;
mod quoting;
mod races;
mod refunds;
mod shipments;
mod sla;
mod sla_rules;
mod trace;
mod tracking;
mod visibility;
mod volume;
