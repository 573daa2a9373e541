//! The read models in SQL. Statements are written once with `?`
//! placeholders and numbered for PostgreSQL (`$1`, …) by [`stmt`]; both
//! databases run the same SQL (upserts with `ON CONFLICT … DO UPDATE`,
//! `excluded`, `CASE`, `COALESCE`).

pub mod extras;
pub mod positions;
pub mod project;
pub mod reads;

use sea_orm::{DbBackend, Statement, Value};

/// `sql` with its `?` placeholders in the backend's syntax.
pub fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for ch in sql.chars() {
            if ch == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(ch);
            }
        }
        out
    } else {
        sql.to_owned()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// ISO `YYYY-MM-DD`, as dates are stored.
pub fn day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The (first, last) days of a carrier's everyday allocation row.
pub const ALWAYS: (&str, &str) = ("0000-01-01", "9999-12-31");
