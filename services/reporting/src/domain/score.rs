//! The weighted score: each KPI rated red/amber/green is worth 0/50/100
//! points; a category's points are the mean of its rated KPIs' (floored);
//! the score is the weighted mean of the rated categories' points, in
//! hundredths (0-10000), floored. Categories with nothing rated (no
//! target, nothing measured) leave the mean, weights and all.

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

/// The points (0-100) of one row's categories; `None` = not rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratings {
    pub on_time: Option<i64>,
    pub damage_claims: Option<i64>,
    pub claims_handling: Option<i64>,
    pub tracking: Option<i64>,
    pub billing: Option<i64>,
    pub other: Option<i64>,
}

/// A category's points: the mean of its rated KPIs' points, floored;
/// `None` when none is rated.
pub fn points(rags: &[Rag]) -> Option<i64> {
    let rated: Vec<i64> = rags.iter().filter_map(|r| r.points()).collect();
    let n = i64::try_from(rated.len()).ok().filter(|n| *n > 0)?;
    Some(rated.iter().sum::<i64>() / n)
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
    for (weight, points) in pairs {
        if let Some(points) = points {
            sum += i64::from(weight) * points * 100;
            weights += i64::from(weight);
        }
    }
    (weights > 0).then(|| sum / weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: Rag = Rag::Green;
    const A: Rag = Rag::Amber;
    const R: Rag = Rag::Red;
    const N: Rag = Rag::NotRated;

    #[test]
    fn category_points_are_the_mean_of_their_rated_kpis() {
        // Other: exceptions green (100), tender acceptance amber (50) →
        // (100 + 50) / 2 = 75; one not rated leaves the mean.
        assert_eq!(points(&[G, A]), Some(75));
        assert_eq!(points(&[G, N]), Some(100));
        // (100 + 0 + 0) / 3 = 33.33 → 33.
        assert_eq!(points(&[G, R, R]), Some(33));
        assert_eq!(points(&[N]), None);
    }

    #[test]
    fn default_weights_over_the_rated_categories() {
        // On-time green (100), claims amber (50), handling red (0), other
        // green (100); tracking and billing not rated.
        // (40×100 + 20×50 + 15×0 + 5×100) × 100 / (40+20+15+5)
        // = (4000 + 1000 + 0 + 500) × 100 / 80 = 550000 / 80 = 6875 → 68.75.
        let r = Ratings {
            on_time: points(&[G]),
            damage_claims: points(&[A]),
            claims_handling: points(&[R]),
            tracking: None,
            billing: None,
            other: points(&[G]),
        };
        assert_eq!(weighted_score(&Weights::default(), &r), Some(6_875));
        // Every category rated: tracking amber (50), billing green (100),
        // other 75 (exceptions green, tender amber):
        // (4000 + 1000 + 0 + 10×50 + 10×100 + 5×75) × 100 / 100
        // = (5000 + 500 + 1000 + 375) = 6875 → 68.75.
        let all = Ratings {
            tracking: points(&[A]),
            billing: points(&[G]),
            other: points(&[G, A]),
            ..r
        };
        assert_eq!(weighted_score(&Weights::default(), &all), Some(6_875));
        // Only on-time rated and amber: 40 × 50 × 100 / 40 = 5000.
        let only = Ratings {
            on_time: points(&[A]),
            damage_claims: None,
            claims_handling: None,
            tracking: None,
            billing: None,
            other: None,
        };
        assert_eq!(weighted_score(&Weights::default(), &only), Some(5_000));
        let none = Ratings {
            on_time: None,
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
            on_time: points(&[G]),
            damage_claims: points(&[R]),
            ..none
        };
        assert_eq!(weighted_score(&w, &r2), Some(10_000));
    }
}
