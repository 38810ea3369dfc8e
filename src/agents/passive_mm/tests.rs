//! Tests of the passive market maker: whole runs on the engine, the pure ladder, and a small
//! zero-latency harness with a random taker to exercise fills, limits and funds.

use std::collections::VecDeque;

use rand::RngExt;
use rust_decimal::Decimal;

use super::*;
use crate::agents::{Action, AnyAgent, Behaviour, Market};
use crate::build::build;
use crate::exchange::{Exchange, FeeSchedule, OrderRequest};
use crate::ledger::Ledger;
use crate::rng::AgentRng;
use crate::scenario::Scenario;
use crate::types::AgentId;
use crate::units::Dur;

const TICK: Decimal = Decimal::from_parts(1, 0, 0, false, 4); // 0.0001: a price of 1 is 10,000 ticks

fn scenario(minutes: u64, config: PassiveMmConfig, count: u32) -> Scenario {
    let s = Scenario::new("mm", 7, TICK, Decimal::ONE, Decimal::ONE, Dur(minutes * 60_000_000_000));
    s.with_group("mm", count, Decimal::from(100_000), Decimal::from(100_000), Behaviour::PassiveMm(config))
}

fn mm_stats(sim: &crate::engine::simulation::Simulation) -> Vec<PassiveMmStats> {
    sim.slots()
        .iter()
        .map(|s| match &s.agent {
            AnyAgent::PassiveMm(mm) => mm.stats(),
            other => panic!("unexpected agent {other:?}"),
        })
        .collect()
}

#[test]
fn two_market_makers_quote_both_sides_with_the_configured_spread() {
    let config = PassiveMmConfig { spread_bps: 40.0, ..PassiveMmConfig::default() };
    let mut scenario = scenario(30, config, 2);
    scenario.sample_every = Dur(10_000_000_000);
    let mut sim = build(&scenario, None).expect("a valid scenario").sim;
    sim.run();
    // After the first requote interval, every sample shows both sides, 20 bps either side of 1.0.
    let samples: Vec<_> = sim.recorder().samples().iter().filter(|s| s.t.nanos() >= 10_000_000_000).collect();
    assert!(samples.len() > 100);
    for s in &samples {
        assert_eq!((s.best_bid, s.best_ask), (Some(Price(9_980)), Some(Price(10_020))), "at {:?}", s.t);
    }
    let book = sim.exchange().book();
    assert_eq!(book.level_count(Side::Buy), 3);
    assert_eq!(book.qty_at(Side::Sell, Price(10_020)), Qty(200), "both makers at the touch");
    for st in mm_stats(&sim) {
        assert_eq!(st.rejected_funds + st.rejected_other, 0);
        assert_eq!(st.orders_sent, 6, "quotes that still match are never replaced: {st:?}");
        assert!(st.wakeups <= 30 * 60 / 5 + 1, "no more wake-ups than the requote interval allows: {st:?}");
    }
}

fn agent(config: PassiveMmConfig) -> PassiveMm {
    let market =
        Market { tick: TICK, lot: Decimal::ONE, open_price: Price(10_000), duration: SimTime::from_secs(3_600) };
    PassiveMm::new(config, AgentSetup { name: "mm".into(), accounts: vec![AccountId(0)], market })
}

fn inputs(position: i64) -> QuoteInputs {
    QuoteInputs {
        fair: 10_000.0,
        position,
        sigma2_daily_bps: 500.0 * 500.0,
        tau_days: 1.0 / 24.0,
        others_bid: None,
        others_ask: None,
    }
}

fn touch(plan: &[PlannedQuote], side: Side) -> Option<Price> {
    plan.iter().find(|p| p.side == side).map(|p| p.price)
}

#[test]
fn inventory_skew_moves_both_quotes_against_the_position() {
    let config = PassiveMmConfig { gamma: 0.002, max_inventory: 10_000.0, ..PassiveMmConfig::default() };
    let mm = agent(config);
    let flat = mm.plan(&inputs(0));
    let long = mm.plan(&inputs(500));
    let short = mm.plan(&inputs(-500));
    // Flat: width max(50, model) bps around the fair price.
    let model = AvellanedaStoikov { gamma: 0.002, sigma: 500.0, k: 0.1 }.spread(1.0 / 24.0);
    let half = 50f64.max(model) / 2.0;
    assert_eq!(touch(&flat, Side::Buy), Some(Price((10_000.0 * (1.0 - half / 1e4)).floor() as i64)));
    // Long 5 clips: r = s − 5·γσ²τ bps; both quotes move down by that much (short: up).
    let shift_ticks = 5.0 * 0.002 * 500.0 * 500.0 / 24.0; // bps of 10,000 ticks = ticks
    let down = touch(&flat, Side::Buy).unwrap().0 - touch(&long, Side::Buy).unwrap().0;
    assert!((down as f64 - shift_ticks).abs() <= 1.0, "{down} vs {shift_ticks}");
    assert!(touch(&long, Side::Sell) < touch(&flat, Side::Sell));
    assert!(touch(&short, Side::Buy) > touch(&flat, Side::Buy));
    assert!(touch(&short, Side::Sell) > touch(&flat, Side::Sell));
}

#[test]
fn limits_effort_and_the_book_shape_the_ladder() {
    let mm = agent(PassiveMmConfig { max_inventory: 250.0, ..PassiveMmConfig::default() });
    let sizes =
        |plan: &[PlannedQuote], side| plan.iter().filter(|p| p.side == side).map(|p| p.qty.0).collect::<Vec<_>>();
    assert_eq!(sizes(&mm.plan(&inputs(0)), Side::Buy), [100, 100, 50], "bids capped by max_inventory");
    let at_limit = mm.plan(&inputs(250));
    assert!(sizes(&at_limit, Side::Buy).is_empty(), "no bid at the long limit");
    assert_eq!(sizes(&at_limit, Side::Sell), [100, 100, 100]);
    // Levels are level_spacing_bps apart; the multiplier widens the touch; quotes never cross others.
    let flat = mm.plan(&inputs(0));
    assert_eq!(flat[1].price.0 - flat[0].price.0, -25);
    let lazy = agent(PassiveMmConfig { spread_multiplier: 3.0, ..PassiveMmConfig::default() }).plan(&inputs(0));
    assert_eq!(touch(&lazy, Side::Sell).unwrap().0 - touch(&lazy, Side::Buy).unwrap().0, 150);
    let tight = QuoteInputs { others_bid: Some(Price(10_030)), others_ask: Some(Price(10_040)), ..inputs(0) };
    let clamped = mm.plan(&tight);
    assert_eq!(touch(&clamped, Side::Sell), Some(Price(10_031)));
    assert_eq!(touch(&clamped, Side::Buy), Some(Price(9_975)));
}

#[test]
fn a_shirking_market_maker_quotes_about_half_the_time() {
    let mut fractions = Vec::new();
    for quote_fraction in [1.0, 0.5] {
        let config =
            PassiveMmConfig { quote_fraction, shirk_cycle: Dur(600_000_000_000), ..PassiveMmConfig::default() };
        let mut scenario = scenario(12 * 60, config, 1);
        scenario.sample_every = Dur(10_000_000_000);
        let mut sim = build(&scenario, None).expect("a valid scenario").sim;
        sim.run();
        let samples = &sim.recorder().samples()[1..];
        let two_sided = samples.iter().filter(|s| s.best_bid.is_some() && s.best_ask.is_some()).count();
        fractions.push(two_sided as f64 / samples.len() as f64);
    }
    assert!(fractions[0] > 0.99, "{fractions:?}");
    assert!((fractions[1] - 0.5).abs() < 0.12, "{fractions:?}");
}

#[test]
fn the_volatility_estimate_follows_the_tape() {
    let mut mm = agent(PassiveMmConfig { sigma_halflife: Some(Dur(600_000_000_000)), ..PassiveMmConfig::default() });
    let mut tape = Tape::new(Price(10_000));
    // The price alternates ±1% every minute: one-minute log returns of about 1%.
    for minute in 0..600u64 {
        let price = if minute % 2 == 0 { 10_100 } else { 10_000 };
        tape.record(SimTime::from_secs(minute * 60 + 30), Price(price), Qty(1));
        mm.update_vol(&tape, SimTime::from_secs(minute * 60 + 45));
    }
    let per_minute = mm.vol.expect("estimating").0.variance().sqrt();
    assert!((per_minute - (1.01f64).ln()).abs() < 1e-3, "{per_minute}");
}

/// A zero-latency loop around one market maker and a random taker on a real [`Exchange`].
struct Harness {
    ex: Exchange,
    tape: Tape,
    mm: PassiveMm,
    rng: AgentRng,
    next_order: u64,
    wake: Option<SimTime>,
}

impl Harness {
    const MM: AgentId = AgentId(0);

    fn new(config: PassiveMmConfig, cash: i128, tokens: i64) -> Self {
        let mut ledger = Ledger::new();
        let mm_acct = ledger.open("mm", Some(Self::MM), Cash(cash * 10_000), Qty(tokens));
        ledger.open("taker", Some(AgentId(1)), Cash(10i128.pow(12)), Qty(10_000_000));
        let market =
            Market { tick: TICK, lot: Decimal::ONE, open_price: Price(10_000), duration: SimTime::from_secs(7_200) };
        let mm = PassiveMm::new(config, AgentSetup { name: "mm".into(), accounts: vec![mm_acct], market });
        let ex = Exchange::new(ledger, FeeSchedule { maker_cbps: 0, taker_cbps: 1_000 });
        Harness { ex, tape: Tape::new(Price(10_000)), mm, rng: AgentRng::new(1, "mm"), next_order: 1, wake: None }
    }

    fn call(&mut self, now: SimTime, f: impl FnOnce(&mut PassiveMm, &mut AgentCtx<'_>)) {
        let mut actions = Vec::new();
        let market = MarketView { book: self.ex.book(), ledger: self.ex.ledger(), tape: &self.tape };
        let mut ctx = AgentCtx::new(now, Self::MM, market, &mut self.rng, &mut actions, &mut self.next_order);
        f(&mut self.mm, &mut ctx);
        let mut queue: VecDeque<Action> = actions.into();
        while let Some(action) = queue.pop_front() {
            let ev = match action {
                Action::Wake(at) => {
                    self.wake = Some(at);
                    continue;
                }
                Action::Signal(_) => continue,
                Action::Submit(id, req) => match self.ex.submit(id, req, &mut Vec::new()) {
                    Ok(placed) => AgentEvent::Accepted { order: id, placed },
                    Err(reason) => AgentEvent::Rejected { order: id, reason },
                },
                Action::Cancel(id) => match self.ex.cancel(Self::MM, id) {
                    Ok(o) => AgentEvent::Cancelled { order: id, qty: o.qty },
                    Err(reason) => AgentEvent::Rejected { order: id, reason },
                },
            };
            let mut more = Vec::new();
            let market = MarketView { book: self.ex.book(), ledger: self.ex.ledger(), tape: &self.tape };
            let mut ctx = AgentCtx::new(now, Self::MM, market, &mut self.rng, &mut more, &mut self.next_order);
            self.mm.on_event(&ev, &mut ctx);
            queue.extend(more);
        }
    }

    /// A market order of the taker; fills are reported to the market maker.
    fn take(&mut self, now: SimTime, side: Side, qty: i64) {
        let req = OrderRequest {
            account: AccountId(1),
            agent: AgentId(1),
            side,
            kind: OrderType::Market,
            price: Price(0),
            qty: Qty(qty),
            intent: Intent::Other,
        };
        let mut trades = Vec::new();
        let id = OrderId(1 << 40 | now.nanos());
        if self.ex.submit(id, req, &mut trades).is_err() {
            return;
        }
        for t in trades {
            self.tape.record(now, t.price, t.qty);
            let done = self.ex.book().order(t.maker_order).is_none();
            let ev = AgentEvent::Filled {
                order: t.maker_order,
                account: t.maker_account,
                side: side.opposite(),
                price: t.price,
                qty: t.qty,
                maker: true,
                done,
            };
            self.call(now, |mm, ctx| mm.on_event(&ev, ctx));
        }
    }

    fn run(&mut self, steps: u64, mut check: impl FnMut(&Harness)) {
        self.call(SimTime::ZERO, |mm, ctx| mm.start(ctx));
        let mut flow = AgentRng::new(1, "taker");
        for step in 1..=steps {
            let now = SimTime::from_millis(step * 100);
            self.tape.advance(now);
            if self.wake.is_some_and(|w| w <= now) {
                self.wake = None;
                self.call(now, |mm, ctx| mm.on_wakeup(ctx));
            }
            if flow.random_bool(0.3) {
                let side = if flow.random_bool(0.5) { Side::Buy } else { Side::Sell };
                self.take(now, side, flow.random_range(1..=150));
            }
            check(self);
        }
    }
}

#[test]
fn a_normal_run_with_fills_is_never_rejected_for_funds_and_respects_its_limits() {
    for (cash, tokens) in [(1_000_000, 1_000_000), (250, 400)] {
        let config = PassiveMmConfig { max_inventory: 600.0, ..PassiveMmConfig::default() };
        let mut h = Harness::new(config, cash, tokens);
        let start = Qty(tokens);
        let (mut worst, mut most_locked) = (0i64, 0.0f64);
        h.run(72_000, |h| {
            let account = h.ex.ledger().account(AccountId(0));
            worst = worst.max((account.tokens() - start).0.abs());
            most_locked = most_locked.max(account.cash_locked.0 as f64 / account.cash().0.max(1) as f64);
        });
        let st = h.mm.stats();
        assert_eq!(st.rejected_funds, 0, "cash {cash}: {st:?}");
        assert_eq!(st.rejected_other, 0, "cash {cash}: {st:?}");
        assert!(st.maker_fills > 500, "cash {cash}: {st:?}");
        assert!(worst <= 600, "position stays within max_inventory: {worst}");
        if cash == 250 {
            assert!(most_locked > 0.9, "the cash limit binds: at most {most_locked} of the cash was locked");
        }
        assert!(h.ex.ledger().conservation().ok());
        assert!(st.wakeups <= 7_200 / 5 + 1, "{st:?}");
    }
}
