use super::*;

fn usd(minor: i64) -> Money {
    Money::new(minor, Currency::parse("USD").unwrap())
}

fn kpi(kpi: Kpi, actual_bp: Option<u32>) -> KpiResult {
    KpiResult {
        kpi,
        actual_bp,
        target_bp: 0,
        breached: false,
        shortfall_bp: 0,
        credit: usd(0),
        numerator: 0,
        denominator: 0,
        exclusions: Vec::new(),
    }
}

fn schedule(cap: i64) -> BonusSchedule {
    BonusSchedule {
        stretch: Targets {
            on_time_rate_min_bp: 9_700,
            scan_compliance_min_bp: 9_900,
            exception_rate_max_bp: 200,
            claims_rate_max_bp: 0,
        },
        bonus_per_point: usd(5_000),
        cap_per_period: usd(cap),
    }
}

#[test]
fn bonus_per_point_beyond_each_stretch_target_capped() {
    // On time 9,925 bp vs stretch 9,700: 225 bp = 2.25 points × 50.00 =
    // 112.50. Scan compliance 9,850 < stretch 9,900: nothing. Exceptions
    // 50 bp vs a 200 bp maximum: 150 bp = 1.5 points × 50.00 = 75.00.
    // Claims: no stretch, nothing. Sum 187.50; capped at 150.00.
    let kpis = [
        kpi(Kpi::OnTimeRate, Some(9_925)),
        kpi(Kpi::ScanCompliance, Some(9_850)),
        kpi(Kpi::ExceptionRate, Some(50)),
        kpi(Kpi::ClaimsRate, Some(0)),
    ];
    let uncapped = assess(&kpis, &schedule(0), Currency::parse("USD").unwrap()).unwrap();
    let excess: Vec<(u32, i64)> = uncapped
        .kpis
        .iter()
        .map(|b| (b.excess_bp, b.bonus.amount_minor()))
        .collect();
    assert_eq!(excess, [(225, 11_250), (0, 0), (150, 7_500), (0, 0)]);
    assert_eq!(uncapped.service_bonus, usd(18_750));
    let capped = assess(&kpis, &schedule(15_000), Currency::parse("USD").unwrap()).unwrap();
    assert_eq!(capped.service_bonus, usd(15_000));
    assert_eq!(capped.of(Kpi::OnTimeRate).unwrap().bonus, usd(11_250));
}

#[test]
fn half_a_cent_rounds_away_from_zero_and_unmeasured_earns_nothing() {
    // 1 bp beyond at 50.00 a point = 0.50; at 0.50 a point: 0.005 → 0.01.
    let mut s = schedule(0);
    s.bonus_per_point = usd(50);
    let kpis = [
        kpi(Kpi::OnTimeRate, Some(9_701)),
        kpi(Kpi::ScanCompliance, None),
    ];
    let b = assess(&kpis, &s, Currency::parse("USD").unwrap()).unwrap();
    assert_eq!(b.kpis[0].bonus, usd(1));
    assert_eq!(b.kpis[1].excess_bp, 0);
    // A schedule in another currency is refused.
    s.bonus_per_point = Money::new(50, Currency::parse("EUR").unwrap());
    assert!(assess(&kpis, &s, Currency::parse("USD").unwrap()).is_err());
}
