//! Protobuf ⇄ domain for the contracts service. Parsing collects every field
//! violation with its path.

pub mod common;
pub mod terms;
