//! Database connections: PostgreSQL when `database.url` is set, otherwise one
//! SQLite file per service under the data directory (WAL). Migrations run at
//! start.

use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};
use sea_orm_migration::MigratorTrait;

use crate::config::DatabaseSettings;

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("creating data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("connecting to the {service} database: {source}")]
    Connect { service: String, source: DbErr },
    #[error("migrating the {service} database: {source}")]
    Migrate { service: String, source: DbErr },
}

/// The URL a service's database lives at.
pub fn database_url(settings: &DatabaseSettings, service: &str) -> String {
    match &settings.url {
        Some(url) => url.clone(),
        None => format!(
            "sqlite://{}?mode=rwc",
            settings.data_dir.join(format!("{service}.db")).display()
        ),
    }
}

/// Connects to the database of `service` and applies its migrations.
pub async fn connect_and_migrate<M: MigratorTrait>(
    settings: &DatabaseSettings,
    service: &str,
) -> Result<DatabaseConnection, DatabaseError> {
    let db = connect(settings, service).await?;
    M::up(&db, None)
        .await
        .map_err(|source| DatabaseError::Migrate {
            service: service.to_owned(),
            source,
        })?;
    Ok(db)
}

pub async fn connect(
    settings: &DatabaseSettings,
    service: &str,
) -> Result<DatabaseConnection, DatabaseError> {
    let url = database_url(settings, service);
    let sqlite = url.starts_with("sqlite:");
    if sqlite && settings.url.is_none() {
        std::fs::create_dir_all(&settings.data_dir).map_err(|source| DatabaseError::DataDir {
            path: settings.data_dir.display().to_string(),
            source,
        })?;
    }
    let mut options = ConnectOptions::new(url);
    options
        .connect_timeout(Duration::from_secs(settings.connect_timeout_seconds))
        .sqlx_logging(false);
    // SQLite allows one writer; a single pooled connection serialises writes
    // in-process instead of failing them with SQLITE_BUSY under load.
    options.max_connections(if sqlite { 1 } else { settings.max_connections });
    let connect_err = |source| DatabaseError::Connect {
        service: service.to_owned(),
        source,
    };
    let db = Database::connect(options).await.map_err(connect_err)?;
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;")
            .await
            .map_err(connect_err)?;
    }
    Ok(db)
}

/// The SQLSTATE of a database error, when the database gave one.
// DbErr and sqlx::Error are foreign, non-exhaustive enums: only the SQLSTATE-bearing arms matter.
#[allow(clippy::wildcard_enum_match_arm)]
pub fn sqlstate(err: &DbErr) -> Option<String> {
    use sea_orm::RuntimeErr;
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            match e.as_ref() {
                sqlx::Error::Database(db) => db.code().map(|c| c.into_owned()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether a statement lost a race the database decided: an exclusion
/// constraint (23P01), a serialization failure (40001) or a deadlock
/// (40P01). The caller should answer ABORTED ("retry"), never INTERNAL.
/// Unique violations have their own meaning (ALREADY_EXISTS) and are
/// `idempotency::is_unique_violation`.
pub fn lost_race(err: &DbErr) -> bool {
    matches!(sqlstate(err).as_deref(), Some("23P01" | "40001" | "40P01"))
}
