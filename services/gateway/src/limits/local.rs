//! Buckets in this replica's memory: one theoretical arrival time per
//! principal. A TAT in the past is a full bucket and is purged; when more
//! than `max` principals are tracked at once, idle ones go first and then,
//! if it must, half of the rest (memory is bounded, whatever the traffic).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::Verdict;
use crate::domain::rate::{Decision, Quota};

#[derive(Debug)]
pub struct LocalBuckets {
    origin: Instant,
    max: usize,
    tats: Mutex<HashMap<String, u64>>,
}

impl LocalBuckets {
    pub fn new(max: usize) -> Self {
        Self {
            origin: Instant::now(),
            max: max.max(1),
            tats: Mutex::new(HashMap::new()),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    pub fn admit(&self, principal: &str, quota: &Quota) -> Verdict {
        let now = self.now();
        let mut tats = self.tats.lock().unwrap_or_else(PoisonError::into_inner);
        let tat = tats.get(principal).copied();
        match quota.check(tat, now) {
            Decision::Allow { tat: next } => {
                if tat.is_none() && tats.len() >= self.max {
                    tats.retain(|_, t| *t > now);
                    if tats.len() >= self.max {
                        let mut n = 0usize;
                        tats.retain(|_, _| {
                            n += 1;
                            n.is_multiple_of(2)
                        });
                    }
                }
                match tats.get_mut(principal) {
                    Some(slot) => *slot = next,
                    None => {
                        tats.insert(principal.to_owned(), next);
                    }
                }
                Verdict::Allowed
            }
            Decision::Deny { retry_after } => Verdict::Limited {
                retry_after: Duration::from_nanos(retry_after),
            },
        }
    }

    /// Forgets every full (idle) bucket.
    pub fn purge(&self) {
        let now = self.now();
        self.tats
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, tat| *tat > now);
    }

    pub fn len(&self) -> usize {
        self.tats
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_refused_then_purged_when_idle() {
        let buckets = LocalBuckets::new(10);
        // 1/s with a burst of 2: two calls pass, the third waits ~1 s.
        let quota = Quota::new(1, 2);
        assert_eq!(buckets.admit("a", &quota), Verdict::Allowed);
        assert_eq!(buckets.admit("a", &quota), Verdict::Allowed);
        let Verdict::Limited { retry_after } = buckets.admit("a", &quota) else {
            panic!("third call in the same instant must be limited");
        };
        assert!(retry_after > Duration::from_millis(900) && retry_after <= Duration::from_secs(1));
        // Another principal has its own bucket.
        assert_eq!(buckets.admit("b", &quota), Verdict::Allowed);
        assert_eq!(buckets.len(), 2);
        // A bucket that refills fast is idle almost at once and is purged.
        let fast = Quota::new(1_000_000, 1);
        assert_eq!(buckets.admit("c", &fast), Verdict::Allowed);
        std::thread::sleep(Duration::from_millis(2));
        buckets.purge();
        assert_eq!(buckets.len(), 2, "only the idle bucket went");
    }

    #[test]
    fn memory_stays_bounded_under_many_principals() {
        let buckets = LocalBuckets::new(100);
        let quota = Quota::new(1, 5);
        for i in 0..1_000 {
            assert_eq!(buckets.admit(&format!("p{i}"), &quota), Verdict::Allowed);
        }
        assert!(buckets.len() <= 100, "{}", buckets.len());
    }
}
