//! What a quarterly business review shows, gathered in one place: the
//! quarter's scorecard per service level, the carrier's 13 weekly rows up
//! to the quarter's end, claims by cause, the recovery reconciliation, and
//! the targets in force on the first day of the next quarter.

use chrono::{DateTime, Days, Utc};

use super::{Keyed, Reports, window};
use crate::domain::period::{Period, PeriodKind};
use crate::domain::reconciliation::ReconciliationRow;
use crate::domain::score::Weights;
use crate::domain::scorecard::{Row, Targets};
use crate::error::ReportingError;
use crate::repo::reads;

/// Claims of one type and currency filed in the quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    pub claim_type: String,
    pub currency: String,
    pub claims: u64,
    pub claimed_minor: i64,
    pub approved_minor: i64,
}

#[derive(Debug, Clone)]
pub struct Qbr {
    pub carrier_id: String,
    pub carrier_code: String,
    pub quarter: Period,
    pub as_of: DateTime<Utc>,
    pub levels: Vec<Row>,
    /// Oldest first; `None` for a week without shipments.
    pub weeks: Vec<(Period, Option<Row>)>,
    pub causes: Vec<Cause>,
    pub recovery: Keyed<ReconciliationRow>,
    /// Service level → targets in force when the next quarter starts.
    pub next_targets: Vec<(String, Targets)>,
    /// The carrier's escalations not resolved.
    pub open_escalations: u64,
}

/// Weeks in the trend.
pub const TREND_WEEKS: usize = 13;

impl Reports {
    pub async fn qbr(
        &self,
        carrier: &str,
        quarter: Period,
        as_of: DateTime<Utc>,
    ) -> Result<Qbr, ReportingError> {
        let weights = Weights::default();
        let levels = self
            .scorecard(Some(carrier), quarter, &weights, as_of, true)
            .await?;
        let mut weeks = Vec::with_capacity(TREND_WEEKS);
        // The 13 weeks up to the quarter's end, or up to as_of in a quarter
        // still running (weeks to come have nothing to show).
        let last = quarter.last.min(as_of.date_naive().max(quarter.first));
        let mut week = Period::containing(PeriodKind::Week, last);
        while let Some(w) = week {
            if weeks.len() == TREND_WEEKS {
                break;
            }
            let row = self
                .scorecard(Some(carrier), w, &weights, as_of, false)
                .await?
                .into_iter()
                .next();
            weeks.push((w, row));
            week = w.previous();
        }
        weeks.reverse();
        let causes = reads::claims_by_type(&self.db, window(&quarter), carrier)
            .await?
            .into_iter()
            .map(|(claim_type, currency, claims, claimed, approved)| Cause {
                claim_type,
                currency,
                claims,
                claimed_minor: claimed,
                approved_minor: approved,
            })
            .collect();
        let recovery = self.reconciliation(Some(carrier), quarter).await?;
        let next = quarter
            .last
            .checked_add_days(Days::new(1))
            .unwrap_or(quarter.last);
        let next_targets = reads::targets_on(&self.db, next)
            .await?
            .into_iter()
            .filter(|((c, _), _)| c == carrier)
            .map(|((_, level), t)| (level, t))
            .collect();
        let open_escalations = crate::repo::extras::open_escalations(&self.db, Some(carrier))
            .await?
            .get(carrier)
            .copied()
            .unwrap_or(0);
        let carrier_code = self
            .carriers()
            .await?
            .get(carrier)
            .cloned()
            .unwrap_or_default();
        Ok(Qbr {
            carrier_id: carrier.to_owned(),
            carrier_code,
            quarter,
            as_of,
            levels,
            weeks,
            causes,
            recovery,
            next_targets,
            open_escalations,
        })
    }
}
