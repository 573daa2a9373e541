//! Contracts and their versions. Terms are one stored document per
//! version (`convert::terms` encodes and decodes it): read and written
//! whole, never queried inside.

use chrono::NaiveDate;
use recourse_contracts_domain::versions::{Contract, ContractVersion, Span, VersionStatus};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::ExprTrait as _;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::corrupt;
use super::entity::{contract, version};
use crate::convert::terms::{decode_document, encode_document};

fn contract_from(row: contract::Model) -> Contract {
    Contract {
        id: row.id,
        carrier_id: row.carrier_id,
        reference: row.reference,
        display_name: row.display_name,
        created_at: row.created_at,
    }
}

pub(crate) fn version_from(row: version::Model) -> Result<ContractVersion, DbErr> {
    Ok(ContractVersion {
        status: VersionStatus::parse(&row.status).ok_or_else(|| corrupt("status", &row.status))?,
        span: Span::new(row.effective_from, row.effective_to)
            .map_err(|_| corrupt("span", &row.id))?,
        terms: decode_document(&row.terms).ok_or_else(|| corrupt("terms", &row.id))?,
        number: u32::try_from(row.version).map_err(|_| corrupt("version", row.version))?,
        id: row.id,
        contract_id: row.contract_id,
        carrier_id: row.carrier_id,
        revision: row.revision,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn version_row(v: &ContractVersion) -> version::ActiveModel {
    version::ActiveModel {
        id: Set(v.id.clone()),
        contract_id: Set(v.contract_id.clone()),
        carrier_id: Set(v.carrier_id.clone()),
        version: Set(i32::try_from(v.number).unwrap_or(i32::MAX)),
        status: Set(v.status.as_str().to_owned()),
        effective_from: Set(v.span.from),
        effective_to: Set(v.span.to),
        currency: Set(v.terms.currency.as_str().to_owned()),
        terms: Set(encode_document(&v.terms)),
        revision: Set(v.revision),
        created_at: Set(v.created_at),
        updated_at: Set(v.updated_at),
    }
}

pub async fn insert_contract<C: ConnectionTrait>(conn: &C, c: &Contract) -> Result<(), DbErr> {
    contract::Entity::insert(contract::ActiveModel {
        id: Set(c.id.clone()),
        carrier_id: Set(c.carrier_id.clone()),
        reference: Set(c.reference.clone()),
        display_name: Set(c.display_name.clone()),
        created_at: Set(c.created_at),
        // The contract is created with its version 1.
        last_version: Set(1),
    })
    .exec(conn)
    .await?;
    Ok(())
}

pub async fn insert_version<C: ConnectionTrait>(
    conn: &C,
    v: &ContractVersion,
) -> Result<(), DbErr> {
    version::Entity::insert(version_row(v)).exec(conn).await?;
    Ok(())
}

/// Writes `v` if its stored revision is still `expected`.
pub async fn replace_version<C: ConnectionTrait>(
    conn: &C,
    v: &ContractVersion,
    expected: i64,
) -> Result<bool, DbErr> {
    let result = version::Entity::update_many()
        .set(version_row(v))
        .filter(version::Column::Id.eq(v.id.as_str()))
        .filter(version::Column::Revision.eq(expected))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The contract `id`; with `scope`, only if it is that carrier's (so "not
/// the caller's" and "does not exist" are one query and one answer).
pub async fn find_contract<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    scope: Option<&str>,
) -> Result<Option<Contract>, DbErr> {
    let mut query = contract::Entity::find_by_id(id.to_owned());
    if let Some(carrier) = scope {
        query = query.filter(contract::Column::CarrierId.eq(carrier));
    }
    Ok(query.one(conn).await?.map(contract_from))
}

pub async fn list_contracts<C: ConnectionTrait>(
    conn: &C,
    carrier_id: Option<&str>,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Contract>, DbErr> {
    let mut query = contract::Entity::find();
    if let Some(carrier) = carrier_id {
        query = query.filter(contract::Column::CarrierId.eq(carrier));
    }
    if let Some(after) = after {
        query = query.filter(contract::Column::Id.gt(after));
    }
    let rows = query
        .order_by_asc(contract::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(contract_from).collect())
}

pub async fn versions_of<C: ConnectionTrait>(
    conn: &C,
    contract_id: &str,
) -> Result<Vec<ContractVersion>, DbErr> {
    version::Entity::find()
        .filter(version::Column::ContractId.eq(contract_id))
        .order_by_asc(version::Column::Version)
        .all(conn)
        .await?
        .into_iter()
        .map(version_from)
        .collect()
}

/// The versions of every contract of a page, by contract, in version
/// order: one query for the page, not one per contract.
pub async fn versions_of_many<C: ConnectionTrait>(
    conn: &C,
    contract_ids: &[&str],
) -> Result<std::collections::HashMap<String, Vec<ContractVersion>>, DbErr> {
    let mut out: std::collections::HashMap<String, Vec<ContractVersion>> =
        std::collections::HashMap::new();
    if contract_ids.is_empty() {
        return Ok(out);
    }
    let rows = version::Entity::find()
        .filter(version::Column::ContractId.is_in(contract_ids.iter().copied()))
        .order_by_asc(version::Column::ContractId)
        .order_by_asc(version::Column::Version)
        .all(conn)
        .await?;
    for row in rows {
        let v = version_from(row)?;
        out.entry(v.contract_id.clone()).or_default().push(v);
    }
    Ok(out)
}

/// Version `number` of contract `contract_id`; with `scope`, only if it is
/// that carrier's.
pub async fn find_version<C: ConnectionTrait>(
    conn: &C,
    contract_id: &str,
    number: u32,
    scope: Option<&str>,
) -> Result<Option<ContractVersion>, DbErr> {
    let mut query = version::Entity::find()
        .filter(version::Column::ContractId.eq(contract_id))
        .filter(version::Column::Version.eq(i32::try_from(number).unwrap_or(i32::MAX)));
    if let Some(carrier) = scope {
        query = query.filter(version::Column::CarrierId.eq(carrier));
    }
    query.one(conn).await?.map(version_from).transpose()
}

/// Every non-draft version of a carrier (across its contracts).
pub async fn in_force_versions<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
) -> Result<Vec<ContractVersion>, DbErr> {
    version::Entity::find()
        .filter(version::Column::CarrierId.eq(carrier_id))
        .filter(version::Column::Status.ne(VersionStatus::Draft.as_str()))
        .order_by_asc(version::Column::EffectiveFrom)
        .all(conn)
        .await?
        .into_iter()
        .map(version_from)
        .collect()
}

/// The carrier's non-draft versions in force on some day of [first, last].
fn covering(
    carrier_id: &str,
    first: NaiveDate,
    last: NaiveDate,
) -> sea_orm::Select<version::Entity> {
    version::Entity::find()
        .filter(version::Column::CarrierId.eq(carrier_id))
        .filter(version::Column::Status.ne(VersionStatus::Draft.as_str()))
        .filter(version::Column::EffectiveFrom.lte(last))
        .filter(
            version::Column::EffectiveTo
                .is_null()
                .or(version::Column::EffectiveTo.gte(first)),
        )
}

/// The non-draft versions of a carrier in force on some day of [first,
/// last] (a period's): the few whose terms can apply to its shipments.
pub async fn versions_covering<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<ContractVersion>, DbErr> {
    covering(carrier_id, first, last)
        .order_by_asc(version::Column::EffectiveFrom)
        .all(conn)
        .await?
        .into_iter()
        .map(version_from)
        .collect()
}

/// The non-draft version of a carrier covering `date`, if any.
pub async fn version_on<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
    date: NaiveDate,
) -> Result<Option<ContractVersion>, DbErr> {
    let row = covering(carrier_id, date, date)
        .order_by_desc(version::Column::EffectiveFrom)
        .one(conn)
        .await?;
    row.map(version_from).transpose()
}

/// Gives out the contract's next version number: one `UPDATE … RETURNING`
/// on the contract's counter, so concurrent creations serialise on the row
/// and never get the same number. `None` when the contract does not exist.
pub async fn next_version_number<C: ConnectionTrait>(
    conn: &C,
    contract_id: &str,
) -> Result<Option<u32>, DbErr> {
    let update = sea_orm::sea_query::Query::update()
        .table(contract::Entity)
        .value(
            contract::Column::LastVersion,
            sea_orm::sea_query::Expr::col(contract::Column::LastVersion).add(1),
        )
        .and_where(contract::Column::Id.eq(contract_id))
        .returning_col(contract::Column::LastVersion)
        .to_owned();
    let row = conn.query_one(&update).await?;
    row.map(|r| {
        let n: i32 = r.try_get("", "last_version")?;
        u32::try_from(n).map_err(|_| corrupt("last_version", n))
    })
    .transpose()
}

/// Serialises the activations and expiries of one carrier's versions: on
/// PostgreSQL, locks every version row of the carrier (in id order, so two
/// lockers never deadlock) until the transaction ends, so the in-force
/// versions read next are the latest committed ones and stay so. SQLite
/// has a single writer connection: its transaction already runs alone.
pub async fn lock_carrier_versions<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    if backend == sea_orm::DbBackend::Postgres {
        conn.query_all_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            "SELECT id FROM contract_versions WHERE carrier_id = $1 ORDER BY id FOR UPDATE",
            [carrier_id.into()],
        ))
        .await?;
    }
    Ok(())
}
