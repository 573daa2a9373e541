//! Rate shopping and capacity planning: choosing among carriers with what
//! the contracts already hold (versions in force, rate cards, SLA terms,
//! stored evaluations, tendered volume) and what the carriers service
//! states (status, capacity, regions).
//!
//! `rates` answers ShopRates with a bounded number of reads whatever the
//! history: one query for the versions in force on the ship date, one for
//! the day's tenders of those carriers, one for their stored evaluations
//! in the 13-week window, and the carriers' standings (one ListCarriers
//! call, its answer kept for two seconds: `standings`). Nothing reads a
//! shipment.

mod planning;
mod rates;
mod returns;
mod standings;

pub use planning::{Acceptance, ImportOutcome, NewForecast, Plan, Planner, RowErrors};
pub use rates::{RateShop, ShopInput, ShopOption, ShopResult, Unavailable, UnavailableReason};
pub use returns::{ReturnsDesk, ReturnsQuery, ReturnsRow};
