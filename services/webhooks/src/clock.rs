//! The service's clock and jitter: the system's in production, a test's
//! own where time must pass on demand (the retry schedule spans three
//! days) and the jitter must be known, so nothing waits for real backoff.

use std::sync::Arc;

use chrono::{DateTime, Utc};

/// Now, as the service sees it.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    pub fn system() -> Self {
        Clock(Arc::new(Utc::now))
    }

    pub fn new(now: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        Clock(Arc::new(now))
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// The retry schedule's jitter, in [0, 1).
#[derive(Clone)]
pub struct Jitter(Arc<dyn Fn() -> f64 + Send + Sync>);

impl Jitter {
    /// Uniform from the operating system's randomness.
    pub fn random() -> Self {
        Jitter(Arc::new(|| {
            let mut bytes = [0u8; 4];
            match getrandom::fill(&mut bytes) {
                Ok(()) => f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0),
                // No randomness: the shortest wait, still within the schedule.
                Err(_) => 0.0,
            }
        }))
    }

    pub fn fixed(value: f64) -> Self {
        Jitter(Arc::new(move || value))
    }

    pub fn next(&self) -> f64 {
        (self.0)()
    }
}

impl std::fmt::Debug for Jitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Jitter")
    }
}
