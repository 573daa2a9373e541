//! Parsing of claim requests: every field violation with its path.

use recourse_money::Money;
use recourse_platform::auth::{Principal, Role};
use recourse_platform::{ApiError, Violations, etag};
use recourse_proto::claims as pb;
use tonic::Status;

use super::super::{MAX_AMOUNT_MINOR, bounded_money};

pub fn invalid() -> Status {
    ApiError::invalid("request", "is invalid").into()
}

pub fn claim_type(v: &mut Violations, field: &str, value: i32) -> Option<i32> {
    let ok = recourse_proto::contracts::ClaimType::try_from(value)
        .is_ok_and(|t| t != recourse_proto::contracts::ClaimType::Unspecified);
    v.check(
        ok,
        field,
        "must be a claim type (LOSS, DAMAGE, DELAY, SHORTAGE, CONCEALED_DAMAGE)",
    );
    ok.then_some(value)
}

pub fn claimant(
    v: &mut Violations,
    field: &str,
    c: Option<&pb::Claimant>,
    caller: &Principal,
) -> Option<pb::Claimant> {
    let Some(c) = c else {
        v.add(field, "is required");
        return None;
    };
    let kind = pb::ClaimantKind::try_from(c.kind)
        .ok()
        .filter(|k| *k != pb::ClaimantKind::Unspecified);
    v.check(
        kind.is_some(),
        format!("{field}.kind"),
        "must be INTERNAL_TEAM, MERCHANT or PARTNER_3PL",
    );
    v.check(
        !c.name.trim().is_empty() && c.name.len() <= 200,
        format!("{field}.name"),
        "must be 1-200 characters",
    );
    v.check(
        c.on_behalf_of.len() <= 200,
        format!("{field}.on_behalf_of"),
        "must be at most 200 characters",
    );
    if kind == Some(pb::ClaimantKind::Partner3pl) {
        v.check(
            !c.on_behalf_of.trim().is_empty(),
            format!("{field}.on_behalf_of"),
            "names the merchant a 3PL files for",
        );
    }
    if caller.role == Role::ThirdParty && kind.is_some_and(|k| k != pb::ClaimantKind::Partner3pl) {
        v.add(
            format!("{field}.kind"),
            "a 3PL files as PARTNER_3PL, for the merchant named in on_behalf_of",
        );
    }
    kind.map(|_| c.clone())
}

/// Line items: at least one, positive quantities, one currency; returns the
/// items and their total.
pub fn line_items(
    v: &mut Violations,
    field: &str,
    items: &[pb::LineItem],
) -> Option<(Vec<pb::LineItem>, Money)> {
    if items.is_empty() {
        v.add(field, "needs at least one item");
        return None;
    }
    let before = v.len();
    let mut total: Option<Money> = None;
    for (i, item) in items.iter().enumerate() {
        let at = format!("{field}[{i}]");
        v.check(
            !item.description.trim().is_empty(),
            format!("{at}.description"),
            "is required",
        );
        v.check(
            item.quantity > 0,
            format!("{at}.quantity"),
            "must be positive",
        );
        let expected = total.map(|t| t.currency());
        if let Some(unit) = bounded_money(
            v,
            &format!("{at}.unit_value"),
            item.unit_value.as_ref(),
            expected,
        ) {
            let line = unit.mul_ratio(i64::from(item.quantity), 1);
            match (line, total) {
                (Ok(line), None) => total = Some(line),
                (Ok(line), Some(t)) => match t.checked_add(line) {
                    Ok(sum) => total = Some(sum),
                    Err(e) => v.add(format!("{at}.unit_value"), e.to_string()),
                },
                (Err(e), _) => v.add(format!("{at}.unit_value"), e.to_string()),
            }
        }
    }
    if let Some(t) = total
        && t.amount_minor() > MAX_AMOUNT_MINOR
    {
        v.add(
            field,
            format!("must add up to at most {MAX_AMOUNT_MINOR} minor units (they add up to {t})"),
        );
    }
    (v.len() == before).then_some(())?;
    total.map(|t| (items.to_vec(), t))
}

pub fn parse_etag(v: &mut Violations, field: &str, value: &str) -> Option<i64> {
    etag::parse(field, value)
        .map_err(|_| v.add(field, "is required: send the etag you last read"))
        .ok()
}

/// The declared value is the one declared to the carrier when the parcel
/// shipped (read from the shipment); a claim cannot state its own.
pub fn declared_value_is_output_only(v: &mut Violations, field: &str, c: &pb::Claim) {
    v.check(
        c.declared_value.is_none(),
        field,
        "is output only: the liability cap uses the value declared to the carrier when the \
         parcel shipped (the shipment's declared_value); state what was lost in line_items",
    );
}
