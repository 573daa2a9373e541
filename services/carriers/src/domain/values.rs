//! The values a carrier is made of, each built by parsing (anything held
//! in these types is already valid): ids, codes, regions, transit days,
//! contact email, kind and etag.

use std::fmt;

/// Server-assigned id (UUIDv7 text, so ids sort by creation time).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CarrierId(String);

impl CarrierId {
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }

    /// Parses `carriers/{id}` or a bare id.
    pub fn parse_name(name: &str) -> Result<Self, String> {
        let id = name.strip_prefix("carriers/").unwrap_or(name);
        uuid::Uuid::parse_str(id)
            .map(|uuid| Self(uuid.hyphenated().to_string()))
            .map_err(|_| "must be `carriers/{id}` with a UUID id".to_owned())
    }

    /// Trusted: an id read back from our own database.
    pub fn from_stored(id: String) -> Self {
        Self(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The AIP resource name, `carriers/{id}`.
    pub fn resource_name(&self) -> String {
        format!("carriers/{}", self.0)
    }
}

impl fmt::Display for CarrierId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn parse_token(
    s: &str,
    min: usize,
    max: usize,
    extra: &[char],
    what: &str,
) -> Result<String, String> {
    let ok = (min..=max).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || extra.contains(&c));
    if ok {
        Ok(s.to_owned())
    } else {
        Err(what.to_owned())
    }
}

/// Business code such as a SCAC: 2–16 upper-case letters or digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CarrierCode(String);

impl CarrierCode {
    pub fn parse(s: &str) -> Result<Self, String> {
        parse_token(s, 2, 16, &[], "must be 2-16 upper-case letters or digits").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A region or zone served: `US`, `US-CA`, `DE-BY`, `ZONE-8`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Region(String);

impl Region {
    pub fn parse(s: &str) -> Result<Self, String> {
        let ok = s
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && !s.ends_with('-');
        if !ok {
            return Err("must be a region code such as US, US-CA or ZONE-8".to_owned());
        }
        parse_token(
            s,
            2,
            16,
            &['-'],
            "must be a region code such as US, US-CA or ZONE-8 (2-16 upper-case letters, digits, dashes)",
        )
        .map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Service level code, unique within a carrier: `GROUND`, `NEXT_DAY_AIR`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceLevelCode(String);

impl ServiceLevelCode {
    pub fn parse(s: &str) -> Result<Self, String> {
        parse_token(
            s,
            1,
            32,
            &['_'],
            "must be 1-32 upper-case letters, digits or underscores",
        )
        .map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Advertised transit time in business days, `min <= max <= 60`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitDays {
    min: u32,
    max: u32,
}

impl TransitDays {
    pub const LIMIT: u32 = 60;

    pub fn new(min: u32, max: u32) -> Result<Self, String> {
        if max == 0 {
            return Err("transit_days_max must be at least 1".to_owned());
        }
        if min > max {
            return Err("transit_days_min must not exceed transit_days_max".to_owned());
        }
        if max > Self::LIMIT {
            return Err(format!("transit_days_max must be at most {}", Self::LIMIT));
        }
        Ok(Self { min, max })
    }

    pub fn min(self) -> u32 {
        self.min
    }

    pub fn max(self) -> u32 {
        self.max
    }
}

/// An email address, checked for shape only (`local@domain.tld`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactEmail(String);

impl ContactEmail {
    pub fn parse(s: &str) -> Result<Self, String> {
        let valid = s.len() <= 254
            && !s.chars().any(char::is_whitespace)
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err("must be an email address".to_owned())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CarrierKind {
    National,
    Regional,
    LocalCourier,
    ThirdPartyLogistics,
}

impl CarrierKind {
    pub const ALL: [CarrierKind; 4] = [
        CarrierKind::National,
        CarrierKind::Regional,
        CarrierKind::LocalCourier,
        CarrierKind::ThirdPartyLogistics,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CarrierKind::National => "national",
            CarrierKind::Regional => "regional",
            CarrierKind::LocalCourier => "local_courier",
            CarrierKind::ThirdPartyLogistics => "third_party_logistics",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == s)
    }
}

/// Opaque version of a carrier, bumped on every change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Etag(pub i64);

impl Etag {
    pub fn parse(s: &str) -> Result<Self, String> {
        s.trim_matches('"')
            .parse::<i64>()
            .ok()
            .filter(|v| *v > 0)
            .map(Self)
            .ok_or_else(|| "is not an etag this API issued".to_owned())
    }

    pub fn next(self) -> Self {
        Self(self.0 + 1)
    }
}

impl fmt::Display for Etag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carrier_code_accepts_scac_like_codes_only() {
        assert!(CarrierCode::parse("UPSN").is_ok());
        assert!(CarrierCode::parse("DHL1").is_ok());
        assert!(CarrierCode::parse("u").is_err());
        assert!(CarrierCode::parse("ups").is_err());
        assert!(CarrierCode::parse("UPS-N").is_err());
        assert!(CarrierCode::parse("ABCDEFGHIJKLMNOPQ").is_err());
    }

    #[test]
    fn region_codes() {
        for ok in ["US", "US-CA", "DE-BY", "ZONE-8"] {
            assert!(Region::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "u", "us-ca", "-US", "US-", "US CA"] {
            assert!(Region::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn transit_days_min_must_not_exceed_max() {
        assert!(TransitDays::new(1, 3).is_ok());
        assert!(TransitDays::new(0, 1).is_ok());
        assert!(TransitDays::new(4, 3).is_err());
        assert!(TransitDays::new(0, 0).is_err());
        assert!(TransitDays::new(1, 61).is_err());
    }

    #[test]
    fn email_shape() {
        assert!(ContactEmail::parse("claims@carrier.example").is_ok());
        for bad in ["", "x", "a@b", "@b.c", "a b@c.d", "a@.c", "a@c."] {
            assert!(ContactEmail::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn etag_round_trips_and_rejects_garbage() {
        assert_eq!(Etag::parse(&Etag(7).to_string()), Ok(Etag(7)));
        assert_eq!(Etag::parse("7"), Ok(Etag(7)));
        assert!(Etag::parse("abc").is_err());
        assert!(Etag::parse("0").is_err());
    }

    #[test]
    fn carrier_name_parses_with_or_without_prefix() {
        let id = CarrierId::generate();
        assert_eq!(CarrierId::parse_name(&id.resource_name()), Ok(id.clone()));
        assert_eq!(CarrierId::parse_name(id.as_str()), Ok(id));
        assert!(CarrierId::parse_name("carriers/nope").is_err());
    }
}
