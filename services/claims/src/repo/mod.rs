//! Storage of the claims service with sea-orm: rows in, domain values out.

pub mod books;
pub mod claims;
pub mod disputes;
pub mod documents;
pub mod entity;
pub mod escalations;
pub mod history;
pub mod reconciliation;
pub mod recoveries;
pub mod x12;

/// A stored row that does not parse: a bug or a hand edit, never user input.
pub fn corrupt(what: &str, value: impl std::fmt::Display) -> sea_orm::DbErr {
    sea_orm::DbErr::Custom(format!("corrupt claims row: {what} `{value}`"))
}
