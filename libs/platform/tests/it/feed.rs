//! Feeds across replicas: a write numbered by one replica's relay wakes a
//! subscriber of another replica through PostgreSQL NOTIFY, with the
//! fallback tick so long that nothing else could explain it. SQLite is one
//! process, where the relay's in-process wake does the same job.

use std::time::Duration;

use recourse_platform::outbox::{FeedFilter, NewEvent, OutboxTable, Relay, follow};
use recourse_test_support::{Backend, TestDatabase, backend_tests};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use tokio_stream::StreamExt as _;

const OUTBOX: OutboxTable = OutboxTable("test_outbox");
/// Never, as far as a test is concerned.
const FALLBACK: Duration = Duration::from_secs(3_600);

async fn connect(db: &TestDatabase) -> DatabaseConnection {
    recourse_platform::database::connect(&db.settings, "platform")
        .await
        .unwrap()
}

fn event(n: u32) -> NewEvent {
    NewEvent {
        event_type: "thing.created".into(),
        subject: format!("things/{n}"),
        carrier_id: String::new(),
        payload: vec![1, 2, 3],
    }
}

async fn a_write_wakes_a_subscriber_of_another_replica_without_polling(backend: Backend) {
    let test_db = TestDatabase::new(backend).await;
    // Two replicas: separate pools, so separate connections (and on
    // PostgreSQL, separate listeners).
    let writer_db = connect(&test_db).await;
    let (table, index) = OUTBOX.create_statements();
    writer_db.execute(&table).await.unwrap();
    writer_db.execute(&index).await.unwrap();
    let writer = Relay::spawn(OUTBOX, writer_db.clone(), FALLBACK);
    let (reader_db, reader) = match backend {
        Backend::Postgres => {
            let db = connect(&test_db).await;
            let relay = Relay::spawn(OUTBOX, db.clone(), FALLBACK);
            (db, relay)
        }
        // One process: the subscriber shares the writer's relay.
        Backend::Sqlite => (writer_db.clone(), writer.clone()),
    };
    reader.listening().await;

    let mut feed = follow(OUTBOX, reader_db, &reader, 0, FeedFilter::default(), |e| {
        Ok(e.position)
    });
    for n in 1..=3i64 {
        // Let the subscriber catch up and wait before each write, so the
        // write must wake it (a write before its read would be read anyway).
        tokio::time::sleep(Duration::from_millis(200)).await;
        OUTBOX.append(&writer_db, event(n as u32)).await.unwrap();
        writer.poke();
        let next = tokio::time::timeout(Duration::from_secs(20), feed.next())
            .await
            .unwrap_or_else(|_| panic!("event {n} did not wake the other replica's subscriber"));
        assert_eq!(next.unwrap().unwrap(), n);
    }
    // The reader's replica knows the head from the notifications alone
    // (its own relay never ran: nothing poked it and its tick is an hour).
    assert_eq!(
        reader
            .stats()
            .head
            .load(std::sync::atomic::Ordering::Relaxed),
        3
    );
    // The subscriber records its position just after handing the event on.
    for _ in 0..100 {
        if reader.stats().subscriber_lag() == (1, 0) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("subscriber lag: {:?}", reader.stats().subscriber_lag());
}

/// An outbox with the party column: a party's filter reads only the
/// events appended for it, through its own index; an outbox without the
/// column keeps appending as before.
async fn a_party_filter_reads_only_that_partys_events(backend: Backend) {
    const PARTY_OUTBOX: OutboxTable = OutboxTable("party_outbox");
    let test_db = TestDatabase::new(backend).await;
    let db = connect(&test_db).await;
    let (table, index) = PARTY_OUTBOX.create_statements();
    db.execute(&table).await.unwrap();
    db.execute(&index).await.unwrap();
    let (alter, party_index) = PARTY_OUTBOX.party_column_statements();
    db.execute(&alter).await.unwrap();
    db.execute(&party_index).await.unwrap();
    for (n, party) in [(1, "fast3pl"), (2, ""), (3, "other3pl"), (4, "fast3pl")] {
        PARTY_OUTBOX
            .append_for_party(&db, event(n), party)
            .await
            .unwrap();
    }
    // Without a party: an event of nobody's.
    PARTY_OUTBOX.append(&db, event(5)).await.unwrap();
    PARTY_OUTBOX.assign_positions(&db).await.unwrap();
    let read = |party: Option<&str>| {
        let filter = FeedFilter {
            party_id: party.map(str::to_owned),
            ..FeedFilter::default()
        };
        let db = db.clone();
        async move {
            PARTY_OUTBOX
                .read_after(&db, 0, &filter, 100)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.position)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(read(Some("fast3pl")).await, [1, 4]);
    assert_eq!(read(Some("other3pl")).await, [3]);
    assert_eq!(read(None).await, [1, 2, 3, 4, 5]);
}

backend_tests!(
    a_write_wakes_a_subscriber_of_another_replica_without_polling,
    a_party_filter_reads_only_that_partys_events,
);
