//! Tests of `lend_and_dump`: parameters in DIO terms, the default loan read at start, and the phase
//! clock in a market with no one else.

use rust_decimal::dec;

use super::*;
use crate::agents::behaviour::Behaviour;
use crate::build::build;
use crate::scenario::Scenario;
use crate::units::{Dec, Dur};

use crate::testkit::MIN;

fn parse(src: &str) -> Result<LendAndDumpConfig, String> {
    toml::from_str(src).map_err(|e| e.to_string())
}

#[test]
fn dio_terms_parse_into_ticks_and_atoms() {
    assert_eq!(parse("").unwrap(), LendAndDumpConfig::default());
    let c = parse(
        "owed_tokens = 10_000_000\npump_target_price = 0.98\nbuyback_below_price = \"0.01\"\n\
         buyback_budget_quote = 100000\nrepay_by = \"180d\"",
    )
    .unwrap();
    let m = crate::testkit::market(); // tick 0.0001, lot 1
    assert_eq!(c.owed_tokens, Some(10_000_000.0));
    assert!((c.target_ticks(&m) - 9_800.0).abs() < 1e-6);
    assert!((c.buyback_ticks(&m) - 100.0).abs() < 1e-9);
    assert_eq!(c.budget(&m), Some(Cash(1_000_000_000)), "100000 quote in atoms of 0.0001");
    assert_eq!(c.repay_by, Some(Dur(180 * 1440 * MIN)));
    assert!(c.check(&m).is_empty());
    // Multiples of the open: 10 × 500 ticks and 0.2 × 500 ticks by default.
    let d = LendAndDumpConfig::default();
    assert_eq!((d.target_ticks(&m), d.buyback_ticks(&m)), (5_000.0, 100.0));
    assert!(parse("pump_target = 2").unwrap_err().contains("pump_target_multiple"));
}

#[test]
fn check_names_every_bad_parameter() {
    let m = crate::testkit::market();
    let bad = LendAndDumpConfig {
        owed_tokens: Some(-1.0),
        pump_target_price: Some(Dec(dec!(0.004))),
        buyback_below_multiple: 0.5,
        dump_slice_share: 0.0,
        dump_stop_drawdown: 0.0,
        buyback_levels: 0,
        ..LendAndDumpConfig::default()
    };
    let keys: Vec<_> = bad.check(&m).iter().map(|i| i.key).collect();
    assert_eq!(
        keys,
        ["owed_tokens", "buyback_below_multiple", "dump_slice_share", "dump_stop_drawdown", "buyback_levels"],
        "a target of 40 ticks is below the 250-tick buy-back ceiling"
    );
}

#[test]
fn a_budget_caps_what_each_bid_may_cost() {
    let mut budget = Some(Cash(10_000));
    let q = within_budget(Price(100), Qty(1_000), &mut budget);
    assert_eq!(q, affordable(Cash(10_000), Price(100)));
    assert!(budget.unwrap() >= Cash::ZERO);
    let left = budget.unwrap();
    assert_eq!(within_budget(Price(100), Qty(1_000), &mut budget), affordable(left, Price(100)));
    assert_eq!(within_budget(Price(100), Qty(7), &mut None), Qty(7), "no budget, no cap");
}

fn alone(config: LendAndDumpConfig, minutes: u64) -> crate::build::Built {
    let scenario = Scenario::new("ld_alone", 1, dec!(0.0001), dec!(1), dec!(0.05), Dur(minutes * MIN)).with_group(
        "jump",
        1,
        dec!(1000),
        dec!(100000),
        Behaviour::LendAndDump(config),
    );
    let mut built = build(&scenario, None).expect("a valid scenario");
    built.sim.run();
    built
}

/// Nobody trades with it: the pump lifts nothing, the dump sells nothing, and once distribution
/// times out it still holds its loan, so it skips the buy-back and stops with nothing on the book.
#[test]
fn alone_it_times_out_of_each_phase_and_keeps_its_loan() {
    let config = LendAndDumpConfig {
        pump_until: Some(Dur(10 * MIN)),
        dump_until: Some(Dur(20 * MIN)),
        ..LendAndDumpConfig::default()
    };
    let built = alone(config, 30);
    let sim = &built.sim;
    let a = sim.slots()[0].agent.get::<crate::agents::lend_and_dump::LendAndDump>().expect("a LendAndDump agent");
    assert_eq!(a.owed(), Qty(100_000), "owed defaults to the starting tokens");
    let phases: Vec<_> =
        a.transitions().iter().map(|(t, p)| (t.nanos() / MIN, crate::agents::Phase::from(*p).name())).collect();
    assert_eq!(phases, [(0, "pump"), (10, "distribute"), (20, "wait"), (20, "done")]);
    assert_eq!(a.stats().cancelled, a.stats().cancels_sent, "every order that rested was cancelled");
    assert_eq!(sim.exchange().book().order_count(), 0);
    assert_eq!(sim.recorder().totals().trades, 0);
    crate::testkit::assert_sim_conserved(sim);
}

#[test]
fn an_explicit_loan_overrides_the_starting_tokens() {
    let config =
        LendAndDumpConfig { owed_tokens: Some(250_000.0), pump_until: Some(Dur(0)), ..LendAndDumpConfig::default() };
    let built = alone(config, 5);
    let a = built.sim.slots()[0].agent.get::<crate::agents::lend_and_dump::LendAndDump>().expect("a LendAndDump agent");
    assert_eq!(a.owed(), Qty(250_000));
    assert_eq!(a.current_phase(), Phase::Distribute, "pump_until = 0: distribute from the first decision");
}

#[test]
fn the_new_knobs_are_checked() {
    let m = crate::testkit::market();
    let bad = LendAndDumpConfig {
        pump_paint_tokens: -1.0,
        pump_ask_tokens: -5.0,
        dump_step_bps: Some(10_000.0),
        raid_share: 0.6,
        dump_share: 0.5,
        sell_unlock_price: Some(Dec(dec!(0.00001))),
        ..LendAndDumpConfig::default()
    };
    let keys: Vec<_> = bad.check(&m).iter().map(|i| i.key).collect();
    for key in ["pump_paint_tokens", "pump_ask_tokens", "dump_step_bps", "raid_share", "sell_unlock_price"] {
        assert!(keys.contains(&key), "{key} not reported in {keys:?}");
    }
    let c = parse("sell_unlock_price = 0.1\nraid_stop_price = 0.005").unwrap();
    assert!((c.unlock_ticks(&m) - 1_000.0).abs() < 1e-9);
    assert!((c.raid_stop_ticks(&m) - 50.0).abs() < 1e-9);
    assert_eq!(LendAndDumpConfig::default().raid_stop_ticks(&m), 100.0, "defaults to the buy-back ceiling");
}

/// Alone, a painting agent marks the price up by itself: every trade is a wash print at its markup,
/// the markup never falls back, the pump ends one decision after the target, and the walk-down then
/// lowers its asks (nobody buys) until the drawdown stop; holding its loan, it is done.
#[test]
fn alone_it_paints_the_markup_to_the_target_then_walks_its_asks_down() {
    let config = LendAndDumpConfig {
        pump_paint_tokens: 100.0,
        pump_spend_share: 0.0,
        support_bps: 0.0,
        pump_target_multiple: 2.0,
        pump_step_bps: 1_000.0, // +10% a decision: 500 → 1,000 ticks in 8 decisions
        pump_ask_levels: 3,
        pump_ask_tokens: 500.0,
        dump_step_bps: Some(2_000.0),
        dump_stop_drawdown: 0.5,
        ..LendAndDumpConfig::default()
    };
    let built = alone(config, 60);
    let sim = &built.sim;
    let a = sim.slots()[0].agent.get::<crate::agents::lend_and_dump::LendAndDump>().expect("a LendAndDump agent");
    let phases: Vec<_> = a.transitions().iter().map(|(_, p)| crate::agents::Phase::from(*p).name()).collect();
    assert_eq!(phases, ["pump", "distribute", "wait", "done"]);
    let totals = sim.recorder().totals();
    assert_eq!(totals.high, Some(Price(1_000)), "the last print is the target");
    assert!(totals.trades >= 8, "one print per decision");
    assert_eq!(totals.volume, totals.volume_wash, "it only ever traded with itself");
    let (distribute_at, wait_at) = (a.transitions()[1].0, a.transitions()[2].0);
    assert!(distribute_at.nanos() / MIN <= 10, "pump over after about 8 decisions");
    // 1000 × 0.8^k < 500 after 4 steps of the walk-down.
    assert!((wait_at.nanos() - distribute_at.nanos()) / MIN <= 6);
    assert_eq!(a.owed(), Qty(100_000));
    crate::testkit::assert_sim_conserved(sim);
}
