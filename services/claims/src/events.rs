//! Events of the claims service, appended to its outbox in the transaction
//! of each change and served by `EventService/Subscribe`.
//!
//! Who reads an event is decided here, once: a claim's events carry its
//! carrier only once it was submitted (a draft belongs to its filer, so
//! carriers' feeds skip it) and its filing 3PL account as the party (a
//! 3PL's feed is an indexed read of its own claims); remittance events
//! carry neither (carriers and 3PLs never read money).

use prost::Message as _;
use recourse_claims_domain::claim::Claim;
use recourse_claims_domain::remittance::Remittance;
use recourse_platform::outbox::{NewEvent, StoredEvent, decode_event};
use recourse_platform::proto_types::timestamp_to_proto;
use recourse_proto::claims as pb;
use sea_orm::ConnectionTrait;

use crate::claims::Change;
use crate::convert::{recoveries, render};
use crate::error::ClaimsError;
use recourse_claims_migration::OUTBOX;

fn new_event(
    event_type: &str,
    subject: String,
    carrier_id: &str,
    data: pb::event::Data,
    change: Option<pb::ClaimChange>,
) -> NewEvent {
    with_credit(event_type, subject, carrier_id, data, change, None)
}

fn with_credit(
    event_type: &str,
    subject: String,
    carrier_id: &str,
    data: pb::event::Data,
    change: Option<pb::ClaimChange>,
    credit: Option<pb::DisputeCredit>,
) -> NewEvent {
    let event = pb::Event {
        position: 0,
        r#type: event_type.to_owned(),
        subject: subject.clone(),
        carrier: format!("carriers/{carrier_id}"),
        occur_time: Some(timestamp_to_proto(chrono::Utc::now())),
        data: Some(data),
        change,
        credit,
    };
    NewEvent {
        event_type: event_type.to_owned(),
        subject,
        carrier_id: carrier_id.to_owned(),
        payload: event.encode_to_vec(),
    }
}

/// Appends a claim's event for its carrier (once submitted) and its 3PL,
/// with the change that made it (none for a creation or a document).
pub async fn append_claim<C: ConnectionTrait>(
    conn: &C,
    event_type: &str,
    claim: &Claim,
    change: Option<&Change<'_>>,
) -> Result<(), ClaimsError> {
    let mut event = new_event(
        event_type,
        format!("claims/{}", claim.id),
        &claim.carrier_id,
        pb::event::Data::Claim(render::claim(claim)),
        change.map(|change| render::change(claim, change)),
    );
    if !claim.was_submitted() {
        event.carrier_id.clear();
    }
    OUTBOX
        .append_for_party(conn, event, &claim.filer.account)
        .await?;
    Ok(())
}

/// Appends a remittance's event (finance's business only).
pub async fn append_remittance<C: ConnectionTrait>(
    conn: &C,
    event_type: &str,
    remittance: &Remittance,
) -> Result<(), ClaimsError> {
    let mut event = new_event(
        event_type,
        format!("remittances/{}", remittance.id),
        &remittance.carrier_id,
        pb::event::Data::Remittance(recoveries::remittance(remittance)),
        None,
    );
    // Carriers read no money: a remittance is nobody's but finance's.
    event.carrier_id.clear();
    OUTBOX.append_for_party(conn, event, "").await?;
    Ok(())
}

/// Appends a dispute's event: its carrier reads it once submitted (an
/// open dispute is the shipper's draft).
pub async fn append_dispute<C: ConnectionTrait>(
    conn: &C,
    event_type: &str,
    d: &crate::repo::disputes::DisputeRow,
) -> Result<(), ClaimsError> {
    let mut event = new_event(
        event_type,
        format!("disputes/{}", d.id),
        &d.carrier_id,
        pb::event::Data::Dispute(crate::convert::disputes::dispute(d)),
        None,
    );
    if d.status == recourse_claims_domain::dispute::DisputeStatus::Open.as_str() {
        event.carrier_id.clear();
    }
    OUTBOX.append_for_party(conn, event, "").await?;
    Ok(())
}

/// Appends a `dispute.credited` event: the dispute as credited and the
/// credit itself (the dispute was submitted, so its carrier reads it).
pub async fn append_dispute_credit<C: ConnectionTrait>(
    conn: &C,
    d: &crate::repo::disputes::DisputeRow,
    amount: recourse_money::Money,
    (remittance_id, remittance_date): (&str, chrono::NaiveDate),
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), ClaimsError> {
    let credit = pb::DisputeCredit {
        amount: crate::convert::money(amount),
        remittance: format!("remittances/{remittance_id}"),
        remittance_date: Some(recourse_platform::proto_types::date_to_proto(
            remittance_date,
        )),
        credit_time: Some(timestamp_to_proto(at)),
    };
    let event = with_credit(
        "dispute.credited",
        format!("disputes/{}", d.id),
        &d.carrier_id,
        pb::event::Data::Dispute(crate::convert::disputes::dispute(d)),
        None,
        Some(credit),
    );
    OUTBOX.append_for_party(conn, event, "").await?;
    Ok(())
}

/// Appends an escalation's event: in-house work, no carrier reads it.
pub async fn append_escalation<C: ConnectionTrait>(
    conn: &C,
    event_type: &str,
    e: &crate::repo::escalations::EscalationRow,
    notes: &[crate::repo::escalations::NoteRow],
) -> Result<(), ClaimsError> {
    let mut event = new_event(
        event_type,
        format!("escalations/{}", e.id),
        &e.carrier_id,
        pb::event::Data::Escalation(crate::convert::escalations::escalation(e, notes)),
        None,
    );
    event.carrier_id.clear();
    OUTBOX.append_for_party(conn, event, "").await?;
    Ok(())
}

pub fn decode(stored: StoredEvent) -> Result<pb::Event, tonic::Status> {
    decode_event(stored, |event: &mut pb::Event, position| {
        event.position = position
    })
}
