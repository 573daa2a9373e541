//! Claim documents through real gRPC: required kinds are checked at
//! submission, uploads are verified against their SHA-256.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use crate::common;

use common::{document, draft, spawn_app, submit, violated_fields};
use recourse_platform::auth::Role;
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use recourse_test_support::{Backend, backend_tests};
use tonic::Code;

use pb::ClaimStatus as S;

backend_tests!(
    uploaded_documents_are_hash_verified,
    missing_documents_are_listed,
);

async fn missing_documents_are_listed(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let claim = draft(&app, &world, "T1", cpb::ClaimType::Damage, 1, 5_000).await;
    let mut internal = app.claims(Role::Internal);
    internal
        .add_document(pb::AddDocumentRequest {
            claim: claim.name.clone(),
            document: Some(document(cpb::DocumentKind::Invoice, "invoice.pdf")),
        })
        .await
        .unwrap();
    let err = submit(&mut internal, &claim).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert!(err.message().contains("PHOTO"), "{err:?}");
    assert!(!err.message().contains("INVOICE"), "{err:?}");
    let still = internal
        .get_claim(pb::GetClaimRequest { name: claim.name })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(still.status(), S::Draft, "nothing changed");
    let listed = internal
        .list_claims(pb::ListClaimsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        listed.claims[0].documents.len(),
        1,
        "lists carry their documents"
    );
}

async fn uploaded_documents_are_hash_verified(backend: Backend) {
    use sha2::Digest as _;
    let app = spawn_app(backend).await;
    let world = app.world("ACME").await;
    let claim = draft(&app, &world, "T1", cpb::ClaimType::Damage, 1, 5_000).await;
    let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let sha = hex::encode(sha2::Sha256::digest(&content));
    let upload = |sha: String| {
        let mut parts = vec![pb::UploadDocumentRequest {
            part: Some(pb::upload_document_request::Part::Header(
                pb::UploadHeader {
                    claim: claim.name.clone(),
                    kind: cpb::DocumentKind::Photo.into(),
                    file_name: "crushed-box.jpg".into(),
                    sha256: sha,
                },
            )),
        }];
        parts.extend(
            content
                .chunks(64 * 1024)
                .map(|chunk| pb::UploadDocumentRequest {
                    part: Some(pb::upload_document_request::Part::Chunk(chunk.to_vec())),
                }),
        );
        tokio_stream::iter(parts)
    };
    let mut client = app.claims(Role::Internal);
    let err = client
        .upload_document(upload("0".repeat(64)))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&err), ["header.sha256"]);
    let doc = client
        .upload_document(upload(sha.clone()))
        .await
        .unwrap()
        .into_inner();
    assert!(doc.content_verified);
    assert_eq!(doc.size_bytes, 200_000);
    assert_eq!(doc.sha256, sha);
    let path = doc.storage_uri.strip_prefix("file://").unwrap();
    assert_eq!(
        std::fs::read(path).unwrap(),
        content,
        "the stored bytes are the uploaded ones"
    );
    let stored = client
        .get_claim(pb::GetClaimRequest { name: claim.name })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        stored.documents.len(),
        1,
        "the refused upload left nothing behind"
    );
}
