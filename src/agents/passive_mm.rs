//! A passive market maker: a ladder of post-only quotes on both sides of a fair price, skewed
//! against its inventory after Avellaneda & Stoikov (2008), within inventory and cash limits.
//!
//! **Fair price.** The mid of the *other* traders' best bid and ask (its own resting orders are
//! taken out, so it does not chase its own quotes), kept within `anchor_bps` of the last trade (so
//! that market makers centring on each other's quotes cannot walk the book away without trades);
//! when the others do not quote both sides, the last trade; before any trade, the market's open
//! price.
//!
//! **Quotes.** With `q` the position in `level_size` clips (tokens held minus the starting
//! balance), σ² the daily variance in bps² and τ the horizon left in days, the reservation price
//! sits `q·γ·σ²·τ` bps below the fair price ([`AvellanedaStoikov`]); the innermost bid and ask are
//! `width/2` bps either side of it with `width = max(spread_bps, model spread) × spread_multiplier`,
//! and each further level is `level_spacing_bps` further out. Bids round down and asks up to the
//! tick, and never cross the others' best quotes (orders are post-only).
//!
//! **Limits.** Resting bids never exceed `max_inventory − position` tokens, asks never
//! `max_inventory + position`. Quotes are sized to what the account can pay for: free cash and
//! tokens, plus what its own orders being cancelled will release, minus what its orders still in
//! flight will lock; buys keep `fee_reserve_bps` aside for the exchange's fee lock. A reject is
//! counted and the quote forgotten; the next requote replaces it.
//!
//! **Timing.** It checks every `requote_every` and replaces quotes only when the fair price moved
//! more than `requote_threshold_bps`, its position changed, or a quote went missing; quotes that
//! still match the plan keep their queue priority. It also requotes at once when a fill empties a
//! whole side. With `quote_fraction` < 1 it alternates quoting and absent periods (exponential
//! lengths, mean cycle `shirk_cycle`, drawn from its own stream) and cancels everything while away.
//! When it may no longer trade the account (a subscription that let it was terminated, and its
//! orders there cancelled), it stops for good at its next wake-up or rejected order.

mod config;
mod ladder;
mod pricing;
#[cfg(test)]
mod tests;

pub use config::{Horizon, PassiveMmConfig};
pub use ladder::{PlannedQuote, QuoteInputs};
pub use pricing::{AvellanedaStoikov, EwmaVariance};

use rand::RngExt;
use rand_distr::{Distribution, Exp};

use super::behaviour::AgentSetup;
use super::{Agent, AgentCtx, AgentEvent, MarketView, Tape};
use crate::book::OrderType;
use crate::exchange::OrderRejected;
use crate::ledger::AccountId;
use crate::types::{Cash, Intent, OrderId, Price, Qty, Side, SimTime};
use config::DAY_NS;

/// What the agent did, for tests and reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PassiveMmStats {
    /// Wake-ups handled.
    pub wakeups: u64,
    /// Times the ladder was recomputed and sent.
    pub requotes: u64,
    /// Orders sent.
    pub orders_sent: u64,
    /// Cancels sent.
    pub cancels_sent: u64,
    /// Fills of its resting orders.
    pub maker_fills: u64,
    /// Orders refused `insufficient_funds`.
    pub rejected_funds: u64,
    /// Orders refused for another reason (e.g. `would_cross` after the book moved).
    pub rejected_other: u64,
    /// Cancels refused (the order had filled meanwhile).
    pub cancel_rejects: u64,
}

/// One of the agent's orders, from sending until it leaves the book.
#[derive(Clone, Copy, Debug)]
struct Quote {
    id: OrderId,
    side: Side,
    price: Price,
    /// Requested size until accepted, then the size still resting.
    qty: Qty,
    accepted: bool,
    cancelling: bool,
}

/// A passive market maker (kind `passive_mm`).
#[derive(Clone, Debug)]
pub struct PassiveMm {
    config: PassiveMmConfig,
    setup: AgentSetup,
    account: AccountId,
    level_lots: i64,
    max_position: i64,
    tokens_start: Qty,
    quotes: Vec<Quote>,
    quoted_fair: Option<f64>,
    quoted_position: i64,
    dirty: bool,
    /// Estimate of the variance of one-minute log returns and the closed bars folded in so far.
    vol: Option<(EwmaVariance, u64)>,
    quoting: bool,
    /// Its access to the account was withdrawn (seen at a wake-up, or an order came back
    /// `not_authorized`): it stops.
    revoked: bool,
    phase_end: SimTime,
    stats: PassiveMmStats,
}

impl PassiveMm {
    /// Builds the agent; it trades `setup.accounts[0]`.
    pub fn new(config: PassiveMmConfig, setup: AgentSetup) -> Self {
        let level_lots = setup.market.lots(config.level_size).0.max(1);
        let max_position = setup.market.lots(config.max_inventory).0;
        let vol = config.sigma_halflife.map(|h| {
            let per_minute = (config.sigma_daily_bps / 1e4).powi(2) / 1_440.0;
            (EwmaVariance::new(per_minute, h.nanos() as f64 / Tape::BAR_NS as f64), 0)
        });
        PassiveMm {
            account: setup.accounts[0],
            config,
            setup,
            level_lots,
            max_position,
            tokens_start: Qty::ZERO,
            quotes: Vec::new(),
            quoted_fair: None,
            quoted_position: 0,
            dirty: true,
            vol,
            quoting: true,
            revoked: false,
            phase_end: SimTime(u64::MAX),
            stats: PassiveMmStats::default(),
        }
    }

    /// Its parameters.
    pub fn config(&self) -> &PassiveMmConfig {
        &self.config
    }

    /// What it did so far.
    pub fn stats(&self) -> PassiveMmStats {
        self.stats
    }

    /// Stops for good: it may no longer trade its account (whatever it rested there is gone).
    fn stop_for_good(&mut self) {
        self.revoked = true;
        self.quoting = false;
        self.quotes.clear();
    }

    /// True once its access to the account was withdrawn (it has stopped for good).
    pub fn is_revoked(&self) -> bool {
        self.revoked
    }

    /// True while in a quoting (not absent) period.
    pub fn is_quoting(&self) -> bool {
        self.quoting
    }

    /// Its orders sent and not yet gone (resting or in flight).
    pub fn open_orders(&self) -> usize {
        self.quotes.len()
    }

    /// The ladder for `inputs`, innermost level first on each side (bids, then asks), sized by the
    /// inventory limit but not yet by funds. A pure function of the configuration and `inputs`.
    pub fn plan(&self, inputs: &QuoteInputs) -> Vec<PlannedQuote> {
        ladder::plan(&self.config, self.level_lots, self.max_position, inputs)
    }

    fn position(&self, market: &MarketView<'_>) -> i64 {
        (market.ledger.account(self.account).tokens() - self.tokens_start).0
    }

    /// Resting quantity of its own accepted orders at `price` on `side`.
    fn own_at(&self, side: Side, price: Price) -> i64 {
        self.quotes.iter().filter(|q| q.accepted && q.side == side && q.price == price).map(|q| q.qty.0).sum()
    }

    /// The best price on `side` among the other traders' orders.
    fn others_best(&self, market: &MarketView<'_>, side: Side) -> Option<Price> {
        market.book.levels(side).find(|&(p, qty)| qty.0 > self.own_at(side, p)).map(|(p, _)| p)
    }

    fn inputs(&self, ctx: &AgentCtx<'_>) -> QuoteInputs {
        let m = &ctx.market;
        let (others_bid, others_ask) = (self.others_best(m, Side::Buy), self.others_best(m, Side::Sell));
        let last = m.tape.last_price().unwrap_or(self.setup.market.open_price).0 as f64;
        let fair = match (others_bid, others_ask) {
            (Some(b), Some(a)) => anchored(Price::mid(b, a), last, self.config.anchor_bps),
            _ => last,
        };
        let tau_days = match self.config.horizon {
            Horizon::End => self.setup.market.duration.nanos().saturating_sub(ctx.now.nanos()) as f64 / DAY_NS,
            Horizon::Rolling(d) => d.nanos() as f64 / DAY_NS,
        };
        let sigma2_daily_bps = match &self.vol {
            Some((ewma, _)) => ewma.variance() * 1_440.0 * 1e8,
            None => self.config.sigma_daily_bps.powi(2),
        };
        QuoteInputs { fair, position: self.position(m), sigma2_daily_bps, tau_days, others_bid, others_ask }
    }

    /// Folds the one-minute bars closed since the last call into the volatility estimate.
    fn update_vol(&mut self, tape: &Tape, now: SimTime) {
        let Some((ewma, seen)) = &mut self.vol else { return };
        let closed = now.nanos() / Tape::BAR_NS;
        let new = (closed - *seen).min(Tape::BARS as u64 - 1) as usize;
        *seen = closed;
        if new == 0 {
            return;
        }
        // At most once a simulated minute: walking the (bounded) bar history is cheap enough.
        let len = tape.bars().count();
        let closes: Vec<i64> = tape.bars().skip(len.saturating_sub(new + 1)).map(|b| b.close.0).collect();
        for pair in closes.windows(2) {
            if pair[0] > 0 && pair[1] > 0 {
                ewma.update((pair[1] as f64 / pair[0] as f64).ln());
            }
        }
    }

    /// Draws the end of a quoting (`on`) or absent period starting at `from`.
    fn phase_length(&self, ctx: &mut AgentCtx<'_>, on: bool, from: SimTime) -> SimTime {
        let f = self.config.quote_fraction;
        let mean = self.config.shirk_cycle.nanos() as f64 * if on { f } else { 1.0 - f };
        let drawn = Exp::new(1.0 / mean.max(1.0)).map_or(mean, |d| d.sample(&mut *ctx.rng));
        from.plus_nanos((drawn.round() as u64).max(1))
    }

    /// Requotes when the fair price moved past the threshold, the position changed or a quote went
    /// missing (or always, with `force`).
    fn maybe_requote(&mut self, ctx: &mut AgentCtx<'_>, force: bool) {
        let inputs = self.inputs(ctx);
        let moved =
            self.quoted_fair.is_none_or(|f| (inputs.fair / f - 1.0).abs() * 1e4 > self.config.requote_threshold_bps);
        if force || moved || self.dirty || inputs.position != self.quoted_position {
            self.requote(ctx, &inputs);
        }
    }

    /// Cancels quotes that are off the plan and sends the missing ones, sized to the funds.
    fn requote(&mut self, ctx: &mut AgentCtx<'_>, inputs: &QuoteInputs) {
        let mut plan = self.plan(inputs);
        let mut matched = vec![false; plan.len()];
        for q in self.quotes.iter_mut().filter(|q| !q.cancelling) {
            let hit = plan
                .iter()
                .enumerate()
                .position(|(i, p)| !matched[i] && p.side == q.side && p.price == q.price && p.qty == q.qty);
            match hit {
                Some(i) => matched[i] = true,
                None => {
                    ctx.cancel(q.id);
                    q.cancelling = true;
                    self.stats.cancels_sent += 1;
                }
            }
        }
        // Funds at the time the new orders arrive (after the cancels: commands stay in order).
        let account = ctx.market.ledger.account(self.account);
        let (mut cash, mut tokens) = (account.cash_free, account.tokens_free);
        for q in &self.quotes {
            match (q.side, q.accepted, q.cancelling) {
                (Side::Buy, true, true) => cash += Cash::notional(q.price, q.qty),
                (Side::Buy, false, false) => cash -= ladder::buy_lock(self.config.fee_reserve_bps, q.price, q.qty),
                (Side::Sell, true, true) => tokens += q.qty,
                (Side::Sell, false, false) => tokens -= q.qty,
                _ => {}
            }
        }
        let mut keep = matched.iter();
        plan.retain(|_| !*keep.next().expect("one flag per planned quote"));
        for p in plan {
            let qty = match p.side {
                Side::Buy => ladder::affordable(self.config.fee_reserve_bps, p.price, p.qty, cash),
                Side::Sell => p.qty.min(tokens),
            };
            if qty.0 <= 0 {
                continue;
            }
            match p.side {
                Side::Buy => cash -= ladder::buy_lock(self.config.fee_reserve_bps, p.price, qty),
                Side::Sell => tokens -= qty,
            }
            let id = ctx.submit(self.account, p.side, OrderType::PostOnly, p.price, qty, Intent::Quote);
            self.quotes.push(Quote { id, side: p.side, price: p.price, qty, accepted: false, cancelling: false });
            self.stats.orders_sent += 1;
        }
        self.quoted_fair = Some(inputs.fair);
        self.quoted_position = inputs.position;
        self.dirty = false;
        self.stats.requotes += 1;
    }

    fn cancel_all(&mut self, ctx: &mut AgentCtx<'_>) {
        for q in self.quotes.iter_mut().filter(|q| !q.cancelling) {
            ctx.cancel(q.id);
            q.cancelling = true;
            self.stats.cancels_sent += 1;
        }
        self.quoted_fair = None;
    }

    fn remove(&mut self, order: OrderId) -> Option<Quote> {
        let i = self.quotes.iter().position(|q| q.id == order)?;
        Some(self.quotes.swap_remove(i))
    }
}

impl Agent for PassiveMm {
    fn start(&mut self, ctx: &mut AgentCtx<'_>) {
        self.tokens_start = ctx.market.ledger.account(self.account).tokens();
        let f = self.config.quote_fraction;
        if f <= 0.0 {
            self.quoting = false;
        } else if f < 1.0 {
            self.quoting = ctx.rng.random_bool(f);
            self.phase_end = self.phase_length(ctx, self.quoting, ctx.now);
        }
        // A random offset spreads the wake-ups of many market makers over the interval.
        let every = self.config.requote_every.nanos().max(1);
        let offset = ctx.rng.random_range(0..every);
        ctx.wake_in(offset);
    }

    fn on_wakeup(&mut self, ctx: &mut AgentCtx<'_>) {
        if !ctx.market.ledger.account(self.account).can_trade(ctx.me) {
            // Its access was withdrawn (its orders there were cancelled).
            self.stop_for_good();
        }
        if self.revoked {
            return;
        }
        self.stats.wakeups += 1;
        self.update_vol(ctx.market.tape, ctx.now);
        while ctx.now >= self.phase_end {
            self.quoting = !self.quoting;
            self.phase_end = self.phase_length(ctx, self.quoting, self.phase_end);
        }
        if !self.quoting {
            self.cancel_all(ctx);
            ctx.wake_at(self.phase_end);
            return;
        }
        self.maybe_requote(ctx, false);
        ctx.wake_at(ctx.now.plus_nanos(self.config.requote_every.nanos()).min(self.phase_end));
    }

    fn on_event(&mut self, ev: &AgentEvent, ctx: &mut AgentCtx<'_>) {
        match *ev {
            AgentEvent::Accepted { order, placed } => {
                if let Some(q) = self.quotes.iter_mut().find(|q| q.id == order) {
                    q.accepted = true;
                    q.qty = placed.rested;
                }
                if placed.rested.is_zero() {
                    self.remove(order);
                    self.dirty = true;
                }
            }
            AgentEvent::Filled { order, side, qty, maker, done, .. } => {
                self.dirty = true;
                if !maker {
                    return;
                }
                self.stats.maker_fills += 1;
                if let Some(q) = self.quotes.iter_mut().find(|q| q.id == order) {
                    q.qty -= qty;
                }
                if done {
                    self.remove(order);
                }
                let side_empty = !self.quotes.iter().any(|q| q.side == side && !q.cancelling);
                if side_empty && self.quoting && self.quoted_fair.is_some() {
                    self.maybe_requote(ctx, true);
                }
            }
            AgentEvent::Cancelled { order, .. } => {
                self.remove(order);
            }
            AgentEvent::Rejected { order, reason } => match self.remove(order) {
                Some(q) if !q.accepted => {
                    self.dirty = true;
                    match reason {
                        OrderRejected::InsufficientFunds => self.stats.rejected_funds += 1,
                        OrderRejected::NotAuthorized => {
                            // The contract that let it trade this account ended.
                            self.stats.rejected_other += 1;
                            self.stop_for_good();
                        }
                        _ => self.stats.rejected_other += 1,
                    }
                }
                _ => self.stats.cancel_rejects += 1,
            },
        }
    }
}

/// `mid` kept within `band_bps` of `last` (0: not kept).
fn anchored(mid: f64, last: f64, band_bps: f64) -> f64 {
    if band_bps <= 0.0 {
        return mid;
    }
    let band = last * band_bps / 10_000.0;
    mid.clamp(last - band, last + band)
}
