//! ISO-4217 currency codes.

use std::fmt;
use std::str::FromStr;

use crate::MoneyError;

/// An ISO-4217 alphabetic currency code: exactly three upper-case ASCII
/// letters. Validated on construction so every `Currency` is printable.
///
/// We do not check the code against the ISO list: new codes appear and old
/// ones linger in contracts, and a typo'd code still fails loudly the first
/// time it meets a correctly spelled amount (`CurrencyMismatch`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

/// Currencies whose minor unit is the major unit (no decimals).
const ZERO_DECIMAL: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
];

/// Currencies with a thousandth minor unit.
const THREE_DECIMAL: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

impl Currency {
    /// United States dollar.
    pub const USD: Currency = Currency(*b"USD");
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");
    /// Pound sterling.
    pub const GBP: Currency = Currency(*b"GBP");
    /// Canadian dollar.
    pub const CAD: Currency = Currency(*b"CAD");
    /// Japanese yen (no minor unit).
    pub const JPY: Currency = Currency(*b"JPY");

    /// Parses a three-letter upper-case code. Lower case is refused rather
    /// than folded so stored codes have exactly one spelling.
    pub fn parse(s: &str) -> Result<Self, MoneyError> {
        let bytes = s.as_bytes();
        match bytes {
            [a, b, c] if bytes.iter().all(u8::is_ascii_uppercase) => Ok(Currency([*a, *b, *c])),
            _ => Err(MoneyError::InvalidCurrency(s.to_owned())),
        }
    }

    /// The code as text, e.g. `"USD"`.
    pub fn as_str(&self) -> &str {
        // Construction guarantees ASCII, so this never falls back; the
        // fallback exists only because `unsafe` is forbidden.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// Digits after the decimal point of one major unit, used only for
    /// display: 0 for JPY, 3 for KWD, 2 otherwise.
    pub fn minor_digits(&self) -> u32 {
        let code = self.as_str();
        if ZERO_DECIMAL.contains(&code) {
            0
        } else if THREE_DECIMAL.contains(&code) {
            3
        } else {
            2
        }
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::Currency;
    use crate::MoneyError;

    #[test]
    fn parses_usd() {
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(usd.as_str(), "USD");
        assert_eq!(usd, Currency::USD);
        assert_eq!(format!("{usd}"), "USD");
        assert_eq!(format!("{usd:?}"), "Currency(USD)");
    }

    #[test]
    fn refuses_lower_case_wrong_length_and_non_letters() {
        for bad in ["usd", "US", "USDX", "", "U$D", "ÜSD", "12A"] {
            assert_eq!(
                Currency::parse(bad),
                Err(MoneyError::InvalidCurrency(bad.to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn minor_digits_table() {
        assert_eq!(Currency::JPY.minor_digits(), 0);
        assert_eq!(Currency::parse("KWD").unwrap().minor_digits(), 3);
        assert_eq!(Currency::USD.minor_digits(), 2);
    }

    #[test]
    fn from_str_matches_parse() {
        assert_eq!("EUR".parse::<Currency>(), Ok(Currency::EUR));
    }
}
