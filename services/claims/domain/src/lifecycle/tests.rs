//! The lifecycle table checked exhaustively against an independent list.

use super::*;

/// The legal moves, written out once more as data.
const LEGAL: &[(ClaimStatus, ClaimStatus)] = &[
    (Draft, Submitted),
    (Draft, Withdrawn),
    (Submitted, Acknowledged),
    (Submitted, Withdrawn),
    (Acknowledged, UnderReview),
    (Acknowledged, Withdrawn),
    (UnderReview, NeedsInfo),
    (UnderReview, Approved),
    (UnderReview, PartiallyApproved),
    (UnderReview, Denied),
    (UnderReview, Withdrawn),
    (NeedsInfo, UnderReview),
    (NeedsInfo, Withdrawn),
    (Denied, Appealed),
    (Denied, Closed),
    (Appealed, UnderReview),
    (Appealed, Withdrawn),
    (Approved, Settled),
    (Approved, Closed),
    (PartiallyApproved, Appealed),
    (PartiallyApproved, Settled),
    (PartiallyApproved, Closed),
    (Settled, Closed),
];

#[test]
fn all_23_legal_moves_are_allowed_and_the_other_121_of_144_refused() {
    let mut allowed = 0;
    for from in ClaimStatus::ALL {
        for to in ClaimStatus::ALL {
            let legal = LEGAL.contains(&(from, to));
            assert_eq!(from.can_become(to), legal, "{from} -> {to}");
            if legal {
                allowed += 1;
                assert_eq!(from.transition(to), Ok(to));
            } else {
                assert_eq!(from.transition(to), Err(IllegalTransition { from, to }));
            }
        }
    }
    assert_eq!(allowed, 23);
}

#[test]
fn staying_put_is_refused_for_all_12() {
    for s in ClaimStatus::ALL {
        assert!(!s.can_become(s), "{s}");
    }
}

#[test]
fn closed_and_withdrawn_have_no_exits() {
    for to in ClaimStatus::ALL {
        assert!(!Closed.can_become(to));
        assert!(!Withdrawn.can_become(to));
    }
    let finals: Vec<_> = ClaimStatus::ALL
        .into_iter()
        .filter(|s| s.is_final())
        .collect();
    assert_eq!(finals, vec![Closed, Withdrawn]);
}

#[test]
fn every_non_final_status_has_an_exit() {
    for from in ClaimStatus::ALL.into_iter().filter(|s| !s.is_final()) {
        assert!(
            ClaimStatus::ALL.into_iter().any(|to| from.can_become(to)),
            "{from}"
        );
    }
}

#[test]
fn names_round_trip_and_under_review_is_snake_case() {
    assert_eq!(UnderReview.as_str(), "under_review");
    assert_eq!(PartiallyApproved.to_string(), "partially_approved");
    assert_eq!(NeedsInfo.as_str(), "needs_info");
    for s in ClaimStatus::ALL {
        assert_eq!(ClaimStatus::parse(s.as_str()), Some(s));
    }
    for bad in ["", "Draft", "UNDER_REVIEW", "under-review", "pending"] {
        assert_eq!(ClaimStatus::parse(bad), None, "{bad}");
    }
}

#[test]
fn illegal_transition_message_names_both_statuses() {
    let err = Closed.transition(Draft).unwrap_err();
    assert_eq!(err.to_string(), "a claim cannot go from closed to draft");
}

#[test]
fn reasons_are_required_for_exactly_5_targets() {
    let with_reason: Vec<_> = ClaimStatus::ALL
        .into_iter()
        .filter(|&s| ClaimStatus::requires_reason(s))
        .collect();
    assert_eq!(
        with_reason,
        vec![NeedsInfo, PartiallyApproved, Denied, Appealed, Withdrawn]
    );
}

#[test]
fn approved_and_awaiting_sets() {
    let approved: Vec<_> = ClaimStatus::ALL
        .into_iter()
        .filter(|s| s.is_approved())
        .collect();
    assert_eq!(approved, vec![Approved, PartiallyApproved]);
    let awaiting: Vec<_> = ClaimStatus::ALL
        .into_iter()
        .filter(|s| s.awaits_decision())
        .collect();
    assert_eq!(
        awaiting,
        vec![Submitted, Acknowledged, UnderReview, NeedsInfo, Appealed]
    );
}

#[test]
fn a_partial_approval_can_be_appealed_and_an_appeal_withdrawn() {
    // Issue 7: both were refused before.
    assert_eq!(PartiallyApproved.transition(Appealed), Ok(Appealed));
    assert_eq!(Appealed.transition(Withdrawn), Ok(Withdrawn));
    // A full approval has nothing left to contest.
    assert!(!Approved.can_become(Appealed));
}

#[test]
fn decisions_are_approved_partially_approved_and_denied() {
    let decisions: Vec<_> = ClaimStatus::ALL
        .into_iter()
        .filter(|s| s.is_decision())
        .collect();
    assert_eq!(decisions, vec![Approved, PartiallyApproved, Denied]);
}
