//! `pump_dump`: the three-phase institutional manipulation (accumulation, consensus, rug pull).
//!
//! Phases, in this order (reported by [`Agent::phase`] for charts; ground truth):
//! 1. **`accumulate`** — buys slowly below a price cap ([`Intent::Accumulate`]): each decision it
//!    takes up to `accumulate_clip_tokens` from asks at or below the cap with an IOC, or, when no ask
//!    is that cheap, rests a bid of that size (joining the best bid, capped). Ends at
//!    `accumulate_until`, or once the account holds `accumulate_target_tokens`.
//! 2. **`consensus`** — the volume phase. On entry one aggressive buy ([`Intent::Pump`]) lifts the
//!    price by `consensus_lift_bps`; the band is centred there. Then each decision it trades with
//!    itself ([`Intent::Wash`]: a post-only order strictly inside the spread hit by its own IOC) at a
//!    price that follows a triangle wave across the band (period `oscillation_period`), so the printed
//!    price oscillates, and rests quotes on both band edges ([`Intent::Quote`]) where other traders
//!    meet it. Ends at `consensus_until`.
//! 3. **`rug_pull`** — while the price is below `pump_target_multiple` × open, each decision pushes it
//!    up with an IOC buy reaching `pump_step_bps` above the reference ([`Intent::Pump`]) and offers a
//!    slice of its holdings just above the push ([`Intent::Dump`]) to the buyers the push attracts.
//!    Pushes buy at most `pump_to_dump_ratio` × (tokens sold so far + the slice on offer), so the
//!    rug pull distributes on balance and stalls when nobody buys. Once the price has reached the
//!    target it never pushes again (the top is final, so the price can collapse): it sells its
//!    slices into the bids, down to `dump_discount_bps` below the reference. A support bid ([`Intent::Pump`]) keeps the book
//!    looking healthy meanwhile. Ends once everything above `keep_tokens` is sold, or at
//!    `rug_pull_until`.
//! 4. **`withdrawn`** — every order is cancelled (the support bids go) and the agent stops.
//!
//! Opt-in variants (off by default; the pure rules are in [`rules`]), which make the pump look like
//! one — a sharp climb on rising volume, then a collapse:
//! - `band_inventory_tolerance`: the consensus band quotes keep the position near the stock held
//!   when consensus began, so the whale still has its stock when the rug pull starts;
//! - `pump_rise_multiple`: the target is a multiple of the price when the rug pull began, not of
//!   the open;
//! - `pump_ratchet`: the push level climbs `pump_step_bps` every decision (bought or not) and the
//!   support bid follows the level, so the climb is paced by the whale, not by luck;
//! - `support_until_top` and `dump_floor_bps`: at the top the support is pulled and the dump never
//!   offers below the floor under the top (nor at all while the price is under it), so the
//!   collapse is the crowd's selling, not the whale chasing its own price down.
//!
//! Units: prices are integer ticks (the decisions use fractional ticks and round), sizes whole lots;
//! parameters are in tokens, bps, multiples of the open price and durations (see [`PumpDumpConfig`]).
//!
//! Invariants: orders are sized within the account's free balances less what its in-flight orders
//! will lock (see [`super::orders`]), so it never gets `insufficient_funds` while the venue's fee rate is at
//! most [`super::orders::FEE_SLACK_CBPS`]; every order carries an intent; the agent never crosses its own
//! resting orders except in the deliberate wash pairs (cancels are sent before replacements, and
//! commands of one agent reach the exchange in order).

mod config;
pub mod rules;
#[cfg(test)]
mod tests;

use rand::RngExt;

use super::orders::{affordable, inside_price, quote_price, share_of, wake_after, OrderStats, Tracker};
use crate::scenario::limits::MAX_PRICE_TICKS;
pub use config::PumpDumpConfig;

use super::behaviour::{AgentSetup, Market};
use super::{Agent, AgentCtx, AgentEvent};
use crate::book::OrderType;
use crate::types::{Cash, Intent, Price, Qty, Side, SimTime};

/// The phases of [`PumpDump`], in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Buying slowly below a cap.
    Accumulate,
    /// Wash volume and oscillation within a band.
    Consensus,
    /// Pushing the price up while distributing holdings.
    RugPull,
    /// Orders withdrawn; the agent no longer trades.
    Withdrawn,
}

/// What [`Agent::phase`] reports (the phase's name is [`super::Phase::name`]).
impl From<Phase> for super::Phase {
    fn from(p: Phase) -> super::Phase {
        match p {
            Phase::Accumulate => super::Phase::Accumulate,
            Phase::Consensus => super::Phase::Consensus,
            Phase::RugPull => super::Phase::RugPull,
            Phase::Withdrawn => super::Phase::Withdrawn,
        }
    }
}

/// A three-phase pump-and-dump market maker (see the module doc).
#[derive(Clone, Debug)]
pub struct PumpDump {
    config: PumpDumpConfig,
    market: Market,
    orders: Tracker,
    phase: Phase,
    /// When each phase began.
    transitions: Vec<(SimTime, Phase)>,
    /// Centre of the consensus band, in ticks.
    center: f64,
    /// True until the consensus lift has been sent.
    lift_pending: bool,
    /// Lots sold by distribution and bought by pushes during the rug pull.
    dumped: Qty,
    pumped: Qty,
    /// True once the rug pull has seen the price at its target: from then on it only dumps.
    peaked: bool,
    /// Lots held when consensus began (the stock the band inventory tolerance keeps).
    stock: Qty,
    /// The last price when the rug pull began, in ticks.
    rug_start: Option<f64>,
    /// The paced mark-up's current level, in ticks (see [`rules::ratchet_level`]).
    level: f64,
    /// The highest last price seen during the rug pull, in ticks (the top the dump floor hangs from).
    top: f64,
}

impl PumpDump {
    /// Builds the agent; it trades the first of `setup.accounts`.
    pub fn new(config: PumpDumpConfig, setup: AgentSetup) -> Self {
        PumpDump {
            config,
            orders: Tracker::new(setup.accounts.first().copied()),
            center: setup.market.open_price.0 as f64,
            market: setup.market,
            phase: Phase::Accumulate,
            transitions: vec![(SimTime::ZERO, Phase::Accumulate)],
            lift_pending: false,
            dumped: Qty::ZERO,
            pumped: Qty::ZERO,
            peaked: false,
            stock: Qty::ZERO,
            rug_start: None,
            level: 0.0,
            top: 0.0,
        }
    }

    /// The current phase.
    pub fn current_phase(&self) -> Phase {
        self.phase
    }

    /// When each phase began, in order (the first is `accumulate` at time 0).
    pub fn transitions(&self) -> &[(SimTime, Phase)] {
        &self.transitions
    }

    /// Counters over the agent's orders.
    pub fn stats(&self) -> &OrderStats {
        self.orders.stats()
    }

    fn enter(&mut self, phase: Phase, ctx: &mut AgentCtx<'_>) {
        self.orders.cancel_all(ctx);
        self.phase = phase;
        self.transitions.push((ctx.now, phase));
        if phase == Phase::Consensus {
            let reference = ctx.market.reference(self.market.open_price);
            self.center = reference * (1.0 + self.config.consensus_lift_bps / 10_000.0);
            self.lift_pending = self.config.consensus_lift_bps > 0.0;
            self.stock = self.orders.tokens(&ctx.market);
        }
    }

    /// Moves through every phase whose end condition holds now.
    fn advance(&mut self, ctx: &mut AgentCtx<'_>) {
        loop {
            let c = &self.config;
            let holdings = self.orders.tokens(&ctx.market);
            let next = match self.phase {
                Phase::Accumulate => {
                    let target = c.accumulate_target_tokens.map(|t| self.market.lots(t));
                    (ctx.now.nanos() >= c.accumulate_until.nanos() || target.is_some_and(|t| holdings >= t))
                        .then_some(Phase::Consensus)
                }
                Phase::Consensus => (ctx.now.nanos() >= c.consensus_until.nanos()).then_some(Phase::RugPull),
                Phase::RugPull => {
                    let left = holdings - self.market.lots(c.keep_tokens);
                    let late = c.rug_pull_until.is_some_and(|d| ctx.now.nanos() >= d.nanos());
                    (left.0 <= 0 || late).then_some(Phase::Withdrawn)
                }
                Phase::Withdrawn => None,
            };
            match next {
                Some(p) => self.enter(p, ctx),
                None => return,
            }
        }
    }

    fn accumulate(&mut self, ctx: &mut AgentCtx<'_>) {
        self.orders.cancel_where(ctx, |o| o.intent == Intent::Accumulate);
        let c = &self.config;
        let cap = (c.cap_ticks(&self.market).floor() as i64).min(MAX_PRICE_TICKS);
        let mut want = self.market.lots(c.accumulate_clip_tokens);
        if let Some(t) = c.accumulate_target_tokens {
            let holding = self.orders.tokens(&ctx.market) + self.orders.open_qty(Side::Buy);
            want = want.min(self.market.lots(t) - holding);
        }
        if cap < 1 || want.0 <= 0 {
            return;
        }
        let book = ctx.market.book;
        match book.best_ask() {
            Some(ask) if ask.0 <= cap => {
                self.orders.submit(ctx, Side::Buy, OrderType::Ioc, Price(cap), want, Intent::Accumulate);
            }
            _ => {
                let reference = ctx.market.reference(self.market.open_price);
                let below = quote_price(reference * (1.0 - c.accumulate_discount_bps / 10_000.0)).0;
                let price = book.best_bid().map_or(below, |b| b.0).min(cap).max(1);
                self.orders.submit(ctx, Side::Buy, OrderType::Limit, Price(price), want, Intent::Accumulate);
            }
        }
    }

    fn consensus(&mut self, ctx: &mut AgentCtx<'_>) {
        let c = self.config.clone();
        let m = &self.market;
        self.orders.cancel_where(ctx, |o| o.intent == Intent::Quote);
        let mut wash_at = None;
        if self.lift_pending {
            // The lift moves the book: the wash print waits for the next decision.
            self.lift_pending = false;
            let limit = quote_price(self.center);
            self.orders.submit(ctx, Side::Buy, OrderType::Ioc, limit, m.lots(c.consensus_lift_tokens), Intent::Pump);
        } else {
            let since = ctx.now.nanos().saturating_sub(self.phase_start().nanos());
            let wave = triangle(since as f64 / c.oscillation_period.nanos() as f64);
            let target = quote_price(self.center * (1.0 + c.band_bps / 10_000.0 * wave));
            if let Some(p) = inside_price(ctx.market.book, target) {
                let size = share_of(m.lots(c.wash_clip_tokens), ctx.rng.random_range(0.5..=1.0));
                let side = if ctx.rng.random_bool(0.5) { Side::Buy } else { Side::Sell };
                if self.orders.wash_pair(ctx, side, p, size).0 > 0 {
                    wash_at = Some(p);
                }
            }
        }
        let holdings = self.orders.tokens(&ctx.market);
        let (bid_qty, ask_qty) =
            rules::band_quote_sizes(m.lots(c.band_quote_tokens), holdings, self.stock, c.band_inventory_tolerance);
        {
            let mut bid = quote_price(self.center * (1.0 - c.band_bps / 10_000.0));
            let mut ask = quote_price(self.center * (1.0 + c.band_bps / 10_000.0));
            // Stay clear of the wash print, so the quotes never meet its resting leg.
            if let Some(p) = wash_at {
                bid = bid.min(Price(p.0 - 1));
                ask = ask.max(Price(p.0 + 1));
            }
            let ask = ask.max(Price(bid.0 + 1));
            if bid.0 >= 1 && bid_qty.0 > 0 {
                self.orders.submit(ctx, Side::Buy, OrderType::Limit, bid, bid_qty, Intent::Quote);
            }
            if ask_qty.0 > 0 {
                self.orders.submit(ctx, Side::Sell, OrderType::Limit, ask, ask_qty, Intent::Quote);
            }
        }
    }

    fn rug_pull(&mut self, ctx: &mut AgentCtx<'_>) {
        let c = self.config.clone();
        let m = &self.market;
        self.orders.cancel_all(ctx);
        let reference = ctx.market.reference(m.open_price);
        let start = *self.rug_start.get_or_insert(reference);
        let target = rules::pump_target(m.open_price.0 as f64, start, c.pump_target_multiple, c.pump_rise_multiple);
        self.top = self.top.max(reference);
        let to_sell = self.orders.tokens(&ctx.market) - m.lots(c.keep_tokens);
        let slice = share_of(to_sell.min(self.orders.free_tokens(&ctx.market)), c.dump_slice_share);
        // The top is final: once the target is seen (or the ratchet has pushed to it), the rug pull
        // never pushes again.
        self.peaked |= reference >= target || (c.pump_ratchet && self.level >= target);
        let lowest_ask = if !self.peaked {
            let (limit, most) = if c.pump_ratchet {
                self.level = rules::ratchet_level(self.level.max(start), reference, c.pump_step_bps, target);
                (quote_price(self.level), Qty(i64::MAX))
            } else {
                let allowance = (self.dumped + slice).0 as f64 * c.pump_to_dump_ratio;
                let most = Qty((allowance.floor() as i64 - self.pumped.0).max(0));
                (quote_price(reference * (1.0 + c.pump_step_bps / 10_000.0)), most)
            };
            let limit = limit.max(Price(quote_price(reference).0 + 1));
            let spend = Cash((self.orders.free_cash(&ctx.market).0 as f64 * c.pump_spend_share) as i128);
            self.orders.submit(ctx, Side::Buy, OrderType::Ioc, limit, affordable(spend, limit).min(most), Intent::Pump);
            let ask = quote_price(limit.0 as f64 * (1.0 + c.dump_premium_bps / 10_000.0)).max(Price(limit.0 + 1));
            self.orders.submit(ctx, Side::Sell, OrderType::Limit, ask, slice, Intent::Dump);
            ask
        } else {
            match rules::dump_price(reference, c.dump_discount_bps, self.top, c.dump_floor_bps) {
                Some(p) => {
                    let floor = quote_price(p);
                    self.orders.submit(ctx, Side::Sell, OrderType::Limit, floor, slice, Intent::Dump);
                    floor
                }
                None => Price(MAX_PRICE_TICKS),
            }
        };
        let support = m.lots(c.support_tokens);
        let pulled = c.support_until_top && self.peaked;
        if c.support_bps > 0.0 && support.0 > 0 && !pulled {
            // Under the ratchet the support follows the level, so the book stays tight under the climb.
            let base = if c.pump_ratchet && !self.peaked { reference.max(self.level) } else { reference };
            let price = quote_price(base * (1.0 - c.support_bps / 10_000.0)).min(Price(lowest_ask.0 - 1));
            if price.0 >= 1 {
                self.orders.submit(ctx, Side::Buy, OrderType::Limit, price, support, Intent::Pump);
            }
        }
    }

    fn phase_start(&self) -> SimTime {
        self.transitions.last().map_or(SimTime::ZERO, |t| t.0)
    }
}

/// A triangle wave of period 1 in [-1, 1]: 0 at 0, rising to 1 at ¼, −1 at ¾.
pub fn triangle(x: f64) -> f64 {
    1.0 - 4.0 * ((x + 0.25).rem_euclid(1.0) - 0.5).abs()
}

impl Agent for PumpDump {
    fn start(&mut self, ctx: &mut AgentCtx<'_>) {
        if self.orders.account().is_some() {
            ctx.wake_in(0);
        }
    }

    fn on_wakeup(&mut self, ctx: &mut AgentCtx<'_>) {
        self.advance(ctx);
        match self.phase {
            Phase::Accumulate => self.accumulate(ctx),
            Phase::Consensus => self.consensus(ctx),
            Phase::RugPull => self.rug_pull(ctx),
            Phase::Withdrawn => return,
        }
        wake_after(ctx, self.config.interval);
    }

    fn on_event(&mut self, ev: &AgentEvent, ctx: &mut AgentCtx<'_>) {
        let Some(fill) = self.orders.on_event(ev, ctx) else { return };
        if self.phase == Phase::RugPull {
            match (fill.intent, fill.side) {
                (Intent::Dump, Side::Sell) => self.dumped += fill.qty,
                (Intent::Pump, Side::Buy) => self.pumped += fill.qty,
                _ => {}
            }
        }
    }

    fn phase(&self) -> Option<super::Phase> {
        Some(self.phase.into())
    }
}
