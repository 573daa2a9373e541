//! Open feeds per principal: a counter taken when a server-streaming call
//! opens and given back when its response ends or is dropped.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Open feeds per principal.
type OpenCounts = Arc<Mutex<HashMap<Arc<str>, u32>>>;

#[derive(Debug, Default)]
pub struct StreamSlots {
    open: OpenCounts,
}

/// One open feed; dropping it frees the slot.
#[derive(Debug)]
pub struct StreamSlot {
    held: Option<(OpenCounts, Arc<str>)>,
}

impl StreamSlot {
    pub fn unlimited() -> Self {
        Self { held: None }
    }
}

impl StreamSlots {
    pub fn open(&self, principal: &Arc<str>, max: u32) -> Option<StreamSlot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(principal.clone()).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(StreamSlot {
            held: Some((self.open.clone(), principal.clone())),
        })
    }

    pub fn open_count(&self, principal: &str) -> u32 {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(principal)
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        if let Some((open, principal)) = self.held.take() {
            let mut open = open.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(count) = open.get_mut(&principal) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    open.remove(&principal);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_capped_and_given_back_on_drop() {
        let slots = StreamSlots::default();
        let p: Arc<str> = Arc::from("p");
        let a = slots.open(&p, 2).unwrap();
        let _b = slots.open(&p, 2).unwrap();
        assert!(slots.open(&p, 2).is_none());
        drop(a);
        assert_eq!(slots.open_count("p"), 1);
        assert!(slots.open(&p, 2).is_some());
    }
}
