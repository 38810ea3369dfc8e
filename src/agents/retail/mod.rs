//! The retail crowd (`kind = "retail"`): `count` traders with one account each, driven by one agent.
//!
//! # Arrivals
//! The crowd has **one** arrival clock. Its rate is
//! `Λ = arrival_rate_per_hour / 3600 s × attention × (1 + excitation) × Σ_types n_k · w_k`,
//! with `n_k` the members of type `k` and `w_k` their activity (1, except momentum traders:
//! `1 + momentum_activity_gain × |tanh(signal)| × (1 + volume surge)`). With attention and excitation
//! off and no momentum heat this is a Poisson process of rate `count × arrival_rate_per_hour`. Each
//! arrival draws a type with probability `n_k w_k / Σ n_j w_j`, then a member of that type uniformly.
//! The rate is re-evaluated at every arrival and at least once per simulated minute (an exponential
//! gap longer than a minute becomes a quiet wake-up; by memorylessness this is exact for the piecewise
//! constant rate). No per-member events, no allocation per arrival: O(1) work per arrival whatever
//! the crowd size (book readers read a band of the book, a few pages of the ladder).
//!
//! # Types
//! Each member's type is fixed **once, at construction**, in proportion to the five weights (a person
//! keeps their style; stop-loss traders need a stable entry price). The assignment is deterministic,
//! not random: member `m` takes the type whose cumulative weight share contains `frac(m / φ)` (a
//! low-discrepancy sequence), so the mix is the configured one to within a member for every seed,
//! and wallets (drawn per member by the scenario) are independent of types. See [`decide`] for the
//! rules:
//! - **noise**: buys or sells at random, marketable or a limit order near the touch;
//! - **momentum (FOMO)**: buys with probability `(1 + tanh(r / scale)) / 2` where `r` is the return
//!   over `momentum_window`; always marketable; larger and more frequent orders when the market moves
//!   and volume surges;
//! - **stop-loss**: sells everything at market when the mid is `stop_loss_pct` below its average
//!   entry price (panic), takes profit with a limit order `take_profit_pct` above; otherwise trades
//!   like a noise trader (always buys when it holds nothing);
//! - **fundamentalist**: trades toward a slowly drifting fundamental value (see [`climate`]), only
//!   beyond a threshold, more when the gap is larger;
//! - **book reader**: leans toward the heavier side of the visible book within `book_band_bps` of the
//!   mid: the traders a spoofer can fool.
//!
//! The crowd-wide attention and self-excitation ([`climate`]) make activity, hence volatility, come
//! in clusters; stop-loss cascades and momentum bursts fatten the tails; fundamentalists pull the
//! price back toward value.
//!
//! # Orders and funds
//! Every order carries [`Intent::Retail`]. Marketable orders are immediate-or-cancel limit orders at
//! the opposite touch ± `slippage_cap_bps` (a market order with a price collar; with no opposite side
//! the member rests a limit order instead). Limit orders rest `limit_offset_bps` (mean, exponential)
//! behind the best price of their own side (depth), or for a share `limit_inside_share` behind the
//! mid (these may improve the spread), and are cancelled after `limit_lifetime`: the crowd
//! keeps a FIFO of `(order, expiry)` (lifetimes are equal, so expiries are in order), cancels expired
//! orders still on the book at its next wake-up, and so holds about `limit rate × lifetime` entries.
//!
//! Invariants: nobody spends more than they hold. A member's order is sized from the **free**
//! balances of its account as the ledger shows them, and a buy is sized so that
//! `price × qty + fee bound + qty` atoms fit (the exchange's lock with the largest fee a scenario may
//! set, 100 bps); a member with an order still travelling to the exchange sits its turn out, so its
//! free balance cannot be promised twice. Hence no `insufficient_funds` reject (counted in
//! [`RetailStats`] all the same).
//!
//! Entry prices: each member's average buy price (ticks) and the tokens it covers are kept in two
//! `Vec`s and updated from its fills; tokens held at the start enter at the opening price spread by
//! `entry_dispersion_pct` (drawn at start from the crowd's stream).

pub mod climate;
pub mod config;
pub mod decide;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;

use rand::RngExt;
use rand_distr::{Distribution, Exp1, StandardNormal};

pub use config::RetailConfig;

use super::behaviour::AgentSetup;
use super::{Agent, AgentCtx, AgentEvent};
use crate::book::OrderType;
use crate::exchange::OrderRejected;
use crate::ledger::AccountId;
use crate::types::{Cash, Intent, OrderId, Price, Qty, Side, SimTime};
use climate::Climate;
use decide::{Decision, Member, Seen};

/// The largest fee rate the exchange may charge, in hundredths of a bp (scenario validation caps
/// fees at 100 bps): buys are sized so the exchange's lock at this rate fits the free cash.
const FEE_BOUND_CBPS: i128 = 10_000;
/// The longest the crowd sleeps before re-evaluating its rate, in ns (one minute).
const MAX_GAP_NS: u64 = 60_000_000_000;
const NS_PER_HOUR: f64 = 3_600e9;

/// A member's trading style, drawn once from the configured weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TraderType {
    /// Random side, marketable or limit.
    Noise,
    /// Follows the recent return (FOMO).
    Momentum,
    /// Sells on a fall below its entry price.
    StopLoss,
    /// Trades toward the fundamental value.
    Fundamentalist,
    /// Leans toward the heavier side of the book.
    BookReader,
}

impl TraderType {
    /// Every type, in weight order.
    pub const ALL: [TraderType; 5] = [
        TraderType::Noise,
        TraderType::Momentum,
        TraderType::StopLoss,
        TraderType::Fundamentalist,
        TraderType::BookReader,
    ];
}

/// Counters of what the crowd did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RetailStats {
    /// Arrivals (a member's turn), including those that sent nothing.
    pub arrivals: u64,
    /// Arrivals skipped because the member's previous order was still in flight.
    pub busy: u64,
    /// Marketable (immediate-or-cancel) orders sent.
    pub marketable: u64,
    /// Limit orders sent.
    pub limits: u64,
    /// Panic sells by stop-loss traders.
    pub panics: u64,
    /// Expired limit orders cancelled.
    pub expired: u64,
    /// Fills received (maker or taker).
    pub fills: u64,
    /// Orders rejected for insufficient funds (should stay 0).
    pub rejected_funds: u64,
    /// Orders rejected for any other reason (should stay 0).
    pub rejected_orders: u64,
    /// Cancels that arrived after the order had filled (a race with the latency; harmless).
    pub cancel_misses: u64,
}

/// How a member is found from its account.
#[derive(Clone, Debug)]
enum MemberIndex {
    /// Accounts `base .. base + n` in order (the usual case).
    Contiguous(u32),
    /// Sorted `(account, member)` pairs.
    Sorted(Vec<(u32, u32)>),
}

/// A crowd of retail traders: one agent, one account per member.
#[derive(Clone, Debug)]
pub struct RetailCrowd {
    cfg: RetailConfig,
    open: Price,
    accounts: Vec<AccountId>,
    index: MemberIndex,
    /// Members of each type, by [`TraderType::ALL`] order.
    by_type: [Vec<u32>; 5],
    /// Average entry price per member, in ticks (0: none).
    entry: Vec<f64>,
    /// Tokens (lots) the entry price covers.
    basis: Vec<i64>,
    /// True while the member has an order in flight.
    busy: Vec<bool>,
    /// Orders sent but not yet accepted or rejected, oldest first (commands arrive in order).
    in_flight: VecDeque<(OrderId, u32)>,
    /// Resting limit orders and when to cancel them, oldest first.
    expiries: VecDeque<(OrderId, SimTime)>,
    climate: Climate,
    /// True when the pending wake-up is an arrival (else a rate re-evaluation).
    pending_arrival: bool,
    stats: RetailStats,
}

impl RetailCrowd {
    /// Builds the crowd: one member per account, each given a type in proportion to the weights.
    pub fn new(cfg: RetailConfig, setup: AgentSetup) -> Self {
        let n = setup.accounts.len();
        let weights = cfg.weights();
        let total: f64 = weights.iter().sum();
        let last = weights.iter().rposition(|&w| w > 0.0).unwrap_or(0);
        let mut by_type: [Vec<u32>; 5] = Default::default();
        for m in 0..n as u32 {
            // Weyl sequence frac(m / φ): evenly spread in [0, 1), so every prefix of the crowd has
            // the configured mix to within a member, whatever the seed.
            let mut u = (f64::from(m) * 0.618_033_988_749_894_9).fract() * total;
            let k = weights.iter().position(|&w| {
                u -= w;
                u < 0.0
            });
            by_type[k.unwrap_or(last)].push(m);
        }
        let contiguous = setup.accounts.windows(2).all(|w| w[1].0 == w[0].0 + 1);
        let index = if contiguous {
            MemberIndex::Contiguous(setup.accounts.first().map_or(0, |a| a.0))
        } else {
            let mut v: Vec<(u32, u32)> = setup.accounts.iter().enumerate().map(|(m, a)| (a.0, m as u32)).collect();
            v.sort_unstable();
            MemberIndex::Sorted(v)
        };
        let open = setup.market.open_price;
        RetailCrowd {
            climate: Climate::new(&cfg, open),
            cfg,
            open,
            accounts: setup.accounts,
            index,
            by_type,
            entry: vec![0.0; n],
            basis: vec![0; n],
            busy: vec![false; n],
            in_flight: VecDeque::new(),
            expiries: VecDeque::new(),
            pending_arrival: false,
            stats: RetailStats::default(),
        }
    }

    /// What the crowd did so far.
    pub fn stats(&self) -> &RetailStats {
        &self.stats
    }

    /// Number of members.
    pub fn members(&self) -> usize {
        self.accounts.len()
    }

    /// Members of each type, in [`TraderType::ALL`] order.
    pub fn type_counts(&self) -> [usize; 5] {
        self.by_type.each_ref().map(Vec::len)
    }

    /// The crowd-wide state (attention, excitation, fundamental value).
    pub fn climate(&self) -> &Climate {
        &self.climate
    }

    /// A member's average entry price in ticks (0 when it holds nothing it bought or started with).
    pub fn entry_price(&self, member: usize) -> f64 {
        self.entry[member]
    }

    fn member_of(&self, account: AccountId) -> Option<usize> {
        match &self.index {
            MemberIndex::Contiguous(base) => {
                let m = account.0.checked_sub(*base)? as usize;
                (m < self.accounts.len()).then_some(m)
            }
            MemberIndex::Sorted(v) => v.binary_search_by_key(&account.0, |p| p.0).ok().map(|i| v[i].1 as usize),
        }
    }

    /// Activity weights `n_k × w_k` per type.
    fn activity(&self, ctx: &AgentCtx<'_>) -> [f64; 5] {
        let heat = if self.cfg.momentum_activity_gain > 0.0 && !self.by_type[1].is_empty() {
            let tilt = decide::momentum_tilt(&self.cfg, ctx.market.tape).abs();
            1.0 + self.cfg.momentum_activity_gain * tilt * (1.0 + self.climate.surge())
        } else {
            1.0
        };
        let mut a = self.by_type.each_ref().map(|v| v.len() as f64);
        a[1] *= heat;
        a
    }

    /// Schedules the next arrival (or a re-evaluation a minute from now if it is further away).
    fn schedule_next(&mut self, ctx: &mut AgentCtx<'_>) {
        let total: f64 = self.activity(ctx).iter().sum();
        let rate_per_ns = self.cfg.arrival_rate_per_hour / NS_PER_HOUR * self.climate.multiplier() * total;
        let e: f64 = Exp1.sample(ctx.rng);
        let gap = if rate_per_ns > 0.0 { e / rate_per_ns } else { f64::INFINITY };
        if gap < MAX_GAP_NS as f64 {
            self.pending_arrival = true;
            ctx.wake_in((gap as u64).max(1));
        } else {
            self.pending_arrival = false;
            ctx.wake_in(MAX_GAP_NS);
        }
    }

    /// One arrival: pick a type by activity, a member of it, and let it act.
    fn arrive(&mut self, ctx: &mut AgentCtx<'_>) {
        self.stats.arrivals += 1;
        let act = self.activity(ctx);
        let mut u = ctx.rng.random::<f64>() * act.iter().sum::<f64>();
        let mut k = act.iter().rposition(|&a| a > 0.0).unwrap_or(0);
        for (i, a) in act.iter().enumerate() {
            u -= a;
            if u < 0.0 {
                k = i;
                break;
            }
        }
        let list = &self.by_type[k];
        if list.is_empty() {
            return;
        }
        let m = list[ctx.rng.random_range(0..list.len())] as usize;
        if self.busy[m] {
            self.stats.busy += 1;
            return;
        }
        let market = ctx.market;
        let (bid, ask) = (market.book.best_bid(), market.book.best_ask());
        let mid = reference(bid, ask, market.tape.last_price(), self.open);
        let seen = Seen { bid, ask, mid, tape: market.tape, book: market.book };
        let account = market.ledger.account(self.accounts[m]);
        let me = Member { tokens_free: account.tokens_free.0, entry: self.entry[m] };
        let Some(d) = decide::decide(TraderType::ALL[k], &self.cfg, &self.climate, &seen, me, ctx.rng) else {
            return;
        };
        let panic = k == 2 && d.side == Side::Sell && d.marketable && d.size >= 1.0;
        if self.place(ctx, m, &seen, d) && panic {
            self.stats.panics += 1;
        }
    }

    /// Turns a decision into an order the member's free balance covers; false when too small.
    fn place(&mut self, ctx: &mut AgentCtx<'_>, m: usize, seen: &Seen<'_>, d: Decision) -> bool {
        let acct = self.accounts[m];
        let account = ctx.market.ledger.account(acct);
        let slip = self.cfg.slippage_cap_bps / 10_000.0;
        let (kind, price) = match (d.side, d.marketable, seen.ask, seen.bid) {
            _ if d.price.is_some() => (OrderType::Limit, own_price(d.side, d.price.unwrap_or(0.0), seen, slip)),
            (Side::Buy, true, Some(ask), _) => (OrderType::Ioc, Price((ask.0 as f64 * (1.0 + slip)).ceil() as i64)),
            (Side::Sell, true, _, Some(bid)) => (OrderType::Ioc, Price((bid.0 as f64 * (1.0 - slip)).floor() as i64)),
            _ => (OrderType::Limit, self.limit_price(d.side, seen, ctx)),
        };
        if price.0 < 1 {
            return false;
        }
        let qty = match d.side {
            Side::Sell => Qty((account.tokens_free.0 as f64 * d.size).floor() as i64),
            Side::Buy => Qty(affordable(account.cash_free, price, d.size)),
        };
        if qty.0 < 1 {
            return false;
        }
        let id = ctx.submit(acct, d.side, kind, price, qty, Intent::Retail);
        self.busy[m] = true;
        self.in_flight.push_back((id, m as u32));
        if kind == OrderType::Limit {
            self.stats.limits += 1;
            self.expiries.push_back((id, ctx.now.plus_nanos(self.cfg.limit_lifetime.nanos())));
        } else {
            self.stats.marketable += 1;
        }
        true
    }

    /// A resting price on `side`: an exponential distance behind the best price of its own side, or,
    /// for a share `limit_inside_share`, behind the reference price (possibly inside the spread);
    /// never crossing the book.
    fn limit_price(&self, side: Side, seen: &Seen<'_>, ctx: &mut AgentCtx<'_>) -> Price {
        let inside = ctx.rng.random_bool(self.cfg.limit_inside_share);
        let e: f64 = Exp1.sample(ctx.rng);
        let d = e * self.cfg.limit_offset_bps / 10_000.0;
        match side {
            Side::Buy => {
                let base = if inside { seen.mid } else { seen.bid.map_or(seen.mid, |b| b.0 as f64) };
                let p = (base * (1.0 - d)).floor() as i64;
                Price(seen.ask.map_or(p, |a| p.min(a.0 - 1)).max(1))
            }
            Side::Sell => {
                let base = if inside { seen.mid } else { seen.ask.map_or(seen.mid, |a| a.0 as f64) };
                let p = (base * (1.0 + d)).ceil() as i64;
                Price(seen.bid.map_or(p, |b| p.max(b.0 + 1)).max(1))
            }
        }
    }

    /// Cancels expired limit orders that are still on the book.
    fn expire(&mut self, ctx: &mut AgentCtx<'_>) {
        while let Some(&(id, at)) = self.expiries.front() {
            if at > ctx.now {
                break;
            }
            self.expiries.pop_front();
            if ctx.market.book.contains(id) {
                ctx.cancel(id);
                self.stats.expired += 1;
            }
        }
    }

    /// The exchange has dealt with `order`: its member may act again.
    fn resolved(&mut self, order: OrderId) {
        if let Some(&(id, m)) = self.in_flight.front() {
            if id == order {
                self.in_flight.pop_front();
                self.busy[m as usize] = false;
            }
        }
    }
}

/// A member's own limit price (fractional ticks), rounded away from the opposite side and kept
/// within the collar: a buy at most `slip` above the best ask, a sell at least `slip` below the bid.
fn own_price(side: Side, ticks: f64, seen: &Seen<'_>, slip: f64) -> Price {
    match side {
        Side::Buy => {
            let cap = seen.ask.map_or(f64::MAX, |a| a.0 as f64 * (1.0 + slip));
            Price(ticks.min(cap).floor() as i64)
        }
        Side::Sell => {
            let floor = seen.bid.map_or(0.0, |b| b.0 as f64 * (1.0 - slip));
            Price(ticks.max(floor).ceil() as i64)
        }
    }
}

/// The price members reason from, in ticks: the mid when both sides are quoted; with one side, that
/// side's best price capped by the last trade (a lone ask above the last trade does not make the price);
/// with neither, the last trade or the opening price.
fn reference(bid: Option<Price>, ask: Option<Price>, last: Option<Price>, open: Price) -> f64 {
    let last = last.unwrap_or(open).0;
    match (bid, ask) {
        (Some(b), Some(a)) => (b.0 + a.0) as f64 / 2.0,
        (Some(b), None) => b.0.max(last) as f64,
        (None, Some(a)) => a.0.min(last) as f64,
        (None, None) => last as f64,
    }
}

/// Lots a buy at `price` may take out of `cash_free × frac` so that the exchange's lock
/// (`notional + fee bound + qty` atoms at the highest fee rate) fits in the free cash.
fn affordable(cash_free: Cash, price: Price, frac: f64) -> i64 {
    let p = price.0 as i128;
    if p <= 0 || cash_free.0 <= 0 {
        return 0;
    }
    let budget = (cash_free.0 as f64 * frac.min(1.0)).floor();
    let unit = p as f64 * (1.0 + FEE_BOUND_CBPS as f64 / 1e6) + 1.0;
    let mut q = ((budget - 2.0) / unit).floor().max(0.0).min(i64::MAX as f64 / 2.0) as i128;
    let need = |q: i128| {
        let notional = p * q;
        notional + (notional * FEE_BOUND_CBPS + 999_999) / 1_000_000 + q
    };
    while q > 0 && need(q) > cash_free.0 {
        q -= 1;
    }
    q as i64
}

impl Agent for RetailCrowd {
    fn start(&mut self, ctx: &mut AgentCtx<'_>) {
        let spread = self.cfg.entry_dispersion_pct / 100.0;
        for (m, acct) in self.accounts.iter().enumerate() {
            let tokens = ctx.market.ledger.account(*acct).tokens().0;
            if tokens > 0 {
                let z: f64 = if spread > 0.0 { StandardNormal.sample(ctx.rng) } else { 0.0 };
                self.entry[m] = self.open.0 as f64 * (spread * z).exp();
                self.basis[m] = tokens;
            }
        }
        self.climate.update(ctx.now, ctx.market.tape, ctx.rng);
        self.schedule_next(ctx);
    }

    fn on_wakeup(&mut self, ctx: &mut AgentCtx<'_>) {
        self.climate.update(ctx.now, ctx.market.tape, ctx.rng);
        if self.pending_arrival && !self.accounts.is_empty() {
            self.arrive(ctx);
        }
        self.expire(ctx);
        self.schedule_next(ctx);
    }

    fn on_event(&mut self, ev: &AgentEvent, _ctx: &mut AgentCtx<'_>) {
        match *ev {
            AgentEvent::Filled { account, side, price, qty, .. } => {
                self.stats.fills += 1;
                let Some(m) = self.member_of(account) else { return };
                match side {
                    Side::Buy => {
                        let held = self.basis[m] + qty.0;
                        self.entry[m] =
                            (self.entry[m] * self.basis[m] as f64 + price.0 as f64 * qty.0 as f64) / held as f64;
                        self.basis[m] = held;
                    }
                    Side::Sell => self.basis[m] = (self.basis[m] - qty.0).max(0),
                }
            }
            AgentEvent::Accepted { order, .. } => self.resolved(order),
            AgentEvent::Rejected { order, reason } => {
                if self.in_flight.front().is_some_and(|f| f.0 == order) {
                    if reason == OrderRejected::InsufficientFunds {
                        self.stats.rejected_funds += 1;
                    } else {
                        self.stats.rejected_orders += 1;
                    }
                    self.resolved(order);
                } else {
                    self.stats.cancel_misses += 1;
                }
            }
            AgentEvent::Cancelled { .. } => {}
        }
    }
}
