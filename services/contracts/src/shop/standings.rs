//! Rate shopping's view of the carriers' standings, kept for a moment.
//!
//! Every ShopRates call needs the status and capacity of each carrier in
//! force; asking the carriers service each time costs a network hop and
//! four queries there, about twice a whole QuoteRate. Shopping is a hot
//! path with many calls a second, so a standing read for one call serves
//! the next ones for [`TTL`]: a suspension or a new capacity shows within
//! that time. (Tenders, which exhaust capacity, are counted here and read
//! fresh each call.) Entries are per carrier and a caller only asks for
//! carriers it may see — a partner only for its own — so no entry is
//! served to a caller who could not have read it. The capacity plan reads
//! standings fresh.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use recourse_platform::ApiError;

use crate::carriers::{CarrierDirectory, CarrierStanding};

/// How long a standing serves rate shopping.
pub const TTL: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub struct Standings {
    carriers: CarrierDirectory,
    cache: Arc<Mutex<HashMap<String, (Instant, CarrierStanding)>>>,
}

impl Standings {
    pub fn new(carriers: CarrierDirectory) -> Self {
        Self {
            carriers,
            cache: Arc::default(),
        }
    }

    /// The standings of `ids`, in order: fresh entries from the cache, the
    /// rest in one call to the carriers service as the caller.
    pub async fn of(
        &self,
        token: Option<&str>,
        ids: &[String],
    ) -> Result<Vec<CarrierStanding>, ApiError> {
        let now = Instant::now();
        let (mut known, missing) = {
            let cache = self
                .cache
                .lock()
                .map_err(|_| ApiError::internal("standings cache"))?;
            let mut known = HashMap::new();
            let mut missing = Vec::new();
            for id in ids {
                match cache.get(id) {
                    Some((at, s)) if now.duration_since(*at) < TTL => {
                        known.insert(id.clone(), s.clone());
                    }
                    Some(_) | None => missing.push(id.clone()),
                }
            }
            (known, missing)
        };
        if !missing.is_empty() {
            let fetched = self.carriers.standings(token, &missing).await?;
            let mut cache = self
                .cache
                .lock()
                .map_err(|_| ApiError::internal("standings cache"))?;
            // Expired entries go as new ones come, so the map holds at most
            // the carriers asked about within the last TTL.
            cache.retain(|_, (at, _)| now.duration_since(*at) < TTL);
            for s in fetched {
                cache.insert(s.id.clone(), (now, s.clone()));
                known.insert(s.id.clone(), s);
            }
        }
        Ok(ids.iter().filter_map(|id| known.remove(id)).collect())
    }
}
