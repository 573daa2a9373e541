//! Claims whose carrier clocks ran out, and the open delay claims of a
//! shipment.

use chrono::NaiveDate;
use recourse_claims_domain::deadline::{Clock, overdue};
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_platform::ApiError;
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;

use super::ClaimDesk;
use crate::convert::date_out;
use crate::repo::claims::{self as repo, ClaimFilter, ClaimRecord};

impl ClaimDesk {
    /// Claims whose acknowledgement or decision clock has run out.
    pub async fn overdue(
        &self,
        carrier_id: Option<&str>,
        filing_account: Option<&str>,
        as_of: NaiveDate,
    ) -> Result<Vec<pb::OverdueClaim>, ApiError> {
        let filter = ClaimFilter {
            carrier_id: carrier_id.map(str::to_owned),
            filing_account: filing_account.map(str::to_owned),
            statuses: ClaimStatus::ALL
                .into_iter()
                .filter(|s| s.awaits_decision())
                .collect(),
            ..ClaimFilter::default()
        };
        let mut out = Vec::new();
        for claim in repo::list(&self.db, &filter, None, None).await? {
            let (Some(ack), Some(decision)) = (claim.acknowledge_due, claim.decision_due) else {
                continue;
            };
            if let Some((clock, due, days)) = overdue(claim.status, ack, decision, as_of) {
                out.push(pb::OverdueClaim {
                    claim: Some(self.to_proto(&self.db, &claim).await?),
                    clock: match clock {
                        Clock::Acknowledgement => "ACKNOWLEDGEMENT",
                        Clock::Decision => "DECISION",
                    }
                    .to_owned(),
                    due: date_out(due),
                    days_overdue: days,
                });
            }
        }
        Ok(out)
    }

    /// Open delay claims of a shipment (not withdrawn).
    pub async fn delay_claims_of(&self, shipment_id: &str) -> Result<Vec<ClaimRecord>, ApiError> {
        let filter = ClaimFilter {
            shipment_id: Some(shipment_id.to_owned()),
            claim_type: Some(cpb::ClaimType::Delay.into()),
            ..ClaimFilter::default()
        };
        Ok(repo::list(&self.db, &filter, None, None)
            .await?
            .into_iter()
            .filter(|c| c.status != ClaimStatus::Withdrawn)
            .collect())
    }
}
