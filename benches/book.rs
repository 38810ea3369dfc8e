//! Order book throughput: the mmsim book against a plain reference book, on the same operation streams.
//!
//! Workloads (groups `book/thin`, `book/balanced`, `book/deep`; functions `mmsim` and `plain`; throughput
//! in operations per second):
//! - **thin**: about 300 resting orders; **balanced**: about 40,000; **deep**: about 1,000,000.
//! - Each iteration starts from a fresh book pre-filled to the regime's depth with passive limit orders
//!   (same price and size distribution as below, built in criterion's untimed setup), then the timed
//!   routine runs one pre-generated stream of 200,000 operations through it:
//!   - 55% passive limit orders 0–20 ticks outside the mid (bids at `MID - 1 - k`, asks at `MID + 1 + k`,
//!     `k` in 0..=20, random side, 1..=10 lots), clamped one tick inside the opposite touch so they never
//!     cross, even after a marketable remainder rested beyond the mid;
//!   - 35% cancels of a uniformly random live order;
//!   - 10% marketable limit orders priced 1–3 ticks through the opposite touch, 1..=25 lots (larger than
//!     passive orders so each one takes about two resting orders and adds and removals balance), whose
//!     remainder rests.
//! - The mid is fixed at 100,000 ticks. Streams are deterministic (`ChaCha8Rng::seed_from_u64`) and are
//!   generated outside the timed section by running every operation through the plain book as a model,
//!   so the generator knows exactly which orders are live: fully filled makers leave the live set,
//!   rested remainders join it, and **every cancel hits a live order** (checked before timing).
//! - Depth is held in its regime by a light controller: when the live count leaves a ±5% band around the
//!   target (at least ±10 orders), a passive draw becomes a cancel (or a cancel becomes a passive
//!   order). It changes about 4% of the draws on thin, 2% on balanced and none on deep; the realised mix
//!   is printed to stderr with the stream statistics.
//! - The plain book (`PlainBook`, below) is the readable baseline the issue measures against: a
//!   `BTreeMap<i64, VecDeque<order>>` per side, `std` `HashMap<id, (side, price)>` for cancels, a cancel
//!   scanning its level's queue; same price-time semantics. Before timing, both books run the prefill and
//!   the stream once and must agree on every operation's outcome, on the whole fill sequence, and on the
//!   final order count and touches, else the bench panics.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use mmsim::book::{Fill, NewOrder, OrderBook, OrderType, Reject};
use mmsim::types::{OrderId, Price, Qty, Side, TraderId};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The fixed mid price in ticks.
const MID: i64 = 100_000;
/// Passive orders rest `0..=MAX_AWAY` ticks outside the best possible price (`MID ± 1`).
const MAX_AWAY: i64 = 20;
/// Largest passive order, in lots.
const PASSIVE_MAX_LOTS: i64 = 10;
/// Largest marketable order, in lots.
const MARKETABLE_MAX_LOTS: i64 = 25;

/// One operation of a stream.
#[derive(Clone, Copy, Debug)]
enum Op {
    Submit(NewOrder),
    Cancel(OrderId),
}

// ---------------------------------------------------------------------------------------------------
// The plain reference book.

#[derive(Clone, Copy, Debug)]
struct PlainOrder {
    id: u64,
    trader: u32,
    qty: i64,
}

/// Price-time book on `BTreeMap` levels of `VecDeque` queues; cancels scan their level.
#[derive(Debug, Default)]
struct PlainBook {
    bids: BTreeMap<i64, VecDeque<PlainOrder>>,
    asks: BTreeMap<i64, VecDeque<PlainOrder>>,
    index: HashMap<u64, (Side, i64)>,
}

impl PlainBook {
    fn with_capacity(orders: usize) -> Self {
        PlainBook { index: HashMap::with_capacity(orders), ..PlainBook::default() }
    }

    fn best(&self, side: Side) -> Option<i64> {
        match side {
            Side::Buy => self.bids.last_key_value().map(|(&p, _)| p),
            Side::Sell => self.asks.first_key_value().map(|(&p, _)| p),
        }
    }

    fn order_count(&self) -> usize {
        self.index.len()
    }

    /// A limit order: match by price-time priority, rest the remainder. Returns the rested lots.
    fn submit(&mut self, o: NewOrder, fills: &mut Vec<Fill>) -> Result<i64, Reject> {
        debug_assert_eq!(o.kind, OrderType::Limit, "the plain book only knows limit orders");
        if self.index.contains_key(&o.id.0) {
            return Err(Reject::DuplicateOrderId);
        }
        if o.price.0 <= 0 {
            return Err(Reject::BadPrice);
        }
        if o.qty.0 <= 0 {
            return Err(Reject::BadQty);
        }
        let PlainBook { bids, asks, index } = self;
        let mut remaining = o.qty.0;
        while remaining > 0 {
            let entry = match o.side {
                Side::Buy => asks.first_entry().filter(|e| *e.key() <= o.price.0),
                Side::Sell => bids.last_entry().filter(|e| *e.key() >= o.price.0),
            };
            let Some(mut entry) = entry else { break };
            let price = *entry.key();
            let level = entry.get_mut();
            while remaining > 0 {
                let Some(maker) = level.front_mut() else { break };
                let take = remaining.min(maker.qty);
                remaining -= take;
                maker.qty -= take;
                fills.push(Fill {
                    maker: OrderId(maker.id),
                    maker_trader: TraderId(maker.trader),
                    taker: o.id,
                    taker_trader: o.trader,
                    taker_side: o.side,
                    price: Price(price),
                    qty: Qty(take),
                    maker_remaining: Qty(maker.qty),
                });
                if maker.qty == 0 {
                    let id = maker.id;
                    level.pop_front();
                    index.remove(&id);
                }
            }
            if level.is_empty() {
                entry.remove();
            }
        }
        if remaining > 0 {
            let side = match o.side {
                Side::Buy => bids,
                Side::Sell => asks,
            };
            side.entry(o.price.0).or_default().push_back(PlainOrder { id: o.id.0, trader: o.trader.0, qty: remaining });
            index.insert(o.id.0, (o.side, o.price.0));
        }
        Ok(remaining)
    }

    fn cancel(&mut self, id: OrderId) -> Result<PlainOrder, Reject> {
        let (side, price) = self.index.remove(&id.0).ok_or(Reject::UnknownOrder)?;
        let levels = match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        };
        let level = levels.get_mut(&price).expect("an indexed order's level exists");
        let pos = level.iter().position(|o| o.id == id.0).expect("an indexed order is in its level");
        let order = level.remove(pos).expect("position is in range");
        if level.is_empty() {
            levels.remove(&price);
        }
        Ok(order)
    }
}

// ---------------------------------------------------------------------------------------------------
// Stream generation (outside the timed section).

/// A regime's pre-fill and timed stream, with what the generator saw.
#[derive(Debug)]
struct Workload {
    prefill: Vec<NewOrder>,
    ops: Vec<Op>,
    passive: usize,
    cancels: usize,
    marketable: usize,
    overrides: usize,
    min_live: usize,
    max_live: usize,
}

const NOT_LIVE: u32 = u32::MAX;

/// Draws operations and keeps an exact view of the live orders by running them through a model book.
struct Generator {
    rng: ChaCha8Rng,
    model: PlainBook,
    live: Vec<u64>,
    /// `pos[id]`: where `id` sits in `live`, or `NOT_LIVE`.
    pos: Vec<u32>,
    next_id: u64,
    fills: Vec<Fill>,
}

impl Generator {
    fn new(seed: u64, capacity: usize) -> Self {
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            model: PlainBook::with_capacity(capacity),
            live: Vec::with_capacity(capacity),
            pos: Vec::with_capacity(capacity),
            next_id: 0,
            fills: Vec::new(),
        }
    }

    fn add_live(&mut self, id: u64) {
        self.pos[id as usize] = self.live.len() as u32;
        self.live.push(id);
    }

    fn remove_live(&mut self, id: u64) {
        let i = std::mem::replace(&mut self.pos[id as usize], NOT_LIVE) as usize;
        self.live.swap_remove(i);
        if let Some(&moved) = self.live.get(i) {
            self.pos[moved as usize] = i as u32;
        }
    }

    fn side(&mut self) -> Side {
        if self.rng.random_bool(0.5) {
            Side::Buy
        } else {
            Side::Sell
        }
    }

    fn order(&mut self, side: Side, price: i64, lots: i64) -> NewOrder {
        let id = self.next_id;
        self.next_id += 1;
        self.pos.push(NOT_LIVE);
        NewOrder {
            id: OrderId(id),
            trader: TraderId((id % 64) as u32),
            side,
            kind: OrderType::Limit,
            price: Price(price),
            qty: Qty(lots),
        }
    }

    /// A passive order 0..=MAX_AWAY ticks outside the mid, never crossing the opposite touch.
    fn passive(&mut self) -> NewOrder {
        let side = self.side();
        let away = self.rng.random_range(0..=MAX_AWAY);
        let price = match side {
            Side::Buy => (MID - 1 - away).min(self.model.best(Side::Sell).map_or(i64::MAX, |a| a - 1)),
            Side::Sell => (MID + 1 + away).max(self.model.best(Side::Buy).map_or(i64::MIN, |b| b + 1)),
        };
        let lots = self.rng.random_range(1..=PASSIVE_MAX_LOTS);
        self.order(side, price, lots)
    }

    /// A limit order 1..=3 ticks through the opposite touch (or the mid when that side is empty).
    fn marketable(&mut self) -> NewOrder {
        let side = self.side();
        let through = self.rng.random_range(1..=3);
        let price = match side {
            Side::Buy => self.model.best(Side::Sell).unwrap_or(MID) + through,
            Side::Sell => self.model.best(Side::Buy).unwrap_or(MID) - through,
        };
        let lots = self.rng.random_range(1..=MARKETABLE_MAX_LOTS);
        self.order(side, price, lots)
    }

    /// Runs `o` through the model and updates the live set.
    fn apply_submit(&mut self, o: NewOrder) {
        self.fills.clear();
        let rested = self.model.submit(o, &mut self.fills).expect("generated orders are valid");
        for i in 0..self.fills.len() {
            let f = self.fills[i];
            if f.maker_remaining.is_zero() {
                self.remove_live(f.maker.0);
            }
        }
        if rested > 0 {
            self.add_live(o.id.0);
        }
    }

    fn build(seed: u64, depth: usize, ops: usize) -> Workload {
        let mut g = Generator::new(seed, depth + ops);
        let mut prefill = Vec::with_capacity(depth);
        for _ in 0..depth {
            let o = g.passive();
            g.apply_submit(o);
            prefill.push(o);
        }
        assert_eq!(g.live.len(), depth, "the pre-fill is passive: nothing trades");
        let band = (depth / 20).max(10);
        let (lo, hi) = (depth.saturating_sub(band), depth + band);
        let mut w = Workload {
            prefill,
            ops: Vec::with_capacity(ops),
            passive: 0,
            cancels: 0,
            marketable: 0,
            overrides: 0,
            min_live: depth,
            max_live: depth,
        };
        for _ in 0..ops {
            let draw = g.rng.random_range(0..100u32);
            let live = g.live.len();
            // 0: passive, 1: cancel, 2: marketable.
            let mut kind = match draw {
                0..55 => 0,
                55..90 => 1,
                _ => 2,
            };
            if kind == 0 && live > hi {
                kind = 1;
                w.overrides += 1;
            } else if kind == 1 && (live < lo || live == 0) {
                kind = 0;
                w.overrides += 1;
            }
            let op = match kind {
                0 => {
                    w.passive += 1;
                    let o = g.passive();
                    g.apply_submit(o);
                    Op::Submit(o)
                }
                1 => {
                    w.cancels += 1;
                    let id = g.live[g.rng.random_range(0..live)];
                    g.remove_live(id);
                    g.model.cancel(OrderId(id)).expect("the generator's live set is exact");
                    Op::Cancel(OrderId(id))
                }
                _ => {
                    w.marketable += 1;
                    let o = g.marketable();
                    g.apply_submit(o);
                    Op::Submit(o)
                }
            };
            w.ops.push(op);
            w.min_live = w.min_live.min(g.live.len());
            w.max_live = w.max_live.max(g.live.len());
        }
        assert_eq!(g.live.len(), g.model.order_count());
        w
    }
}

// ---------------------------------------------------------------------------------------------------
// The timed routines and the untimed equivalence check.

fn prefilled_mmsim(w: &Workload) -> OrderBook {
    let mut book = OrderBook::with_capacity(w.max_live + 1024);
    let mut fills = Vec::new();
    for &o in &w.prefill {
        book.submit(o, &mut fills).expect("pre-fill orders are accepted");
    }
    book
}

fn prefilled_plain(w: &Workload) -> PlainBook {
    let mut book = PlainBook::with_capacity(w.max_live + 1024);
    let mut fills = Vec::new();
    for &o in &w.prefill {
        book.submit(o, &mut fills).expect("pre-fill orders are accepted");
    }
    book
}

/// A book the stream can be run through: mmsim's, or the plain one.
trait Book {
    /// Applies one operation; false when it was rejected.
    fn apply(&mut self, op: Op, fills: &mut Vec<Fill>) -> bool;
}

impl Book for OrderBook {
    #[inline]
    fn apply(&mut self, op: Op, fills: &mut Vec<Fill>) -> bool {
        match op {
            Op::Submit(o) => self.submit(o, fills).is_ok(),
            Op::Cancel(id) => self.cancel(id).is_ok(),
        }
    }
}

impl Book for PlainBook {
    #[inline]
    fn apply(&mut self, op: Op, fills: &mut Vec<Fill>) -> bool {
        match op {
            Op::Submit(o) => self.submit(o, fills).is_ok(),
            Op::Cancel(id) => self.cancel(id).is_ok(),
        }
    }
}

/// Runs the stream; returns (fills, rejected operations). `fills` is cleared after every operation.
fn run<B: Book>(book: &mut B, ops: &[Op], fills: &mut Vec<Fill>) -> (usize, usize) {
    let (mut trades, mut rejects) = (0, 0);
    for &op in ops {
        rejects += usize::from(!book.apply(op, fills));
        trades += fills.len();
        fills.clear();
    }
    (trades, rejects)
}

/// Runs the stream once through both books, keeping every fill, and panics on any difference.
fn check_equivalent(name: &str, w: &Workload) {
    let (mut ours, mut plain) = (prefilled_mmsim(w), prefilled_plain(w));
    let (mut ours_fills, mut plain_fills) = (Vec::new(), Vec::new());
    for &op in &w.ops {
        match op {
            Op::Submit(o) => {
                let a = ours.submit(o, &mut ours_fills).map(|p| p.rested.0);
                let b = plain.submit(o, &mut plain_fills);
                assert_eq!(a, b, "{name}: submit {o:?}");
            }
            Op::Cancel(id) => {
                let a = ours.cancel(id).map(|r| r.qty.0);
                let b = plain.cancel(id).map(|r| r.qty);
                assert_eq!(a, b, "{name}: cancel {id:?}");
                assert!(a.is_ok(), "{name}: cancel of {id:?} missed; the generator's live set is exact");
            }
        }
    }
    assert_eq!(ours_fills.len(), plain_fills.len(), "{name}: number of fills");
    assert!(ours_fills == plain_fills, "{name}: fill sequences differ");
    assert_eq!(ours.order_count(), plain.order_count(), "{name}: resting orders at the end");
    for side in [Side::Buy, Side::Sell] {
        assert_eq!(ours.best(side).map(|p| p.0), plain.best(side), "{name}: best {side}");
    }
    eprintln!(
        "book/{name}: prefill {} orders; {} ops = {} passive / {} cancels / {} marketable \
         ({} controller overrides); live {}..={}, {} at the end; {} fills (equal in both books)",
        w.prefill.len(),
        w.ops.len(),
        w.passive,
        w.cancels,
        w.marketable,
        w.overrides,
        w.min_live,
        w.max_live,
        ours.order_count(),
        ours_fills.len(),
    );
}

// ---------------------------------------------------------------------------------------------------
// Criterion groups.

struct Regime {
    name: &'static str,
    depth: usize,
    ops: usize,
    seed: u64,
    samples: usize,
    warm_up: Duration,
    measurement: Duration,
}

const REGIMES: [Regime; 3] = [
    Regime {
        name: "thin",
        depth: 300,
        ops: 200_000,
        seed: 1,
        samples: 20,
        warm_up: Duration::from_secs(1),
        measurement: Duration::from_secs(3),
    },
    Regime {
        name: "balanced",
        depth: 40_000,
        ops: 200_000,
        seed: 2,
        samples: 20,
        warm_up: Duration::from_secs(1),
        measurement: Duration::from_secs(4),
    },
    Regime {
        name: "deep",
        depth: 1_000_000,
        ops: 200_000,
        seed: 3,
        samples: 10,
        warm_up: Duration::from_millis(500),
        // The plain book needs about 0.7 s per iteration here (setup included); 10 samples fit in 8 s.
        measurement: Duration::from_secs(8),
    },
];

fn bench_books(c: &mut Criterion) {
    for r in &REGIMES {
        let w = Generator::build(r.seed, r.depth, r.ops);
        check_equivalent(r.name, &w);
        let mut group = c.benchmark_group(format!("book/{}", r.name));
        group
            .throughput(Throughput::Elements(w.ops.len() as u64))
            .sampling_mode(SamplingMode::Flat)
            .sample_size(r.samples)
            .warm_up_time(r.warm_up)
            .measurement_time(r.measurement);
        group.bench_function("mmsim", |b| {
            b.iter_batched(
                || (prefilled_mmsim(&w), Vec::with_capacity(256)),
                |(mut book, mut fills)| {
                    black_box(run(&mut book, black_box(&w.ops), &mut fills));
                    book // dropped by criterion after the clock stops
                },
                BatchSize::PerIteration,
            )
        });
        group.bench_function("plain", |b| {
            b.iter_batched(
                || (prefilled_plain(&w), Vec::with_capacity(256)),
                |(mut book, mut fills)| {
                    black_box(run(&mut book, black_box(&w.ops), &mut fills));
                    book
                },
                BatchSize::PerIteration,
            )
        });
        group.finish();
    }
}

criterion_group!(benches, bench_books);
criterion_main!(benches);
