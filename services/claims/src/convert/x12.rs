//! X12 requests and answers: a 926 file parsed into its reports (every
//! envelope and F11 error a violation of `content`, by segment), the
//! per-move idempotency keys, and the import result as rendered and stored.

use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_claims_domain::x12::parse;
use recourse_claims_domain::x12::status926::{StatusReport, reports};
use recourse_platform::ApiError;
use recourse_platform::auth::Principal;
use recourse_platform::error::Violation;
use recourse_platform::idempotency::IdempotencyKey;
use recourse_proto::claims as pb;

use super::replay::Replayable;
use super::terms::{Corrupt, corrupt};
use super::{status_from_proto, status_to_proto};
use crate::edi::{MoveKeys, SetResult, X12Export, X12Import};
use crate::repo::x12::InterchangeId;

/// The largest 926 file accepted.
pub const MAX_X12_BYTES: usize = 1024 * 1024;

/// The interchange's id for `caller` and its reports, or INVALID_ARGUMENT
/// with one `content` violation per error (`segment 7 (F11): element 2 …`).
pub fn import(
    caller: &Principal,
    content: &str,
) -> Result<(InterchangeId, Vec<StatusReport>), ApiError> {
    if content.len() > MAX_X12_BYTES {
        return Err(ApiError::invalid(
            "content",
            format!("is {} bytes; at most {MAX_X12_BYTES}", content.len()),
        ));
    }
    let violations = |errors: Vec<recourse_claims_domain::x12::X12Error>| {
        ApiError::InvalidArgument(
            errors
                .iter()
                .map(|e| Violation {
                    field: "content".into(),
                    description: e.to_string(),
                })
                .collect(),
        )
    };
    let interchange = parse(content).map_err(violations)?;
    let found = reports(&interchange).map_err(violations)?;
    let id = InterchangeId {
        scope: caller.carrier_scope().unwrap_or("").to_owned(),
        sender: format!("{}:{}", interchange.sender.0, interchange.sender.1),
        control_number: interchange.control_number,
    };
    Ok((id, found))
}

/// Keys `{ISA sender}:{ISA13}:{ST02}:{status}` under the caller.
pub struct ImportKeys<'a> {
    pub caller: &'a Principal,
    pub interchange: &'a InterchangeId,
}

impl MoveKeys for ImportKeys<'_> {
    fn key(&self, report: &StatusReport, to: ClaimStatus) -> Result<IdempotencyKey, ApiError> {
        let id = format!(
            "x12:{}:{}:{}:{to}",
            self.interchange.sender, self.interchange.control_number, report.control_number
        );
        let body = pb::TransitionClaimRequest {
            request_id: id.clone(),
            name: report.claim_number.clone(),
            to: status_to_proto(to).into(),
            reason: format!("{:?}", report.status),
            ..Default::default()
        };
        IdempotencyKey::new("ImportClaimStatusX12", self.caller, &id, &body)
    }
}

pub fn export(done: &X12Export) -> pb::ExportClaimX12Response {
    pb::ExportClaimX12Response {
        content: done.content.clone(),
        control_number: i64::from(done.control_number),
    }
}

fn set_result(r: &SetResult) -> pb::X12TransactionResult {
    pb::X12TransactionResult {
        control_number: r.control_number.clone(),
        claim_number: r.claim_number.clone(),
        claim: r
            .claim_id
            .as_ref()
            .map(|id| format!("claims/{id}"))
            .unwrap_or_default(),
        status: r.status.map_or(0, |s| status_to_proto(s).into()),
        error: r.error.clone(),
    }
}

impl Replayable for X12Import {
    type Wire = pb::ImportClaimStatusX12Response;

    fn to_wire(&self) -> Self::Wire {
        pb::ImportClaimStatusX12Response {
            interchange: self.interchange.clone(),
            replayed: self.replayed,
            results: self.results.iter().map(set_result).collect(),
        }
    }

    fn from_wire(wire: Self::Wire) -> Result<Self, Corrupt> {
        let results = wire
            .results
            .into_iter()
            .map(|r| {
                let status = match r.status {
                    0 => None,
                    s => Some(status_from_proto(s).ok_or_else(|| corrupt("x12 status", &r.claim))?),
                };
                Ok(SetResult {
                    claim_id: r.claim.strip_prefix("claims/").map(str::to_owned),
                    control_number: r.control_number,
                    claim_number: r.claim_number,
                    status,
                    error: r.error,
                })
            })
            .collect::<Result<_, Corrupt>>()?;
        Ok(X12Import {
            interchange: wire.interchange,
            replayed: wire.replayed,
            results,
        })
    }
}
