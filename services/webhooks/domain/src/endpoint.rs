//! What an endpoint is and which events it sees. An endpoint belongs to a
//! carrier, to a 3PL account, or to the platform's own teams (in-house,
//! optionally narrowed to one carrier). It sees an event when the event
//! is its owner's and of a family its owner may read on the feeds:
//!
//! | owner    | the event's …                       | families                                   | drafts |
//! |----------|-------------------------------------|--------------------------------------------|--------|
//! | carrier  | carrier is the endpoint's           | claim, dispute, shipment, sla, contract_version | no |
//! | 3PL      | account (claim's filer, shipment's shipper) is the endpoint's | claim, shipment | yes (its own filings) |
//! | in-house | carrier is the endpoint's, if it has one | every one                              | yes    |
//!
//! and its type matches one of the endpoint's patterns (`*`, `claim.*`,
//! `claim.status_changed`).

/// Families a carrier endpoint may receive.
pub const CARRIER_FAMILIES: &[&str] = &["claim", "dispute", "shipment", "sla", "contract_version"];
/// Families a 3PL endpoint may receive.
pub const ACCOUNT_FAMILIES: &[&str] = &["claim", "shipment"];
/// At most this many event type patterns per endpoint.
pub const MAX_EVENT_TYPES: usize = 50;
/// The longest URL accepted.
pub const MAX_URL_LEN: usize = 2000;

/// Who an endpoint belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Carrier(String),
    Account(String),
    InHouse { carrier: Option<String> },
}

impl Owner {
    /// The families this owner may subscribe to (`None`: all).
    pub fn families(&self) -> Option<&'static [&'static str]> {
        match self {
            Owner::Carrier(_) => Some(CARRIER_FAMILIES),
            Owner::Account(_) => Some(ACCOUNT_FAMILIES),
            Owner::InHouse { .. } => None,
        }
    }
}

/// What the matching needs to know of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventFacts<'a> {
    pub event_type: &'a str,
    /// The carrier's id ("" when none).
    pub carrier_id: &'a str,
    /// The 3PL account that filed the claim or tendered the shipment.
    pub account_id: &'a str,
    /// About a draft (a draft claim, a draft contract version).
    pub draft: bool,
}

fn family(event_type: &str) -> &str {
    event_type.split_once('.').map_or(event_type, |(f, _)| f)
}

/// Whether `owner` may see the event at all (before its patterns).
pub fn sees(owner: &Owner, event: &EventFacts<'_>) -> bool {
    let family = family(event.event_type);
    match owner {
        Owner::Carrier(id) => {
            !id.is_empty()
                && event.carrier_id == id
                && !event.draft
                && CARRIER_FAMILIES.contains(&family)
        }
        Owner::Account(id) => {
            !id.is_empty() && event.account_id == id && ACCOUNT_FAMILIES.contains(&family)
        }
        Owner::InHouse { carrier } => carrier.as_deref().is_none_or(|c| c == event.carrier_id),
    }
}

/// An endpoint's event type patterns, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTypes(Vec<String>);

fn segment_ok(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

impl EventTypes {
    /// 1-50 patterns, each `*`, `family.*` or `family.action` of
    /// `[a-z_]` segments, each family one `owner` may receive. Duplicates
    /// are dropped. Errors name the index of the bad pattern.
    pub fn parse(patterns: &[String], owner: &Owner) -> Result<Self, (Option<usize>, String)> {
        if patterns.is_empty() || patterns.len() > MAX_EVENT_TYPES {
            return Err((
                None,
                format!("must list 1-{MAX_EVENT_TYPES} event types (`*` for all)"),
            ));
        }
        let mut out: Vec<String> = Vec::with_capacity(patterns.len());
        for (i, p) in patterns.iter().enumerate() {
            let p = p.trim();
            if p != "*" {
                let Some((fam, action)) = p.split_once('.') else {
                    return Err((Some(i), "must be `*`, `family.*` or `family.action`".into()));
                };
                if !segment_ok(fam) || !(action == "*" || segment_ok(action)) {
                    return Err((Some(i), "must be `*`, `family.*` or `family.action`".into()));
                }
                if let Some(allowed) = owner.families()
                    && !allowed.contains(&fam)
                {
                    return Err((
                        Some(i),
                        format!(
                            "`{fam}` events are not delivered to this endpoint's owner (only {})",
                            allowed.join(", ")
                        ),
                    ));
                }
            }
            if !out.iter().any(|o| o == p) {
                out.push(p.to_owned());
            }
        }
        Ok(Self(out))
    }

    /// Patterns read back from storage (already parsed once).
    pub fn from_stored(patterns: Vec<String>) -> Self {
        Self(patterns)
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// Whether `event_type` matches one of the patterns.
    pub fn matches(&self, event_type: &str) -> bool {
        self.0.iter().any(|p| {
            p == "*"
                || p == event_type
                || p.strip_suffix(".*")
                    .is_some_and(|fam| family(event_type) == fam && event_type.contains('.'))
        })
    }
}

/// Checks a delivery URL: `http://` or `https://`, a host, no credentials,
/// no fragment, printable, at most [`MAX_URL_LEN`] characters.
pub fn check_url(url: &str) -> Result<(), String> {
    if url.len() > MAX_URL_LEN {
        return Err(format!("must be at most {MAX_URL_LEN} characters"));
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("must not contain spaces or control characters".into());
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("must start with https:// or http://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.starts_with(':') {
        return Err("must name a host".into());
    }
    if authority.contains('@') {
        return Err("must not carry credentials (user@host)".into());
    }
    if url.contains('#') {
        return Err("must not have a fragment".into());
    }
    Ok(())
}

/// Checks a partner-chosen signing secret: 16-200 printable ASCII
/// characters without spaces.
pub fn check_secret(secret: &str) -> Result<(), String> {
    let ok = (16..=200).contains(&secret.len()) && secret.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err("must be 16-200 printable ASCII characters without spaces".into())
    }
}

/// A generated secret: `whsec_` and 32 random bytes in hex.
pub fn generated_secret(random: [u8; 32]) -> String {
    format!("whsec_{}", hex::encode(random))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(t: &'a str, carrier: &'a str, account: &'a str, draft: bool) -> EventFacts<'a> {
        EventFacts {
            event_type: t,
            carrier_id: carrier,
            account_id: account,
            draft,
        }
    }

    #[test]
    fn owners_see_their_own_families_only() {
        let carrier = Owner::Carrier("c1".into());
        assert!(sees(&carrier, &facts("claim.submitted", "c1", "", false)));
        assert!(!sees(&carrier, &facts("claim.submitted", "c2", "", false)));
        assert!(!sees(&carrier, &facts("claim.created", "c1", "a1", true)));
        assert!(!sees(
            &carrier,
            &facts("remittance.recorded", "c1", "", false)
        ));
        assert!(!sees(
            &carrier,
            &facts("escalation.created", "c1", "", false)
        ));
        let account = Owner::Account("a1".into());
        assert!(sees(&account, &facts("claim.created", "c1", "a1", true)));
        assert!(sees(
            &account,
            &facts("shipment.delivered", "c9", "a1", false)
        ));
        assert!(!sees(&account, &facts("claim.created", "c1", "a2", true)));
        assert!(!sees(
            &account,
            &facts("dispute.created", "c1", "a1", false)
        ));
        assert!(!sees(
            &Owner::Account(String::new()),
            &facts("claim.x", "c", "", false)
        ));
        let all = Owner::InHouse { carrier: None };
        assert!(sees(&all, &facts("remittance.recorded", "c1", "", false)));
        let one = Owner::InHouse {
            carrier: Some("c1".into()),
        };
        assert!(sees(&one, &facts("escalation.created", "c1", "", false)));
        assert!(!sees(&one, &facts("escalation.created", "c2", "", false)));
    }

    #[test]
    fn patterns_parse_and_match() {
        let owner = Owner::Carrier("c".into());
        let list = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let types = EventTypes::parse(&list(&["claim.*", "shipment.delivered", "claim.*"]), &owner)
            .unwrap();
        assert_eq!(types.as_slice().len(), 2);
        assert!(types.matches("claim.status_changed"));
        assert!(types.matches("shipment.delivered"));
        assert!(!types.matches("shipment.registered"));
        assert!(!types.matches("claims.x"));
        assert!(
            EventTypes::parse(&list(&["*"]), &owner)
                .unwrap()
                .matches("sla.evaluated")
        );
        assert_eq!(
            EventTypes::parse(&list(&["claim.*", "remittance.*"]), &owner)
                .unwrap_err()
                .0,
            Some(1)
        );
        for bad in ["Claim.x", "claim", "claim.", ".x", "a.b.c", "claim.**"] {
            assert!(EventTypes::parse(&list(&[bad]), &owner).is_err(), "{bad}");
        }
        assert_eq!(EventTypes::parse(&[], &owner).unwrap_err().0, None);
        let in_house = Owner::InHouse { carrier: None };
        assert!(EventTypes::parse(&list(&["remittance.recorded"]), &in_house).is_ok());
    }

    #[test]
    fn urls_and_secrets() {
        assert!(check_url("https://example.com/hooks?x=1").is_ok());
        assert!(check_url("http://127.0.0.1:8080/h").is_ok());
        for bad in [
            "ftp://x",
            "https://",
            "https:///path",
            "https://u:p@host/",
            "https://host/#frag",
            "https://ho st/",
            "example.com",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        assert!(check_url(&format!("https://h/{}", "a".repeat(2000))).is_err());
        assert!(check_secret("0123456789abcdef").is_ok());
        assert!(check_secret("short").is_err());
        assert!(check_secret("0123456789 abcdef").is_err());
        let generated = generated_secret([0xab; 32]);
        assert_eq!(generated.len(), 6 + 64);
        assert!(check_secret(&generated).is_ok());
    }
}
