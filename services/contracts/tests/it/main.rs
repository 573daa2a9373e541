//! One integration-test binary for this crate (each module a test file).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod aip211;
mod billing;
mod bounds;
mod claim_terms;
mod common;
mod contracts;
mod feed;
mod incentives;
mod invoice_bounds;
mod invoice_volume;
mod invoices;
mod planning;
mod planning_scope;
mod promises;
mod quoting;
mod races;
mod refunds;
mod returns;
mod shipments;
mod shop;
mod shop_on_time;
mod sla;
mod sla_rules;
mod trace;
mod tracking;
mod visibility;
mod volume;
