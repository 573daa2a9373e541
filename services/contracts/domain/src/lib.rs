//! The pure logic of Recourse contracts: rating parcels against rate cards
//! (weights and dimensions from `recourse-units`), auditing carrier invoices, counting business days,
//! evaluating SLAs and finding refundable late deliveries, the terms a
//! contract version agrees and the rules of its lifecycle.
//!
//! Everything here is deterministic and side-effect free (no I/O, no clock,
//! no async) so the contracts service, tests and any other consumer compute
//! exactly the same numbers from the same facts. Money and weights are
//! integers throughout; nothing panics on bad input.

#![warn(clippy::wildcard_enum_match_arm)]

pub mod audit;
pub mod calendar;
pub mod capacity;
pub mod incentive;
pub mod invoice;
pub mod promise;
pub mod rating;
pub mod refund;
pub mod returns;
pub mod shop;
pub mod sla;
pub mod terms;
pub mod tracking;
pub mod versions;
