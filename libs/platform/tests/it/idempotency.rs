//! Idempotency keys on a real database: two principals never replay each
//! other's responses, even with the same request id, body and subject name.

use std::sync::atomic::{AtomicU32, Ordering};

use recourse_platform::auth::{Principal, Role};
use recourse_platform::idempotency::{IdempotencyKey, IdempotencyTable};
use recourse_test_support::{Backend, TestDatabase, backend_tests};
use sea_orm::{ConnectionTrait, DatabaseConnection};

pub const TABLE: IdempotencyTable = IdempotencyTable("test_idempotency");

pub async fn database(backend: Backend) -> (TestDatabase, DatabaseConnection) {
    let test_db = TestDatabase::new(backend).await;
    let db = recourse_platform::database::connect(&test_db.settings, "platform")
        .await
        .unwrap();
    db.execute(&TABLE.create_statement()).await.unwrap();
    (test_db, db)
}

/// Runs `request` as `principal` and returns what the work produced: the
/// name of the principal that actually ran it.
async fn run_as(db: &DatabaseConnection, principal: &Principal, runs: &AtomicU32) -> String {
    let request = "the same body".to_owned();
    let key = IdempotencyKey::new("CreateThing", principal, "req-1", &request).unwrap();
    let me = format!(
        "{}/{}/{:?}",
        principal.subject,
        principal.role,
        principal.scope()
    );
    TABLE
        .run(db, key, async |_txn| {
            runs.fetch_add(1, Ordering::SeqCst);
            Ok(me.clone())
        })
        .await
        .unwrap()
}

async fn two_principals_never_share_a_response(backend: Backend) {
    let (_guard, db) = database(backend).await;
    let runs = AtomicU32::new(0);
    // One integration name acting for two carriers, a 3PL and an admin with
    // the same subject: four principals, four results.
    let principals = [
        Principal::new("integration", Role::Carrier, Some("carrier-a".into())).unwrap(),
        Principal::new("integration", Role::Carrier, Some("carrier-b".into())).unwrap(),
        Principal::new("integration", Role::ThirdParty, Some("carrier-a".into())).unwrap(),
        Principal::new("integration", Role::Admin, None).unwrap(),
    ];
    let mut results = Vec::new();
    for principal in &principals {
        results.push(run_as(&db, principal, &runs).await);
    }
    assert_eq!(
        runs.load(Ordering::SeqCst),
        4,
        "each principal ran its own request"
    );
    for (principal, result) in principals.iter().zip(&results) {
        assert!(
            result.starts_with(&format!(
                "{}/{}/{:?}",
                principal.subject,
                principal.role,
                principal.scope()
            )),
            "{principal:?} got {result}"
        );
    }
    // A retry by each replays its own first result and runs nothing.
    for (principal, first) in principals.iter().zip(&results) {
        assert_eq!(&run_as(&db, principal, &runs).await, first);
    }
    assert_eq!(runs.load(Ordering::SeqCst), 4);
}

backend_tests!(two_principals_never_share_a_response);
