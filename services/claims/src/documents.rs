//! Claim documents: metadata, and content uploaded into a local directory
//! store (`documents.store_dir`) with its SHA-256 verified while streaming.

use std::path::PathBuf;

use chrono::Utc;
use futures::{Stream, StreamExt as _};
use recourse_claims_domain::claim::{Claim, Document, DocumentKind};
use recourse_platform::auth::Principal;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt as _;

use crate::claims::ClaimDesk;
use crate::error::{ClaimsError, Refusal};
use crate::events;
use crate::repo::claims as claims_repo;
use crate::repo::documents as repo;
use recourse_claims_domain::limits::MAX_DOCUMENTS_PER_CLAIM;

/// A document's metadata as the caller states it.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub claim_id: String,
    pub kind: DocumentKind,
    pub file_name: String,
    /// The expected hex SHA-256 of the content.
    pub sha256: String,
    /// Only for metadata recorded without an upload.
    pub size_bytes: u64,
    pub storage_uri: String,
}

#[derive(Debug, Clone)]
pub struct DocumentStore {
    dir: PathBuf,
    max_bytes: u64,
}

impl DocumentStore {
    pub fn new(dir: PathBuf, max_bytes: u64) -> Self {
        Self { dir, max_bytes }
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Records metadata only (content kept elsewhere, not verified here).
    pub async fn add(
        &self,
        desk: &ClaimDesk,
        caller: &Principal,
        new: NewDocument,
    ) -> Result<Document, ClaimsError> {
        let claim = desk.get(caller, &new.claim_id).await?;
        let document = Document {
            id: uuid::Uuid::now_v7().to_string(),
            claim_id: new.claim_id,
            kind: new.kind,
            file_name: new.file_name,
            size_bytes: new.size_bytes,
            sha256: new.sha256,
            storage_uri: new.storage_uri,
            verified: false,
            created_at: Utc::now(),
        };
        save(desk, claim, document).await
    }

    /// Streams content to `<dir>/<claim>/<document>`, hashing as it goes; a
    /// hash mismatch or an oversize upload leaves nothing behind.
    pub async fn upload<S>(
        &self,
        desk: &ClaimDesk,
        caller: &Principal,
        new: NewDocument,
        mut chunks: S,
    ) -> Result<Document, ClaimsError>
    where
        S: Stream<Item = Result<Vec<u8>, ClaimsError>> + Unpin,
    {
        let claim = desk.get(caller, &new.claim_id).await?;
        let id = uuid::Uuid::now_v7().to_string();
        let folder = self.dir.join(&claim.id);
        tokio::fs::create_dir_all(&folder)
            .await
            .map_err(ClaimsError::internal)?;
        let path = folder.join(&id);
        let (size, sha) = match self.write(&path, &mut chunks).await {
            Ok(done) => done,
            Err(err) => {
                let _ = tokio::fs::remove_file(&path).await;
                return Err(err);
            }
        };
        if sha != new.sha256 {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(ClaimsError::invalid(
                "header.sha256",
                format!("the content hashes to {sha}, not {}", new.sha256),
            ));
        }
        let document = Document {
            id,
            claim_id: new.claim_id,
            kind: new.kind,
            file_name: new.file_name,
            size_bytes: size,
            sha256: sha,
            storage_uri: format!("file://{}", path.display()),
            verified: true,
            created_at: Utc::now(),
        };
        save(desk, claim, document).await
    }

    async fn write<S>(
        &self,
        path: &std::path::Path,
        chunks: &mut S,
    ) -> Result<(u64, String), ClaimsError>
    where
        S: Stream<Item = Result<Vec<u8>, ClaimsError>> + Unpin,
    {
        let mut file = tokio::fs::File::create(path)
            .await
            .map_err(ClaimsError::internal)?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        while let Some(bytes) = chunks.next().await {
            let bytes = bytes?;
            size += bytes.len() as u64;
            if size > self.max_bytes {
                return Err(ClaimsError::invalid(
                    "chunk",
                    format!("documents are limited to {} bytes", self.max_bytes),
                ));
            }
            hasher.update(&bytes);
            file.write_all(&bytes)
                .await
                .map_err(ClaimsError::internal)?;
        }
        if size == 0 {
            return Err(ClaimsError::invalid("chunk", "the document is empty"));
        }
        file.flush().await.map_err(ClaimsError::internal)?;
        Ok((size, hex::encode(hasher.finalize())))
    }
}

/// Stores the document's row with the claim's event, in one transaction;
/// the claim's row is locked while its documents are counted, so racing
/// uploads cannot pass [`MAX_DOCUMENTS_PER_CLAIM`] together.
async fn save(desk: &ClaimDesk, claim: Claim, document: Document) -> Result<Document, ClaimsError> {
    let txn = sea_orm::TransactionTrait::begin(desk.db()).await?;
    let mut claim = claims_repo::lock(&txn, std::slice::from_ref(&claim.id))
        .await?
        .pop()
        .ok_or_else(|| ClaimsError::claim_not_found(&claim.id))?;
    if claim.documents.len() >= MAX_DOCUMENTS_PER_CLAIM {
        return Err(ClaimsError::refused(
            Refusal::DocumentLimit,
            format!("claims/{}", claim.id),
            format!("a claim holds at most {MAX_DOCUMENTS_PER_CLAIM} documents"),
        ));
    }
    repo::insert(&txn, &document).await?;
    claim.documents.push(document.clone());
    events::append_claim(&txn, "claim.document_added", &claim, None).await?;
    txn.commit().await?;
    desk.relay().poke();
    Ok(document)
}
