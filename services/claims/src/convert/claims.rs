//! Claim requests parsed into the use cases' inputs, with every field
//! violation named by its path and every bound of `limits` enforced.

use recourse_claims_domain::claim::{
    ClaimType, Claimant, ClaimantKind, DocumentKind, LineItem, LineTotalError, claimed_total,
};
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_claims_domain::limits::{
    MAX_AMOUNT_MINOR, MAX_DESCRIPTION_CHARS, MAX_LINE_ITEMS, MAX_NAME_CHARS, MAX_NOTES_CHARS,
    MAX_QUANTITY, MAX_REASON_CHARS, MAX_SKU_CHARS,
};
use recourse_money::Money;
use recourse_platform::field_mask::UpdateMask;
use recourse_platform::{ApiError, Violations, etag};
use recourse_proto::claims as pb;

use super::{bounded_money, claim_id, claim_type_from_proto, claimant_kind_from_proto};
use super::{document_kind_from_proto, resource_id, status_from_proto, text};
use crate::claims::{ClaimPatch, Move, NewClaim};

/// The fields of a draft `UpdateClaim` may change (snake_case or, as JSON
/// clients write them, lowerCamelCase: `lineItems`).
pub const MUTABLE: [&str; 4] = ["type", "claimant", "line_items", "notes"];

fn incomplete() -> ApiError {
    ApiError::invalid("request", "is invalid")
}

pub fn claim_type(v: &mut Violations, field: &str, value: i32) -> Option<ClaimType> {
    let parsed = claim_type_from_proto(value);
    v.check(
        parsed.is_some(),
        field,
        "must be a claim type (LOSS, DAMAGE, DELAY, SHORTAGE, CONCEALED_DAMAGE)",
    );
    parsed
}

/// A claimant; a 3PL (`third_party`) files as PARTNER_3PL for a merchant.
pub fn claimant(
    v: &mut Violations,
    field: &str,
    c: Option<&pb::Claimant>,
    third_party: bool,
) -> Option<Claimant> {
    let Some(c) = c else {
        v.add(field, "is required");
        return None;
    };
    let kind = claimant_kind_from_proto(c.kind);
    v.check(
        kind.is_some(),
        format!("{field}.kind"),
        "must be INTERNAL_TEAM, MERCHANT or PARTNER_3PL",
    );
    let name = text(v, &format!("{field}.name"), &c.name, MAX_NAME_CHARS, true);
    let on_behalf_of = text(
        v,
        &format!("{field}.on_behalf_of"),
        &c.on_behalf_of,
        MAX_NAME_CHARS,
        false,
    );
    if kind == Some(ClaimantKind::Partner3pl) && on_behalf_of.is_empty() {
        v.add(
            format!("{field}.on_behalf_of"),
            "names the merchant a 3PL files for",
        );
    }
    if third_party && kind.is_some_and(|k| k != ClaimantKind::Partner3pl) {
        v.add(
            format!("{field}.kind"),
            "a 3PL files as PARTNER_3PL, for the merchant named in on_behalf_of",
        );
    }
    Some(Claimant {
        kind: kind?,
        name,
        on_behalf_of,
    })
}

/// Line items (1 to [`MAX_LINE_ITEMS`], one currency) and their total (at
/// most [`MAX_AMOUNT_MINOR`]).
pub fn line_items(
    v: &mut Violations,
    field: &str,
    items: &[pb::LineItem],
) -> Option<(Vec<LineItem>, Money)> {
    if items.is_empty() {
        v.add(field, "needs at least one item");
        return None;
    }
    if items.len() > MAX_LINE_ITEMS {
        v.add(
            field,
            format!(
                "must have at most {MAX_LINE_ITEMS} items (has {})",
                items.len()
            ),
        );
        return None;
    }
    let before = v.len();
    let mut parsed = Vec::with_capacity(items.len());
    let mut currency = None;
    for (i, item) in items.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let sku = text(v, &format!("{at}.sku"), &item.sku, MAX_SKU_CHARS, false);
        let description = text(
            v,
            &format!("{at}.description"),
            &item.description,
            MAX_DESCRIPTION_CHARS,
            true,
        );
        v.check(
            (1..=MAX_QUANTITY).contains(&item.quantity),
            format!("{at}.quantity"),
            format!("must be 1-{MAX_QUANTITY}"),
        );
        let unit = bounded_money(
            v,
            &format!("{at}.unit_value"),
            item.unit_value.as_ref(),
            currency,
        );
        if let Some(unit) = unit {
            currency.get_or_insert(unit.currency());
            parsed.push(LineItem {
                sku,
                description,
                quantity: item.quantity,
                unit_value: unit,
            });
        }
    }
    if v.len() != before {
        return None;
    }
    match claimed_total(&parsed) {
        Ok(total) => Some((parsed, total)),
        Err(LineTotalError::MixedCurrencies { index, .. }) => {
            v.add(
                format!("{field}[{index}].unit_value.currency_code"),
                "must be the currency of the first item",
            );
            None
        }
        Err(LineTotalError::TooLarge { .. } | LineTotalError::Empty) => {
            v.add(
                field,
                format!("must add up to at most {MAX_AMOUNT_MINOR} minor units"),
            );
            None
        }
    }
}

/// A CreateClaim body.
pub fn new_claim(c: Option<&pb::Claim>, third_party: bool) -> Result<NewClaim, ApiError> {
    let Some(c) = c else {
        return Err(ApiError::invalid("claim", "is required"));
    };
    let mut v = Violations::new();
    let shipment = resource_id(&mut v, "claim.shipment", "shipments", &c.shipment);
    let kind = claim_type(&mut v, "claim.type", c.r#type);
    let who = claimant(&mut v, "claim.claimant", c.claimant.as_ref(), third_party);
    let items = line_items(&mut v, "claim.line_items", &c.line_items);
    v.check(
        c.declared_value.is_none(),
        "claim.declared_value",
        "is output only: the liability cap uses the value declared to the carrier when the \
         parcel shipped (the shipment's declared_value); state what was lost in line_items",
    );
    let notes = text(&mut v, "claim.notes", &c.notes, MAX_NOTES_CHARS, false);
    v.into_result()?;
    let (Some(shipment_id), Some(claim_type), Some(claimant), Some((line_items, claimed))) =
        (shipment, kind, who, items)
    else {
        return Err(incomplete());
    };
    Ok(NewClaim {
        shipment_id,
        claim_type,
        claimant,
        line_items,
        claimed,
        notes,
    })
}

/// An UpdateClaim body: the claim's id, the etag read, and the changes.
pub fn claim_patch(
    body: &pb::UpdateClaimRequest,
    third_party: bool,
) -> Result<(String, i64, ClaimPatch), ApiError> {
    let Some(c) = &body.claim else {
        return Err(ApiError::invalid("claim", "is required"));
    };
    let mut v = Violations::new();
    let id = claim_id(&mut v, "claim.name", &c.name);
    let given = etag::collect(&mut v, "claim.etag", &c.etag);
    let mask = UpdateMask::parse(&mut v, body.update_mask.as_ref(), &MUTABLE);
    let wants = |path: &str| mask.names(path);
    let mut patch = ClaimPatch::default();
    if wants("type") {
        patch.claim_type = claim_type(&mut v, "claim.type", c.r#type);
    }
    if wants("claimant") {
        patch.claimant = claimant(&mut v, "claim.claimant", c.claimant.as_ref(), third_party);
    }
    if wants("line_items") {
        patch.line_items = line_items(&mut v, "claim.line_items", &c.line_items);
    }
    if wants("notes") {
        patch.notes = Some(text(
            &mut v,
            "claim.notes",
            &c.notes,
            MAX_NOTES_CHARS,
            false,
        ));
    }
    v.into_result()?;
    let (Some(id), Some(given)) = (id, given) else {
        return Err(incomplete());
    };
    Ok((id, given, patch))
}

/// A SubmitClaim body: id, etag, and the late-filing justification when
/// the override is asked for.
pub fn submission(
    body: &pb::SubmitClaimRequest,
) -> Result<(String, i64, Option<String>), ApiError> {
    let mut v = Violations::new();
    let id = claim_id(&mut v, "name", &body.name);
    let given = etag::collect(&mut v, "etag", &body.etag);
    let justification = text(
        &mut v,
        "override_justification",
        &body.override_justification,
        MAX_REASON_CHARS,
        body.override_late_filing,
    );
    v.into_result()?;
    let (Some(id), Some(given)) = (id, given) else {
        return Err(incomplete());
    };
    Ok((
        id,
        given,
        body.override_late_filing.then_some(justification),
    ))
}

/// A TransitionClaim body.
pub fn step(body: &pb::TransitionClaimRequest) -> Result<(String, i64, Move), ApiError> {
    let mut v = Violations::new();
    let id = claim_id(&mut v, "name", &body.name);
    let given = etag::collect(&mut v, "etag", &body.etag);
    let to = status_from_proto(body.to);
    v.check(to.is_some(), "to", "must be a claim status");
    let required = to.is_some_and(ClaimStatus::requires_reason) || body.override_cap;
    let reason = text(&mut v, "reason", &body.reason, MAX_REASON_CHARS, required);
    let amount = body
        .approved_amount
        .as_ref()
        .and_then(|m| bounded_money(&mut v, "approved_amount", Some(m), None));
    v.into_result()?;
    let (Some(id), Some(given), Some(to)) = (id, given, to) else {
        return Err(incomplete());
    };
    Ok((
        id,
        given,
        Move {
            to,
            reason,
            amount,
            override_cap: body.override_cap,
        },
    ))
}

/// A document's kind, checked under `field`.
pub fn document_kind(v: &mut Violations, field: &str, value: i32) -> Option<DocumentKind> {
    let kind = document_kind_from_proto(value);
    v.check(kind.is_some(), field, "must be a document kind");
    kind
}

pub fn file_name(v: &mut Violations, field: &str, name: &str) {
    v.check(
        !name.is_empty()
            && name.len() <= 255
            && !name.contains(['/', '\\'])
            && !name.chars().any(char::is_control),
        field,
        "must be 1-255 bytes without slashes or control characters",
    );
}

pub fn sha256(v: &mut Violations, field: &str, value: &str) {
    v.check(
        value.len() == 64
            && value
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
        field,
        "must be 64 lower-case hex digits",
    );
}
