//! Contract version lifecycle: draft → active → expired. Drafts are edited
//! freely; an active version is immutable (new terms make a new version); an
//! expired one keeps answering for the dates it covered. For any carrier and
//! date at most one non-draft version is in force.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};

use crate::terms::ContractTerms;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionStatus {
    Draft,
    Active,
    Expired,
}

impl VersionStatus {
    pub const ALL: [VersionStatus; 3] = [Self::Draft, Self::Active, Self::Expired];

    pub fn as_str(self) -> &'static str {
        match self {
            VersionStatus::Draft => "draft",
            VersionStatus::Active => "active",
            VersionStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

impl fmt::Display for VersionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A contract with a carrier: a reference, a name and numbered versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub id: String,
    pub carrier_id: String,
    /// Unique per carrier, e.g. "ACME-2026-MSA".
    pub reference: String,
    pub display_name: String,
    pub created_at: DateTime<Utc>,
}

/// One version of a contract: its dates, its terms and where it is in its
/// lifecycle. `revision` is the etag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractVersion {
    pub id: String,
    pub contract_id: String,
    pub carrier_id: String,
    pub number: u32,
    pub status: VersionStatus,
    pub span: Span,
    pub terms: ContractTerms,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ContractVersion {
    /// `contracts/{id}/versions/{n}`.
    pub fn name(&self) -> String {
        format!("contracts/{}/versions/{}", self.contract_id, self.number)
    }
}

/// Days a version is in force, both ends inclusive; `to = None` is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl Span {
    pub fn new(from: NaiveDate, to: Option<NaiveDate>) -> Result<Self, String> {
        match to {
            Some(to) if to < from => Err("effective_to must not be before effective_from".into()),
            _ => Ok(Self { from, to }),
        }
    }

    pub fn covers(&self, date: NaiveDate) -> bool {
        self.from <= date && self.to.is_none_or(|to| date <= to)
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        let starts_before_other_ends = other.to.is_none_or(|to| self.from <= to);
        let other_starts_before_self_ends = self.to.is_none_or(|to| other.from <= to);
        starts_before_other_ends && other_starts_before_self_ends
    }
}

/// Another non-draft version of the same carrier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InForce {
    pub name: String,
    pub status: VersionStatus,
    pub span: Span,
}

/// Why a draft cannot become active.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("only a draft version can be {action}; this one is {status}")]
    NotDraft {
        action: &'static str,
        status: VersionStatus,
    },
    #[error("only an active version can expire; this one is {0}")]
    NotActive(VersionStatus),
    #[error("{other} is in force from {from} and overlaps these dates")]
    Overlap { other: String, from: NaiveDate },
    #[error("effective_to must not be before effective_from ({0})")]
    EndBeforeStart(NaiveDate),
    #[error("an expiry may end the version earlier, not later than {0}")]
    ExtendsVersion(NaiveDate),
}

/// The dates of a draft after an edit: `from`/`to` replace what is given
/// (`to: Some(None)` makes it open-ended). Only drafts are edited.
pub fn edit(
    status: VersionStatus,
    span: Span,
    from: Option<NaiveDate>,
    to: Option<Option<NaiveDate>>,
) -> Result<Span, LifecycleError> {
    if status != VersionStatus::Draft {
        return Err(LifecycleError::NotDraft {
            action: "edited",
            status,
        });
    }
    let from = from.unwrap_or(span.from);
    let to = to.unwrap_or(span.to);
    Span::new(from, to).map_err(|_| LifecycleError::EndBeforeStart(from))
}

/// Activating a draft spanning `span` among the carrier's other non-draft
/// versions: the predecessors to close (see [`plan_activation`]).
pub fn activate(
    status: VersionStatus,
    span: Span,
    others: &[InForce],
) -> Result<Vec<(String, NaiveDate)>, LifecycleError> {
    if status != VersionStatus::Draft {
        return Err(LifecycleError::NotDraft {
            action: "activated",
            status,
        });
    }
    plan_activation(span, others)
}

/// Expiring an active version on `last_day` (inclusive): never before it
/// starts, never later than it already ends.
pub fn expire(
    status: VersionStatus,
    span: Span,
    last_day: NaiveDate,
) -> Result<Span, LifecycleError> {
    if status != VersionStatus::Active {
        return Err(LifecycleError::NotActive(status));
    }
    if last_day < span.from {
        return Err(LifecycleError::EndBeforeStart(span.from));
    }
    if let Some(to) = span.to
        && last_day > to
    {
        return Err(LifecycleError::ExtendsVersion(to));
    }
    Ok(Span {
        from: span.from,
        to: Some(last_day),
    })
}

/// Versions to close the day before `new` starts: an active, open-ended (or
/// longer-running) predecessor that began earlier is cut short; any other
/// overlap is a conflict.
pub fn plan_activation(
    new: Span,
    others: &[InForce],
) -> Result<Vec<(String, NaiveDate)>, LifecycleError> {
    let mut closes = Vec::new();
    for other in others.iter().filter(|o| o.span.overlaps(&new)) {
        let day_before = new.from.pred_opt();
        match (other.status, day_before) {
            (VersionStatus::Active, Some(end)) if other.span.from < new.from => {
                closes.push((other.name.clone(), end));
            }
            _ => {
                return Err(LifecycleError::Overlap {
                    other: other.name.clone(),
                    from: other.span.from,
                });
            }
        }
    }
    Ok(closes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn active(name: &str, from: NaiveDate, to: Option<NaiveDate>) -> InForce {
        InForce {
            name: name.into(),
            status: VersionStatus::Active,
            span: Span { from, to },
        }
    }

    #[test]
    fn only_drafts_are_edited_or_activated_and_only_active_versions_expire() {
        let span = Span::new(d(2026, 1, 1), None).unwrap();
        assert_eq!(
            edit(VersionStatus::Draft, span, Some(d(2026, 2, 1)), None),
            Ok(Span::new(d(2026, 2, 1), None).unwrap())
        );
        assert!(matches!(
            edit(VersionStatus::Active, span, Some(d(2026, 2, 1)), None),
            Err(LifecycleError::NotDraft { .. })
        ));
        assert_eq!(
            edit(
                VersionStatus::Draft,
                span,
                None,
                Some(Some(d(2025, 12, 31)))
            ),
            Err(LifecycleError::EndBeforeStart(d(2026, 1, 1)))
        );
        assert!(activate(VersionStatus::Expired, span, &[]).is_err());
        assert_eq!(activate(VersionStatus::Draft, span, &[]), Ok(vec![]));
        assert_eq!(
            expire(VersionStatus::Active, span, d(2026, 6, 30)),
            Ok(Span::new(d(2026, 1, 1), Some(d(2026, 6, 30))).unwrap())
        );
        assert_eq!(
            expire(VersionStatus::Draft, span, d(2026, 6, 30)),
            Err(LifecycleError::NotActive(VersionStatus::Draft))
        );
        assert_eq!(
            expire(VersionStatus::Active, span, d(2025, 6, 30)),
            Err(LifecycleError::EndBeforeStart(d(2026, 1, 1)))
        );
        let closed = Span::new(d(2026, 1, 1), Some(d(2026, 3, 31))).unwrap();
        assert_eq!(
            expire(VersionStatus::Active, closed, d(2026, 4, 1)),
            Err(LifecycleError::ExtendsVersion(d(2026, 3, 31)))
        );
    }

    #[test]
    fn span_covers_both_ends() {
        let span = Span::new(d(2026, 1, 1), Some(d(2026, 1, 31))).unwrap();
        assert!(span.covers(d(2026, 1, 1)));
        assert!(span.covers(d(2026, 1, 31)));
        assert!(!span.covers(d(2026, 2, 1)));
        assert!(!span.covers(d(2025, 12, 31)));
        assert!(
            Span::new(d(2026, 1, 1), None)
                .unwrap()
                .covers(d(2099, 1, 1))
        );
        assert!(Span::new(d(2026, 2, 1), Some(d(2026, 1, 1))).is_err());
    }

    #[test]
    fn open_predecessor_is_closed_the_day_before_the_successor_starts() {
        let v1 = active("v1", d(2026, 1, 1), None);
        let plan = plan_activation(Span::new(d(2026, 7, 1), None).unwrap(), &[v1]).unwrap();
        assert_eq!(plan, [("v1".to_owned(), d(2026, 6, 30))]);
    }

    #[test]
    fn a_version_starting_on_or_after_the_new_one_is_a_conflict() {
        let later = active("v2", d(2026, 7, 1), None);
        let err = plan_activation(Span::new(d(2026, 7, 1), None).unwrap(), &[later]).unwrap_err();
        assert!(matches!(err, LifecycleError::Overlap { .. }));
    }

    #[test]
    fn an_expired_overlap_is_a_conflict_and_a_disjoint_one_is_fine() {
        let expired = InForce {
            name: "v1".into(),
            status: VersionStatus::Expired,
            span: Span::new(d(2026, 1, 1), Some(d(2026, 3, 31))).unwrap(),
        };
        assert!(
            plan_activation(
                Span::new(d(2026, 3, 1), None).unwrap(),
                std::slice::from_ref(&expired)
            )
            .is_err()
        );
        assert_eq!(
            plan_activation(Span::new(d(2026, 4, 1), None).unwrap(), &[expired]).unwrap(),
            []
        );
    }
}
