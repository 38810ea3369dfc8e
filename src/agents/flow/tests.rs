use rust_decimal::dec;

use super::*;
use crate::agents::{AnyAgent, Behaviour};
use crate::build::{build, Built};
use crate::scenario::Scenario;
use crate::units::Dur;

const MIN: u64 = 60_000_000_000;

fn crowd(seed: u64, minutes: u64, cfg: FlowConfig) -> Built {
    let s = Scenario::new("flow", seed, dec!(0.01), dec!(0.001), dec!(100), Dur(minutes * MIN)).with_group(
        "crowd",
        20,
        dec!(10000000),
        dec!(100000),
        Behaviour::Flow(cfg),
    );
    let mut built = build(&s, None).expect("a valid scenario");
    built.sim.run();
    built
}

fn stats(built: &Built) -> FlowStats {
    match &built.sim.slots()[0].agent {
        AnyAgent::Flow(c) => *c.stats(),
        other => panic!("not a flow crowd: {other:?}"),
    }
}

#[test]
fn market_orders_arrive_at_their_rate_and_trade_against_the_seeded_book() {
    let cfg = FlowConfig {
        market_buy_per_min: 30.0,
        market_sell_per_min: 30.0,
        limit_buy_per_min: 120.0,
        limit_sell_per_min: 120.0,
        ..FlowConfig::default()
    };
    let built = crowd(7, 60, cfg);
    let st = stats(&built);
    // 60 market arrivals per minute for an hour: 3,600 expected, Poisson sd 60. An arrival that finds
    // no opposite side is skipped; with four times the limit flow that stays rare.
    assert!((3_300..3_900).contains(&(st.market_orders + st.skipped)), "{st:?}");
    assert!(st.skipped * 10 < st.market_orders, "{st:?}");
    assert!(built.sim.recorder().totals().trades > 1_000, "{:?}", built.sim.recorder().totals());
    assert!(st.cancels > 0, "{st:?}");
    assert!(built.sim.exchange().ledger().conservation().ok());
}

#[test]
fn hawkes_excitation_raises_the_rate_by_one_over_one_minus_the_branching_ratio() {
    let base = FlowConfig { market_buy_per_min: 10.0, market_sell_per_min: 10.0, ..FlowConfig::default() };
    let excited = FlowConfig { hawkes_branching: 0.5, hawkes_decay_secs: 5.0, ..base.clone() };
    let (a, b) = (stats(&crowd(3, 120, base)).market_orders, stats(&crowd(3, 120, excited)).market_orders);
    let ratio = b as f64 / a as f64;
    assert!((1.6..2.4).contains(&ratio), "{a} → {b}: ratio {ratio}");
}

#[test]
fn the_hourly_profile_silences_an_hour() {
    let mut hourly = vec![1.0; 24];
    hourly[5] = 0.0;
    let cfg =
        FlowConfig { hourly, start_hour: 5, limit_buy_per_min: 0.0, limit_sell_per_min: 0.0, ..FlowConfig::default() };
    let st = stats(&crowd(1, 30, FlowConfig { seed_book: false, ..cfg }));
    assert_eq!(st.market_orders + st.limit_orders, 0, "{st:?}");
}

#[test]
fn rounding_keeps_one_significant_digit() {
    assert_eq!(round_one_digit(0.0347), 0.03);
    assert_eq!(round_one_digit(180.0), 200.0);
    assert_eq!(round_one_digit(7.0), 7.0);
}
