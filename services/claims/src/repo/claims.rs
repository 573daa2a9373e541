//! Claim rows ⇄ domain claims, their queries and numbering. Line items and
//! applied terms are stored as protobuf documents, decoded in one place
//! (`convert::replay`).

use chrono::NaiveDate;
use recourse_claims_domain::claim::{Claim, ClaimType, Claimant, ClaimantKind, Filer};
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_money::{Currency, Money};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Statement,
};

use super::corrupt;
use super::documents::{documents_of, documents_of_many};
use super::entity::claim;
use crate::convert::replay::{decode_line_items, decode_terms, encode_line_items, encode_terms};

/// `CLAIM_TYPE_LOSS`: the stored spelling (the protobuf enum's name).
fn type_column(t: ClaimType) -> String {
    format!("CLAIM_TYPE_{}", t.code())
}

fn kind_column(k: ClaimantKind) -> String {
    format!("CLAIMANT_KIND_{}", k.code())
}

/// A stored row as a claim, without its documents.
fn from_row(r: claim::Model) -> Result<Claim, DbErr> {
    let currency = Currency::parse(&r.currency).map_err(|_| corrupt("currency", &r.currency))?;
    let money = |minor: i64| Money::new(minor, currency);
    let claim_type = r
        .claim_type
        .strip_prefix("CLAIM_TYPE_")
        .and_then(ClaimType::from_code)
        .ok_or_else(|| corrupt("claim type", &r.claim_type))?;
    let kind = r
        .claimant_kind
        .strip_prefix("CLAIMANT_KIND_")
        .and_then(ClaimantKind::from_code)
        .ok_or_else(|| corrupt("claimant", &r.claimant_kind))?;
    let subject = format!("claims/{}", r.id);
    Ok(Claim {
        status: ClaimStatus::parse(&r.status).ok_or_else(|| corrupt("status", &r.status))?,
        claim_type,
        claimant: Claimant {
            kind,
            name: r.claimant_name,
            on_behalf_of: r.on_behalf_of,
        },
        line_items: decode_line_items(&r.line_items, &subject).map_err(|e| corrupt("claim", e))?,
        terms: r
            .terms
            .map(|t| decode_terms(&t, currency, &subject))
            .transpose()
            .map_err(|e| corrupt("claim", e))?,
        claimed: money(r.claimed_minor),
        declared_value: r.declared_value_minor.map(money),
        approved: r.approved_minor.map(money),
        recovered: money(r.recovered_minor),
        written_off: money(r.written_off_minor),
        documents: Vec::new(),
        id: r.id,
        number: r.number,
        carrier_id: r.carrier_id,
        shipment_id: r.shipment_id,
        tracking_number: r.tracking_number,
        service_level: r.service_level,
        notes: r.notes,
        submitted_at: r.submitted_at,
        approved_at: r.approved_at,
        revision: r.revision,
        created_at: r.created_at,
        updated_at: r.updated_at,
        filer: Filer {
            subject: r.filed_by,
            role: r.filed_by_role,
            account: r.filing_account,
        },
    })
}

fn row(c: &Claim) -> claim::ActiveModel {
    let terms = c.terms.as_ref();
    claim::ActiveModel {
        id: Set(c.id.clone()),
        number: Set(c.number.clone()),
        carrier_id: Set(c.carrier_id.clone()),
        shipment_id: Set(c.shipment_id.clone()),
        tracking_number: Set(c.tracking_number.clone()),
        service_level: Set(c.service_level.clone()),
        claim_type: Set(type_column(c.claim_type)),
        status: Set(c.status.as_str().to_owned()),
        claimant_kind: Set(kind_column(c.claimant.kind)),
        claimant_name: Set(c.claimant.name.clone()),
        on_behalf_of: Set(c.claimant.on_behalf_of.clone()),
        line_items: Set(encode_line_items(&c.line_items)),
        declared_value_minor: Set(c.declared_value.map(|m| m.amount_minor())),
        currency: Set(c.currency().as_str().to_owned()),
        claimed_minor: Set(c.claimed.amount_minor()),
        notes: Set(c.notes.clone()),
        terms: Set(terms.map(encode_terms)),
        liability_cap_minor: Set(terms.map(|t| t.liability_cap.amount_minor())),
        approved_minor: Set(c.approved.map(|m| m.amount_minor())),
        approved_on: Set(c.approved_on()),
        recovered_minor: Set(c.recovered.amount_minor()),
        written_off_minor: Set(c.written_off.amount_minor()),
        submitted_at: Set(c.submitted_at),
        approved_at: Set(c.approved_at),
        acknowledge_due: Set(terms.map(|t| t.acknowledge_due)),
        decision_due: Set(terms.map(|t| t.decision_due)),
        revision: Set(c.revision),
        created_at: Set(c.created_at),
        updated_at: Set(c.updated_at),
        filed_by: Set(c.filer.subject.clone()),
        filed_by_role: Set(c.filer.role.clone()),
        filing_account: Set(c.filer.account.clone()),
    }
}

/// The predicate of `ux_claims_open_shipment_type` (migration
/// `m20261123_000001_one_open_claim`), word for word.
const OPEN_CLAIM_PREDICATE: &str = "status NOT IN ('closed', 'withdrawn')";

/// Inserts `c` unless its shipment already has an open claim of its type,
/// and says whether it did. The partial unique index
/// `ux_claims_open_shipment_type` decides (its predicate is repeated as the
/// conflict target's, so PostgreSQL and SQLite both pick that index), and a
/// conflict inserts nothing instead of failing: no savepoint is needed to
/// keep the transaction usable, which saves two round trips while the
/// claim-number row is locked.
pub async fn insert_unless_open<C: ConnectionTrait>(conn: &C, c: &Claim) -> Result<bool, DbErr> {
    let mut on_conflict =
        OnConflict::columns([claim::Column::ShipmentId, claim::Column::ClaimType]);
    // Literal, not bound: neither database matches a partial index against
    // a predicate whose values are parameters.
    on_conflict
        .target_and_where(Expr::cust(OPEN_CLAIM_PREDICATE))
        .do_nothing();
    let inserted = claim::Entity::insert(row(c))
        .on_conflict(on_conflict)
        .exec_without_returning(conn)
        .await?;
    Ok(inserted == 1)
}

/// Writes `c` if the stored revision is still `expected`.
pub async fn replace<C: ConnectionTrait>(
    conn: &C,
    c: &Claim,
    expected: i64,
) -> Result<bool, DbErr> {
    let result = claim::Entity::update_many()
        .set(row(c))
        .filter(claim::Column::Id.eq(c.id.as_str()))
        .filter(claim::Column::Revision.eq(expected))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

async fn with_documents<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<claim::Model>,
) -> Result<Vec<Claim>, DbErr> {
    let mut claims = rows
        .into_iter()
        .map(from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<&str> = claims.iter().map(|c| c.id.as_str()).collect();
    let mut documents = documents_of_many(conn, &ids).await?;
    for c in &mut claims {
        c.documents = documents.remove(&c.id).unwrap_or_default();
    }
    Ok(claims)
}

/// The claim with its documents.
pub async fn find<C: ConnectionTrait>(conn: &C, id: &str) -> Result<Option<Claim>, DbErr> {
    let Some(row) = claim::Entity::find_by_id(id.to_owned()).one(conn).await? else {
        return Ok(None);
    };
    let mut claim = from_row(row)?;
    claim.documents = documents_of(conn, &claim.id).await?;
    Ok(Some(claim))
}

/// Locks the claims `ids` for the caller's transaction (`FOR UPDATE` on
/// PostgreSQL, in id order so two transactions locking overlapping sets
/// cannot deadlock; SQLite has one writer) and reads them.
pub async fn lock<C: ConnectionTrait>(conn: &C, ids: &[String]) -> Result<Vec<Claim>, DbErr> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1_000) {
        let rows = claim::Entity::find()
            .filter(claim::Column::Id.is_in(chunk.iter().map(String::as_str)))
            .order_by_asc(claim::Column::Id)
            .lock_exclusive()
            .all(conn)
            .await?;
        out.extend(with_documents(conn, rows).await?);
    }
    Ok(out)
}

/// The ids of the claims named by id or by number, one query each.
pub async fn ids_by_reference<C: ConnectionTrait>(
    conn: &C,
    ids: &[String],
    numbers: &[String],
) -> Result<Vec<(String, String, String)>, DbErr> {
    let mut out = Vec::new();
    for (column, keys) in [(claim::Column::Id, ids), (claim::Column::Number, numbers)] {
        for chunk in keys.chunks(1_000) {
            let rows: Vec<(String, String, String)> = claim::Entity::find()
                .select_only()
                .columns([
                    claim::Column::Id,
                    claim::Column::Number,
                    claim::Column::CarrierId,
                ])
                .filter(column.is_in(chunk.iter().map(String::as_str)))
                .into_tuple()
                .all(conn)
                .await?;
            out.extend(rows);
        }
    }
    Ok(out)
}

/// Ids and tracking numbers of a carrier's approved claims for these
/// tracking numbers, oldest first.
pub async fn approved_by_tracking<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
    tracking_numbers: &[String],
) -> Result<Vec<(String, String)>, DbErr> {
    let mut out = Vec::new();
    for chunk in tracking_numbers.chunks(1_000) {
        let rows: Vec<(String, String)> = claim::Entity::find()
            .select_only()
            .columns([claim::Column::Id, claim::Column::TrackingNumber])
            .filter(claim::Column::CarrierId.eq(carrier_id))
            .filter(claim::Column::TrackingNumber.is_in(chunk.iter().map(String::as_str)))
            .filter(claim::Column::Status.is_in([
                ClaimStatus::Approved.as_str(),
                ClaimStatus::PartiallyApproved.as_str(),
            ]))
            .order_by_asc(claim::Column::Id)
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// The open claim (any status but closed and withdrawn) of `claim_type` on
/// a shipment, other than `except`; the unique index allows at most one.
pub async fn open_claim<C: ConnectionTrait>(
    conn: &C,
    shipment_id: &str,
    claim_type: ClaimType,
    except: Option<&str>,
) -> Result<Option<Claim>, DbErr> {
    let mut query = claim::Entity::find()
        .filter(claim::Column::ShipmentId.eq(shipment_id))
        .filter(claim::Column::ClaimType.eq(type_column(claim_type)))
        .filter(claim::Column::Status.is_not_in([
            ClaimStatus::Closed.as_str(),
            ClaimStatus::Withdrawn.as_str(),
        ]));
    if let Some(id) = except {
        query = query.filter(claim::Column::Id.ne(id));
    }
    query.one(conn).await?.map(from_row).transpose()
}

/// What a list may show; every set field narrows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimFilter {
    pub carrier_id: Option<String>,
    pub status: Option<ClaimStatus>,
    pub shipment_id: Option<String>,
    pub claim_type: Option<ClaimType>,
    /// Only the claims this 3PL account filed.
    pub filing_account: Option<String>,
    /// Only claims submitted at some point (a carrier never sees drafts).
    pub submitted_only: bool,
}

fn filtered(f: &ClaimFilter) -> Select<claim::Entity> {
    let mut query = claim::Entity::find();
    if let Some(c) = &f.carrier_id {
        query = query.filter(claim::Column::CarrierId.eq(c.as_str()));
    }
    if let Some(s) = f.status {
        query = query.filter(claim::Column::Status.eq(s.as_str()));
    }
    if let Some(s) = &f.shipment_id {
        query = query.filter(claim::Column::ShipmentId.eq(s.as_str()));
    }
    if let Some(t) = f.claim_type {
        query = query.filter(claim::Column::ClaimType.eq(type_column(t)));
    }
    if let Some(a) = &f.filing_account {
        query = query.filter(claim::Column::FilingAccount.eq(a.as_str()));
    }
    if f.submitted_only {
        query = query.filter(claim::Column::SubmittedAt.is_not_null());
    }
    query
}

/// One page of claims after `after` (by id), with their documents: two
/// queries whatever the page holds.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    f: &ClaimFilter,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Claim>, DbErr> {
    let mut query = filtered(f);
    if let Some(after) = after {
        query = query.filter(claim::Column::Id.gt(after));
    }
    let rows = query
        .order_by_asc(claim::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    with_documents(conn, rows).await
}

/// One page of claims whose decision clock ran out before `as_of`, or
/// whose acknowledgement clock did while they are still submitted.
pub async fn overdue<C: ConnectionTrait>(
    conn: &C,
    f: &ClaimFilter,
    as_of: NaiveDate,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Claim>, DbErr> {
    let awaiting = ClaimStatus::ALL
        .into_iter()
        .filter(|s| s.awaits_decision())
        .map(ClaimStatus::as_str);
    let mut query = filtered(f)
        .filter(claim::Column::Status.is_in(awaiting))
        .filter(
            Condition::any()
                .add(claim::Column::DecisionDue.lt(as_of))
                .add(
                    Condition::all()
                        .add(claim::Column::Status.eq(ClaimStatus::Submitted.as_str()))
                        .add(claim::Column::AcknowledgeDue.lt(as_of)),
                ),
        );
    if let Some(after) = after {
        query = query.filter(claim::Column::Id.gt(after));
    }
    let rows = query
        .order_by_asc(claim::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    with_documents(conn, rows).await
}

/// The next claim number, unique across years (migration
/// `m20261127_000009_claim_number_sequence`). On PostgreSQL `nextval`: no
/// lock held to the commit, so concurrent creations do not queue on it (a
/// rolled-back creation leaves a gap). On SQLite, one writer at a time
/// anyway, the counter row in the caller's transaction.
pub async fn next_sequence<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    let backend = conn.get_database_backend();
    let sql = if backend == sea_orm::DbBackend::Postgres {
        "SELECT nextval('claim_numbers') AS last"
    } else {
        "UPDATE claim_number_counter SET last = last + 1 WHERE id = 1 RETURNING last"
    };
    let result = conn
        .query_one_raw(Statement::from_string(backend, sql))
        .await?
        .ok_or_else(|| DbErr::Custom("claim number sequence returned nothing".into()))?;
    let last: i64 = result.try_get("", "last")?;
    u64::try_from(last).map_err(|_| corrupt("sequence", last))
}

/// Every carrier with a claim or a dispute here (the escalation scan's
/// carriers).
pub async fn carriers<C: ConnectionTrait>(conn: &C) -> Result<Vec<String>, DbErr> {
    let backend = conn.get_database_backend();
    let rows = conn
        .query_all_raw(sea_orm::Statement::from_string(
            backend,
            "SELECT carrier_id FROM claims UNION SELECT carrier_id FROM claims_disputes \
             ORDER BY carrier_id",
        ))
        .await?;
    rows.iter()
        .map(|r| r.try_get::<String>("", "carrier_id"))
        .collect()
}

/// Whether any claim was filed for the shipment.
pub async fn has_claim_for<C: ConnectionTrait>(conn: &C, shipment_id: &str) -> Result<bool, DbErr> {
    Ok(claim::Entity::find()
        .filter(claim::Column::ShipmentId.eq(shipment_id))
        .one(conn)
        .await?
        .is_some())
}
