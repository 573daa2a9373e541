//! An SLA's bonus schedule (incentives): parsed with every violation's
//! path, rendered back.

use recourse_contracts_domain::incentive::BonusSchedule;
use recourse_contracts_domain::sla::Targets;
use recourse_money::{Currency, Money};
use recourse_proto::contracts as pb;

use super::super::Parser;
use super::super::common::money_to_proto;

/// `Some(None)` without a schedule, `Some(Some(_))` with a valid one, `None`
/// with violations recorded under `{at}.bonuses`. `targets` are the SLA's:
/// a stretch target must be at or beyond its target.
pub fn parse(
    p: &mut Parser<'_>,
    at: &str,
    b: Option<&pb::BonusSchedule>,
    cur: Currency,
    targets: &Targets,
) -> Option<Option<BonusSchedule>> {
    let Some(b) = b else { return Some(None) };
    let before = p.len();
    let at = format!("{at}.bonuses");
    let s = b.stretch_targets.unwrap_or_default();
    for (name, stretch, target, minimum) in [
        (
            "on_time_rate_min_bp",
            s.on_time_rate_min_bp,
            targets.on_time_rate_min_bp,
            true,
        ),
        (
            "scan_compliance_min_bp",
            s.scan_compliance_min_bp,
            targets.scan_compliance_min_bp,
            true,
        ),
        (
            "exception_rate_max_bp",
            s.exception_rate_max_bp,
            targets.exception_rate_max_bp,
            false,
        ),
        (
            "claims_rate_max_bp",
            s.claims_rate_max_bp,
            targets.claims_rate_max_bp,
            false,
        ),
    ] {
        let field = format!("{at}.stretch_targets.{name}");
        if stretch > 10_000 {
            p.add(field, "must be at most 10000 basis points");
        } else if stretch > 0 && target > 0 && minimum && stretch < target {
            p.add(
                field,
                format!("must be at least the target ({target} bp): a stretch is beyond it"),
            );
        } else if stretch > 0 && target > 0 && !minimum && stretch > target {
            p.add(
                field,
                format!("must be at most the target ({target} bp): a stretch is beyond it"),
            );
        }
    }
    let mut money = |name: &str, value: Option<&recourse_proto::common::Money>| match value {
        None => Some(Money::zero(cur)),
        Some(m) => p.money(&format!("{at}.{name}"), Some(m), Some(cur)),
    };
    let per_point = money("bonus_per_point", b.bonus_per_point.as_ref());
    let cap = money("cap_per_period", b.cap_per_period.as_ref());
    if p.len() != before {
        return None;
    }
    Some(Some(BonusSchedule {
        stretch: Targets {
            on_time_rate_min_bp: s.on_time_rate_min_bp,
            scan_compliance_min_bp: s.scan_compliance_min_bp,
            exception_rate_max_bp: s.exception_rate_max_bp,
            claims_rate_max_bp: s.claims_rate_max_bp,
        },
        bonus_per_point: per_point?,
        cap_per_period: cap?,
    }))
}

pub fn render(b: Option<&BonusSchedule>) -> Option<pb::BonusSchedule> {
    b.map(|b| pb::BonusSchedule {
        stretch_targets: Some(pb::SlaTargets {
            on_time_rate_min_bp: b.stretch.on_time_rate_min_bp,
            scan_compliance_min_bp: b.stretch.scan_compliance_min_bp,
            exception_rate_max_bp: b.stretch.exception_rate_max_bp,
            claims_rate_max_bp: b.stretch.claims_rate_max_bp,
        }),
        bonus_per_point: Some(money_to_proto(b.bonus_per_point)),
        cap_per_period: Some(money_to_proto(b.cap_per_period)),
    })
}
