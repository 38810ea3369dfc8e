//! `flow`: a zero-intelligence order-flow crowd, the kind `mmsim calibrate` fits to real data.
//!
//! The crowd is one agent trading `count` member accounts; each order goes out for a member drawn
//! at random. Four streams of orders (Cont, Stoikov and Talreja 2010, with Hawkes market orders):
//! - **market buys and sells**: immediate-or-cancel orders `market_collar_ticks` through the
//!   opposite best price, at the baseline rates `market_*_per_min` plus a self-exciting part: each
//!   market order adds `hawkes_branching / hawkes_decay_secs` per second to the rate of both sides,
//!   decaying with mean life `hawkes_decay_secs` (a Hawkes process with an exponential kernel,
//!   simulated exactly by thinning);
//! - **limit buys and sells**: at `limit_*_per_min`, each placed `i` ticks from the opposite best
//!   price with probability proportional to `limit_distance_weights[i − 1]` (a buy at `ask − i`, a
//!   sell at `bid + i`: below the spread it improves the touch, never crosses);
//! - **cancels**: each limit order lives an exponential time of rate `cancel_per_min` of its
//!   placement distance; the crowd keeps `(expiry, order)` in a min-heap and cancels the orders
//!   still on the book when they fall due.
//!
//! Sizes are log-normal in tokens (`*_size_median`, `*_size_sigma`), a share `round_share` of them
//! rounded to one significant digit; every rate is multiplied by the hour-of-day profile `hourly`.
//! A member never promises more than a quarter of its free balance in one order, so several orders
//! in flight stay covered. With `seed_book`, the crowd starts by resting each distance's
//! steady-state depth around the opening price (bids from the open down, asks from one tick up).
//!
//! Every order carries [`Intent::Retail`]. The crowd has no phases.

pub mod config;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::RngExt;
use rand_distr::{Distribution, Exp1, StandardNormal};

pub use config::FlowConfig;

use super::behaviour::AgentSetup;
use super::retail::affordable;
use super::{Agent, AgentCtx, AgentEvent};
use crate::book::OrderType;
use crate::ledger::AccountId;
use crate::scenario::limits::MAX_PRICE_TICKS;
use crate::types::{Intent, OrderId, Price, Qty, Side, SimTime};

const NS_PER_MIN: f64 = 60e9;
const NS_PER_HOUR: u64 = 3_600_000_000_000;
/// Seeded orders per side and distance at most (keeps a huge profile from flooding the start).
const MAX_SEED_PER_LEVEL: f64 = 500.0;

/// Counters of what the crowd did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlowStats {
    /// Market (immediate-or-cancel) orders sent.
    pub market_orders: u64,
    /// Limit orders sent (seeded ones included).
    pub limit_orders: u64,
    /// Cancels sent for orders still on the book.
    pub cancels: u64,
    /// Arrivals that sent nothing (no funds, or no price to trade against).
    pub skipped: u64,
    /// Orders or cancels the exchange refused.
    pub rejected: u64,
}

/// The order-flow crowd (kind `flow`).
#[derive(Clone, Debug)]
pub struct FlowCrowd {
    cfg: FlowConfig,
    accounts: Vec<AccountId>,
    open: Price,
    /// Tokens per lot.
    lot: f64,
    /// Cumulative distance weights, normalised to end at 1.
    cdf: Vec<f64>,
    /// Excitation of the market order rate, per ns, as of `excited_at`.
    excitation: f64,
    excited_at: SimTime,
    /// The next candidate arrival and the rate bound it was drawn with (thinning).
    pending: Option<(SimTime, f64)>,
    expiries: BinaryHeap<Reverse<(SimTime, OrderId)>>,
    stats: FlowStats,
}

impl FlowCrowd {
    /// Builds the crowd over `setup.accounts`.
    pub fn new(cfg: FlowConfig, setup: AgentSetup) -> Self {
        let total: f64 = cfg.limit_distance_weights.iter().sum();
        let mut acc = 0.0;
        let cdf = cfg
            .limit_distance_weights
            .iter()
            .map(|w| {
                acc += w / total.max(f64::MIN_POSITIVE);
                acc
            })
            .collect();
        FlowCrowd {
            lot: rust_decimal::prelude::ToPrimitive::to_f64(&setup.market.lot).unwrap_or(1.0),
            open: setup.market.open_price,
            cfg,
            accounts: setup.accounts,
            cdf,
            excitation: 0.0,
            excited_at: SimTime::ZERO,
            pending: None,
            expiries: BinaryHeap::new(),
            stats: FlowStats::default(),
        }
    }

    /// What the crowd did so far.
    pub fn stats(&self) -> &FlowStats {
        &self.stats
    }

    /// The excitation decayed to `now` (per ns).
    fn excitation_at(&mut self, now: SimTime) -> f64 {
        let dt = now.nanos().saturating_sub(self.excited_at.nanos()) as f64;
        self.excitation *= (-dt / (self.cfg.hawkes_decay_secs * 1e9)).exp();
        self.excited_at = now;
        self.excitation
    }

    /// Baseline rates per ns at `now`: (market buy, market sell, limit buy, limit sell).
    fn base_rates(&self, now: SimTime) -> [f64; 4] {
        let f = self.cfg.hour_factor(now.nanos() / NS_PER_HOUR) / NS_PER_MIN;
        let c = &self.cfg;
        [c.market_buy_per_min * f, c.market_sell_per_min * f, c.limit_buy_per_min * f, c.limit_sell_per_min * f]
    }

    /// Draws the next candidate arrival, bounded by the end of the current hour (rates change there).
    fn draw_next(&mut self, ctx: &mut AgentCtx<'_>) {
        let now = ctx.now;
        let bound = self.base_rates(now).iter().sum::<f64>() + self.excitation_at(now);
        let hour_end = (now.nanos() / NS_PER_HOUR + 1) * NS_PER_HOUR;
        let e: f64 = Exp1.sample(ctx.rng);
        let at = if bound > 0.0 { now.nanos() as f64 + (e / bound).max(1.0) } else { f64::INFINITY };
        // Past the hour's end the rates change: wake there with no candidate (bound 0) and redraw.
        self.pending = Some(if at < hour_end as f64 { (SimTime(at as u64), bound) } else { (SimTime(hour_end), 0.0) });
    }

    fn wake(&mut self, ctx: &mut AgentCtx<'_>) {
        let next = self.pending.map_or(u64::MAX, |p| p.0.nanos());
        let expiry = self.expiries.peek().map_or(u64::MAX, |r| r.0 .0.nanos());
        let at = next.min(expiry);
        if at != u64::MAX {
            ctx.wake_at(SimTime(at.max(ctx.now.nanos() + 1)));
        }
    }

    /// One candidate arrival: accepted with probability rate now / bound, then typed by the rates.
    fn arrive(&mut self, ctx: &mut AgentCtx<'_>, bound: f64) {
        let base = self.base_rates(ctx.now);
        let exc = self.excitation_at(ctx.now);
        let total = base.iter().sum::<f64>() + exc;
        let u = ctx.rng.random::<f64>() * bound;
        if bound <= 0.0 || u >= total {
            return;
        }
        let market = base[0] + base[1];
        let buy_share = if market > 0.0 { base[0] / market } else { 0.5 };
        if u < market + exc {
            let side = if u < (market + exc) * buy_share { Side::Buy } else { Side::Sell };
            let beta = 1.0 / (self.cfg.hawkes_decay_secs * 1e9);
            self.excitation += self.cfg.hawkes_branching * beta;
            self.market_order(ctx, side);
        } else {
            let side = if u < market + exc + base[2] { Side::Buy } else { Side::Sell };
            let i = self.distance(ctx);
            self.limit_order(ctx, side, i);
        }
    }

    fn distance(&self, ctx: &mut AgentCtx<'_>) -> usize {
        let u: f64 = ctx.rng.random();
        self.cdf.iter().position(|&c| u < c).unwrap_or(self.cdf.len() - 1) + 1
    }

    /// A size in lots: log-normal in tokens, a share rounded to one significant digit.
    fn size(&self, ctx: &mut AgentCtx<'_>, median: f64, sigma: f64) -> i64 {
        let z: f64 = StandardNormal.sample(ctx.rng);
        let mut tokens = median * (sigma * z).exp();
        if ctx.rng.random_bool(self.cfg.round_share) {
            tokens = round_one_digit(tokens);
        }
        ((tokens / self.lot).round().clamp(1.0, 1e15)) as i64
    }

    /// A member and the most lots it may commit to `side` at `price`.
    fn member(&self, ctx: &mut AgentCtx<'_>, side: Side, price: Price) -> (AccountId, i64) {
        let acct = self.accounts[ctx.rng.random_range(0..self.accounts.len())];
        let a = ctx.market.ledger.account(acct);
        let cap = match side {
            Side::Buy => affordable(a.cash_free, price, 0.25),
            Side::Sell => a.tokens_free.0 / 4,
        };
        (acct, cap)
    }

    fn market_order(&mut self, ctx: &mut AgentCtx<'_>, side: Side) {
        let book = ctx.market.book;
        let collar = i64::from(self.cfg.market_collar_ticks);
        let price = match side {
            Side::Buy => book.best_ask().map(|a| Price((a.0 + collar).min(MAX_PRICE_TICKS))),
            Side::Sell => book.best_bid().map(|b| Price((b.0 - collar).max(1))),
        };
        let Some(price) = price else {
            self.stats.skipped += 1;
            return;
        };
        let want = self.size(ctx, self.cfg.market_size_median, self.cfg.market_size_sigma);
        self.send(ctx, side, OrderType::Ioc, price, want, None);
    }

    /// A limit order `i` ticks from the opposite touch (or from where it would be).
    fn limit_order(&mut self, ctx: &mut AgentCtx<'_>, side: Side, i: usize) {
        let book = ctx.market.book;
        let last = ctx.market.tape.last_price().unwrap_or(self.open).0;
        let i = i as i64;
        let price = match side {
            Side::Buy => book.best_ask().map_or_else(|| book.best_bid().map_or(last + 1, |b| b.0 + 1), |a| a.0) - i,
            Side::Sell => book.best_bid().map_or_else(|| book.best_ask().map_or(last, |a| a.0 - 1), |b| b.0) + i,
        };
        let want = self.size(ctx, self.cfg.limit_size_median, self.cfg.limit_size_sigma);
        self.send(ctx, side, OrderType::Limit, Price(price), want, Some(i as usize));
    }

    /// Sends an order the member can cover; a limit order also gets its cancel time.
    fn send(&mut self, ctx: &mut AgentCtx<'_>, side: Side, kind: OrderType, price: Price, want: i64, i: Option<usize>) {
        if !(1..=MAX_PRICE_TICKS).contains(&price.0) {
            self.stats.skipped += 1;
            return;
        }
        let (acct, cap) = self.member(ctx, side, price);
        let qty = want.min(cap);
        if qty < 1 {
            self.stats.skipped += 1;
            return;
        }
        let id = ctx.submit(acct, side, kind, price, Qty(qty), Intent::Retail);
        match i {
            Some(i) => {
                self.stats.limit_orders += 1;
                let rate = self.cfg.cancel_rate(i) / NS_PER_MIN;
                let e: f64 = Exp1.sample(ctx.rng);
                let life = (e / rate).min(1e18) as u64;
                self.expiries.push(Reverse((ctx.now.plus_nanos(life.max(1)), id)));
            }
            None => self.stats.market_orders += 1,
        }
    }

    /// Rests each distance's steady-state number of orders around the opening price.
    fn seed(&mut self, ctx: &mut AgentCtx<'_>) {
        let w_total: f64 = self.cfg.limit_distance_weights.iter().sum();
        let open = self.open.0;
        for (side, rate) in [(Side::Buy, self.cfg.limit_buy_per_min), (Side::Sell, self.cfg.limit_sell_per_min)] {
            for (k, w) in self.cfg.limit_distance_weights.clone().into_iter().enumerate() {
                let i = k + 1;
                let n = (rate * w / w_total / self.cfg.cancel_rate(i)).min(MAX_SEED_PER_LEVEL).round() as usize;
                let price = match side {
                    Side::Buy => open + 1 - i as i64,
                    Side::Sell => open + i as i64,
                };
                for _ in 0..n {
                    let want = self.size(ctx, self.cfg.limit_size_median, self.cfg.limit_size_sigma);
                    self.send(ctx, side, OrderType::Limit, Price(price), want, Some(i));
                }
            }
        }
    }

    fn expire(&mut self, ctx: &mut AgentCtx<'_>) {
        while let Some(&Reverse((at, id))) = self.expiries.peek() {
            if at > ctx.now {
                break;
            }
            self.expiries.pop();
            if ctx.market.book.contains(id) {
                ctx.cancel(id);
                self.stats.cancels += 1;
            }
        }
    }
}

/// `x` rounded to one significant digit (0.0347 → 0.03, 180 → 200).
pub fn round_one_digit(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return x;
    }
    let scale = 10f64.powf(x.log10().floor());
    (x / scale).round() * scale
}

impl Agent for FlowCrowd {
    fn start(&mut self, ctx: &mut AgentCtx<'_>) {
        if self.accounts.is_empty() {
            return;
        }
        if self.cfg.seed_book {
            self.seed(ctx);
        }
        self.draw_next(ctx);
        self.wake(ctx);
    }

    fn on_wakeup(&mut self, ctx: &mut AgentCtx<'_>) {
        self.expire(ctx);
        if let Some((at, bound)) = self.pending {
            if at <= ctx.now {
                self.arrive(ctx, bound);
                self.draw_next(ctx);
            }
        }
        self.wake(ctx);
    }

    fn on_event(&mut self, ev: &AgentEvent, _ctx: &mut AgentCtx<'_>) {
        if let AgentEvent::Rejected { .. } = ev {
            self.stats.rejected += 1;
        }
    }
}

#[cfg(test)]
mod tests;
