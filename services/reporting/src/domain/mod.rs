//! Pure rules of the reports: periods, KPI arithmetic, RAG status, the
//! weighted score, percentiles, aging buckets and reconciliation sums.
//! No I/O, no protobuf; definitions in docs/rules.md ("Reporting").

pub mod aging;
pub mod extras;
pub mod facts;
pub mod kpi;
pub mod period;
pub mod reconciliation;
pub mod score;
pub mod scorecard;
