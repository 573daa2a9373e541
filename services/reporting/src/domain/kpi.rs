//! KPI arithmetic: rates in basis points, red/amber/green against a
//! target, nearest-rank percentiles, and cost per shipment.

/// How far past a target a KPI is still amber, in basis points (one
/// percentage point).
pub const AMBER_BAND_BP: i64 = 100;

/// floor(n × 10000 / d); `None` when there is nothing to measure.
pub fn rate_bp(n: u64, d: u64) -> Option<i64> {
    if d == 0 {
        return None;
    }
    i64::try_from(u128::from(n) * 10_000 / u128::from(d)).ok()
}

/// Which way a target points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// At least the target (on-time rate).
    AtLeast,
    /// At most the target (exception rate, claims rate).
    AtMost,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rag {
    NotRated,
    Green,
    Amber,
    Red,
}

impl Rag {
    /// Points of the weighted score: green 100, amber 50, red 0.
    pub fn points(self) -> Option<i64> {
        match self {
            Rag::NotRated => None,
            Rag::Green => Some(100),
            Rag::Amber => Some(50),
            Rag::Red => Some(0),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Rag::NotRated => "NOT_RATED",
            Rag::Green => "GREEN",
            Rag::Amber => "AMBER",
            Rag::Red => "RED",
        }
    }
}

/// Green when the target is met, amber within [`AMBER_BAND_BP`] of it,
/// red beyond; not rated without an actual or with a target of 0.
pub fn rag(actual: Option<i64>, target: i64, direction: Direction) -> Rag {
    let Some(actual) = actual else {
        return Rag::NotRated;
    };
    if target == 0 {
        return Rag::NotRated;
    }
    let miss = match direction {
        Direction::AtLeast => target - actual,
        Direction::AtMost => actual - target,
    };
    if miss <= 0 {
        Rag::Green
    } else if miss <= AMBER_BAND_BP {
        Rag::Amber
    } else {
        Rag::Red
    }
}

/// The nearest-rank percentile `p` (1-100) of `values`: the smallest value
/// with at least p % of the values at or below it, i.e. the
/// ceil(p × n / 100)-th smallest. `None` for no values.
pub fn percentile(values: &mut [i64], p: u32) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len() as u64;
    let rank = (u64::from(p) * n).div_ceil(100).max(1);
    values.get(usize::try_from(rank - 1).ok()?).copied()
}

/// total / count, half away from zero; `None` when count is 0.
pub fn per_unit(total: i64, count: u64) -> Option<i64> {
    let count = i128::from(count);
    if count == 0 {
        return None;
    }
    let total = i128::from(total);
    let q = (total.abs() * 2 + count) / (count * 2);
    i64::try_from(if total < 0 { -q } else { q }).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_floor_and_rag_bands() {
        // 47 on time of 50 measured: 47 × 10000 / 50 = 9400 bp (94.00 %).
        assert_eq!(rate_bp(47, 50), Some(9_400));
        // 2 of 3: 6666.6… floors to 6666.
        assert_eq!(rate_bp(2, 3), Some(6_666));
        assert_eq!(rate_bp(0, 0), None);
        // Target at least 9500: 9400 misses by 100 → amber (within 100);
        // 9399 misses by 101 → red; 9500 → green.
        assert_eq!(rag(Some(9_400), 9_500, Direction::AtLeast), Rag::Amber);
        assert_eq!(rag(Some(9_399), 9_500, Direction::AtLeast), Rag::Red);
        assert_eq!(rag(Some(9_500), 9_500, Direction::AtLeast), Rag::Green);
        // Target at most 500 (exceptions): 600 is 100 over → amber; 601 red.
        assert_eq!(rag(Some(600), 500, Direction::AtMost), Rag::Amber);
        assert_eq!(rag(Some(601), 500, Direction::AtMost), Rag::Red);
        // No target or nothing measured: not rated.
        assert_eq!(rag(Some(1), 0, Direction::AtMost), Rag::NotRated);
        assert_eq!(rag(None, 500, Direction::AtMost), Rag::NotRated);
    }

    #[test]
    fn nearest_rank_percentiles() {
        // Cycle times 10, 20, 30, 40, 100 h (n = 5).
        // median: rank ceil(50 × 5 / 100) = ceil(2.5) = 3 → 30 h;
        // p90: rank ceil(90 × 5 / 100) = ceil(4.5) = 5 → 100 h.
        let mut v = vec![100, 20, 40, 10, 30];
        assert_eq!(percentile(&mut v, 50), Some(30));
        assert_eq!(percentile(&mut v, 90), Some(100));
        // n = 4: median rank ceil(2) = 2 → the lower middle value.
        let mut even = vec![4, 1, 3, 2];
        assert_eq!(percentile(&mut even, 50), Some(2));
        assert_eq!(percentile(&mut [], 50), None);
    }

    #[test]
    fn cost_per_shipment_rounds_half_away_from_zero() {
        // 1000 + 1001 + 1002 cents over 3 charged shipments = 3003 / 3 = 1001.
        assert_eq!(per_unit(3_003, 3), Some(1_001));
        // 1001 / 2 = 500.5 → 501; -1001 / 2 → -501.
        assert_eq!(per_unit(1_001, 2), Some(501));
        assert_eq!(per_unit(-1_001, 2), Some(-501));
        assert_eq!(per_unit(5, 0), None);
    }
}
