//! Buckets shared by every gateway replica: the same GCRA as in memory, run
//! atomically in Redis by one Lua script per call, on Redis's own clock (so
//! replicas with skewed clocks agree). Each key expires once its bucket is
//! full again, so Redis memory is bounded by the principals active within
//! one burst window.

use redis::Script;
use redis::aio::ConnectionManager;

use super::Verdict;
use crate::domain::rate::Quota;

/// KEYS[1]: the principal's bucket. ARGV[1]: T in µs, ARGV[2]: τ in µs.
/// Returns {1, 0} (allowed) or {0, µs until a retry would pass}.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local next = tat + interval
local allow_at = next - tolerance
if now < allow_at then
  return {0, allow_at - now}
end
redis.call('SET', KEYS[1], string.format('%.0f', next), 'PX', math.ceil((next - now) / 1000) + 1)
return {1, 0}
";

#[derive(Debug, thiserror::Error)]
#[error("gateway.rate_limit.redis_url: {0}")]
pub struct RedisError(String);

#[derive(Clone)]
pub struct RedisBuckets {
    connection: ConnectionManager,
    script: Script,
}

impl std::fmt::Debug for RedisBuckets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBuckets").finish_non_exhaustive()
    }
}

impl RedisBuckets {
    pub async fn connect(url: &str) -> Result<Self, RedisError> {
        let client = redis::Client::open(url).map_err(|e| RedisError(e.to_string()))?;
        let connection = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            ConnectionManager::new(client),
        )
        .await
        .map_err(|_| RedisError(format!("no answer from {url} within 5 s")))?
        .map_err(|e| RedisError(e.to_string()))?;
        Ok(Self {
            connection,
            script: Script::new(GCRA),
        })
    }

    pub async fn admit(
        &self,
        principal: &str,
        quota: &Quota,
    ) -> Result<Verdict, redis::RedisError> {
        let mut connection = self.connection.clone();
        let (allowed, wait_us): (i64, i64) = self
            .script
            .key(format!("recourse:gateway:rate:{principal}"))
            .arg(quota.interval / 1_000)
            .arg(quota.tolerance / 1_000)
            .invoke_async(&mut connection)
            .await?;
        Ok(if allowed == 1 {
            Verdict::Allowed
        } else {
            Verdict::Limited {
                retry_after: std::time::Duration::from_micros(u64::try_from(wait_us).unwrap_or(0)),
            }
        })
    }
}
