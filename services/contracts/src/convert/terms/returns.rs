//! Return terms: parsed with every violation's path, rendered back.

use std::collections::HashSet;

use recourse_contracts_domain::rating::RateCard;
use recourse_contracts_domain::terms::{ReturnPayer, ReturnTerms, SlaTerms};
use recourse_money::Currency;
use recourse_proto::contracts as pb;

use super::super::Parser;
use super::super::common::{code, money_to_proto};
use super::super::limits;

pub fn payer_to_proto(p: ReturnPayer) -> pb::ReturnPayer {
    match p {
        ReturnPayer::Merchant => pb::ReturnPayer::Merchant,
        ReturnPayer::Customer => pb::ReturnPayer::Customer,
    }
}

/// The return terms; each level once, with a rate card in `cards` (its
/// zone) and SLA terms in `slas` (its promise). `None` with violations
/// under `terms.returns`.
pub fn parse(
    p: &mut Parser<'_>,
    field: &str,
    returns: &[pb::ReturnTerms],
    cur: Currency,
    (cards, slas): (&[RateCard], &[SlaTerms]),
) -> Option<Vec<ReturnTerms>> {
    let before = p.len();
    let at = format!("{field}.returns");
    if !p.at_most(returns.len(), limits::SERVICE_LEVELS, &at, "return terms") {
        return None;
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(returns.len());
    for (i, r) in returns.iter().enumerate() {
        let here = format!("{at}[{i}]");
        let level = format!("{here}.service_level");
        if code(p.v, &level, &r.service_level) {
            if !seen.insert(r.service_level.as_str()) {
                p.add(&level, "has two return terms");
            } else if !slas.iter().any(|s| s.service_level == r.service_level)
                || !cards.iter().any(|c| c.service_level == r.service_level)
            {
                p.add(
                    &level,
                    "needs a rate card and SLA terms in this version: they give a return its zone and promise",
                );
            }
        }
        let payer = match pb::ReturnPayer::try_from(r.payer) {
            Ok(pb::ReturnPayer::Merchant) => Some(ReturnPayer::Merchant),
            Ok(pb::ReturnPayer::Customer) => Some(ReturnPayer::Customer),
            Ok(pb::ReturnPayer::Unspecified) | Err(_) => {
                p.add(format!("{here}.payer"), "must be MERCHANT or CUSTOMER");
                None
            }
        };
        let label_cost = p.money(
            &format!("{here}.label_cost"),
            r.label_cost.as_ref(),
            Some(cur),
        );
        if let (Some(payer), Some(label_cost)) = (payer, label_cost) {
            out.push(ReturnTerms {
                service_level: r.service_level.clone(),
                label_cost,
                payer,
            });
        }
    }
    (p.len() == before).then_some(out)
}

pub fn render(r: &ReturnTerms) -> pb::ReturnTerms {
    pb::ReturnTerms {
        service_level: r.service_level.clone(),
        label_cost: Some(money_to_proto(r.label_cost)),
        payer: payer_to_proto(r.payer).into(),
    }
}
