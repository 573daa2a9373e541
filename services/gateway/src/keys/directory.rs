//! The key lookup on every call: by key id (the primary key), cached for
//! `gateway.keys.cache_seconds` so a busy key costs no database round trip,
//! and the last-use time kept in memory and written in one batch every
//! `gateway.keys.last_used_flush_seconds` instead of once per call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use recourse_platform::auth::Principal;
use sea_orm::{DatabaseConnection, DbErr};

use crate::domain::{ApiKey, KeyId, PresentedKey, RateOverride, Refused, SecretHash};
use crate::repo;

/// The caller a key stands for, once its secret checked out.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub key_id: KeyId,
    pub principal: Principal,
    pub rate: Option<RateOverride>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
struct Cached {
    /// `None`: no such key (cached too, so random ids cost no query each).
    key: Option<ApiKey>,
    fetched: Instant,
}

#[derive(Debug)]
pub struct KeyDirectory {
    db: DatabaseConnection,
    ttl: Duration,
    max_cached: usize,
    cache: Mutex<HashMap<KeyId, Cached>>,
    /// Last successful use per key since the last flush.
    uses: Mutex<HashMap<KeyId, DateTime<Utc>>>,
}

/// A hash no secret has, compared against when the key id is unknown so an
/// unknown id takes as long as a wrong secret.
fn decoy() -> SecretHash {
    SecretHash::of("")
}

impl KeyDirectory {
    pub fn new(db: DatabaseConnection, cache_seconds: u64) -> Self {
        Self {
            db,
            ttl: Duration::from_secs(cache_seconds),
            max_cached: 100_000,
            cache: Mutex::new(HashMap::new()),
            uses: Mutex::new(HashMap::new()),
        }
    }

    async fn lookup(&self, id: &KeyId) -> Result<Option<ApiKey>, DbErr> {
        {
            let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(hit) = cache.get(id)
                && hit.fetched.elapsed() < self.ttl
            {
                return Ok(hit.key.clone());
            }
        }
        let key = repo::find(&self.db, id).await?;
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= self.max_cached {
            let ttl = self.ttl;
            cache.retain(|_, c| c.fetched.elapsed() < ttl);
            if cache.len() >= self.max_cached {
                cache.clear();
            }
        }
        cache.insert(
            *id,
            Cached {
                key: key.clone(),
                fetched: Instant::now(),
            },
        );
        Ok(key)
    }

    /// Checks a presented key. The outer error is a database failure; the
    /// inner one says why the key was refused (for logs only).
    pub async fn authenticate(
        &self,
        presented: &PresentedKey,
    ) -> Result<Result<Authenticated, Refused>, DbErr> {
        let now = Utc::now();
        let Some(key) = self.lookup(&presented.id).await? else {
            let _ = presented.hash.matches(&decoy());
            return Ok(Err(Refused::Unknown));
        };
        if let Err(refused) = key.authenticate(presented, now) {
            return Ok(Err(refused));
        }
        let Ok(principal) = key.principal() else {
            return Ok(Err(Refused::Unknown));
        };
        self.uses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.id, now);
        Ok(Ok(Authenticated {
            key_id: key.id,
            principal,
            rate: key.rate,
            expires_at: key.expires_at,
        }))
    }

    /// Drops the cached copy of a key this replica just changed.
    pub fn forget(&self, id: &KeyId) {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id);
    }

    /// `key` with a last-use time not yet flushed, when later than stored.
    pub fn with_pending_use(&self, mut key: ApiKey) -> ApiKey {
        let pending = self
            .uses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key.id)
            .copied();
        if let Some(at) = pending
            && key.last_used_at.is_none_or(|stored| stored < at)
        {
            key.last_used_at = Some(at);
        }
        key
    }

    /// Writes the pending last-use times in one statement.
    pub async fn flush(&self) -> Result<(), DbErr> {
        let pending: Vec<(KeyId, DateTime<Utc>)> = {
            let uses = self.uses.lock().unwrap_or_else(PoisonError::into_inner);
            uses.iter().map(|(id, at)| (*id, *at)).collect()
        };
        if pending.is_empty() {
            return Ok(());
        }
        repo::record_last_use(&self.db, &pending).await?;
        // Keep uses that happened while writing; drop the written ones.
        let mut uses = self.uses.lock().unwrap_or_else(PoisonError::into_inner);
        for (id, at) in pending {
            if uses.get(&id) == Some(&at) {
                uses.remove(&id);
            }
        }
        Ok(())
    }

    /// Flushes every `every` until the directory is dropped.
    pub fn spawn_flusher(self: &Arc<Self>, every: Duration) {
        let weak: Weak<Self> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(directory) = weak.upgrade() else {
                    return;
                };
                if let Err(err) = directory.flush().await {
                    tracing::warn!(%err, "recording API key last use failed; will retry");
                }
            }
        });
    }
}
