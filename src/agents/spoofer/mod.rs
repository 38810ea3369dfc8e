//! `spoofer`: large orders it never means to fill make one side of the book look heavy, while small
//! real orders on the other side trade with the traders that lean toward the heavy side.
//!
//! Behaviour, each decision (every `interval`, jittered ±20%):
//! - **Spoofs** ([`Intent::Spoof`], post-only so they can never trade on arrival): a wave of
//!   `spoof_orders` orders of `spoof_tokens` each on the heavy side, the nearest
//!   `spoof_distance_ticks` (or `spoof_distance_bps`, whichever is more ticks) behind the other
//!   traders' touch and the rest `spoof_spacing_ticks` (`spoof_spacing_bps`) apart. A spoof is
//!   cancelled as soon as the touch of the other traders on its side comes within
//!   `cancel_within_ticks` (`cancel_within_bps`) of it (the queue in front of it is thinning: it
//!   might fill), when that side has no other orders left, and in any case `spoof_lifetime` after
//!   it was sent. With `min_cover_tokens`, a wave also hides behind at least that much of the other
//!   traders' quantity, and a spoof goes when the cover in front of it thins below
//!   `cancel_cover_tokens` (a market order sweeping a thin book would otherwise reach it). A new wave
//!   goes up once the previous one is entirely gone, so the book shows repeated place/cancel bursts.
//! - **Real trades** ([`Intent::Exploit`]): while spoofs rest, one passive order of `trade_tokens` joins the other traders' touch
//!   on the light side (spoof bids → it sells at the best ask; spoof asks → it buys at the best bid).
//!   It is moved when the touch moves.
//! - **Sides**: `side = "bid"` or `"ask"` keeps the heavy side fixed; `"alternate"` (the default)
//!   flips it every `flip_every`, or as soon as the net position reaches `max_inventory_tokens` in the
//!   direction the real trades push it, so it sells high while spoofing bids and buys back low while
//!   spoofing asks. The real side never trades beyond that inventory limit. The agent reports the
//!   heavy side as its phase (`spoof_bid`, `spoof_ask`).
//!
//! Invariants: spoofs are post-only and sit behind other traders' orders, so they fill only if
//! something sweeps through the touch and beyond before the spoofer looks again (it sees the book
//! only when it wakes: a short `interval` narrows that window). Such a fill is counted in
//! [`OrderStats::spoof_filled_lots`], and the rest of the wave is pulled at once. Orders are sized within free balances (see
//! [`super::orders`]), so a large spoof is clamped rather than rejected. Spoofs and real
//! orders are on opposite sides, behind and at the touch respectively, so they never cross.

mod config;
#[cfg(test)]
mod tests;

pub use config::{SpoofSide, SpooferConfig};

use super::behaviour::{AgentSetup, Market};
use super::orders::{touch_excluding, wake_after, OrderStats, Tracker};
use super::{Agent, AgentCtx, AgentEvent};
use crate::book::{OrderBook, OrderType};
use crate::scenario::limits::MAX_PRICE_TICKS;
use crate::types::{Intent, OrderId, Price, Qty, Side, SimTime, TraderId};

/// Other traders' quantity resting on `side` at prices strictly better than `price`.
fn cover_ahead(book: &OrderBook, side: Side, me: TraderId, price: Price) -> Qty {
    let better = |p: Price| match side {
        Side::Buy => p > price,
        Side::Sell => p < price,
    };
    book.orders(side).take_while(|o| better(o.price)).filter(|o| o.trader != me).fold(Qty::ZERO, |acc, o| acc + o.qty)
}

/// The first price level (from the touch) at which the other traders' quantity on `side`, counted
/// from the touch, reaches `cover`; `None` when the side is thinner than that.
fn cover_level(book: &OrderBook, side: Side, me: TraderId, cover: Qty) -> Option<Price> {
    let mut sum = Qty::ZERO;
    book.orders(side).filter(|o| o.trader != me).find_map(|o| {
        sum += o.qty;
        (sum >= cover).then_some(o.price)
    })
}

/// The larger of `ticks` and `bps` of `price`, in whole ticks.
fn ticks_or_bps(ticks: u32, bps: f64, price: Price) -> i64 {
    i64::from(ticks).max((price.0 as f64 * bps / 10_000.0).round() as i64).min(MAX_PRICE_TICKS)
}

/// A spoofer (see the module doc).
#[derive(Clone, Debug)]
pub struct Spoofer {
    config: SpooferConfig,
    market: Market,
    orders: Tracker,
    /// The side the spoofs are on now.
    heavy: Side,
    /// When the heavy side last changed.
    flipped_at: SimTime,
    /// Tokens at the start, against which inventory is measured.
    start_tokens: Qty,
    /// Waves of spoofs placed, and flips of the heavy side.
    waves: u64,
    flips: u64,
}

impl Spoofer {
    /// Builds the agent; it trades the first of `setup.accounts`.
    pub fn new(config: SpooferConfig, setup: AgentSetup) -> Self {
        let heavy = if config.side == SpoofSide::Ask { Side::Sell } else { Side::Buy };
        Spoofer {
            config,
            market: setup.market,
            orders: Tracker::new(setup.accounts.first().copied()),
            heavy,
            flipped_at: SimTime::ZERO,
            start_tokens: Qty::ZERO,
            waves: 0,
            flips: 0,
        }
    }

    /// The side its spoofs are on now.
    pub fn heavy_side(&self) -> Side {
        self.heavy
    }

    /// Waves of spoof orders placed so far.
    pub fn waves(&self) -> u64 {
        self.waves
    }

    /// Times the heavy side flipped.
    pub fn flips(&self) -> u64 {
        self.flips
    }

    /// Counters over the agent's orders ([`OrderStats::spoof_filled_lots`] should stay 0).
    pub fn stats(&self) -> &OrderStats {
        self.orders.stats()
    }

    /// This agent's orders on the book are marked with its account.
    fn me(&self) -> TraderId {
        TraderId(self.orders.account().map_or(u32::MAX, |a| a.0))
    }

    /// Net position against the starting tokens, in lots (positive: long).
    fn inventory(&self, ctx: &AgentCtx<'_>) -> i64 {
        (self.orders.tokens(&ctx.market) - self.start_tokens).0
    }

    /// Flips the heavy side when time or inventory says so (alternate mode only).
    fn maybe_flip(&mut self, ctx: &mut AgentCtx<'_>) {
        if self.config.side != SpoofSide::Alternate {
            return;
        }
        let limit = self.market.lots(self.config.max_inventory_tokens).0;
        let inv = self.inventory(ctx);
        // Spoof bids → real sells push inventory down; spoof asks → real buys push it up.
        let full = match self.heavy {
            Side::Buy => inv <= -limit,
            Side::Sell => inv >= limit,
        };
        let due = ctx.now.nanos() >= self.flipped_at.nanos().saturating_add(self.config.flip_every.nanos());
        if full || due {
            self.orders.cancel_all(ctx);
            self.heavy = self.heavy.opposite();
            self.flipped_at = ctx.now;
            self.flips += 1;
        }
    }

    /// Cancels spoofs that are too close to the touch or too old; returns how many stay.
    fn police_spoofs(&mut self, ctx: &mut AgentCtx<'_>, touch: Option<Price>) -> usize {
        let (heavy, now) = (self.heavy, ctx.now.nanos());
        let c = &self.config;
        let within = touch.map_or(0, |t| ticks_or_bps(c.cancel_within_ticks, c.cancel_within_bps, t));
        let life = c.spoof_lifetime.nanos();
        let min_cover = self.market.lots(c.cancel_cover_tokens);
        let (book, me) = (ctx.market.book, self.me());
        let doomed: Vec<OrderId> = self
            .orders
            .live()
            .filter(|(_, o)| o.intent == Intent::Spoof && !o.cancelling)
            .filter(|(_, o)| {
                let gap = touch.map(|t| match heavy {
                    Side::Buy => t.0 - o.price.0,
                    Side::Sell => o.price.0 - t.0,
                });
                let thin = min_cover.0 > 0 && cover_ahead(book, heavy, me, o.price) < min_cover;
                o.side != heavy
                    || gap.is_none_or(|g| g <= within)
                    || thin
                    || now >= o.sent_at.nanos().saturating_add(life)
            })
            .map(|(id, _)| id)
            .collect();
        for id in doomed {
            self.orders.cancel(ctx, id);
        }
        self.orders.live().filter(|(_, o)| o.intent == Intent::Spoof && !o.cancelling).count()
    }

    fn place_wave(&mut self, ctx: &mut AgentCtx<'_>, touch: Price) {
        let c = &self.config;
        let size = self.market.lots(c.spoof_tokens);
        let sign = -self.heavy.sign(); // bids go down from the touch, asks up
        let mut placed = false;
        let distance = ticks_or_bps(c.spoof_distance_ticks, c.spoof_distance_bps, touch);
        let spacing = ticks_or_bps(c.spoof_spacing_ticks, c.spoof_spacing_bps, touch);
        let first = Price(touch.0.saturating_add(sign * distance));
        let cover = self.market.lots(c.min_cover_tokens);
        let first = if cover.0 > 0 {
            // Behind the level where the other traders' quantity reaches the cover.
            match cover_level(ctx.market.book, self.heavy, self.me(), cover) {
                Some(level) => match self.heavy {
                    Side::Buy => first.min(Price(level.0 - 1)),
                    Side::Sell => first.max(Price(level.0 + 1)),
                },
                None => return,
            }
        } else {
            first
        };
        for k in 0..i64::from(c.spoof_orders) {
            let price = Price(first.0.saturating_add(sign * k.saturating_mul(spacing)));
            if !(1..=MAX_PRICE_TICKS).contains(&price.0) {
                break;
            }
            placed |= self.orders.submit(ctx, self.heavy, OrderType::PostOnly, price, size, Intent::Spoof).is_some();
        }
        if placed {
            self.waves += 1;
        }
    }

    /// Keeps one real order at the light side's touch while spoofs rest.
    fn trade(&mut self, ctx: &mut AgentCtx<'_>, spoofs_up: bool) {
        let account = self.orders.account().expect("agents without an account never wake");
        let light = self.heavy.opposite();
        let limit = self.market.lots(self.config.max_inventory_tokens).0;
        let inv = self.inventory(ctx);
        let room = match light {
            Side::Sell => limit + inv,
            Side::Buy => limit - inv,
        };
        let book = ctx.market.book;
        let join = touch_excluding(book, light, account);
        let size = self.market.lots(self.config.trade_tokens).min(Qty(room.max(0)));
        let mut resting = false;
        let stale: Vec<OrderId> = self
            .orders
            .live()
            .filter(|(_, o)| o.intent == Intent::Exploit && !o.cancelling)
            .filter(|(_, o)| {
                let keep = spoofs_up && o.side == light && Some(o.price) == join && o.qty <= size;
                resting |= keep;
                !keep
            })
            .map(|(id, _)| id)
            .collect();
        for id in stale {
            self.orders.cancel(ctx, id);
        }
        if let (false, true, Some(price)) = (resting, spoofs_up, join) {
            self.orders.submit(ctx, light, OrderType::Limit, price, size, Intent::Exploit);
        }
    }
}

impl Agent for Spoofer {
    fn phase(&self) -> Option<super::Phase> {
        Some(match self.heavy {
            Side::Buy => super::Phase::SpoofBid,
            Side::Sell => super::Phase::SpoofAsk,
        })
    }

    fn start(&mut self, ctx: &mut AgentCtx<'_>) {
        if self.orders.account().is_some() {
            self.start_tokens = self.orders.tokens(&ctx.market);
            ctx.wake_in(0);
        }
    }

    fn on_wakeup(&mut self, ctx: &mut AgentCtx<'_>) {
        let account = self.orders.account().expect("agents without an account never wake");
        self.maybe_flip(ctx);
        let touch = touch_excluding(ctx.market.book, self.heavy, account);
        let staying = self.police_spoofs(ctx, touch);
        let any_spoof = self.orders.live().any(|(_, o)| o.intent == Intent::Spoof);
        if let (false, Some(t)) = (any_spoof, touch) {
            self.place_wave(ctx, t);
        }
        let spoofs_up = staying > 0 || self.orders.live().any(|(_, o)| o.intent == Intent::Spoof && !o.cancelling);
        self.trade(ctx, spoofs_up);
        wake_after(ctx, self.config.interval);
    }

    fn on_event(&mut self, ev: &AgentEvent, ctx: &mut AgentCtx<'_>) {
        let fill = self.orders.on_event(ev, ctx);
        if fill.is_some_and(|f| f.intent == Intent::Spoof) {
            // Something swept into the wave: pull the rest of it at once.
            self.orders.cancel_where(ctx, |o| o.intent == Intent::Spoof);
        }
    }
}
