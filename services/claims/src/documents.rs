//! Claim documents: metadata, and content uploaded into a local directory
//! store (`documents.store_dir`) with its SHA-256 verified while streaming.

use std::path::PathBuf;

use chrono::Utc;
use futures::{Stream, StreamExt as _};
use recourse_platform::ApiError;
use recourse_platform::auth::Principal;
use recourse_proto::claims as pb;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt as _;

use crate::claims::{ClaimDesk, ensure_may_see};
use crate::convert::document_to_proto;
use crate::events::{Data, new_event};
use crate::repo::claims as repo;
use crate::repo::entity::document;
use recourse_claims_migration::OUTBOX;

#[derive(Debug, Clone)]
pub struct DocumentStore {
    dir: PathBuf,
    max_bytes: u64,
}

fn kind_name(kind: i32) -> Option<&'static str> {
    recourse_proto::contracts::DocumentKind::try_from(kind)
        .ok()
        .filter(|k| *k != recourse_proto::contracts::DocumentKind::Unspecified)
        .map(|k| k.as_str_name())
}

fn valid_sha(s: &str) -> bool {
    s.len() == 64
        && s.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

fn file_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
}

impl DocumentStore {
    pub fn new(dir: PathBuf, max_bytes: u64) -> Self {
        Self { dir, max_bytes }
    }

    /// Records metadata only (content kept elsewhere, not verified here).
    pub async fn add(
        &self,
        desk: &ClaimDesk,
        caller: &Principal,
        claim_id: &str,
        doc: &pb::Document,
    ) -> Result<pb::Document, ApiError> {
        let mut v = recourse_platform::Violations::new();
        let kind = kind_name(doc.kind);
        v.check(kind.is_some(), "document.kind", "must be a document kind");
        v.check(
            file_name_ok(&doc.file_name),
            "document.file_name",
            "must be 1-255 characters without slashes",
        );
        v.check(
            valid_sha(&doc.sha256),
            "document.sha256",
            "must be 64 lower-case hex digits",
        );
        v.check(
            doc.size_bytes > 0 && doc.size_bytes <= self.max_bytes,
            "document.size_bytes",
            format!("must be 1-{} bytes", self.max_bytes),
        );
        v.check(
            doc.storage_uri.len() <= 2_000,
            "document.storage_uri",
            "must be at most 2000 characters",
        );
        v.into_result()?;
        let row = document::Model {
            id: uuid::Uuid::now_v7().to_string(),
            claim_id: claim_id.to_owned(),
            kind: kind.unwrap_or_default().to_owned(),
            file_name: doc.file_name.clone(),
            size_bytes: i64::try_from(doc.size_bytes).unwrap_or(i64::MAX),
            sha256: doc.sha256.clone(),
            storage_uri: doc.storage_uri.clone(),
            verified: false,
            created_at: Utc::now(),
        };
        self.save(desk, caller, row).await
    }

    async fn save(
        &self,
        desk: &ClaimDesk,
        caller: &Principal,
        row: document::Model,
    ) -> Result<pb::Document, ApiError> {
        let claim = desk.find(&row.claim_id).await?;
        ensure_may_see(caller, &claim)?;
        let txn = sea_orm::TransactionTrait::begin(desk.db()).await?;
        repo::insert_document(&txn, &row).await?;
        let proto = desk.to_proto(&txn, &claim).await?;
        OUTBOX
            .append(
                &txn,
                new_event(
                    "claim.document_added",
                    proto.name.clone(),
                    &claim.carrier_id,
                    Data::Claim(proto),
                ),
            )
            .await?;
        txn.commit().await?;
        desk.relay().poke();
        Ok(document_to_proto(&row))
    }

    /// Streams content to `<dir>/<claim>/<document>`, hashing as it goes; a
    /// hash mismatch or an oversize upload leaves nothing behind.
    pub async fn upload<S>(
        &self,
        desk: &ClaimDesk,
        caller: &Principal,
        mut parts: S,
    ) -> Result<pb::Document, ApiError>
    where
        S: Stream<Item = Result<pb::UploadDocumentRequest, tonic::Status>> + Unpin,
    {
        let header = match parts.next().await {
            Some(Ok(pb::UploadDocumentRequest {
                part: Some(pb::upload_document_request::Part::Header(h)),
            })) => h,
            Some(Err(status)) => {
                return Err(ApiError::invalid("header", status.message().to_owned()));
            }
            _ => {
                return Err(ApiError::invalid(
                    "header",
                    "the first message must carry the header",
                ));
            }
        };
        let mut v = recourse_platform::Violations::new();
        let claim_id = crate::api::claim_id(&mut v, "header.claim", &header.claim);
        let kind = kind_name(header.kind);
        v.check(kind.is_some(), "header.kind", "must be a document kind");
        v.check(
            file_name_ok(&header.file_name),
            "header.file_name",
            "must be 1-255 characters without slashes",
        );
        v.check(
            valid_sha(&header.sha256),
            "header.sha256",
            "must be 64 lower-case hex digits",
        );
        v.into_result()?;
        let claim_id = claim_id.unwrap_or_default();
        let claim = desk.find(&claim_id).await?;
        ensure_may_see(caller, &claim)?;
        let doc_id = uuid::Uuid::now_v7().to_string();
        let folder = self.dir.join(&claim_id);
        tokio::fs::create_dir_all(&folder)
            .await
            .map_err(ApiError::internal)?;
        let path = folder.join(&doc_id);
        let written = self.write(&path, &mut parts).await;
        let (size, sha) = match written {
            Ok(done) => done,
            Err(err) => {
                let _ = tokio::fs::remove_file(&path).await;
                return Err(err);
            }
        };
        if sha != header.sha256 {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(ApiError::invalid(
                "header.sha256",
                format!("the content hashes to {sha}, not {}", header.sha256),
            ));
        }
        let row = document::Model {
            id: doc_id,
            claim_id,
            kind: kind.unwrap_or_default().to_owned(),
            file_name: header.file_name.clone(),
            size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
            sha256: sha,
            storage_uri: format!("file://{}", path.display()),
            verified: true,
            created_at: Utc::now(),
        };
        self.save(desk, caller, row).await
    }

    async fn write<S>(
        &self,
        path: &std::path::Path,
        parts: &mut S,
    ) -> Result<(u64, String), ApiError>
    where
        S: Stream<Item = Result<pb::UploadDocumentRequest, tonic::Status>> + Unpin,
    {
        let mut file = tokio::fs::File::create(path)
            .await
            .map_err(ApiError::internal)?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        while let Some(part) = parts.next().await {
            let part = part.map_err(|s| ApiError::invalid("chunk", s.message().to_owned()))?;
            let Some(pb::upload_document_request::Part::Chunk(bytes)) = part.part else {
                return Err(ApiError::invalid(
                    "chunk",
                    "only the first message may carry a header",
                ));
            };
            size += bytes.len() as u64;
            if size > self.max_bytes {
                return Err(ApiError::invalid(
                    "chunk",
                    format!("documents are limited to {} bytes", self.max_bytes),
                ));
            }
            hasher.update(&bytes);
            file.write_all(&bytes).await.map_err(ApiError::internal)?;
        }
        if size == 0 {
            return Err(ApiError::invalid("chunk", "the document is empty"));
        }
        file.flush().await.map_err(ApiError::internal)?;
        Ok((size, hex::encode(hasher.finalize())))
    }
}
