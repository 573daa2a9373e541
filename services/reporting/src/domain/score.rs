//! The weighted score: each KPI category rated red/amber/green is worth
//! 0/50/100 points; the score is the weighted mean of the rated
//! categories' points, in hundredths (0-10000), floored. Categories not
//! rated (no target, nothing measured, or not measured by reporting yet:
//! tracking and billing) leave the mean, weights and all.

use super::kpi::Rag;

/// Category weights (default on-time 40, damage/claims 20, claims
/// handling 15, tracking 10, billing 10, other 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weights {
    pub on_time: u32,
    pub damage_claims: u32,
    pub claims_handling: u32,
    pub tracking: u32,
    pub billing: u32,
    pub other: u32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            on_time: 40,
            damage_claims: 20,
            claims_handling: 15,
            tracking: 10,
            billing: 10,
            other: 5,
        }
    }
}

/// The ratings of one row's categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratings {
    pub on_time: Rag,
    pub damage_claims: Rag,
    pub claims_handling: Rag,
    pub tracking: Rag,
    pub billing: Rag,
    pub other: Rag,
}

/// Σ weight × points × 100 / Σ weight over rated categories; `None` when
/// no category with a weight is rated.
pub fn weighted_score(w: &Weights, r: &Ratings) -> Option<i64> {
    let pairs = [
        (w.on_time, r.on_time),
        (w.damage_claims, r.damage_claims),
        (w.claims_handling, r.claims_handling),
        (w.tracking, r.tracking),
        (w.billing, r.billing),
        (w.other, r.other),
    ];
    let (mut sum, mut weights) = (0i64, 0i64);
    for (weight, rag) in pairs {
        if let Some(points) = rag.points() {
            sum += i64::from(weight) * points * 100;
            weights += i64::from(weight);
        }
    }
    (weights > 0).then(|| sum / weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_weights_over_the_rated_categories() {
        // On-time green (100), claims amber (50), handling red (0), other
        // green (100); tracking and billing not rated.
        // (40×100 + 20×50 + 15×0 + 5×100) × 100 / (40+20+15+5)
        // = (4000 + 1000 + 0 + 500) × 100 / 80 = 550000 / 80 = 6875 → 68.75.
        let r = Ratings {
            on_time: Rag::Green,
            damage_claims: Rag::Amber,
            claims_handling: Rag::Red,
            tracking: Rag::NotRated,
            billing: Rag::NotRated,
            other: Rag::Green,
        };
        assert_eq!(weighted_score(&Weights::default(), &r), Some(6_875));
        // Only on-time rated and amber: 40 × 50 × 100 / 40 = 5000.
        let only = Ratings {
            on_time: Rag::Amber,
            damage_claims: Rag::NotRated,
            claims_handling: Rag::NotRated,
            tracking: Rag::NotRated,
            billing: Rag::NotRated,
            other: Rag::NotRated,
        };
        assert_eq!(weighted_score(&Weights::default(), &only), Some(5_000));
        let none = Ratings {
            on_time: Rag::NotRated,
            ..only
        };
        assert_eq!(weighted_score(&Weights::default(), &none), None);
        // Zero weight on a red category leaves it out: 1 × 100 × 100 / 1.
        let w = Weights {
            on_time: 1,
            damage_claims: 0,
            ..Weights::default()
        };
        let r2 = Ratings {
            on_time: Rag::Green,
            damage_claims: Rag::Red,
            ..none
        };
        assert_eq!(weighted_score(&w, &r2), Some(10_000));
    }
}
