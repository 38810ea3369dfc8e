//! `delta_hedge`: an honest market maker holding a token loan with calls on it. The loan makes it
//! long the calls (it returns each token or pays the strike, so its liability is min(S, K)); it
//! hedges that exposure by selling Δ·N of the lent tokens, rebalances as price and time move, and
//! quotes a small ladder around the last trade. With `depress_until` it is the `strike_fixing`
//! playbook: it first sells into the window that fixes the strikes, then hedges and quotes.
//!
//! **Delta.** Black–Scholes with r = 0: Δ = Σ shareᵢ·Φ(d1ᵢ), d1 = (ln(S/Kᵢ) + σ²τ/2)/(σ√τ), with S
//! the last trade, Kᵢ = `strike_multiple`ᵢ × the strike base (the open price, or the agent's mean
//! of the last trade at its decisions within `strike_window`), τ the years left to
//! `tenor_days` (at expiry Δ is 1 in the money, else 0). Φ is
//! [`crate::contracts::options::norm_cdf`].
//!
//! **Hedge.** Target holdings = holdings at the first decision − Δ·N (N = `loan_tokens`). When the
//! holdings are more than `hedge_band`·N away, an IOC ([`Intent::Hedge`]) sells (or buys) the
//! difference, reaching at most `hedge_slippage_bps` through the book: on a deep book Δ·N goes at
//! the first decision; on a thin one what is left goes at the next decisions.
//!
//! **Quotes.** `levels` post-only bids and asks ([`Intent::Quote`]) `spread_bps/2`, then
//! `level_spacing_bps` more per level, from the last trade, each `level_share`·N tokens; replaced
//! at every decision.
//!
//! **Limit.** `sell_limit_share` (a contract's net-sell cap, kept) floors the hedge target at the
//! starting holdings minus that share of N, and its asks together never sell past that floor.
//!
//! Units: prices in ticks (decisions in fractional ticks, rounded), sizes in whole lots.
//! Invariants: orders are sized within free balances (see [`super::orders`]); every order carries
//! an intent.

mod config;
#[cfg(test)]
mod tests;

pub use config::{CallTerms, DeltaHedgeConfig};

use super::behaviour::{AgentSetup, Market};
use super::orders::{quote_price, share_of, wake_after, OrderStats, Tracker};
use super::{Agent, AgentCtx, AgentEvent};
use crate::book::OrderType;
use crate::contracts::options::{norm_cdf, DAYS_PER_YEAR};
use crate::types::{Intent, Qty, Side, SimTime};

/// Nanoseconds in a 365-day year.
const YEAR_NS: f64 = DAYS_PER_YEAR * 86_400e9;

/// Black–Scholes delta of a call (r = 0): spot and strike in any one unit, `years` to expiry.
pub fn call_delta(spot: f64, strike: f64, years: f64, sigma: f64) -> f64 {
    if years <= 0.0 || sigma <= 0.0 {
        return if spot > strike { 1.0 } else { 0.0 };
    }
    let vol = sigma * years.sqrt();
    norm_cdf(((spot / strike).ln() + vol * vol / 2.0) / vol)
}

/// A delta-hedging market maker (see the module doc).
#[derive(Clone, Debug)]
pub struct DeltaHedge {
    config: DeltaHedgeConfig,
    market: Market,
    orders: Tracker,
    /// Lots held at the first decision (own tokens plus the loan).
    base_held: Option<Qty>,
    /// The strike base in ticks, once fixed.
    strike_base: Option<f64>,
    /// Sum and count of the last trade at decisions inside the strike window.
    window: (f64, u32),
    /// Lots sold while depressing the strike window.
    depressed: Qty,
}

impl DeltaHedge {
    /// Builds the agent; it trades the first of `setup.accounts`.
    pub fn new(config: DeltaHedgeConfig, setup: AgentSetup) -> Self {
        let strike_base = config.strike_window.is_none().then_some(setup.market.open_price.0 as f64);
        DeltaHedge {
            config,
            orders: Tracker::new(setup.accounts.first().copied()),
            market: setup.market,
            base_held: None,
            strike_base,
            window: (0.0, 0),
            depressed: Qty::ZERO,
        }
    }

    /// Counters over the agent's orders.
    pub fn stats(&self) -> &OrderStats {
        self.orders.stats()
    }

    /// The loan in lots.
    fn loan(&self) -> Qty {
        self.market.lots(self.config.loan_tokens)
    }

    /// The strike base in ticks: fixed, or the running estimate inside the window.
    fn base(&self, reference: f64) -> f64 {
        self.strike_base.unwrap_or(if self.window.1 > 0 { self.window.0 / f64::from(self.window.1) } else { reference })
    }

    /// Δ of all the calls per lent token at spot `spot` (ticks) and time `now`.
    pub fn delta(&self, spot: f64, now: SimTime) -> f64 {
        let c = &self.config;
        let years = (c.tenor_days * 86_400e9 - now.nanos() as f64) / YEAR_NS;
        let base = self.base(spot);
        c.calls.iter().map(|k| k.share * call_delta(spot, k.strike_multiple * base, years, c.volatility)).sum()
    }

    fn track_window(&mut self, now: SimTime, reference: f64) {
        let Some(w) = self.config.strike_window else { return };
        if self.strike_base.is_some() {
            return;
        }
        if now.nanos() < w.nanos() {
            self.window.0 += reference;
            self.window.1 += 1;
        } else {
            self.strike_base = Some(self.base(reference));
        }
    }

    fn depress(&mut self, ctx: &mut AgentCtx<'_>, until: u64, reference: f64) {
        let c = &self.config;
        let goal = share_of(self.loan(), c.depress_share);
        let decisions = (until as f64 / c.interval.nanos() as f64).max(1.0);
        let slice = share_of(goal, 1.0 / decisions).min(goal - self.depressed);
        let price = quote_price(reference * (1.0 - c.depress_discount_bps / 10_000.0));
        if slice.0 > 0 {
            self.orders.submit(ctx, Side::Sell, OrderType::Limit, price, slice, Intent::Dump);
        }
    }

    fn hedge(&mut self, ctx: &mut AgentCtx<'_>, reference: f64) {
        let c = &self.config;
        let loan = self.loan();
        let Some(base) = self.base_held else { return };
        if loan.0 == 0 {
            return;
        }
        let target =
            (base - Qty((self.delta(reference, ctx.now) * loan.0 as f64).round() as i64)).max(self.floor(base));
        let diff = self.orders.tokens(&ctx.market) - target;
        let band = Qty((c.hedge_band * loan.0 as f64) as i64);
        let slip = c.hedge_slippage_bps / 10_000.0;
        if diff > band {
            let price = quote_price(reference * (1.0 - slip));
            self.orders.submit(ctx, Side::Sell, OrderType::Ioc, price, diff, Intent::Hedge);
        } else if Qty(-diff.0) > band {
            let price = quote_price(reference * (1.0 + slip));
            self.orders.submit(ctx, Side::Buy, OrderType::Ioc, price, Qty(-diff.0), Intent::Hedge);
        }
    }

    /// The lowest holdings it may reach: its starting holdings minus `sell_limit_share`·N.
    fn floor(&self, base: Qty) -> Qty {
        base - share_of(self.loan(), self.config.sell_limit_share)
    }

    fn quote(&mut self, ctx: &mut AgentCtx<'_>, reference: f64) {
        let c = &self.config;
        let size = share_of(self.loan(), c.level_share);
        // What its asks may sell in all before it reaches its floor.
        let mut ask_room = self.base_held.map_or(Qty(0), |base| self.orders.tokens(&ctx.market) - self.floor(base));
        for k in 0..c.levels {
            let off = (c.spread_bps / 2.0 + c.level_spacing_bps * f64::from(k)) / 10_000.0;
            let bid = quote_price(reference * (1.0 - off)).min(crate::types::Price(reference.floor() as i64));
            let ask = quote_price(reference * (1.0 + off)).max(crate::types::Price(reference.ceil() as i64));
            self.orders.submit(ctx, Side::Buy, OrderType::PostOnly, bid, size, Intent::Quote);
            let ask_size = size.min(ask_room);
            if ask_size.0 > 0 {
                self.orders.submit(ctx, Side::Sell, OrderType::PostOnly, ask, ask_size, Intent::Quote);
                ask_room -= ask_size;
            }
        }
    }
}

impl Agent for DeltaHedge {
    fn start(&mut self, ctx: &mut AgentCtx<'_>) {
        if self.orders.account().is_some() {
            ctx.wake_in(0);
        }
    }

    fn on_wakeup(&mut self, ctx: &mut AgentCtx<'_>) {
        self.orders.cancel_all(ctx);
        let reference = ctx.market.reference(self.market.open_price);
        if self.base_held.is_none() {
            self.base_held = Some(self.orders.tokens(&ctx.market));
        }
        self.track_window(ctx.now, reference);
        match self.config.depress_until.map(|d| d.nanos()) {
            Some(until) if ctx.now.nanos() < until => self.depress(ctx, until, reference),
            _ => {
                self.hedge(ctx, reference);
                self.quote(ctx, reference);
            }
        }
        wake_after(ctx, self.config.interval);
    }

    fn on_event(&mut self, ev: &AgentEvent, ctx: &mut AgentCtx<'_>) {
        if let Some(fill) = self.orders.on_event(ev, ctx) {
            if fill.intent == Intent::Dump {
                self.depressed += fill.qty;
            }
        }
    }
}
