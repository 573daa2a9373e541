//! Onboarding status: onboarding → active ⇄ suspended, and any state but
//! offboarded → offboarded. Offboarded is final.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CarrierStatus {
    Onboarding,
    Active,
    Suspended,
    Offboarded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a carrier cannot go from {from} to {to}")]
pub struct IllegalTransition {
    pub from: CarrierStatus,
    pub to: CarrierStatus,
}

impl CarrierStatus {
    pub const ALL: [CarrierStatus; 4] = [
        CarrierStatus::Onboarding,
        CarrierStatus::Active,
        CarrierStatus::Suspended,
        CarrierStatus::Offboarded,
    ];

    /// Whether `self → to` is a legal move. Staying put is not a move.
    pub fn can_become(self, to: CarrierStatus) -> bool {
        use CarrierStatus::{Active, Offboarded, Onboarding, Suspended};
        matches!(
            (self, to),
            (Onboarding, Active)
                | (Active, Suspended)
                | (Suspended, Active)
                | (Onboarding | Active | Suspended, Offboarded)
        )
    }

    pub fn transition(self, to: CarrierStatus) -> Result<CarrierStatus, IllegalTransition> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }

    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            CarrierStatus::Onboarding => "onboarding",
            CarrierStatus::Active => "active",
            CarrierStatus::Suspended => "suspended",
            CarrierStatus::Offboarded => "offboarded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

impl fmt::Display for CarrierStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::CarrierStatus::{self, Active, Offboarded, Onboarding, Suspended};

    #[test]
    fn every_legal_transition_is_allowed() {
        for (from, to) in [
            (Onboarding, Active),
            (Active, Suspended),
            (Suspended, Active),
            (Onboarding, Offboarded),
            (Active, Offboarded),
            (Suspended, Offboarded),
        ] {
            assert_eq!(from.transition(to), Ok(to), "{from} -> {to}");
        }
    }

    #[test]
    fn every_other_transition_is_refused() {
        let legal = [
            (Onboarding, Active),
            (Active, Suspended),
            (Suspended, Active),
            (Onboarding, Offboarded),
            (Active, Offboarded),
            (Suspended, Offboarded),
        ];
        for from in CarrierStatus::ALL {
            for to in CarrierStatus::ALL {
                if !legal.contains(&(from, to)) {
                    assert!(
                        from.transition(to).is_err(),
                        "{from} -> {to} must be refused"
                    );
                }
            }
        }
    }

    #[test]
    fn offboarded_is_final() {
        for to in CarrierStatus::ALL {
            assert!(!Offboarded.can_become(to));
        }
    }

    #[test]
    fn names_round_trip() {
        for status in CarrierStatus::ALL {
            assert_eq!(CarrierStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(CarrierStatus::parse("deleted"), None);
    }
}
