//! Claim documents: metadata rows (the content is in the document store).

use std::collections::HashMap;

use recourse_claims_domain::claim::{Document, DocumentKind};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::corrupt;
use super::entity::document;

fn from_row(d: document::Model) -> Result<Document, DbErr> {
    Ok(Document {
        kind: d
            .kind
            .strip_prefix("DOCUMENT_KIND_")
            .and_then(DocumentKind::from_code)
            .ok_or_else(|| corrupt("document kind", &d.kind))?,
        size_bytes: u64::try_from(d.size_bytes).map_err(|_| corrupt("size", d.size_bytes))?,
        id: d.id,
        claim_id: d.claim_id,
        file_name: d.file_name,
        sha256: d.sha256,
        storage_uri: d.storage_uri,
        verified: d.verified,
        created_at: d.created_at,
    })
}

pub async fn insert<C: ConnectionTrait>(conn: &C, d: &Document) -> Result<(), DbErr> {
    document::Entity::insert(document::ActiveModel {
        id: Set(d.id.clone()),
        claim_id: Set(d.claim_id.clone()),
        kind: Set(format!("DOCUMENT_KIND_{}", d.kind.code())),
        file_name: Set(d.file_name.clone()),
        size_bytes: Set(i64::try_from(d.size_bytes).unwrap_or(i64::MAX)),
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
) -> Result<Vec<Document>, DbErr> {
    document::Entity::find()
        .filter(document::Column::ClaimId.eq(claim_id))
        .order_by_asc(document::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect()
}

/// Documents of many claims in one query per thousand claims, by claim id.
pub async fn documents_of_many<C: ConnectionTrait>(
    conn: &C,
    claim_ids: &[&str],
) -> Result<HashMap<String, Vec<Document>>, DbErr> {
    let mut out: HashMap<String, Vec<Document>> = HashMap::new();
    for chunk in claim_ids.chunks(1_000) {
        for d in document::Entity::find()
            .filter(document::Column::ClaimId.is_in(chunk.iter().copied()))
            .order_by_asc(document::Column::Id)
            .all(conn)
            .await?
        {
            let d = from_row(d)?;
            out.entry(d.claim_id.clone()).or_default().push(d);
        }
    }
    Ok(out)
}
