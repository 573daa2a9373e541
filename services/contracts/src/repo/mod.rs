//! Storage of the contracts service with sea-orm.

pub mod contracts;
pub mod deliveries;
pub mod entity;
pub mod evaluations;
pub mod invoices;
pub mod shipments;
pub mod shop;
pub mod tracking;

/// A stored row that does not parse: a bug or a hand edit, never user input.
pub fn corrupt(what: &str, value: impl std::fmt::Display) -> sea_orm::DbErr {
    sea_orm::DbErr::Custom(format!("corrupt contracts row: {what} `{value}`"))
}
