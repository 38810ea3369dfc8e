//! Tests of `pump_dump`: parameters, the oscillation wave, and the phase clock in a market with no
//! one else (orders rest unfilled, so phases change on time alone).

use rust_decimal::dec;

use super::*;
use crate::agents::behaviour::Behaviour;
use crate::build::build;
use crate::scenario::Scenario;
use crate::units::{Dec, Dur};

use crate::testkit::MIN;

fn parse(src: &str) -> Result<PumpDumpConfig, String> {
    toml::from_str(src).map_err(|e| e.to_string())
}

#[test]
fn defaults_units_and_unknown_keys() {
    assert_eq!(parse("").unwrap(), PumpDumpConfig::default());
    let c = parse("accumulate_until = \"6h\"\naccumulate_target_tokens = 50000\naccumulate_cap_price = 0.055").unwrap();
    assert_eq!(c.accumulate_until, Dur(360 * MIN));
    assert_eq!(c.accumulate_target_tokens, Some(50_000.0));
    assert_eq!(c.accumulate_cap_price, Some(Dec(dec!(0.055))));
    assert!((c.cap_ticks(&crate::testkit::market()) - 550.0).abs() < 1e-9, "a price overrides the multiple");
    assert!((PumpDumpConfig::default().cap_ticks(&crate::testkit::market()) - 550.0).abs() < 1e-9, "1.1 × 500 ticks");
    let err = parse("pump_target = 3").unwrap_err();
    assert!(err.contains("unknown field") && err.contains("pump_target_multiple"), "{err}");
}

#[test]
fn check_names_every_bad_parameter() {
    let m = crate::testkit::market();
    assert!(PumpDumpConfig::default().check(&m).is_empty());
    let bad = PumpDumpConfig {
        interval: Dur(0),
        accumulate_until: Dur(10 * MIN),
        consensus_until: Dur(5 * MIN),
        accumulate_cap_price: Some(Dec(dec!(0.00001))),
        pump_spend_share: 1.5,
        dump_slice_share: 0.0,
        support_bps: 10_000.0,
        band_quote_tokens: -1.0,
        ..PumpDumpConfig::default()
    };
    let keys: Vec<_> = bad.check(&m).iter().map(|i| i.key).collect();
    assert_eq!(
        keys,
        [
            "interval",
            "consensus_until",
            "accumulate_cap_price",
            "pump_spend_share",
            "dump_slice_share",
            "support_bps",
            "band_quote_tokens"
        ]
    );
}

#[test]
fn triangle_wave_spans_the_band() {
    for (x, y) in [(0.0, 0.0), (0.25, 1.0), (0.5, 0.0), (0.75, -1.0), (1.0, 0.0), (1.25, 1.0), (0.125, 0.5)] {
        assert!((triangle(x) - y).abs() < 1e-12, "triangle({x}) = {} ≠ {y}", triangle(x));
    }
    assert!((0..1000).map(|i| triangle(i as f64 / 97.0)).all(|y| (-1.0..=1.0).contains(&y)));
}

#[test]
fn phase_names_are_stable() {
    let names: Vec<_> = [Phase::Accumulate, Phase::Consensus, Phase::RugPull, Phase::Withdrawn]
        .map(|p| crate::agents::Phase::from(p).name())
        .to_vec();
    assert_eq!(names, ["accumulate", "consensus", "rug_pull", "withdrawn"]);
}

/// Alone with only cash, nothing fills: accumulation bids rest, consensus quotes only a bid (it has
/// no tokens to wash or offer), and the rug pull finds nothing to distribute, so the agent withdraws
/// at once and leaves an empty book.
#[test]
fn alone_it_changes_phase_on_time_and_withdraws_everything() {
    let config =
        PumpDumpConfig { accumulate_until: Dur(30 * MIN), consensus_until: Dur(60 * MIN), ..PumpDumpConfig::default() };
    let scenario = Scenario::new("pd_alone", 1, dec!(0.0001), dec!(1), dec!(0.05), Dur(90 * MIN)).with_group(
        "whale",
        1,
        dec!(1000),
        dec!(0),
        Behaviour::PumpDump(config),
    );
    let mut built = build(&scenario, None).expect("a valid scenario");
    let sim = &mut built.sim;
    sim.start();
    sim.step_until(SimTime(10 * MIN)).unwrap();
    let bids: Vec<_> = sim.exchange().book().orders(Side::Buy).map(|o| (o.price.0, o.qty.0)).collect();
    assert_eq!(bids, [(498, 1000)], "one accumulation bid 50 bps under the open");
    sim.step_until(SimTime(45 * MIN)).unwrap();
    let a = sim.slots()[0].agent.get::<crate::agents::pump_dump::PumpDump>().expect("a PumpDump agent");
    assert_eq!(a.current_phase(), Phase::Consensus);
    assert_eq!(sim.exchange().book().best_ask(), None, "no tokens: no band ask, no wash");
    sim.step_until(sim.end()).unwrap();
    sim.finish();
    let a = sim.slots()[0].agent.get::<crate::agents::pump_dump::PumpDump>().expect("a PumpDump agent");
    let phases: Vec<_> = a.transitions().iter().map(|(t, p)| (t.nanos() / MIN, *p)).collect();
    assert_eq!(phases, [(0, Phase::Accumulate), (30, Phase::Consensus), (60, Phase::RugPull), (60, Phase::Withdrawn)]);
    assert_eq!(sim.exchange().book().order_count(), 0);
    assert_eq!(sim.recorder().totals().trades, 0);
    assert_eq!(a.stats().insufficient_funds + a.stats().other_rejects, 0);
    crate::testkit::assert_sim_conserved(sim);
}

/// The shared order bookkeeping of the manipulators.
mod tracker {
    use crate::agents::orders::*;
    use crate::book::{NewOrder, OrderBook, OrderType};
    use crate::exchange::FeeSchedule;
    use crate::ledger::AccountId;
    use crate::types::{Cash, OrderId, Price, Qty, Side, TraderId};

    fn book(levels: &[(Side, i64)]) -> OrderBook {
        let mut book = OrderBook::new();
        let mut fills = Vec::new();
        for (i, &(side, p)) in levels.iter().enumerate() {
            let order = NewOrder {
                id: OrderId(i as u64 + 1),
                trader: TraderId(i as u32),
                side,
                kind: OrderType::Limit,
                price: Price(p),
                qty: Qty(10),
            };
            book.submit(order, &mut fills).unwrap();
        }
        book
    }

    #[test]
    fn inside_price_is_strictly_inside_the_spread() {
        let b = book(&[(Side::Buy, 100), (Side::Sell, 105)]);
        assert_eq!(inside_price(&b, Price(90)), Some(Price(101)));
        assert_eq!(inside_price(&b, Price(103)), Some(Price(103)));
        assert_eq!(inside_price(&b, Price(200)), Some(Price(104)));
        assert_eq!(inside_price(&book(&[(Side::Buy, 100), (Side::Sell, 101)]), Price(100)), None, "one-tick spread");
        assert_eq!(inside_price(&book(&[(Side::Buy, 100)]), Price(50)), Some(Price(101)));
        assert_eq!(inside_price(&book(&[(Side::Sell, 1)]), Price(50)), None, "no price below one tick");
        assert_eq!(inside_price(&OrderBook::new(), Price(77)), Some(Price(77)));
    }

    #[test]
    fn touch_excluding_skips_the_agents_own_orders() {
        // Traders 0 and 1 bid 100 and 99; the agent is account 0.
        let b = book(&[(Side::Buy, 100), (Side::Buy, 99)]);
        assert_eq!(touch_excluding(&b, Side::Buy, AccountId(0)), Some(Price(99)));
        assert_eq!(touch_excluding(&b, Side::Buy, AccountId(5)), Some(Price(100)));
        assert_eq!(touch_excluding(&b, Side::Sell, AccountId(5)), None);
    }

    #[test]
    fn buy_cost_covers_the_exchange_lock_at_the_slack_rate() {
        let fees = FeeSchedule { maker_cbps: 10_000, taker_cbps: 10_000 };
        for (p, q) in [(1, 1), (7, 3), (12_345, 999), (98_000, 10_000_000)] {
            let (price, qty) = (Price(p), Qty(q));
            let notional = Cash::notional(price, qty);
            let exchange_lock = notional + FeeSchedule::fee(notional, fees.taker_cbps) + Cash(qty.0 as i128);
            assert!(buy_cost(price, qty) >= exchange_lock, "{p} × {q}");
        }
    }

    #[test]
    fn affordable_is_the_largest_quantity_within_cash() {
        for (cash, p) in [(0, 5), (100, 5), (1_000_003, 77), (5, 10), (123_456_789, 1)] {
            let q = affordable(Cash(cash), Price(p));
            assert!(buy_cost(Price(p), q) <= Cash(cash) || q.is_zero());
            assert!(buy_cost(Price(p), Qty(q.0 + 1)) > Cash(cash), "cash {cash} price {p}: {q:?} is not the largest");
        }
    }

    #[test]
    fn shares_round_down_but_keep_one_lot() {
        assert_eq!(share_of(Qty(100), 0.05), Qty(5));
        assert_eq!(share_of(Qty(3), 0.05), Qty(1));
        assert_eq!(share_of(Qty(3), 0.0), Qty::ZERO);
        assert_eq!(share_of(Qty(0), 0.5), Qty::ZERO);
        assert_eq!(share_of(Qty(10), 2.0), Qty(10));
    }
}
