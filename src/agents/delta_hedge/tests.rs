//! Tests of `delta_hedge`: the Black–Scholes deltas of DOMAIN.md, and the tokens an honest hedger
//! sells on its first day on a deep book (Δ·N within ±15%, strikes 1.0 / 1.5 / 2.0 × open).

use rust_decimal::dec;

use super::*;
use crate::agents::behaviour::Behaviour;
use crate::agents::passive_mm::PassiveMmConfig;
use crate::build::build;
use crate::scenario::Scenario;
use crate::units::Dur;

const DAY: u64 = 86_400_000_000_000;

#[test]
fn deltas_match_the_domain_table() {
    // σ = 100%, T = 1 y, r = 0: 0.69 / 0.61 / 0.54 / 0.42 / 0.34 at 1.0 / 1.25 / 1.5 / 2.0 / 2.5 × spot.
    for (k, want) in [(1.0, 0.69), (1.25, 0.61), (1.5, 0.54), (2.0, 0.42), (2.5, 0.34)] {
        let d = call_delta(1.0, k, 1.0, 1.0);
        assert!((d - want).abs() < 0.005, "K = {k}: Δ = {d}");
    }
    assert_eq!(call_delta(1.2, 1.0, 0.0, 1.0), 1.0, "at expiry in the money");
    assert_eq!(call_delta(0.9, 1.0, 0.0, 1.0), 0.0, "at expiry out of the money");
    assert!(call_delta(1.0, 1.0, 0.5, 1.0) < call_delta(1.0, 1.0, 1.0, 1.0), "Δ at the money grows with τ");
}

/// A day of one hedger with a 100,000-token loan and one call, on a book 5,000,000 tokens deep a
/// side (a passive MM with 10 levels of 500,000 tokens, 0.1% apart).
fn hedged_day(strike_multiple: f64) -> (f64, f64) {
    hedged_day_within(strike_multiple, 1.0, 0)
}

/// [`hedged_day`] with a net-sell limit (share of the loan) and `levels` quote levels a side.
fn hedged_day_within(strike_multiple: f64, sell_limit_share: f64, levels: u32) -> (f64, f64) {
    let n = 100_000.0;
    let hedger = DeltaHedgeConfig {
        loan_tokens: n,
        calls: vec![CallTerms { share: 1.0, strike_multiple }],
        volatility: 1.0,
        tenor_days: 365.0,
        levels,
        level_share: 0.05,
        sell_limit_share,
        ..DeltaHedgeConfig::default()
    };
    let book = PassiveMmConfig {
        spread_bps: 20.0,
        levels: 10,
        level_spacing_bps: 10.0,
        level_size: 500_000.0,
        max_inventory: 1e9,
        gamma: 0.0,
        ..PassiveMmConfig::default()
    };
    let scenario = Scenario::new("hedge_day", 7, dec!(0.0001), dec!(1), dec!(1), Dur(DAY))
        .with_group("book", 1, dec!(100000000), dec!(100000000), Behaviour::PassiveMm(book))
        .with_group("mm", 1, dec!(1000), dec!(100000), Behaviour::DeltaHedge(hedger));
    let mut built = build(&scenario, None).expect("a valid scenario");
    built.sim.run();
    let acct = built.agents.iter().find(|a| a.name == "mm").unwrap().accounts[0];
    let end = built.sim.exchange().ledger().account(acct).tokens();
    let sold = n - end.0 as f64;
    (sold, call_delta(1.0, strike_multiple, 1.0, 1.0) * n)
}

#[test]
fn sells_delta_times_the_loan_on_the_first_day() {
    for k in [1.0, 1.5, 2.0] {
        let (sold, want) = hedged_day(k);
        assert!((sold - want).abs() <= 0.15 * want, "K = {k} × open: sold {sold}, Δ·N = {want:.0}");
    }
}

#[test]
fn a_sell_limit_caps_the_hedge_and_the_asks() {
    // Δ·N at the money is ~69,000 of 100,000 tokens; a 20% limit (a contract's net-sell cap kept)
    // stops the hedge at 20,000, and the quotes (5,000-token levels) never sell past it either.
    for levels in [0, 3] {
        let (sold, want) = hedged_day_within(1.0, 0.2, levels);
        assert!(want > 60_000.0, "Δ·N = {want}");
        assert!((19_000.0..=20_000.0).contains(&sold), "{levels} levels: sold {sold}, limit 20,000");
    }
}

#[test]
fn depressing_sells_before_the_window_ends_and_checks_catch_bad_terms() {
    let m = crate::testkit::market();
    let bad = DeltaHedgeConfig {
        calls: vec![CallTerms { share: 0.8, strike_multiple: 1.0 }, CallTerms { share: 0.8, strike_multiple: 2.0 }],
        volatility: 0.0,
        depress_share: 2.0,
        ..DeltaHedgeConfig::default()
    };
    let keys: Vec<_> = bad.check(&m).iter().map(|i| i.key).collect();
    assert_eq!(keys, ["calls", "volatility", "depress_share"]);
    assert!(DeltaHedgeConfig::default().check(&m).is_empty());
}
