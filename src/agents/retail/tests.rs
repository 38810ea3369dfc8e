use rust_decimal::dec;

use super::decide::{decide, Decision, Member, Seen};
use super::orders::{affordable, own_price, reference, FEE_BOUND_CBPS};
use super::*;
use crate::agents::{AnyAgent, Behaviour, Market, Tape};
use crate::book::{NewOrder, OrderBook, OrderType};
use crate::build::{build, Built};
use crate::rng::AgentRng;
use crate::scenario::Scenario;
use crate::types::{Cash, Intent, Qty, TraderId};
use crate::units::Dur;

use crate::testkit::HOUR;

/// A crowd alone: `n` members with 1,000 quote units and 1,000 tokens each, price 1.0000.
fn crowd(seed: u64, n: u32, hours: u64, cfg: RetailConfig) -> Built {
    let s = Scenario::new("crowd", seed, dec!(0.0001), dec!(1), dec!(1), Dur(hours * HOUR)).with_group(
        "retail",
        n,
        dec!(1000),
        dec!(1000),
        Behaviour::Retail(cfg),
    );
    let mut built = build(&s, None).expect("a valid scenario");
    built.sim.run();
    built
}

fn the_crowd(built: &Built) -> &RetailCrowd {
    match &built.sim.slots()[0].agent {
        AnyAgent::Retail(c) => c,
        other => panic!("not a crowd: {other:?}"),
    }
}

/// Constant rate: no attention swings, no excitation, no momentum heat.
fn poisson_cfg(rate: f64) -> RetailConfig {
    RetailConfig {
        arrival_rate_per_hour: rate,
        attention_vol: 0.0,
        excitation_gain: 0.0,
        momentum_activity_gain: 0.0,
        ..RetailConfig::default()
    }
}

#[test]
fn a_crowd_alone_conserves_value_and_never_overspends() {
    for seed in [1, 2, 3] {
        let built = crowd(seed, 300, 12, RetailConfig::default());
        let ex = built.sim.exchange();
        assert!(ex.ledger().conservation().ok(), "seed {seed}: {:?}", ex.ledger().conservation());
        for a in ex.ledger().accounts().iter().filter(|a| !a.is_venue) {
            assert!(a.cash_free.0 >= 0 && a.cash_locked.0 >= 0, "{}: {:?}", a.name, a);
            assert!(a.tokens_free.0 >= 0 && a.tokens_locked.0 >= 0, "{}: {:?}", a.name, a);
        }
        let st = *the_crowd(&built).stats();
        assert_eq!(st.rejected_funds, 0, "seed {seed}: {st:?}");
        assert_eq!(st.rejected_orders, 0, "seed {seed}: {st:?}");
        assert!(st.marketable > 100 && st.limits > 100 && st.fills > 100, "seed {seed}: {st:?}");
        assert!(built.sim.recorder().totals().trades > 100, "seed {seed}: the crowd trades with itself");
        for side in [Side::Buy, Side::Sell] {
            for o in ex.book().orders(side) {
                assert_eq!(ex.order_owner(o.id).map(|(_, _, intent)| intent), Some(Intent::Retail));
            }
        }
    }
}

#[test]
fn arrivals_follow_the_poisson_rate() {
    // 500 members × 6 per hour × 10 h = 30,000 expected; sd ≈ 173.
    let built = crowd(7, 500, 10, poisson_cfg(6.0));
    let n = the_crowd(&built).stats().arrivals as f64;
    assert!((n - 30_000.0).abs() < 5.0 * 30_000f64.sqrt(), "{n} arrivals");
}

#[test]
fn attention_and_excitation_raise_the_mean_rate_only_moderately() {
    let built = crowd(8, 300, 24, RetailConfig::default());
    let st = the_crowd(&built).stats();
    let base = 300.0 * 2.0 * 24.0;
    let ratio = st.arrivals as f64 / base;
    assert!((0.5..3.0).contains(&ratio), "arrivals {} vs base {base}", st.arrivals);
}

#[test]
fn ten_thousand_members_run_with_o1_work_per_arrival() {
    // 10,000 × 2 per hour × 1 h ≈ 20,000 arrivals: each touches one member, nothing per member.
    let built = crowd(9, 10_000, 1, poisson_cfg(2.0));
    let c = the_crowd(&built);
    assert_eq!(c.members(), 10_000);
    let n = c.stats().arrivals as f64;
    assert!((n - 20_000.0).abs() < 5.0 * 20_000f64.sqrt(), "{n} arrivals");
    crate::testkit::assert_sim_conserved(&built.sim);
}

#[test]
fn expired_limit_orders_are_cancelled() {
    let cfg = RetailConfig { limit_lifetime: Dur(120_000_000_000), market_order_share: 0.0, ..poisson_cfg(6.0) };
    let built = crowd(10, 400, 4, cfg);
    let st = the_crowd(&built).stats();
    assert!(st.expired > 100, "{st:?}");
    // About 400 × 6/h × (2 min + up to 1 min of wake-up lag) limit orders may rest at the end.
    let resting = built.sim.exchange().book().order_count();
    assert!(resting < 400 * 6 * 3 / 60 * 2, "{resting} orders resting");
}

#[test]
fn types_follow_the_weights_exactly() {
    let cfg = RetailConfig::default();
    let setup = AgentSetup {
        name: "r".into(),
        accounts: (0..1_000).map(AccountId).collect(),
        market: Market { tick: dec!(0.0001), lot: dec!(1), open_price: Price(10_000), duration: SimTime(HOUR) },
    };
    let c = RetailCrowd::new(cfg.clone(), setup);
    let counts = c.type_counts();
    for (k, w) in cfg.weights().iter().enumerate() {
        assert!((counts[k] as f64 - 1_000.0 * w).abs() <= 1.0, "type {k}: {counts:?}");
    }
    // Members are found from non-contiguous accounts too.
    let setup = AgentSetup {
        name: "r".into(),
        accounts: vec![AccountId(9), AccountId(3), AccountId(5)],
        market: Market { tick: dec!(1), lot: dec!(1), open_price: Price(10), duration: SimTime(HOUR) },
    };
    let c = RetailCrowd::new(cfg, setup);
    assert_eq!(c.member_of(AccountId(5)), Some(2));
    assert_eq!(c.member_of(AccountId(4)), None);
}

#[test]
fn buys_fit_the_exchange_lock_at_the_highest_fee() {
    for (cash, price, frac) in
        [(1_000_000i128, 10_000i64, 1.0), (10_001, 10_000, 1.0), (7, 3, 1.0), (123_456_789, 977, 0.37)]
    {
        let q = affordable(Cash(cash), Price(price), frac) as i128;
        let notional = price as i128 * q;
        let lock = notional + (notional * FEE_BOUND_CBPS + 999_999) / 1_000_000 + q;
        assert!(lock <= cash, "cash {cash} price {price}: {q} lots lock {lock}");
        let best = cash as f64 * frac / (price as f64 * 1.01 + 1.0);
        assert!(q as f64 >= best - 3.0, "cash {cash} price {price}: only {q} of {best} lots");
    }
    assert_eq!(affordable(Cash(5), Price(10), 1.0), 0);
}

fn seen<'a>(book: &'a OrderBook, tape: &'a Tape, mid: f64) -> Seen<'a> {
    Seen { bid: book.best_bid(), ask: book.best_ask(), mid, tape, book }
}

fn buys(n: usize, mut f: impl FnMut(&mut AgentRng) -> Option<Decision>) -> usize {
    let mut rng = AgentRng::new(1, "t");
    (0..n).filter(|_| f(&mut rng).is_some_and(|d| d.side == Side::Buy)).count()
}

#[test]
fn momentum_traders_chase_the_trend_and_stop_losses_panic() {
    let cfg = RetailConfig::default();
    let climate = Climate::new(&cfg, Price(10_000));
    let book = OrderBook::new();
    let mut tape = Tape::new(Price(10_000));
    tape.record(SimTime::from_secs(30), Price(10_000), Qty(1));
    tape.record(SimTime::from_secs(20 * 60), Price(10_300), Qty(1));
    let s = seen(&book, &tape, 10_300.0);
    let me = Member { tokens_free: 100, entry: 10_000.0 };
    let up = buys(1_000, |rng| decide(TraderType::Momentum, &cfg, &climate, &s, me, rng));
    assert!(up > 900, "{up} of 1000 momentum traders buy after +3%");

    let low = Member { tokens_free: 100, entry: 12_000.0 };
    let mut rng = AgentRng::new(2, "t");
    let d = decide(TraderType::StopLoss, &cfg, &climate, &s, low, &mut rng).unwrap();
    assert_eq!(d, Decision { side: Side::Sell, marketable: true, size: 1.0, price: None });
}

#[test]
fn fundamentalists_trade_toward_value_and_book_readers_follow_the_heavy_side() {
    let cfg = RetailConfig { fundamental_threshold_bps: 50.0, ..RetailConfig::default() };
    let climate = Climate::new(&cfg, Price(10_000));
    let tape = Tape::new(Price(10_000));
    let mut book = OrderBook::new();
    let mut fills = Vec::new();
    let mut order = |id: u64, side: Side, price: i64, qty: i64| {
        let o = NewOrder {
            id: OrderId(id),
            trader: TraderId(0),
            side,
            kind: OrderType::Limit,
            price: Price(price),
            qty: Qty(qty),
        };
        book.submit(o, &mut fills).unwrap();
    };
    order(1, Side::Buy, 9_990, 5_000);
    order(2, Side::Sell, 10_010, 100);
    let me = Member { tokens_free: 100, entry: 0.0 };

    // Price 10% above the value (10,000 ticks): every fundamentalist sells, at about the value.
    let rich = seen(&book, &tape, 11_000.0);
    let mut rng = AgentRng::new(4, "t");
    for _ in 0..1_000 {
        let d = decide(TraderType::Fundamentalist, &cfg, &climate, &rich, me, &mut rng).unwrap();
        assert_eq!((d.side, d.marketable), (Side::Sell, false));
        let p = d.price.unwrap();
        assert!((9_900.0..10_500.0).contains(&p), "sells at {p}, near the value");
    }
    // At the value, within the threshold, few act.
    let fair = seen(&book, &tape, 10_000.0);
    let acting = (0..1_000)
        .filter(|_| decide(TraderType::Fundamentalist, &cfg, &climate, &fair, me, &mut rng).is_some())
        .count();
    assert!(acting < 50, "{acting} fundamentalists trade at fair value");
    // With no threshold they always quote: buys below the value when the price is under it.
    let eager = RetailConfig::default();
    let cheap = seen(&book, &tape, 9_500.0);
    let d = decide(TraderType::Fundamentalist, &eager, &climate, &cheap, me, &mut rng).unwrap();
    assert_eq!(d.side, Side::Buy);
    assert!(d.price.unwrap() > 9_800.0);

    let n = buys(1_000, |rng| decide(TraderType::BookReader, &cfg, &climate, &fair, me, rng));
    assert!(n > 900, "{n} of 1000 book readers buy into a heavy bid");
}

#[test]
fn own_prices_stay_within_the_collar() {
    let mut book = OrderBook::new();
    let mut fills = Vec::new();
    for (id, side, price) in [(1, Side::Buy, 9_990), (2, Side::Sell, 10_010)] {
        let o = NewOrder {
            id: OrderId(id),
            trader: TraderId(0),
            side,
            kind: OrderType::Limit,
            price: Price(price),
            qty: Qty(1),
        };
        book.submit(o, &mut fills).unwrap();
    }
    let tape = Tape::new(Price(10_000));
    let s = seen(&book, &tape, 10_000.0);
    // 20 bps collar: a buy at most 10,010 × 1.002 = 10,030.02, a sell at least 9,990 × 0.998 = 9,970.02.
    assert_eq!(own_price(Side::Buy, 12_000.0, &s, 0.002), Price(10_030));
    assert_eq!(own_price(Side::Buy, 9_000.4, &s, 0.002), Price(9_000));
    assert_eq!(own_price(Side::Sell, 8_000.0, &s, 0.002), Price(9_971));
    assert_eq!(own_price(Side::Sell, 10_500.2, &s, 0.002), Price(10_501));
    assert_eq!(reference(None, Some(Price(12_000)), Some(Price(10_000)), Price(9_000)), 10_000.0);
    assert_eq!(reference(Some(Price(9_000)), None, None, Price(10_000)), 10_000.0);
}
