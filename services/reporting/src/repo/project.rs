//! Writes one event's [`Fact`] into the read models, in the caller's
//! transaction (the one that also moves the feed's position).

use sea_orm::{ConnectionTrait, DbErr, Value};

use super::ALWAYS;
use super::{day, stmt};
use crate::domain::facts::{
    CarrierFact, ClaimFact, EvaluationFact, ExceptionFact, Fact, ShipmentFact, TargetsFact,
};

pub async fn apply<C: ConnectionTrait>(conn: &C, position: i64, fact: &Fact) -> Result<(), DbErr> {
    let b = conn.get_database_backend();
    match fact {
        Fact::Nothing => Ok(()),
        Fact::Carrier(c) => {
            conn.execute_raw(stmt(
                b,
                "INSERT INTO reporting_carriers (carrier_id, code, display_name, status) \
                 VALUES (?, ?, ?, ?) ON CONFLICT (carrier_id) DO UPDATE SET \
                 code = excluded.code, display_name = excluded.display_name, status = excluded.status",
                vec![
                    c.id.clone().into(),
                    c.code.clone().into(),
                    c.display_name.clone().into(),
                    c.status.clone().into(),
                ],
            ))
            .await?;
            allocations(conn, c).await
        }
        Fact::Targets(t) => targets(conn, t).await,
        Fact::Shipment(s) => shipment(conn, s).await,
        Fact::Claim(c) => claim(conn, position, c).await,
        Fact::Evaluation(e) => evaluation(conn, e).await,
        Fact::Escalation(e) => {
            conn.execute_raw(stmt(
                b,
                "INSERT INTO reporting_escalations (escalation_id, carrier_id, kind, resolved) \
                 VALUES (?, ?, ?, ?) ON CONFLICT (escalation_id) DO UPDATE SET \
                 carrier_id = excluded.carrier_id, kind = excluded.kind, resolved = excluded.resolved",
                vec![
                    e.id.clone().into(),
                    e.carrier_id.clone().into(),
                    e.kind.clone().into(),
                    i32::from(e.resolved).into(),
                ],
            ))
            .await?;
            Ok(())
        }
    }
}

/// The carrier's allocations as the event states them, replacing what
/// was stored.
async fn allocations<C: ConnectionTrait>(conn: &C, c: &CarrierFact) -> Result<(), DbErr> {
    let b = conn.get_database_backend();
    conn.execute_raw(stmt(
        b,
        "DELETE FROM reporting_allocations WHERE carrier_id = ?",
        vec![c.id.clone().into()],
    ))
    .await?;
    let base = (
        ALWAYS.0.to_owned(),
        ALWAYS.1.to_owned(),
        0,
        c.capacity.daily_parcels,
    );
    let peaks = c
        .capacity
        .peaks
        .iter()
        .map(|(first, last, n)| (day(*first), day(*last), 1, *n));
    for (first, last, peak, parcels) in std::iter::once(base).chain(peaks) {
        conn.execute_raw(stmt(
            b,
            "INSERT INTO reporting_allocations (carrier_id, first_day, last_day, peak, daily_parcels) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (carrier_id, peak, first_day) DO UPDATE SET \
             last_day = excluded.last_day, daily_parcels = excluded.daily_parcels",
            vec![
                c.id.clone().into(),
                first.into(),
                last.into(),
                peak.into(),
                i64::from(parcels).into(),
            ],
        ))
        .await?;
    }
    Ok(())
}

async fn evaluation<C: ConnectionTrait>(conn: &C, e: &EvaluationFact) -> Result<(), DbErr> {
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        "INSERT INTO reporting_sla_evaluations (evaluation_id, carrier_id, service_level, \
         period_last, currency, credit_minor, bonus_minor, breached) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (evaluation_id) DO UPDATE SET \
         carrier_id = excluded.carrier_id, service_level = excluded.service_level, \
         period_last = excluded.period_last, currency = excluded.currency, \
         credit_minor = excluded.credit_minor, bonus_minor = excluded.bonus_minor, \
         breached = excluded.breached",
        vec![
            e.id.clone().into(),
            e.carrier_id.clone().into(),
            e.service_level.clone().into(),
            day(e.period_last).into(),
            e.currency.clone().into(),
            e.credit_minor.into(),
            e.bonus_minor.into(),
            i32::from(e.breached).into(),
        ],
    ))
    .await?;
    Ok(())
}

async fn targets<C: ConnectionTrait>(conn: &C, t: &TargetsFact) -> Result<(), DbErr> {
    let b = conn.get_database_backend();
    conn.execute_raw(stmt(
        b,
        "DELETE FROM reporting_targets WHERE version = ?",
        vec![t.version.clone().into()],
    ))
    .await?;
    for l in &t.levels {
        conn.execute_raw(stmt(
            b,
            "INSERT INTO reporting_targets (version, carrier_id, service_level, effective_from, \
             effective_to, on_time_min_bp, exception_max_bp, claims_max_bp, scan_min_bp) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                t.version.clone().into(),
                t.carrier_id.clone().into(),
                l.service_level.clone().into(),
                day(t.effective_from).into(),
                t.effective_to.map(day).into(),
                i64::from(l.on_time_min_bp).into(),
                i64::from(l.exception_max_bp).into(),
                i64::from(l.claims_max_bp).into(),
                i64::from(l.scan_min_bp).into(),
            ],
        ))
        .await?;
    }
    Ok(())
}

async fn shipment<C: ConnectionTrait>(conn: &C, s: &ShipmentFact) -> Result<(), DbErr> {
    let b = conn.get_database_backend();
    let (excused, with_exception) = match s.exception {
        None => (0i32, 0i32),
        Some(ExceptionFact::Excused) => (1, 0),
        Some(ExceptionFact::NotExcused) => (0, 1),
    };
    // Exceptions accumulate: a flag once set stays set.
    conn.execute_raw(stmt(
        b,
        "INSERT INTO reporting_shipments (shipment_id, carrier_id, service_level, ship_date, \
         due_at, delivered_at, verdict, charge_minor, currency, excused, with_exception, \
         scan_compliant) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shipment_id) DO UPDATE SET \
         scan_compliant = COALESCE(excluded.scan_compliant, reporting_shipments.scan_compliant), \
         carrier_id = excluded.carrier_id, service_level = excluded.service_level, \
         ship_date = excluded.ship_date, due_at = excluded.due_at, \
         delivered_at = excluded.delivered_at, verdict = excluded.verdict, \
         charge_minor = excluded.charge_minor, currency = excluded.currency, \
         excused = CASE WHEN excluded.excused > reporting_shipments.excused \
           THEN excluded.excused ELSE reporting_shipments.excused END, \
         with_exception = CASE WHEN excluded.with_exception > reporting_shipments.with_exception \
           THEN excluded.with_exception ELSE reporting_shipments.with_exception END",
        vec![
            s.id.clone().into(),
            s.carrier_id.clone().into(),
            s.service_level.clone().into(),
            day(s.ship_date).into(),
            s.due_at.into(),
            s.delivered_at.into(),
            s.verdict.as_str().into(),
            s.charge_minor.into(),
            s.currency.clone().into(),
            excused.into(),
            with_exception.into(),
            s.scan_compliant.map(i32::from).into(),
        ],
    ))
    .await?;
    Ok(())
}

async fn claim<C: ConnectionTrait>(conn: &C, position: i64, c: &ClaimFact) -> Result<(), DbErr> {
    let b = conn.get_database_backend();
    let values: Vec<Value> = vec![
        c.id.clone().into(),
        c.number.clone().into(),
        c.carrier_id.clone().into(),
        c.service_level.clone().into(),
        c.claim_type.clone().into(),
        c.status.clone().into(),
        c.currency.clone().into(),
        c.claimed_minor.into(),
        c.approved_minor.into(),
        c.recovered_minor.into(),
        c.written_off_minor.into(),
        c.submitted_at.into(),
        c.decided_at.into(),
        c.withdrawn_at.into(),
        c.acknowledge_due.map(day).into(),
        c.decision_due.map(day).into(),
    ];
    // The first decision's time is kept (an appeal decided later does not
    // move the cycle time).
    conn.execute_raw(stmt(
        b,
        "INSERT INTO reporting_claims (claim_id, number, carrier_id, service_level, claim_type, \
         status, currency, claimed_minor, approved_minor, recovered_minor, written_off_minor, \
         submitted_at, decided_at, withdrawn_at, acknowledge_due, decision_due) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (claim_id) DO UPDATE SET number = excluded.number, \
         carrier_id = excluded.carrier_id, service_level = excluded.service_level, \
         claim_type = excluded.claim_type, status = excluded.status, \
         currency = excluded.currency, claimed_minor = excluded.claimed_minor, \
         approved_minor = excluded.approved_minor, recovered_minor = excluded.recovered_minor, \
         written_off_minor = excluded.written_off_minor, submitted_at = excluded.submitted_at, \
         decided_at = COALESCE(reporting_claims.decided_at, excluded.decided_at), \
         withdrawn_at = COALESCE(excluded.withdrawn_at, reporting_claims.withdrawn_at), \
         acknowledge_due = excluded.acknowledge_due, decision_due = excluded.decision_due",
        values,
    ))
    .await?;
    if let Some(m) = &c.movement {
        conn.execute_raw(stmt(
            b,
            "INSERT INTO reporting_claim_movements (position, claim_id, carrier_id, kind, \
             amount_minor, currency, effective_date) VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                position.into(),
                c.id.clone().into(),
                c.carrier_id.clone().into(),
                m.kind.as_str().into(),
                m.amount_minor.into(),
                c.currency.clone().into(),
                day(m.effective_date).into(),
            ],
        ))
        .await?;
    }
    Ok(())
}
