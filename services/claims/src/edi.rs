//! X12 EDI with carriers (issue 13): a claim exported as a 920, and 926
//! status reports imported as lifecycle moves.
//!
//! Each reported status becomes the moves TransitionClaim would make, one
//! transaction each through [`ClaimDesk::transition`] (its role, scope and
//! amount rules, history and events): acknowledged is `acknowledged`; paid
//! walks acknowledged → under review → approved with the amount; declined
//! walks to `denied` with the reason. Each move's idempotency key derives
//! from the interchange, the transaction set and the move, so a retry after
//! a failure half-way replays the moves done. The interchange is recorded
//! with its result once every set was tried; re-importing it (same importer
//! scope, ISA sender and control number) changes nothing and returns that
//! result. A refusal (claim not found or not the caller's, an illegal move,
//! an amount above the cap) is that set's result; a fault of ours (the
//! database, a lost race) fails the call, which a retry completes.

use chrono::Utc;
use prost::Message as _;
use recourse_claims_domain::claim::Claim;
use recourse_claims_domain::deadline::Anchor;
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_claims_domain::x12::claim920::{self, ClaimFiling, Envelope, FilingLine};
use recourse_claims_domain::x12::status926::{ReportedStatus, StatusReport};
use recourse_claims_domain::x12::write;
use recourse_platform::ApiError;
use recourse_platform::auth::Principal;
use recourse_platform::idempotency::IdempotencyKey;

use crate::claims::{ClaimDesk, Move};
use crate::convert::replay::Replayable;
use crate::error::{ClaimsError, Refusal};
use crate::repo::claims as claims_repo;
use crate::repo::x12::{self as repo, InterchangeId};

/// Our ISA sender: qualifier ZZ (mutually defined), id RECOURSE.
pub const OUR_ID: &str = "RECOURSE";

/// The idempotency key of one move of one transaction set's report.
pub trait MoveKeys {
    fn key(&self, report: &StatusReport, to: ClaimStatus) -> Result<IdempotencyKey, ApiError>;
}

/// What one transaction set did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetResult {
    pub control_number: String,
    pub claim_number: String,
    pub claim_id: Option<String>,
    /// The status the claim was left in, when the report applied.
    pub status: Option<ClaimStatus>,
    /// `CODE: message` when it did not.
    pub error: String,
}

/// What an import did (or did the first time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X12Import {
    pub interchange: String,
    pub replayed: bool,
    pub results: Vec<SetResult>,
}

/// An exported 920.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X12Export {
    pub content: String,
    pub control_number: u32,
}

/// The 920 view of a claim.
pub fn filing(claim: &Claim) -> ClaimFiling {
    let ship_date = claim
        .terms
        .as_ref()
        .filter(|t| t.deadline.anchor == Anchor::ShipDate)
        .map(|t| t.deadline.anchor_date);
    ClaimFiling {
        claim_number: claim.number.clone(),
        filed_on: claim.submitted_at.unwrap_or(claim.created_at).date_naive(),
        claimed: claim.claimed,
        claim_type: claim.claim_type,
        carrier: claim.carrier_id.clone(),
        tracking_number: claim.tracking_number.clone(),
        ship_date,
        lines: claim
            .line_items
            .iter()
            .map(|l| FilingLine {
                quantity: l.quantity,
                unit_value: l.unit_value,
                description: l.description.clone(),
                sku: l.sku.clone(),
            })
            .collect(),
    }
}

/// ISA06/08 and GS02/03 hold at most 15 characters.
fn isa_id(s: &str) -> String {
    s.chars().take(15).collect::<String>().to_uppercase()
}

/// The moves from `from` that reach what `status` reports.
fn path(from: ClaimStatus, status: &ReportedStatus) -> Vec<ClaimStatus> {
    let target = match status {
        ReportedStatus::Acknowledged => ClaimStatus::Acknowledged,
        ReportedStatus::Paid(_) => ClaimStatus::Approved,
        ReportedStatus::Declined(_) => ClaimStatus::Denied,
    };
    let mut out = Vec::new();
    if target == ClaimStatus::Acknowledged {
        if from != ClaimStatus::Acknowledged {
            out.push(target);
        }
        return out;
    }
    let mut at = from;
    if at == ClaimStatus::Submitted {
        out.push(ClaimStatus::Acknowledged);
        at = ClaimStatus::Acknowledged;
    }
    if matches!(
        at,
        ClaimStatus::Acknowledged | ClaimStatus::NeedsInfo | ClaimStatus::Appealed
    ) {
        out.push(ClaimStatus::UnderReview);
    }
    out.push(target);
    out
}

/// How a refusal reads in a set's result; None for a fault of ours or a
/// lost race (the call fails and a retry completes it).
fn refusal(err: &ClaimsError) -> Option<&'static str> {
    match err {
        ClaimsError::NotFound { .. } => Some("NOT_FOUND"),
        ClaimsError::IllegalTransition(_) | ClaimsError::Refused { .. } => {
            Some("FAILED_PRECONDITION")
        }
        ClaimsError::Forbidden(_) => Some("PERMISSION_DENIED"),
        ClaimsError::Invalid { .. } => Some("INVALID_ARGUMENT"),
        ClaimsError::AlreadyOpen(_) | ClaimsError::RemittanceRecorded { .. } => {
            Some("ALREADY_EXISTS")
        }
        ClaimsError::Stale { .. }
        | ClaimsError::Conflict(_)
        | ClaimsError::Upstream(_)
        | ClaimsError::Platform(_)
        | ClaimsError::Db(_)
        | ClaimsError::Internal(_) => None,
    }
}

impl ClaimDesk {
    /// The claim `id` as a 920 interchange with the next control number.
    pub async fn export_x12(&self, caller: &Principal, id: &str) -> Result<X12Export, ClaimsError> {
        let claim = self.get(caller, id).await?;
        if !claim.was_submitted() {
            return Err(ClaimsError::refused(
                Refusal::ClaimNotSubmitted,
                format!("claims/{id}"),
                format!("claims/{id} is a draft: only a submitted claim is sent to its carrier"),
            ));
        }
        let control_number = repo::next_control_number(self.db()).await?;
        let envelope = Envelope {
            sender: ("ZZ".into(), OUR_ID.into()),
            receiver: ("ZZ".into(), isa_id(&claim.carrier_id)),
            at: Utc::now().naive_utc(),
            control_number,
            usage: 'P',
        };
        let content = write(&claim920::interchange(&filing(&claim), &envelope));
        Ok(X12Export {
            content,
            control_number,
        })
    }

    /// Applies a parsed 926 interchange's reports (see the module).
    pub async fn import_x12(
        &self,
        caller: &Principal,
        id: InterchangeId,
        reports: &[StatusReport],
        keys: &impl MoveKeys,
    ) -> Result<X12Import, ClaimsError> {
        if let Some(stored) = repo::find(self.db(), &id).await? {
            return replay(&stored);
        }
        let mut results = Vec::with_capacity(reports.len());
        for report in reports {
            results.push(self.apply_report(caller, report, keys).await?);
        }
        let done = X12Import {
            interchange: format!("{}:{:09}", id.sender, id.control_number),
            replayed: false,
            results,
        };
        if repo::record(self.db(), &id, done.to_wire().encode_to_vec()).await? {
            return Ok(done);
        }
        // A concurrent import of the same interchange recorded first.
        match repo::find(self.db(), &id).await? {
            Some(stored) => replay(&stored),
            None => Err(ClaimsError::internal("x12 interchange record vanished")),
        }
    }

    async fn apply_report(
        &self,
        caller: &Principal,
        report: &StatusReport,
        keys: &impl MoveKeys,
    ) -> Result<SetResult, ClaimsError> {
        let mut result = SetResult {
            control_number: report.control_number.clone(),
            claim_number: report.claim_number.clone(),
            claim_id: None,
            status: None,
            error: String::new(),
        };
        let found = claims_repo::ids_by_reference(
            self.db(),
            &[],
            std::slice::from_ref(&report.claim_number),
        )
        .await?;
        let outcome = match found.first() {
            Some((claim_id, _, _)) => self.moves(caller, claim_id, report, keys).await,
            None => Err(ClaimsError::not_found(
                "claim",
                "claims",
                &format!("number {}", report.claim_number),
            )),
        };
        match outcome {
            Ok(claim) => {
                result.claim_id = Some(claim.id);
                result.status = Some(claim.status);
            }
            Err(err) => match refusal(&err) {
                Some(code) => result.error = format!("{code}: {err}"),
                None => return Err(err),
            },
        }
        Ok(result)
    }

    async fn moves(
        &self,
        caller: &Principal,
        id: &str,
        report: &StatusReport,
        keys: &impl MoveKeys,
    ) -> Result<Claim, ClaimsError> {
        let mut claim = self.get(caller, id).await?;
        let why = format!("X12 926 transaction set {}", report.control_number);
        for to in path(claim.status, &report.status) {
            let (reason, amount) = match (&report.status, to) {
                (ReportedStatus::Paid(amount), ClaimStatus::Approved) => {
                    (format!("{why}: paid {amount}"), Some(*amount))
                }
                (ReportedStatus::Declined(reason), ClaimStatus::Denied) => {
                    (format!("{why}: {reason}"), None)
                }
                _ => (why.clone(), None),
            };
            let step = Move {
                to,
                reason,
                amount,
                override_cap: false,
            };
            let key = keys.key(report, to)?;
            claim = self
                .transition(key, caller, id, claim.revision, step)
                .await?;
        }
        Ok(claim)
    }
}

fn replay(stored: &[u8]) -> Result<X12Import, ClaimsError> {
    let wire = <X12Import as Replayable>::Wire::decode(stored).map_err(ClaimsError::internal)?;
    let mut import = X12Import::from_wire(wire).map_err(ClaimsError::internal)?;
    import.replayed = true;
    Ok(import)
}
