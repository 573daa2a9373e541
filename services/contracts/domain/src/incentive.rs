//! Incentive bonuses: what the shipper owes a carrier for beating the
//! stretch targets of its SLA, beside (never netted with) the credits the
//! carrier owes for missing the targets.
//!
//! - excess per KPI: a minimum KPI (on-time, scan compliance) whose actual
//!   is above its stretch beats it by actual − stretch; a maximum KPI
//!   (exception, claims rate) whose actual is below it by stretch −
//!   actual. A stretch of 0, or a KPI that was not measured, earns
//!   nothing.
//! - bonus per KPI = bonus_per_point × excess_bp ÷ 100 (one point is 100
//!   bp; half away from zero, as credits); the period's bonus is the sum,
//!   capped at `cap_per_period` unless that is 0.
//! - A KPI can earn a bonus while another is breached: the evaluation
//!   reports both sums, the credit owed by the carrier and the bonus owed
//!   to it, and leaves any offsetting to whoever settles them.

use recourse_money::{Currency, Money, MoneyError};

use crate::sla::{Kpi, KpiResult, Targets};

/// The terms' bonus schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BonusSchedule {
    /// Stretch targets in basis points (0 = no bonus on that KPI).
    pub stretch: Targets,
    /// Bonus per percentage point (100 bp) beyond the stretch target.
    pub bonus_per_point: Money,
    /// Most bonus per period; 0 means uncapped.
    pub cap_per_period: Money,
}

impl BonusSchedule {
    /// The stretch target of `kpi`.
    pub fn stretch_of(&self, kpi: Kpi) -> u32 {
        match kpi {
            Kpi::OnTimeRate => self.stretch.on_time_rate_min_bp,
            Kpi::ScanCompliance => self.stretch.scan_compliance_min_bp,
            Kpi::ExceptionRate => self.stretch.exception_rate_max_bp,
            Kpi::ClaimsRate => self.stretch.claims_rate_max_bp,
        }
    }
}

/// One KPI's bonus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KpiBonus {
    pub kpi: Kpi,
    pub stretch_target_bp: u32,
    pub excess_bp: u32,
    /// Uncapped.
    pub bonus: Money,
}

/// The period's bonuses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bonuses {
    pub kpis: Vec<KpiBonus>,
    /// Σ of the KPI bonuses, capped.
    pub service_bonus: Money,
}

impl Bonuses {
    /// The bonus of `kpi`, if the schedule assessed it.
    pub fn of(&self, kpi: Kpi) -> Option<&KpiBonus> {
        self.kpis.iter().find(|b| b.kpi == kpi)
    }
}

fn is_minimum(kpi: Kpi) -> bool {
    matches!(kpi, Kpi::OnTimeRate | Kpi::ScanCompliance)
}

/// The bonuses `kpis` earn under `schedule`, in `currency` (a schedule in
/// another currency is a `MoneyError`).
pub fn assess(
    kpis: &[KpiResult],
    schedule: &BonusSchedule,
    currency: Currency,
) -> Result<Bonuses, MoneyError> {
    let zero = Money::zero(currency);
    zero.checked_add(schedule.bonus_per_point)?;
    zero.checked_add(schedule.cap_per_period)?;
    let mut out = Vec::with_capacity(kpis.len());
    for k in kpis {
        let stretch = schedule.stretch_of(k.kpi);
        let excess_bp = match k.actual_bp {
            Some(actual) if stretch > 0 && is_minimum(k.kpi) && actual > stretch => {
                actual - stretch
            }
            Some(actual) if stretch > 0 && !is_minimum(k.kpi) && actual < stretch => {
                stretch - actual
            }
            _ => 0,
        };
        out.push(KpiBonus {
            kpi: k.kpi,
            stretch_target_bp: stretch,
            excess_bp,
            bonus: schedule
                .bonus_per_point
                .mul_ratio(i64::from(excess_bp), 100)?,
        });
    }
    let uncapped = Money::sum(currency, out.iter().map(|b| b.bonus))?;
    let service_bonus = if schedule.cap_per_period.amount_minor() > 0 {
        uncapped.min(schedule.cap_per_period)?
    } else {
        uncapped
    };
    Ok(Bonuses {
        kpis: out,
        service_bonus,
    })
}

#[cfg(test)]
mod tests;
