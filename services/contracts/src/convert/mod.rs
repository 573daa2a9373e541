//! Protobuf ⇄ domain for the contracts service. Parsing collects every field
//! violation with its path.

pub mod common;
pub mod shipment;
pub mod sla_terms;
pub mod terms;
