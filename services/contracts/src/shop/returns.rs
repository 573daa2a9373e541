//! GetReturnsReport: per carrier × merchant, the outbound shipments of a
//! range and their returns' KPIs (rules: `recourse_contracts_domain::
//! returns`, docs/rules.md "Returns"). Two queries: outbound counts by the
//! database, and the returns of those shipments.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use recourse_contracts_domain::returns::{ReturnFact, ReturnsFigures, figures};
use recourse_money::{Currency, Money};
use recourse_platform::ApiError;
use sea_orm::DatabaseConnection;

use crate::error::ContractsError;
use crate::repo::shop as repo;

/// Who and what the report covers.
#[derive(Debug, Clone)]
pub struct ReturnsQuery {
    pub from: DateTime<Utc>,
    /// Exclusive.
    pub to: DateTime<Utc>,
    pub carrier: Option<String>,
    /// A 3PL principal's account.
    pub account: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ReturnsRow {
    pub carrier_id: String,
    pub merchant: String,
    pub figures: ReturnsFigures,
}

#[derive(Debug, Clone)]
pub struct ReturnsDesk {
    db: DatabaseConnection,
}

impl ReturnsDesk {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub async fn report(&self, q: &ReturnsQuery) -> Result<Vec<ReturnsRow>, ApiError> {
        let (carrier, account) = (q.carrier.as_deref(), q.account.as_deref());
        let counts = repo::outbound_counts(&self.db, q.from, q.to, carrier, account).await?;
        let returns = repo::returns_of_shipped(&self.db, q.from, q.to, carrier, account).await?;
        let mut rows: BTreeMap<(String, String), (u64, Vec<ReturnFact>)> = BTreeMap::new();
        for (carrier_id, merchant, n) in counts {
            rows.entry((carrier_id, merchant)).or_default().0 = u64::try_from(n).unwrap_or(0);
        }
        for r in returns {
            let Some(link) = &r.return_link else { continue };
            let currency = Currency::parse(&r.currency).map_err(ApiError::internal)?;
            rows.entry((r.carrier_id.clone(), r.shipper_account.clone()))
                .or_default()
                .1
                .push(ReturnFact {
                    ship_time: r.ship_time,
                    promised: r.promised_at,
                    delivered: r.delivered_at,
                    label_cost: Money::new(link.label_cost_minor, currency),
                });
        }
        rows.into_iter()
            .map(|((carrier_id, merchant), (outbound, facts))| {
                let figures =
                    figures(outbound, &facts).map_err(|error| ContractsError::Overflow {
                        version: format!("returns of carriers/{carrier_id}"),
                        error,
                    })?;
                Ok(ReturnsRow {
                    carrier_id,
                    merchant,
                    figures,
                })
            })
            .collect()
    }
}
