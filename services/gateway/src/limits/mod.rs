//! Per-principal limits: a token bucket (GCRA, `domain::rate`) on unary
//! calls and stream opens, and a cap on concurrently open server-streaming
//! calls (feeds). Buckets live in memory per replica, or in Redis when
//! `gateway.rate_limit.redis_url` is set so every replica draws from the
//! same bucket. Stream caps are always per replica.

mod local;
mod redis;
mod streams;

use std::time::Duration;

use recourse_platform::gateway_settings::{RateLimitSettings, RoleLimit};
use tonic::Status;
use tonic_types::{ErrorDetails, StatusExt as _};

use crate::domain::rate::Quota;
pub use local::LocalBuckets;
pub use redis::{RedisBuckets, RedisError};
pub use streams::{StreamSlot, StreamSlots};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Limited { retry_after: Duration },
}

#[derive(Debug)]
pub struct Limiter {
    enabled: bool,
    local: LocalBuckets,
    redis: Option<RedisBuckets>,
    streams: StreamSlots,
}

impl Limiter {
    pub async fn new(settings: &RateLimitSettings) -> Result<Self, RedisError> {
        let redis = match &settings.redis_url {
            Some(url) => Some(RedisBuckets::connect(url).await?),
            None => None,
        };
        Ok(Self {
            enabled: settings.enabled,
            local: LocalBuckets::new(settings.max_tracked_principals),
            redis,
            streams: StreamSlots::default(),
        })
    }

    /// Purges idle buckets every `every` until the limiter is dropped.
    pub fn spawn_purge(self: &std::sync::Arc<Self>, every: Duration) {
        let weak = std::sync::Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(limiter) = weak.upgrade() else {
                    return;
                };
                limiter.local.purge();
            }
        });
    }

    /// Takes one call from `principal`'s bucket. When Redis fails, the
    /// replica's own bucket decides (limits degrade to per replica, never
    /// to none), and the failure is logged.
    pub async fn admit(&self, principal: &str, limit: &RoleLimit) -> Verdict {
        if !self.enabled {
            return Verdict::Allowed;
        }
        let quota = Quota::new(limit.requests_per_second, limit.burst);
        if let Some(redis) = &self.redis {
            match redis.admit(principal, &quota).await {
                Ok(verdict) => return verdict,
                Err(err) => {
                    tracing::warn!(%err, "shared rate limit unavailable; limiting per replica")
                }
            }
        }
        self.local.admit(principal, &quota)
    }

    /// Opens a feed for `principal` if fewer than `max` are open.
    pub fn open_stream(&self, principal: &std::sync::Arc<str>, max: u32) -> Option<StreamSlot> {
        if !self.enabled {
            return Some(StreamSlot::unlimited());
        }
        self.streams.open(principal, max)
    }

    /// Principals with bucket state in memory (for tests of the purge).
    pub fn tracked(&self) -> usize {
        self.local.len()
    }
}

/// RESOURCE_EXHAUSTED with `google.rpc.RetryInfo`.
pub fn exhausted(message: String, retry_after: Option<Duration>) -> Status {
    let mut details = ErrorDetails::with_retry_info(retry_after);
    details.set_error_info(
        "RATE_LIMITED",
        recourse_platform::error::ERROR_DOMAIN,
        [].into_iter()
            .collect::<std::collections::HashMap<String, String>>(),
    );
    Status::with_error_details(tonic::Code::ResourceExhausted, message, details)
}
