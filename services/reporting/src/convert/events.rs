//! The three feeds' events as [`Fact`]s. An event a projection cannot use
//! (a shipment event without a shipment, a date out of range) is an error
//! naming what is wrong: the consumer stops on it rather than skip it.

use chrono::{DateTime, NaiveDate, Utc};
use recourse_platform::proto_types::{date_from_proto, timestamp_from_proto};
use recourse_proto::carriers as carriers_pb;
use recourse_proto::claims as claims_pb;
use recourse_proto::common::Date;
use recourse_proto::contracts as contracts_pb;

use crate::domain::facts::{
    CapacityFact, CarrierFact, ClaimFact, EscalationFact, EvaluationFact, ExceptionFact, Fact,
    LevelTargets, Movement, MovementKind, ShipmentFact, TargetsFact, Verdict,
};

fn id_of<'n>(name: &'n str, prefix: &str) -> Result<&'n str, String> {
    name.strip_prefix(prefix)
        .filter(|id| !id.is_empty() && !id.contains('/'))
        .ok_or_else(|| format!("`{name}` is not a {prefix}{{id}} name"))
}

fn date(d: Option<&Date>, what: &str) -> Result<NaiveDate, String> {
    d.and_then(date_from_proto)
        .ok_or_else(|| format!("{what} is missing or not a date"))
}

fn instant(t: Option<&prost_types::Timestamp>) -> Option<DateTime<Utc>> {
    t.and_then(timestamp_from_proto)
}

fn seconds(t: Option<&prost_types::Timestamp>) -> Option<i64> {
    instant(t).map(|t| t.timestamp())
}

/// A carriers-feed event.
pub fn carrier(e: &carriers_pb::Event) -> Result<Fact, String> {
    let Some(carriers_pb::event::Data::CarrierData(c)) = &e.data else {
        return Err("the event carries no carrier".into());
    };
    Ok(Fact::Carrier(CarrierFact {
        id: id_of(&c.name, "carriers/")?.to_owned(),
        code: c.code.clone(),
        display_name: c.display_name.clone(),
        status: c.status().as_str_name().to_owned(),
        capacity: c
            .capacity
            .as_ref()
            .map(|cap| {
                let peaks = cap
                    .peak_allocations
                    .iter()
                    .map(|p| {
                        Ok((
                            date(p.start_date.as_ref(), "peak_allocations.start_date")?,
                            date(p.end_date.as_ref(), "peak_allocations.end_date")?,
                            p.daily_parcels,
                        ))
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                Ok::<_, String>(CapacityFact {
                    daily_parcels: cap.daily_parcels,
                    peaks,
                })
            })
            .transpose()?
            .unwrap_or_default(),
    }))
}

/// A contracts-feed event: versions' targets and shipments' facts.
pub fn contracts(e: &contracts_pb::Event) -> Result<Fact, String> {
    use contracts_pb::event::Data;
    match &e.data {
        Some(Data::ContractVersion(v)) => version(v),
        Some(Data::Shipment(s)) => shipment(e, s),
        Some(Data::SlaEvaluation(ev)) => evaluation(ev),
        None if e.r#type.starts_with("shipment.") => {
            Err("a shipment event carries no shipment".into())
        }
        None => Ok(Fact::Nothing),
    }
}

fn version(v: &contracts_pb::ContractVersion) -> Result<Fact, String> {
    if v.status() == contracts_pb::VersionStatus::Draft {
        return Ok(Fact::Nothing);
    }
    let levels = v
        .terms
        .as_ref()
        .map(|t| {
            t.sla_terms
                .iter()
                .map(|s| {
                    let t = s.targets.unwrap_or_default();
                    LevelTargets {
                        service_level: s.service_level.clone(),
                        on_time_min_bp: t.on_time_rate_min_bp,
                        exception_max_bp: t.exception_rate_max_bp,
                        claims_max_bp: t.claims_rate_max_bp,
                        scan_min_bp: t.scan_compliance_min_bp,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Fact::Targets(TargetsFact {
        version: v.name.clone(),
        carrier_id: id_of(&v.carrier, "carriers/")?.to_owned(),
        effective_from: date(v.effective_from.as_ref(), "effective_from")?,
        effective_to: v.effective_to.as_ref().and_then(date_from_proto),
        levels,
    }))
}

fn shipment(e: &contracts_pb::Event, s: &contracts_pb::Shipment) -> Result<Fact, String> {
    let Some(m) = &e.measure else {
        return Err("a shipment event without its measure (written before measures existed; replay needs them)".into());
    };
    let verdict = match m.verdict() {
        contracts_pb::DeliveryVerdict::NotDelivered => Verdict::NotDelivered,
        contracts_pb::DeliveryVerdict::OnTime => Verdict::OnTime,
        contracts_pb::DeliveryVerdict::Late => Verdict::Late,
        contracts_pb::DeliveryVerdict::Unspecified => {
            return Err("the measure has no delivery verdict".into());
        }
    };
    let exception = (e.r#type == "shipment.exception").then_some(if m.exception_excusable {
        ExceptionFact::Excused
    } else {
        ExceptionFact::NotExcused
    });
    let charge = s.billed_charge.as_ref();
    Ok(Fact::Shipment(ShipmentFact {
        id: id_of(&s.name, "shipments/")?.to_owned(),
        carrier_id: id_of(&s.carrier, "carriers/")?.to_owned(),
        service_level: s.service_level.clone(),
        ship_date: date(m.ship_date.as_ref(), "measure.ship_date")?,
        due_at: seconds(m.due_time.as_ref()),
        delivered_at: seconds(s.delivered_time.as_ref()),
        verdict,
        charge_minor: charge.map(|c| c.amount_minor),
        currency: charge.map(|c| c.currency_code.clone()).unwrap_or_default(),
        exception,
        scan_compliant: m.scan_compliant,
    }))
}

fn evaluation(ev: &contracts_pb::SlaEvaluation) -> Result<Fact, String> {
    let credit = ev.service_credit.as_ref();
    let currency = credit
        .or(ev.total_billed.as_ref())
        .map(|m| m.currency_code.clone())
        .unwrap_or_default();
    let bonus = ev.service_bonus.as_ref();
    if bonus.is_some_and(|b| !currency.is_empty() && b.currency_code != currency) {
        return Err("the bonus and the credit are in different currencies".into());
    }
    Ok(Fact::Evaluation(EvaluationFact {
        id: id_of(&ev.name, "slaEvaluations/")?.to_owned(),
        carrier_id: id_of(&ev.carrier, "carriers/")?.to_owned(),
        service_level: ev.service_level.clone(),
        period_last: date(ev.period_end.as_ref(), "period_end")?,
        currency,
        credit_minor: credit.map_or(0, |m| m.amount_minor),
        bonus_minor: bonus.map(|m| m.amount_minor),
        breached: ev.breached,
    }))
}

fn is_decision(s: claims_pb::ClaimStatus) -> bool {
    matches!(
        s,
        claims_pb::ClaimStatus::Approved
            | claims_pb::ClaimStatus::PartiallyApproved
            | claims_pb::ClaimStatus::Denied
    )
}

/// A claims-feed event: claims and the money their changes moved.
pub fn claims(e: &claims_pb::Event) -> Result<Fact, String> {
    let c = match &e.data {
        Some(claims_pb::event::Data::Claim(c)) => c,
        Some(claims_pb::event::Data::Escalation(x)) => {
            return Ok(Fact::Escalation(EscalationFact {
                id: id_of(&x.name, "escalations/")?.to_owned(),
                carrier_id: x.carrier.strip_prefix("carriers/").unwrap_or("").to_owned(),
                kind: x.kind().as_str_name().to_owned(),
                resolved: x.state() == claims_pb::EscalationState::Resolved,
            }));
        }
        // Remittances: the money reaches the read models through the
        // claim.recovered events of the claims they paid. Disputes: not
        // reported on.
        Some(claims_pb::event::Data::Remittance(_) | claims_pb::event::Data::Dispute(_)) | None => {
            return Ok(Fact::Nothing);
        }
    };
    let change = e.change.as_ref();
    let at = change.and_then(|c| instant(c.change_time.as_ref()));
    let to = change.map(claims_pb::ClaimChange::to_status);
    let movement = match (change, at) {
        (Some(ch), Some(at)) => movement(e, c, ch, at.date_naive())?,
        _ => None,
    };
    let claimed = c.claimed_amount.as_ref();
    Ok(Fact::Claim(ClaimFact {
        id: id_of(&c.name, "claims/")?.to_owned(),
        number: c.number.clone(),
        carrier_id: id_of(&c.carrier, "carriers/")?.to_owned(),
        service_level: c.service_level.clone(),
        claim_type: c.r#type().as_str_name().to_owned(),
        status: c.status().as_str_name().to_owned(),
        currency: claimed.map(|m| m.currency_code.clone()).unwrap_or_default(),
        claimed_minor: claimed.map_or(0, |m| m.amount_minor),
        approved_minor: c.approved_amount.as_ref().map(|m| m.amount_minor),
        recovered_minor: c.recovered_amount.as_ref().map_or(0, |m| m.amount_minor),
        written_off_minor: c.written_off_amount.as_ref().map_or(0, |m| m.amount_minor),
        submitted_at: seconds(c.submit_time.as_ref()),
        decided_at: at
            .filter(|_| to.is_some_and(is_decision))
            .map(|t| t.timestamp()),
        withdrawn_at: at
            .filter(|_| to == Some(claims_pb::ClaimStatus::Withdrawn))
            .map(|t| t.timestamp()),
        acknowledge_due: c
            .terms
            .as_ref()
            .and_then(|t| t.acknowledge_due.as_ref())
            .and_then(date_from_proto),
        decision_due: c
            .terms
            .as_ref()
            .and_then(|t| t.decision_due.as_ref())
            .and_then(date_from_proto),
        movement,
    }))
}

fn movement(
    e: &claims_pb::Event,
    c: &claims_pb::Claim,
    ch: &claims_pb::ClaimChange,
    on: NaiveDate,
) -> Result<Option<Movement>, String> {
    let Some(amount) = &ch.amount else {
        return Ok(None);
    };
    let claimed = c.claimed_amount.as_ref().map(|m| m.currency_code.as_str());
    if claimed.is_some_and(|cur| cur != amount.currency_code) {
        return Err(format!(
            "moves {} on a claim in {}",
            amount.currency_code,
            claimed.unwrap_or_default()
        ));
    }
    let kind = if !ch.remittance.is_empty() {
        MovementKind::Recovered
    } else if e.r#type == "claim.written_off" {
        MovementKind::WrittenOff
    } else if matches!(
        ch.to_status(),
        claims_pb::ClaimStatus::Approved | claims_pb::ClaimStatus::PartiallyApproved
    ) {
        MovementKind::Approved
    } else {
        return Ok(None);
    };
    // An allocation counts from the later of its booking and its
    // remittance's date, as the claims service's reconciliation counts it.
    let effective = match ch.remittance_date.as_ref().and_then(date_from_proto) {
        Some(dated) if kind == MovementKind::Recovered => on.max(dated),
        Some(_) | None => on,
    };
    Ok(Some(Movement {
        kind,
        amount_minor: amount.amount_minor,
        effective_date: effective,
    }))
}
