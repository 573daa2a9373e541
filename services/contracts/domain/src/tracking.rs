//! Tracking events: what a carrier reports about a parcel.

/// The kind of a tracking event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// Handed over to the carrier.
    PickedUp,
    /// Arrived at a facility.
    ArrivalScan,
    /// Left a facility.
    DepartureScan,
    /// On the vehicle for delivery.
    OutForDelivery,
    /// Delivered (the first one sets the delivery time).
    Delivered,
    /// Something went wrong (the reason is a carrier code).
    Exception,
    /// Going back to the sender.
    Returned,
    /// The true delivery instant, replacing the recorded one.
    DeliveryCorrected,
}

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        EventKind::PickedUp,
        EventKind::ArrivalScan,
        EventKind::DepartureScan,
        EventKind::OutForDelivery,
        EventKind::Delivered,
        EventKind::Exception,
        EventKind::Returned,
        EventKind::DeliveryCorrected,
    ];

    /// The stored name (`tracking_events.event_type`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::PickedUp => "picked_up",
            EventKind::ArrivalScan => "arrival_scan",
            EventKind::DepartureScan => "departure_scan",
            EventKind::OutForDelivery => "out_for_delivery",
            EventKind::Delivered => "delivered",
            EventKind::Exception => "exception",
            EventKind::Returned => "returned",
            EventKind::DeliveryCorrected => "delivery_corrected",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether the event is announced on the feed (the scans are not: one
    /// outbox row per scan would make the feed the size of the tracking
    /// history).
    pub fn is_milestone(self) -> bool {
        match self {
            EventKind::Delivered
            | EventKind::DeliveryCorrected
            | EventKind::Exception
            | EventKind::Returned => true,
            EventKind::PickedUp
            | EventKind::ArrivalScan
            | EventKind::DepartureScan
            | EventKind::OutForDelivery => false,
        }
    }

    /// Whether it counts as a scan for scan compliance (a correction is a
    /// statement about the past, not a scan).
    pub fn is_scan(self) -> bool {
        self != EventKind::DeliveryCorrected
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EventKind::parse("teleported"), None);
        assert!(EventKind::Delivered.is_milestone());
        assert!(!EventKind::ArrivalScan.is_milestone());
        assert!(!EventKind::DeliveryCorrected.is_scan());
    }
}
