//! The claim lifecycle: statuses and the only moves allowed between them.
//!
//! Legal moves (every other pair is illegal, including staying put):
//! - draft → submitted | withdrawn
//! - submitted → acknowledged | withdrawn
//! - acknowledged → under_review | withdrawn
//! - under_review → needs_info | approved | partially_approved | denied | withdrawn
//! - needs_info → under_review | withdrawn
//! - denied → appealed | closed
//! - appealed → under_review | withdrawn
//! - approved → settled | closed
//! - partially_approved → appealed | settled | closed
//! - settled → closed
//!
//! Withdrawn and closed are final: nothing leaves them. Moving to
//! needs_info, partially_approved, denied, appealed or withdrawn must carry
//! a reason. Whether an appeal is still allowed (window, count) and what a
//! decision after an appeal may be is [`crate::appeal`]'s business.

use std::fmt;

/// Where a claim is in its life, from draft to a final status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClaimStatus {
    /// Being prepared by the claimant; not yet sent to the carrier.
    Draft,
    /// Sent to the carrier; the acknowledgement clock runs.
    Submitted,
    /// The carrier confirmed receipt.
    Acknowledged,
    /// The carrier is investigating.
    UnderReview,
    /// The carrier asked the claimant for more information.
    NeedsInfo,
    /// Paid in full as claimed (up to the liability cap).
    Approved,
    /// Paid in part.
    PartiallyApproved,
    /// Refused by the carrier.
    Denied,
    /// The claimant contested a denial or a partial approval.
    Appealed,
    /// The approved amount has been recovered.
    Settled,
    /// Final: nothing more will happen.
    Closed,
    /// Final: the claimant abandoned the claim.
    Withdrawn,
}

use ClaimStatus::*;

impl ClaimStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [ClaimStatus; 12] = [
        Draft,
        Submitted,
        Acknowledged,
        UnderReview,
        NeedsInfo,
        Approved,
        PartiallyApproved,
        Denied,
        Appealed,
        Settled,
        Closed,
        Withdrawn,
    ];

    /// The snake_case name used in storage and APIs, e.g. `"under_review"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Draft => "draft",
            Submitted => "submitted",
            Acknowledged => "acknowledged",
            UnderReview => "under_review",
            NeedsInfo => "needs_info",
            Approved => "approved",
            PartiallyApproved => "partially_approved",
            Denied => "denied",
            Appealed => "appealed",
            Settled => "settled",
            Closed => "closed",
            Withdrawn => "withdrawn",
        }
    }

    /// The status named by `s` (exactly as `as_str` spells it), if any.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// True when the move `self → to` is one of the legal moves.
    pub fn can_become(self, to: ClaimStatus) -> bool {
        matches!(
            (self, to),
            (Draft, Submitted | Withdrawn)
                | (Submitted, Acknowledged | Withdrawn)
                | (Acknowledged, UnderReview | Withdrawn)
                | (
                    UnderReview,
                    NeedsInfo | Approved | PartiallyApproved | Denied | Withdrawn
                )
                | (NeedsInfo, UnderReview | Withdrawn)
                | (Denied, Appealed | Closed)
                | (Appealed, UnderReview | Withdrawn)
                | (Approved, Settled | Closed)
                | (PartiallyApproved, Appealed | Settled | Closed)
                | (Settled, Closed)
        )
    }

    /// `to` when the move is legal, else the refused move.
    pub fn transition(self, to: ClaimStatus) -> Result<ClaimStatus, IllegalTransition> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }

    /// Moves that must carry a reason: NeedsInfo, PartiallyApproved, Denied, Appealed, Withdrawn.
    pub fn requires_reason(to: ClaimStatus) -> bool {
        matches!(
            to,
            NeedsInfo | PartiallyApproved | Denied | Appealed | Withdrawn
        )
    }

    /// Approved or PartiallyApproved.
    pub fn is_approved(self) -> bool {
        matches!(self, Approved | PartiallyApproved)
    }

    /// Awaiting a carrier decision: Submitted, Acknowledged, UnderReview, NeedsInfo, Appealed.
    pub fn awaits_decision(self) -> bool {
        matches!(
            self,
            Submitted | Acknowledged | UnderReview | NeedsInfo | Appealed
        )
    }

    /// Approved, PartiallyApproved or Denied: the carrier has decided.
    pub fn is_decision(self) -> bool {
        matches!(self, Approved | PartiallyApproved | Denied)
    }

    /// Closed or Withdrawn: no move leaves a final status.
    pub fn is_final(self) -> bool {
        matches!(self, Closed | Withdrawn)
    }
}

impl fmt::Display for ClaimStatus {
    /// The snake_case name, as `as_str`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a claim cannot go from {from} to {to}")]
pub struct IllegalTransition {
    /// The status the claim is in.
    pub from: ClaimStatus,
    /// The status that was asked for.
    pub to: ClaimStatus,
}

#[cfg(test)]
mod tests;
