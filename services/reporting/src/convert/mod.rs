//! Protobuf ⇄ domain: the feeds' events into facts, requests into report
//! parameters (every violation with its path), reports into responses and
//! CSV.

pub mod csv;
pub mod events;
pub mod qbr;
pub mod requests;
pub mod responses;
pub mod svg;
