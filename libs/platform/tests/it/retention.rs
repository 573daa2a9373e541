//! Idempotency records expire: rows back-dated past the retention are
//! purged (by a call with an injected clock and by the purge task), recent
//! ones stay, and a purged request id runs anew.

use std::time::Duration;

use chrono::Utc;
use recourse_platform::auth::{Principal, Role};
use recourse_platform::config::RetentionSettings;
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::retention::{purge_once, spawn_purger};
use recourse_test_support::{Backend, backend_tests};
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::idempotency::{TABLE, database};

async fn record(db: &DatabaseConnection, request_id: &str, answer: &str) -> String {
    let caller = Principal::new("ops", Role::Internal, None).unwrap();
    let key = IdempotencyKey::new("CreateThing", &caller, request_id, &"body".to_owned()).unwrap();
    let answer = answer.to_owned();
    TABLE.run(db, key, async |_txn| Ok(answer)).await.unwrap()
}

async fn back_date(db: &DatabaseConnection, request_id: &str, days: i64) {
    let update = Query::update()
        .table(Alias::new(TABLE.0))
        .value(
            Alias::new("created_at"),
            Utc::now() - chrono::Duration::days(days),
        )
        .and_where(Expr::col(Alias::new("request_id")).eq(request_id))
        .to_owned();
    db.execute(&update).await.unwrap();
}

async fn count(db: &DatabaseConnection) -> i64 {
    let select = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(Alias::new(TABLE.0))
        .to_owned();
    db.query_one(&select)
        .await
        .unwrap()
        .unwrap()
        .try_get("", "n")
        .unwrap()
}

async fn records_past_the_retention_are_purged_and_recent_ones_kept(backend: Backend) {
    let (_guard, db) = database(backend).await;
    record(&db, "old", "first answer").await;
    record(&db, "older", "x").await;
    record(&db, "recent", "y").await;
    back_date(&db, "old", 31).await;
    back_date(&db, "older", 45).await;
    back_date(&db, "recent", 29).await;
    let settings = RetentionSettings::default();
    assert_eq!(settings.idempotency_days, 30);
    let deleted = purge_once(&db, &[TABLE], &settings, Utc::now())
        .await
        .unwrap();
    assert_eq!(deleted, 2, "31 and 45 days old go; 29 days stays");
    assert_eq!(count(&db).await, 1);
    // An injected clock two days on: the 29-day-old record expires too.
    let later = Utc::now() + chrono::Duration::days(2);
    assert_eq!(
        purge_once(&db, &[TABLE], &settings, later).await.unwrap(),
        1
    );
    // A purged request id is a new request: it runs and answers anew.
    assert_eq!(record(&db, "old", "second answer").await, "second answer");
}

async fn the_purge_task_runs_at_start(backend: Backend) {
    let (_guard, db) = database(backend).await;
    record(&db, "stale", "x").await;
    record(&db, "fresh", "y").await;
    back_date(&db, "stale", 40).await;
    let task = spawn_purger(
        "platform",
        db.clone(),
        vec![TABLE],
        RetentionSettings {
            purge_interval_seconds: 3_600,
            ..RetentionSettings::default()
        },
    );
    for _ in 0..250 {
        if count(&db).await == 1 {
            task.abort();
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the purge task did not purge the stale record");
}

backend_tests!(
    records_past_the_retention_are_purged_and_recent_ones_kept,
    the_purge_task_runs_at_start
);
