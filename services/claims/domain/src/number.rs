//! Human claim numbers: `CLM-<year>-<sequence>`, e.g. `CLM-2026-000123`.
//!
//! The year is printed as at least four digits and the sequence as at
//! least six, zero-padded; longer sequences are printed in full, so the
//! format never truncates and numbers stay unique per (year, sequence).

/// Human claim number: CLM-2026-000123 (6+ digits, zero-padded).
pub fn claim_number(year: i32, sequence: u64) -> String {
    format!("CLM-{year:04}-{sequence:06}")
}

/// The (year, sequence) of a number written by `claim_number`, if it is one
/// (years 0 and later; only the canonical spelling parses).
pub fn parse_claim_number(s: &str) -> Option<(i32, u64)> {
    let rest = s.strip_prefix("CLM-")?;
    let (year, sequence) = rest.split_once('-')?;
    let digits = |t: &str, min: usize| t.len() >= min && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(year, 4) || !digits(sequence, 6) {
        return None;
    }
    let parsed = (year.parse().ok()?, sequence.parse().ok()?);
    // Only the canonical spelling parses, so a number has one form.
    (claim_number(parsed.0, parsed.1) == s).then_some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_2026_sequence_123_is_clm_2026_000123() {
        assert_eq!(claim_number(2026, 123), "CLM-2026-000123");
    }

    #[test]
    fn sequence_1_pads_to_000001_and_1234567_keeps_7_digits() {
        assert_eq!(claim_number(2026, 1), "CLM-2026-000001");
        assert_eq!(claim_number(2026, 0), "CLM-2026-000000");
        assert_eq!(claim_number(2027, 1_234_567), "CLM-2027-1234567");
        assert_eq!(
            claim_number(2026, u64::MAX),
            "CLM-2026-18446744073709551615"
        );
    }

    #[test]
    fn numbers_parse_back_to_year_and_sequence() {
        for (y, n) in [(2026, 123), (2026, 0), (2027, 1_234_567), (2026, u64::MAX)] {
            assert_eq!(parse_claim_number(&claim_number(y, n)), Some((y, n)));
        }
    }

    #[test]
    fn non_canonical_text_does_not_parse() {
        for bad in [
            "",
            "CLM-2026-123",
            "CLM-2026-0001234",
            "clm-2026-000123",
            "CLM-26-000123",
            "CLM-2026-00012a",
            "CLM-2026-+00123",
            "CLM-2026",
            "CLM-2026-000123-1",
        ] {
            assert_eq!(parse_claim_number(bad), None, "{bad}");
        }
    }
}
