//! The pure logic of Recourse freight claims: the claim lifecycle and its
//! appeals, the carrier's liability cap, filing deadlines and the carrier's
//! acknowledgement and decision clocks, applying remittances and write-offs
//! to approved claims, how much an approval approves, reconciling
//! recoveries per carrier, and human claim numbers; the claim and
//! remittance types both sides reason about ([`claim`], [`remittance`]);
//! and the documented bound of every input ([`limits`]).
//!
//! Both sides of a claim (shipper and carrier) must compute the same numbers
//! from the same facts, so everything here is deterministic and side-effect
//! free (no I/O, no clock, no async), money is integer minor units via
//! `recourse-money` (never floats, never across currencies), dates are
//! calendar dates, and nothing panics on bad input: money errors are
//! returned and date arithmetic saturates at chrono's range ends.

#![warn(clippy::wildcard_enum_match_arm)]

pub mod allocation;
pub mod appeal;
pub mod approval;
pub mod claim;
pub mod credit;
pub mod deadline;
pub mod dispute;
pub mod escalation;
pub mod liability;
pub mod lifecycle;
pub mod limits;
pub mod number;
pub mod reconciliation;
pub mod remittance;
pub mod x12;
