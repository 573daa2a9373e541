//! Column and index shorthands for the services' migrations, so every
//! schema spells ids, money, times and indexes the same way.

use sea_orm_migration::prelude::{
    Alias, ColumnDef, Index, IndexCreateStatement, Table, TableCreateStatement,
};

pub fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}

/// A UUID text id (36 characters), not null.
pub fn id(name: &str) -> ColumnDef {
    col(name).string_len(36).not_null().to_owned()
}

pub fn text(name: &str, len: u32) -> ColumnDef {
    col(name).string_len(len).not_null().to_owned()
}

pub fn long_text(name: &str) -> ColumnDef {
    col(name).text().not_null().to_owned()
}

/// Money in minor units and counters.
pub fn big(name: &str) -> ColumnDef {
    col(name).big_integer().not_null().to_owned()
}

pub fn big_null(name: &str) -> ColumnDef {
    col(name).big_integer().null().to_owned()
}

pub fn time(name: &str) -> ColumnDef {
    col(name).timestamp_with_time_zone().not_null().to_owned()
}

pub fn time_null(name: &str) -> ColumnDef {
    col(name).timestamp_with_time_zone().null().to_owned()
}

pub fn date_null(name: &str) -> ColumnDef {
    col(name).date().null().to_owned()
}

pub fn table(name: &str) -> TableCreateStatement {
    Table::create().table(Alias::new(name)).to_owned()
}

pub fn index(name: &str, table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table));
    for c in cols {
        index.col(Alias::new(*c));
    }
    if unique {
        index.unique();
    }
    index.to_owned()
}
