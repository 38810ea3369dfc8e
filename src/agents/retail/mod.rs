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
//! constant rate). No per-member events and no allocation per arrival (buffers are reused): O(1) work
//! per arrival whatever the crowd size, plus O(log k) to file a limit order's expiry among the `k`
//! resting ones, and a band of the book for book readers.
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
//! - **fundamentalist**: has its own estimate of the crowd's consensus value (see [`climate`]) and
//!   sends a limit order at it, a little on its side: a buy when the price is below, a sell when
//!   above. Far from the value the order crosses the book (within the collar); near it, it rests and
//!   anchors the book around the value;
//! - **book reader**: leans toward the heavier side of the visible book within `book_band_bps` of the
//!   mid: the traders a spoofer can fool.
//!
//! # Where the stylized facts come from
//! The consensus value is a random walk whose volatility is proportional to the crowd's rate
//! multiplier (news comes with attention), and fundamentalists carry it into prices: returns are
//! close to a martingale (no linear predictability) with stochastic volatility. Attention swings
//! slowly (hours) and big one-minute moves excite the crowd for minutes ([`climate`]): volatility
//! clusters, and the mixture of calm and busy periods fattens the tails, as do stop-loss cascades
//! and momentum bursts.
//!
//! # Orders and funds
//! Every order carries [`Intent::Retail`]. Marketable orders are immediate-or-cancel limit orders at
//! the opposite touch ± `slippage_cap_bps` (a market order with a price collar; with no opposite side
//! the member rests a limit order instead). Limit orders rest `limit_offset_bps` (mean, exponential)
//! behind the best price of their own side (depth), or for a share `limit_inside_share` behind the
//! mid (these may improve the spread). Each limit order is cancelled after a lifetime drawn uniformly
//! in `[0.5, 1.5] × limit_lifetime`: the crowd files `(expiry, order)` in a min-heap, cancels expired
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
//!
//! The crowd has no manipulation phases: [`Agent::phase`] keeps its default, `None`.

pub mod climate;
pub mod config;
pub mod decide;
mod orders;
#[cfg(test)]
mod tests;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use rand::RngExt;
use rand_distr::{Distribution, Exp1, StandardNormal};

pub use config::RetailConfig;
pub(crate) use orders::affordable;

use super::behaviour::AgentSetup;
use super::{Agent, AgentCtx, AgentEvent};
use crate::exchange::OrderRejected;
use crate::ledger::AccountId;
use crate::types::{OrderId, Price, Side, SimTime};
use climate::Climate;
use decide::{Member, Seen};
use orders::reference;

/// The longest the crowd sleeps before re-evaluating its rate, in ns (one minute).
const MAX_GAP_NS: u64 = 60_000_000_000;
const NS_PER_HOUR: f64 = 3_600e9;

/// A member's trading style, fixed when the crowd is built, in proportion to the configured weights.
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
    /// Resting limit orders and when to cancel them, soonest first (a min-heap).
    expiries: BinaryHeap<Reverse<(SimTime, OrderId)>>,
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
            expiries: BinaryHeap::new(),
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
    ///
    /// # Panics
    /// If `member` is not below [`RetailCrowd::members`].
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
        let heat = if self.cfg.momentum_activity_gain > 0.0 && !self.by_type[TraderType::Momentum as usize].is_empty() {
            let tilt = decide::momentum_tilt(&self.cfg, ctx.market.tape).abs();
            1.0 + self.cfg.momentum_activity_gain * tilt * (1.0 + self.climate.surge())
        } else {
            1.0
        };
        let mut a = self.by_type.each_ref().map(|v| v.len() as f64);
        a[TraderType::Momentum as usize] *= heat;
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
        let kind = TraderType::ALL[k];
        let Some(d) = decide::decide(kind, &self.cfg, &self.climate, &seen, me, ctx.rng) else {
            return;
        };
        let panic = kind == TraderType::StopLoss && decide::panics(&self.cfg, me, mid);
        if self.place(ctx, m, &seen, d) && panic {
            self.stats.panics += 1;
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
