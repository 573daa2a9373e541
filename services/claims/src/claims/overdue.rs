//! Claims whose carrier clocks ran out, a page at a time: the database
//! selects the overdue ones (one query per page, through the
//! `(status, decision_due)` index), the domain says which clock and by how
//! many days.

use chrono::NaiveDate;
use recourse_claims_domain::claim::Claim;
use recourse_claims_domain::deadline::{Clock, overdue};
use recourse_platform::auth::Principal;
use recourse_platform::pagination::PageRequest;

use super::{ClaimDesk, ClaimFilter, access};
use crate::error::ClaimsError;
use crate::repo::claims as repo;

/// A claim with a carrier clock past its due date.
#[derive(Debug, Clone, PartialEq)]
pub struct OverdueClaim {
    pub claim: Claim,
    pub clock: Clock,
    pub due: NaiveDate,
    pub days_overdue: u32,
}

impl ClaimDesk {
    /// One page of the claims `caller` may see whose acknowledgement or
    /// decision clock ran out before `as_of`, and the next page's token.
    pub async fn overdue(
        &self,
        caller: &Principal,
        mut filter: ClaimFilter,
        as_of: NaiveDate,
        page: &PageRequest,
    ) -> Result<(Vec<OverdueClaim>, String), ClaimsError> {
        access::narrow(caller, &mut filter)?;
        let rows = repo::overdue(
            &self.db,
            &filter,
            as_of,
            page.after.as_deref(),
            page.fetch_limit(),
        )
        .await?;
        let (rows, next) = page.finish(rows, |c| c.id.clone());
        let overdue = rows
            .into_iter()
            .filter_map(|claim| {
                let terms = claim.terms.as_ref()?;
                let (clock, due, days_overdue) = overdue(
                    claim.status,
                    terms.acknowledge_due,
                    terms.decision_due,
                    as_of,
                )?;
                Some(OverdueClaim {
                    claim,
                    clock,
                    due,
                    days_overdue,
                })
            })
            .collect();
        Ok((overdue, next))
    }
}
