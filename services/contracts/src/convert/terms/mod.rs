//! Contract terms: validated on the way in (every violation with its
//! path), rendered on the way out, and stored as one protobuf document per
//! version — encoded and decoded here and nowhere else.

mod bonus;
mod liability;
mod rate_card;
mod returns;
mod sla;

use std::collections::HashSet;

use prost::Message as _;
use recourse_contracts_domain::terms::ContractTerms;
use recourse_money::Currency;
use recourse_platform::Violations;
use recourse_proto::contracts as pb;

use super::common::{code, currency};
use super::{Parser, limits};

pub use liability::{claim_type, document_to_proto, window_to_proto};
pub use returns::payer_to_proto;
pub use sla::{category_to_proto, metric_to_proto, period_to_proto};

fn service_levels<'t>(
    p: &mut Parser<'_>,
    field: &str,
    levels: impl Iterator<Item = &'t str>,
    what: &str,
) {
    let mut seen = HashSet::new();
    for (i, level) in levels.enumerate() {
        let at = format!("{field}[{i}].service_level");
        if code(p.v, &at, level) && !seen.insert(level) {
            p.add(at, format!("has two {what}"));
        }
    }
}

/// The domain terms, defaults filled in, or `None` with violations
/// recorded under `field`.
pub fn parse(
    p: &mut Parser<'_>,
    field: &str,
    terms: Option<&pb::ContractTerms>,
) -> Option<ContractTerms> {
    let Some(terms) = terms else {
        p.add(field, "is required");
        return None;
    };
    let before = p.len();
    let cur: Currency = currency(p.v, &format!("{field}.currency_code"), &terms.currency_code)?;
    let cards_field = format!("{field}.rate_cards");
    let sla_field = format!("{field}.sla_terms");
    let cards_ok = p.at_most(
        terms.rate_cards.len(),
        limits::SERVICE_LEVELS,
        &cards_field,
        "rate cards",
    );
    let sla_ok = p.at_most(
        terms.sla_terms.len(),
        limits::SERVICE_LEVELS,
        &sla_field,
        "SLA terms",
    );
    let mut rate_cards = Vec::new();
    if cards_ok {
        service_levels(
            p,
            &cards_field,
            terms.rate_cards.iter().map(|c| c.service_level.as_str()),
            "rate cards",
        );
        for (i, card) in terms.rate_cards.iter().enumerate() {
            rate_cards.extend(rate_card::parse(
                p,
                &format!("{cards_field}[{i}]"),
                card,
                cur,
            ));
        }
    }
    let liability = match &terms.liability {
        Some(l) => liability::parse(p, &format!("{field}.liability"), l, cur),
        None => {
            p.add(format!("{field}.liability"), "is required");
            None
        }
    };
    let mut sla_terms = Vec::new();
    if sla_ok {
        service_levels(
            p,
            &sla_field,
            terms.sla_terms.iter().map(|s| s.service_level.as_str()),
            "SLA terms",
        );
        for (i, s) in terms.sla_terms.iter().enumerate() {
            sla_terms.extend(sla::parse(p, &format!("{sla_field}[{i}]"), s, cur));
        }
    }
    p.bound(
        terms.invoice_dispute_days <= limits::WINDOW_DAYS,
        format!("{field}.invoice_dispute_days"),
        format!("must be at most {} days", limits::WINDOW_DAYS),
    );
    let returns = returns::parse(p, field, &terms.returns, cur, (&rate_cards, &sla_terms));
    if p.len() != before {
        return None;
    }
    Some(ContractTerms {
        invoice_dispute_days: terms.invoice_dispute_days,
        currency: cur,
        rate_cards,
        liability: liability?,
        sla_terms,
        returns: returns?,
    })
}

pub fn render(terms: &ContractTerms) -> pb::ContractTerms {
    pb::ContractTerms {
        currency_code: terms.currency.as_str().to_owned(),
        rate_cards: terms.rate_cards.iter().map(rate_card::render).collect(),
        liability: Some(liability::render(&terms.liability)),
        sla_terms: terms.sla_terms.iter().map(sla::render).collect(),
        invoice_dispute_days: terms.invoice_dispute_days,
        returns: terms.returns.iter().map(returns::render).collect(),
    }
}

/// The stored document of `terms`.
pub fn encode_document(terms: &ContractTerms) -> Vec<u8> {
    render(terms).encode_to_vec()
}

/// Terms from their stored document. Read without the input bounds (a
/// version stored under older, looser bounds still reads); `None` only for
/// a document that is not valid terms at all (a bug or a hand edit).
pub fn decode_document(bytes: &[u8]) -> Option<ContractTerms> {
    let document = pb::ContractTerms::decode(bytes).ok()?;
    let mut v = Violations::new();
    let mut p = Parser {
        v: &mut v,
        strict: false,
    };
    parse(&mut p, "terms", Some(&document))
}

#[cfg(test)]
mod tests {
    use super::*;
    use recourse_test_support::fixtures::terms;

    #[test]
    fn terms_survive_the_document_round_trip() {
        let mut v = Violations::new();
        let parsed = parse(&mut Parser::strict(&mut v), "terms", Some(&terms())).unwrap();
        assert!(v.is_empty());
        let stored = encode_document(&parsed);
        assert_eq!(decode_document(&stored), Some(parsed.clone()));
        // Rendering is parsing's inverse on what parsing produced.
        let mut v = Violations::new();
        let again = parse(&mut Parser::strict(&mut v), "terms", Some(&render(&parsed)));
        assert_eq!(again, Some(parsed));
    }
}
