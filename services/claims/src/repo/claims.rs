//! Claims, their history, documents and numbering.

use chrono::{DateTime, NaiveDate, Utc};
use prost::Message as _;
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_proto::claims as pb;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement,
};

use super::corrupt;
use super::entity::{claim, document, history};

#[derive(Debug, Clone, PartialEq)]
pub struct ClaimRecord {
    pub id: String,
    pub number: String,
    pub carrier_id: String,
    pub shipment_id: String,
    pub tracking_number: String,
    pub service_level: String,
    /// `recourse.contracts.v1.ClaimType` value.
    pub claim_type: i32,
    pub status: ClaimStatus,
    pub claimant: pb::Claimant,
    pub line_items: Vec<pb::LineItem>,
    pub declared_value_minor: Option<i64>,
    pub currency: String,
    pub claimed_minor: i64,
    pub notes: String,
    pub terms: Option<pb::AppliedTerms>,
    pub liability_cap_minor: Option<i64>,
    pub approved_minor: Option<i64>,
    pub approved_on: Option<NaiveDate>,
    pub recovered_minor: i64,
    pub written_off_minor: i64,
    pub submitted_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub acknowledge_due: Option<NaiveDate>,
    pub decision_due: Option<NaiveDate>,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Who filed it: the principal's subject and role ("" before recorded).
    pub filed_by: String,
    pub filed_by_role: String,
    /// The 3PL account it was filed for ("" unless a 3PL filed it).
    pub filing_account: String,
}

fn claim_type_name(value: i32) -> String {
    recourse_proto::contracts::ClaimType::try_from(value)
        .map(|t| t.as_str_name().to_owned())
        .unwrap_or_default()
}

fn claimant_kind_name(value: i32) -> String {
    pb::ClaimantKind::try_from(value)
        .map(|k| k.as_str_name().to_owned())
        .unwrap_or_default()
}

fn from_row(r: claim::Model) -> Result<ClaimRecord, DbErr> {
    let claim_type = recourse_proto::contracts::ClaimType::from_str_name(&r.claim_type)
        .ok_or_else(|| corrupt("claim type", &r.claim_type))?;
    let kind = pb::ClaimantKind::from_str_name(&r.claimant_kind)
        .ok_or_else(|| corrupt("claimant", &r.claimant_kind))?;
    Ok(ClaimRecord {
        status: ClaimStatus::parse(&r.status).ok_or_else(|| corrupt("status", &r.status))?,
        claim_type: claim_type.into(),
        claimant: pb::Claimant {
            kind: kind.into(),
            name: r.claimant_name,
            on_behalf_of: r.on_behalf_of,
        },
        line_items: pb::LineItemList::decode(r.line_items.as_slice())
            .map_err(|_| corrupt("line items", &r.id))?
            .items,
        terms: r
            .terms
            .map(|t| pb::AppliedTerms::decode(t.as_slice()))
            .transpose()
            .map_err(|_| corrupt("terms", &r.id))?,
        id: r.id,
        number: r.number,
        carrier_id: r.carrier_id,
        shipment_id: r.shipment_id,
        tracking_number: r.tracking_number,
        service_level: r.service_level,
        declared_value_minor: r.declared_value_minor,
        currency: r.currency,
        claimed_minor: r.claimed_minor,
        notes: r.notes,
        liability_cap_minor: r.liability_cap_minor,
        approved_minor: r.approved_minor,
        approved_on: r.approved_on,
        recovered_minor: r.recovered_minor,
        written_off_minor: r.written_off_minor,
        submitted_at: r.submitted_at,
        approved_at: r.approved_at,
        acknowledge_due: r.acknowledge_due,
        decision_due: r.decision_due,
        revision: r.revision,
        created_at: r.created_at,
        updated_at: r.updated_at,
        filed_by: r.filed_by,
        filed_by_role: r.filed_by_role,
        filing_account: r.filing_account,
    })
}

fn row(c: &ClaimRecord) -> claim::ActiveModel {
    claim::ActiveModel {
        id: Set(c.id.clone()),
        number: Set(c.number.clone()),
        carrier_id: Set(c.carrier_id.clone()),
        shipment_id: Set(c.shipment_id.clone()),
        tracking_number: Set(c.tracking_number.clone()),
        service_level: Set(c.service_level.clone()),
        claim_type: Set(claim_type_name(c.claim_type)),
        status: Set(c.status.as_str().to_owned()),
        claimant_kind: Set(claimant_kind_name(c.claimant.kind)),
        claimant_name: Set(c.claimant.name.clone()),
        on_behalf_of: Set(c.claimant.on_behalf_of.clone()),
        line_items: Set(pb::LineItemList {
            items: c.line_items.clone(),
        }
        .encode_to_vec()),
        declared_value_minor: Set(c.declared_value_minor),
        currency: Set(c.currency.clone()),
        claimed_minor: Set(c.claimed_minor),
        notes: Set(c.notes.clone()),
        terms: Set(c.terms.as_ref().map(prost::Message::encode_to_vec)),
        liability_cap_minor: Set(c.liability_cap_minor),
        approved_minor: Set(c.approved_minor),
        approved_on: Set(c.approved_on),
        recovered_minor: Set(c.recovered_minor),
        written_off_minor: Set(c.written_off_minor),
        submitted_at: Set(c.submitted_at),
        approved_at: Set(c.approved_at),
        acknowledge_due: Set(c.acknowledge_due),
        decision_due: Set(c.decision_due),
        revision: Set(c.revision),
        created_at: Set(c.created_at),
        updated_at: Set(c.updated_at),
        filed_by: Set(c.filed_by.clone()),
        filed_by_role: Set(c.filed_by_role.clone()),
        filing_account: Set(c.filing_account.clone()),
    }
}

pub async fn insert<C: ConnectionTrait>(conn: &C, c: &ClaimRecord) -> Result<(), DbErr> {
    claim::Entity::insert(row(c)).exec(conn).await?;
    Ok(())
}

/// Writes `c` if the stored revision is still `expected`.
pub async fn replace<C: ConnectionTrait>(
    conn: &C,
    c: &ClaimRecord,
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

pub async fn find<C: ConnectionTrait>(conn: &C, id: &str) -> Result<Option<ClaimRecord>, DbErr> {
    claim::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .map(from_row)
        .transpose()
}

pub async fn find_by_number<C: ConnectionTrait>(
    conn: &C,
    number: &str,
) -> Result<Option<ClaimRecord>, DbErr> {
    claim::Entity::find()
        .filter(claim::Column::Number.eq(number))
        .one(conn)
        .await?
        .map(from_row)
        .transpose()
}

/// The open claim (any status but closed and withdrawn) of `claim_type` on
/// a shipment, other than `except`; the unique index allows at most one.
pub async fn open_claim<C: ConnectionTrait>(
    conn: &C,
    shipment_id: &str,
    claim_type: i32,
    except: Option<&str>,
) -> Result<Option<ClaimRecord>, DbErr> {
    let mut query = claim::Entity::find()
        .filter(claim::Column::ShipmentId.eq(shipment_id))
        .filter(claim::Column::ClaimType.eq(claim_type_name(claim_type)))
        .filter(claim::Column::Status.is_not_in([
            ClaimStatus::Closed.as_str(),
            ClaimStatus::Withdrawn.as_str(),
        ]));
    if let Some(id) = except {
        query = query.filter(claim::Column::Id.ne(id));
    }
    query.one(conn).await?.map(from_row).transpose()
}

#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    pub carrier_id: Option<String>,
    pub status: Option<ClaimStatus>,
    pub statuses: Vec<ClaimStatus>,
    pub shipment_id: Option<String>,
    pub tracking_number: Option<String>,
    pub claim_type: Option<i32>,
    /// Only the claims this 3PL account filed.
    pub filing_account: Option<String>,
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    f: &ClaimFilter,
    after: Option<&str>,
    limit: Option<u64>,
) -> Result<Vec<ClaimRecord>, DbErr> {
    let mut query = claim::Entity::find();
    if let Some(c) = &f.carrier_id {
        query = query.filter(claim::Column::CarrierId.eq(c.as_str()));
    }
    if let Some(s) = f.status {
        query = query.filter(claim::Column::Status.eq(s.as_str()));
    }
    if !f.statuses.is_empty() {
        query = query.filter(claim::Column::Status.is_in(f.statuses.iter().map(|s| s.as_str())));
    }
    if let Some(s) = &f.shipment_id {
        query = query.filter(claim::Column::ShipmentId.eq(s.as_str()));
    }
    if let Some(t) = &f.tracking_number {
        query = query.filter(claim::Column::TrackingNumber.eq(t.as_str()));
    }
    if let Some(t) = f.claim_type {
        query = query.filter(claim::Column::ClaimType.eq(claim_type_name(t)));
    }
    if let Some(a) = &f.filing_account {
        query = query.filter(claim::Column::FilingAccount.eq(a.as_str()));
    }
    if let Some(after) = after {
        query = query.filter(claim::Column::Id.gt(after));
    }
    let mut query = query.order_by_asc(claim::Column::Id);
    if let Some(limit) = limit {
        query = query.limit(limit);
    }
    query.all(conn).await?.into_iter().map(from_row).collect()
}

/// The next number of `year`, in the caller's transaction (the row lock
/// serialises concurrent creations; numbers are never reused).
pub async fn next_sequence<C: ConnectionTrait>(conn: &C, year: i32) -> Result<u64, DbErr> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "INSERT INTO claim_sequences (year, last) VALUES ($1, 1) \
             ON CONFLICT (year) DO UPDATE SET last = claim_sequences.last + 1 RETURNING last"
        }
        _ => {
            "INSERT INTO claim_sequences (year, last) VALUES (?, 1) \
             ON CONFLICT (year) DO UPDATE SET last = claim_sequences.last + 1 RETURNING last"
        }
    };
    let result = conn
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [year.into()]))
        .await?
        .ok_or_else(|| DbErr::Custom("claim sequence returned nothing".into()))?;
    let last: i64 = result.try_get("", "last")?;
    u64::try_from(last).map_err(|_| corrupt("sequence", last))
}

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRecord {
    pub claim_id: String,
    pub from: ClaimStatus,
    pub to: ClaimStatus,
    pub actor: String,
    pub actor_role: String,
    pub reason: String,
    pub amount_minor: Option<i64>,
    pub at: DateTime<Utc>,
}

pub async fn append_history<C: ConnectionTrait>(conn: &C, h: &HistoryRecord) -> Result<(), DbErr> {
    history::Entity::insert(history::ActiveModel {
        id: NotSet,
        claim_id: Set(h.claim_id.clone()),
        from_status: Set(h.from.as_str().to_owned()),
        to_status: Set(h.to.as_str().to_owned()),
        actor: Set(h.actor.clone()),
        actor_role: Set(h.actor_role.clone()),
        reason: Set(h.reason.clone()),
        amount_minor: Set(h.amount_minor),
        at: Set(h.at),
    })
    .exec(conn)
    .await?;
    Ok(())
}

pub async fn history_of<C: ConnectionTrait>(
    conn: &C,
    claim_id: &str,
) -> Result<Vec<HistoryRecord>, DbErr> {
    history::Entity::find()
        .filter(history::Column::ClaimId.eq(claim_id))
        .order_by_asc(history::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|h| {
            Ok(HistoryRecord {
                from: ClaimStatus::parse(&h.from_status)
                    .ok_or_else(|| corrupt("history", &h.from_status))?,
                to: ClaimStatus::parse(&h.to_status)
                    .ok_or_else(|| corrupt("history", &h.to_status))?,
                claim_id: h.claim_id,
                actor: h.actor,
                actor_role: h.actor_role,
                reason: h.reason,
                amount_minor: h.amount_minor,
                at: h.at,
            })
        })
        .collect()
}

pub async fn insert_document<C: ConnectionTrait>(
    conn: &C,
    d: &document::Model,
) -> Result<(), DbErr> {
    document::Entity::insert(document::ActiveModel {
        id: Set(d.id.clone()),
        claim_id: Set(d.claim_id.clone()),
        kind: Set(d.kind.clone()),
        file_name: Set(d.file_name.clone()),
        size_bytes: Set(d.size_bytes),
        sha256: Set(d.sha256.clone()),
        storage_uri: Set(d.storage_uri.clone()),
        verified: Set(d.verified),
        created_at: Set(d.created_at),
    })
    .exec(conn)
    .await?;
    Ok(())
}

pub async fn documents_of<C: ConnectionTrait>(
    conn: &C,
    claim_id: &str,
) -> Result<Vec<document::Model>, DbErr> {
    document::Entity::find()
        .filter(document::Column::ClaimId.eq(claim_id))
        .order_by_asc(document::Column::Id)
        .all(conn)
        .await
}

/// Documents of many claims in one query, by claim id.
pub async fn documents_of_many<C: ConnectionTrait>(
    conn: &C,
    claim_ids: &[&str],
) -> Result<std::collections::HashMap<String, Vec<document::Model>>, DbErr> {
    let mut out: std::collections::HashMap<String, Vec<document::Model>> =
        std::collections::HashMap::new();
    for chunk in claim_ids.chunks(1_000) {
        for d in document::Entity::find()
            .filter(document::Column::ClaimId.is_in(chunk.iter().copied()))
            .order_by_asc(document::Column::Id)
            .all(conn)
            .await?
        {
            out.entry(d.claim_id.clone()).or_default().push(d);
        }
    }
    Ok(out)
}
