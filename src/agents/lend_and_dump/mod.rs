//! `lend_and_dump`: a market maker holding borrowed tokens sells them high and buys them back low
//! (the DIO case: lent 10M tokens at a $0.05 listing, pumped to $0.98, sold near the top, bought
//! the 10M back near $0.005 after the crash and returned them; `scenarios/dio_lend_and_dump.toml`).
//!
//! Phases, in this order (reported by [`Agent::phase`]; ground truth for charts):
//! 1. **`pump`** — each decision an IOC buy reaching `pump_step_bps` above the reference price
//!    spends `pump_spend_share` of free cash ([`Intent::Pump`]), and a support bid
//!    `support_bps` below the reference holds the book up ([`Intent::Pump`]). Ends when the
//!    reference reaches the pump target (a multiple of the open, or a price) or at `pump_until`.
//!    *Markup* (with `pump_paint_tokens` > 0): the pump price becomes the agent's own *markup*,
//!    which only rises (× (1 + `pump_step_bps`) a decision, from the higher of itself and the last
//!    trade, up to the target); each decision the agent rests `pump_paint_tokens` post-only at the
//!    markup and sends its IOC right behind, sized to take every cheaper offer of the others plus
//!    its own: the last trade prints at the markup even when nobody else sells there (a wash print,
//!    [`Intent::Wash`]). The support bid rests below the markup, and the pump ends one decision
//!    after the markup reached the target. With `pump_ask_levels` > 0 and once the price has
//!    reached `sell_unlock_price`, it also rests that many asks of `pump_ask_tokens`,
//!    `pump_ask_spacing_bps` apart above the markup: the buyers the rise attracts lift them.
//! 2. **`distribute`** — the support bid is withdrawn; each decision a slice of the holdings is sold
//!    into the bids down to `dump_discount_bps` below the reference, the rest resting there as an
//!    ask ([`Intent::Dump`]). Ends when `dump_share` of the holdings is sold (net of anything
//!    bought meanwhile), when the price has fallen `dump_stop_drawdown` from its peak, or at
//!    `dump_until`. *Walk-down* (with `dump_step_bps`): the slice rests instead as asks from the
//!    distribution price (the markup at first, less `dump_discount_bps`) up, spaced like the
//!    markup ladder, and that price is lowered by `dump_step_bps` at each decision at which the
//!    holdings did not fall; the drawdown stop then applies to that price. With
//!    `support_while_distributing` the support bid stays below it (and takes any cheaper offer).
//!    Nothing is sold before the price has reached `sell_unlock_price` (a valuation threshold).
//! 3. **`raid`** (only with `raid_share` > 0) — what is left, at least `raid_share` of the
//!    holdings at the start of distribution, is offered each decision `raid_discount_bps` below the
//!    last trade: it fills the bids down there and rests for buyers to lift, knocking the price
//!    down. Ends when it is all sold or the last trade or best ask is at `raid_stop_price`
//!    (default: the buy-back ceiling).
//! 4. **`wait`** — no orders at all: the book is left unsupported until the last price or the best
//!    ask is at or below the buy-back ceiling (or the repayment deadline `repay_by` passes).
//! 5. **`buyback`** — buys back what it owes ([`Intent::Buyback`]): an IOC takes asks at or below
//!    the ceiling, and a ladder of `buyback_levels` patient bids rests from one tick above the other
//!    traders' best bid (or, with `buyback_at_ceiling`, from the ceiling) downwards, never above the
//!    ceiling nor crossing the spread. After `repay_by`
//!    the ceiling is dropped. Spending stops at `buyback_budget_quote`.
//! 6. **`done`** — it holds `owed_tokens` (what it must return; by default its starting tokens):
//!    every order is cancelled, the agent says it is done with its loans (those with
//!    `early_return` settle once every agent of the group has) and stops.
//!
//! With every markup, walk-down and raid parameter at its default the agent behaves as it did
//! before they existed.
//!
//! Units: prices are integer ticks (decisions use fractional ticks and round), sizes whole lots.
//!
//! Invariants: orders are sized within free balances less in-flight orders (see
//! [`super::orders`]), so no `insufficient_funds` while the venue's fee rate is at most
//! 1%; buy-back never bids for more than it still owes; every order carries an intent.

mod config;
#[cfg(test)]
mod tests;

pub use config::LendAndDumpConfig;

use super::behaviour::{AgentSetup, Market};
use super::orders::{affordable, buy_cost, quote_price, share_of, touch_excluding, wake_after, OrderStats, Tracker};
use super::{Agent, AgentCtx, AgentEvent};
use crate::book::OrderType;
use crate::scenario::limits::MAX_PRICE_TICKS;
use crate::types::{Cash, Intent, Price, Qty, Side, SimTime};

/// The phases of [`LendAndDump`], in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Aggressive buying with a support bid.
    Pump,
    /// Selling the holdings into strength.
    Distribute,
    /// Dumping the reserve into the bids to knock the price down.
    Raid,
    /// No orders: waiting for the crash.
    Wait,
    /// Buying back what is owed.
    Buyback,
    /// Holds what it owes; stopped.
    Done,
}

/// What [`Agent::phase`] reports (the phase's name is [`super::Phase::name`]).
impl From<Phase> for super::Phase {
    fn from(p: Phase) -> super::Phase {
        match p {
            Phase::Pump => super::Phase::Pump,
            Phase::Distribute => super::Phase::Distribute,
            Phase::Raid => super::Phase::Raid,
            Phase::Wait => super::Phase::Wait,
            Phase::Buyback => super::Phase::Buyback,
            Phase::Done => super::Phase::Done,
        }
    }
}

/// A lend-and-dump market maker (see the module doc).
#[derive(Clone, Debug)]
pub struct LendAndDump {
    config: LendAndDumpConfig,
    market: Market,
    orders: Tracker,
    phase: Phase,
    transitions: Vec<(SimTime, Phase)>,
    /// Lots owed (fixed at start).
    owed: Qty,
    /// Highest reference price seen while pumping and distributing, in ticks.
    peak: f64,
    /// The pump price, in ticks: it only rises while pumping (see [`LendAndDump::pump`]); with
    /// `dump_step_bps`, the distribution price, which only falls.
    markup: f64,
    /// Lots held at the previous distribution decision.
    held_seen: Qty,
    /// Lots to sell in distribution (fixed when it starts), lots sold so far, and the holdings it
    /// keeps (holdings at the start less the goal): distribution is done when it holds no more.
    dump_goal: Qty,
    dumped: Qty,
    dump_keep: Qty,
    /// The holdings it keeps after the raid.
    raid_keep: Qty,
    /// Lots bought back and the cash paid for them (before fees).
    bought_back: Qty,
    buyback_spent: Cash,
}

impl LendAndDump {
    /// Builds the agent; it trades the first of `setup.accounts`.
    pub fn new(config: LendAndDumpConfig, setup: AgentSetup) -> Self {
        LendAndDump {
            owed: config.owed_tokens.map_or(Qty::ZERO, |t| setup.market.lots(t)),
            config,
            orders: Tracker::new(setup.accounts.first().copied()),
            peak: setup.market.open_price.0 as f64,
            markup: setup.market.open_price.0 as f64,
            held_seen: Qty::ZERO,
            market: setup.market,
            phase: Phase::Pump,
            transitions: vec![(SimTime::ZERO, Phase::Pump)],
            dump_goal: Qty::ZERO,
            dumped: Qty::ZERO,
            dump_keep: Qty::ZERO,
            raid_keep: Qty::ZERO,
            bought_back: Qty::ZERO,
            buyback_spent: Cash::ZERO,
        }
    }

    /// The current phase.
    pub fn current_phase(&self) -> Phase {
        self.phase
    }

    /// When each phase began, in order (the first is `pump` at time 0).
    pub fn transitions(&self) -> &[(SimTime, Phase)] {
        &self.transitions
    }

    /// Lots it must hold at the end.
    pub fn owed(&self) -> Qty {
        self.owed
    }

    /// Lots sold in distribution.
    pub fn dumped(&self) -> Qty {
        self.dumped
    }

    /// Lots bought back, and the cash paid for them (before fees).
    pub fn bought_back(&self) -> (Qty, Cash) {
        (self.bought_back, self.buyback_spent)
    }

    /// Counters over the agent's orders.
    pub fn stats(&self) -> &OrderStats {
        self.orders.stats()
    }

    fn enter(&mut self, phase: Phase, ctx: &mut AgentCtx<'_>) {
        self.orders.cancel_all(ctx);
        let held = self.orders.tokens(&ctx.market);
        if phase == Phase::Distribute {
            let c = &self.config;
            let (all, raid) = (share_of(held, c.dump_share), share_of(held, c.raid_share.min(c.dump_share)));
            self.dump_goal = all - raid;
            self.dump_keep = held - self.dump_goal;
            self.raid_keep = held - all;
            self.held_seen = held;
        }
        if phase == Phase::Done {
            // Ends the loan where its terms allow an early return.
            ctx.end_loans();
        }
        self.phase = phase;
        self.transitions.push((ctx.now, phase));
    }

    fn repay_due(&self, now: SimTime) -> bool {
        self.config.repay_by.is_some_and(|d| now.nanos() >= d.nanos())
    }

    /// Moves through every phase whose end condition holds now.
    fn advance(&mut self, ctx: &mut AgentCtx<'_>) {
        let reference = ctx.market.reference(self.market.open_price);
        if self.phase <= Phase::Distribute {
            self.peak = self.peak.max(reference);
        }
        loop {
            let c = &self.config;
            let m = &self.market;
            let now = ctx.now.nanos();
            let holds_owed = self.orders.tokens(&ctx.market) >= self.owed;
            let ceiling = c.buyback_ticks(m);
            let next = match self.phase {
                Phase::Pump => {
                    // Painting, the markup printed at the target at the previous decision.
                    let painted = c.pump_paint_tokens > 0.0 && self.markup >= c.target_ticks(m).ceil();
                    let late = c.pump_until.is_some_and(|d| now >= d.nanos());
                    (reference >= c.target_ticks(m) || painted || late).then_some(Phase::Distribute)
                }
                Phase::Distribute => {
                    // Net of anything bought meanwhile (the support bid).
                    let sold_out = self.orders.tokens(&ctx.market) <= self.dump_keep;
                    let price = if c.dump_step_bps.is_some() { self.markup } else { reference };
                    let crashed = price < self.peak * (1.0 - c.dump_stop_drawdown);
                    let late = c.dump_until.is_some_and(|d| now >= d.nanos());
                    let raid = self.orders.tokens(&ctx.market) > self.raid_keep && c.raid_share > 0.0;
                    (sold_out || crashed || late).then_some(if raid { Phase::Raid } else { Phase::Wait })
                }
                Phase::Raid => {
                    let spent = self.orders.tokens(&ctx.market) <= self.raid_keep;
                    let stop = c.raid_stop_ticks(m);
                    let cheap_ask = ctx.market.book.best_ask().is_some_and(|a| a.0 as f64 <= stop);
                    (spent || reference <= stop || cheap_ask).then_some(Phase::Wait)
                }
                Phase::Wait if holds_owed => Some(Phase::Done),
                Phase::Wait => {
                    let cheap_ask = ctx.market.book.best_ask().is_some_and(|a| a.0 as f64 <= ceiling);
                    (reference <= ceiling || cheap_ask || self.repay_due(ctx.now)).then_some(Phase::Buyback)
                }
                Phase::Buyback => holds_owed.then_some(Phase::Done),
                Phase::Done => None,
            };
            match next {
                Some(p) => self.enter(p, ctx),
                None => return,
            }
        }
    }

    fn pump(&mut self, ctx: &mut AgentCtx<'_>) {
        self.orders.cancel_where(ctx, |o| matches!(o.intent, Intent::Pump | Intent::Dump | Intent::Wash));
        let (c, m) = (&self.config, &self.market);
        let reference = ctx.market.reference(m.open_price);
        let step = 1.0 + c.pump_step_bps / 10_000.0;
        let paint = m.lots(c.pump_paint_tokens);
        // Painting, the markup never falls back (a sale below it between decisions does not drag
        // it down) and stops at the target; otherwise each buy reaches `step` above the last trade.
        self.markup = if paint.0 > 0 {
            (self.markup.max(reference) * step).min(c.target_ticks(m).ceil())
        } else {
            reference * step
        };
        let limit = quote_price(self.markup).max(Price(quote_price(reference).0 + 1));
        let support_base = if paint.0 > 0 { self.markup } else { reference };
        let free = self.orders.free_cash(&ctx.market);
        let spend = Cash((free.0 as f64 * c.pump_spend_share) as i128);
        let support_cash = Cash((free.0 as f64 * c.support_share) as i128);
        let support_price = quote_price(support_base * (1.0 - c.support_bps / 10_000.0));
        let support_on = c.support_bps > 0.0 && support_price < limit;
        let mut lift = affordable(spend, limit);
        // Painting: a sell of its own at the pump price, lifted by its own buy right behind it,
        // which first takes every cheaper ask (post-only: if someone already bids there, the price
        // is rising without help).
        if paint.0 > 0 {
            let account = self.orders.account().expect("agents without an account never wake");
            let cheaper = asks_below(ctx.market.book, limit, account);
            if self.orders.submit(ctx, Side::Sell, OrderType::PostOnly, limit, paint, Intent::Wash).is_some() {
                lift += paint;
            }
            lift += cheaper;
        }
        self.orders.submit(ctx, Side::Buy, OrderType::Ioc, limit, lift, Intent::Pump);
        // The markup ladder: asks above the pump price for the buyers the rise attracts.
        let spacing = c.pump_ask_spacing_bps / 10_000.0;
        let levels = if self.unlocked() { i64::from(c.pump_ask_levels) } else { 0 };
        for k in 1..=levels {
            let price = quote_price(limit.0 as f64 * (1.0 + spacing * k as f64)).max(Price(limit.0 + k));
            let qty = m.lots(c.pump_ask_tokens);
            self.orders.submit(ctx, Side::Sell, OrderType::Limit, price, qty, Intent::Dump);
        }
        if support_on {
            let qty = affordable(support_cash, support_price);
            self.orders.submit(ctx, Side::Buy, OrderType::Limit, support_price, qty, Intent::Pump);
        }
    }

    /// True once the price has reached `sell_unlock_price` (always, without one).
    fn unlocked(&self) -> bool {
        self.peak >= self.config.unlock_ticks(&self.market)
    }

    fn distribute(&mut self, ctx: &mut AgentCtx<'_>) {
        self.orders.cancel_where(ctx, |o| matches!(o.intent, Intent::Dump | Intent::Pump));
        if !self.unlocked() {
            return;
        }
        let (c, m) = (&self.config, &self.market);
        if c.support_while_distributing && c.support_bps > 0.0 {
            // Hold the book up under the asks: take any offer below the support price, and bid there.
            let account = self.orders.account().expect("agents without an account never wake");
            let free = self.orders.free_cash(&ctx.market);
            let price = quote_price(self.markup * (1.0 - c.support_bps / 10_000.0));
            let cheaper = asks_below(ctx.market.book, price, account);
            if cheaper.0 > 0 {
                self.orders.submit(ctx, Side::Buy, OrderType::Ioc, price, cheaper, Intent::Pump);
            }
            let qty = affordable(Cash((free.0 as f64 * c.support_share) as i128), price);
            self.orders.submit(ctx, Side::Buy, OrderType::Limit, price, qty, Intent::Pump);
        }
        let held = self.orders.tokens(&ctx.market);
        let slice = share_of(self.dump_goal, c.dump_slice_share).min(held - self.dump_keep);
        let discount = 1.0 - c.dump_discount_bps / 10_000.0;
        let Some(step) = c.dump_step_bps else {
            // Sell into the bids below the last trade; what does not fill rests there.
            let floor = quote_price(ctx.market.reference(m.open_price) * discount);
            self.orders.submit(ctx, Side::Sell, OrderType::Limit, floor, slice, Intent::Dump);
            return;
        };
        // Walk the asks down: keep the price while the holdings fall, lower it when they do not.
        if held >= self.held_seen {
            self.markup *= 1.0 - step / 10_000.0;
        }
        self.held_seen = held;
        let levels = i64::from(c.pump_ask_levels.max(1));
        let spacing = c.pump_ask_spacing_bps / 10_000.0;
        let base = self.markup * discount;
        for k in 0..levels {
            let price = quote_price(base * (1.0 + spacing * k as f64));
            let qty = if k == levels - 1 { slice - Qty(slice.0 / levels * k) } else { Qty(slice.0 / levels) };
            self.orders.submit(ctx, Side::Sell, OrderType::Limit, price, qty, Intent::Dump);
        }
    }

    fn raid(&mut self, ctx: &mut AgentCtx<'_>) {
        self.orders.cancel_where(ctx, |o| o.intent == Intent::Dump);
        if !self.unlocked() {
            return;
        }
        let (c, m) = (&self.config, &self.market);
        let left = self.orders.tokens(&ctx.market) - self.raid_keep;
        let floor = quote_price(ctx.market.reference(m.open_price) * (1.0 - c.raid_discount_bps / 10_000.0));
        self.orders.submit(ctx, Side::Sell, OrderType::Limit, floor, left, Intent::Dump);
    }

    fn buyback(&mut self, ctx: &mut AgentCtx<'_>) {
        self.orders.cancel_all(ctx);
        let (c, m) = (&self.config, &self.market);
        let account = self.orders.account().expect("agents without an account never wake");
        // In-flight IOCs cannot be cancelled and still count as bought.
        let mut need = self.owed - self.orders.tokens(&ctx.market) - self.orders.open_qty(Side::Buy);
        let mut budget = c.budget(m).map(|b| b - self.buyback_spent);
        let reference = ctx.market.reference(m.open_price);
        let ceiling = if self.repay_due(ctx.now) {
            // Past the deadline: lift the best ask, whatever it costs.
            let step = quote_price(reference * (1.0 + c.pump_step_bps / 10_000.0));
            ctx.market.book.best_ask().map_or(step, |a| a.max(step))
        } else {
            Price((c.buyback_ticks(m).floor() as i64).min(MAX_PRICE_TICKS))
        };
        if need.0 <= 0 || ceiling.0 < 1 {
            return;
        }
        let book = ctx.market.book;
        if book.best_ask().is_some_and(|a| a <= ceiling) {
            let qty = within_budget(ceiling, need, &mut budget);
            if let Some(id) = self.orders.submit(ctx, Side::Buy, OrderType::Ioc, ceiling, qty, Intent::Buyback) {
                need -= self.orders.get(id).map_or(Qty::ZERO, |o| o.qty);
            }
        }
        let below_ask = book.best_ask().map_or(ceiling, |a| Price(a.0 - 1));
        let top = match touch_excluding(book, Side::Buy, account) {
            _ if c.buyback_at_ceiling => ceiling,
            Some(b) => Price(b.0 + 1),
            None => quote_price(reference),
        }
        .min(ceiling)
        .min(below_ask);
        let levels = i64::from(c.buyback_levels.max(1));
        for k in 0..levels {
            if need.0 <= 0 {
                break;
            }
            let price = quote_price(top.0 as f64 * (1.0 - c.buyback_spacing_bps / 10_000.0 * k as f64));
            let qty = if k == levels - 1 { need } else { Qty((need.0 / (levels - k)).max(1)) };
            let qty = within_budget(price, qty, &mut budget);
            if let Some(id) = self.orders.submit(ctx, Side::Buy, OrderType::Limit, price, qty, Intent::Buyback) {
                need -= self.orders.get(id).map_or(Qty::ZERO, |o| o.qty);
            }
        }
    }
}

/// Lots of other traders' asks at or below `limit` (the agent's own orders on `account` skipped).
fn asks_below(book: &crate::book::OrderBook, limit: Price, account: crate::ledger::AccountId) -> Qty {
    let me = crate::types::TraderId(account.0);
    book.orders(Side::Sell)
        .take_while(|o| o.price <= limit)
        .filter(|o| o.trader != me)
        .fold(Qty::ZERO, |q, o| q + o.qty)
}

/// `qty` clamped to what `budget` (if any) can pay at `price`; the budget is reduced by its cost.
fn within_budget(price: Price, qty: Qty, budget: &mut Option<Cash>) -> Qty {
    let Some(b) = budget else { return qty };
    let qty = qty.min(affordable(*b, price));
    *b -= buy_cost(price, qty);
    qty
}

impl Agent for LendAndDump {
    fn start(&mut self, ctx: &mut AgentCtx<'_>) {
        if self.orders.account().is_none() {
            return;
        }
        if self.config.owed_tokens.is_none() {
            self.owed = self.orders.tokens(&ctx.market);
        }
        ctx.wake_in(self.config.start_after.nanos());
    }

    fn on_wakeup(&mut self, ctx: &mut AgentCtx<'_>) {
        self.advance(ctx);
        match self.phase {
            Phase::Pump => self.pump(ctx),
            Phase::Distribute => self.distribute(ctx),
            Phase::Raid => self.raid(ctx),
            Phase::Wait => {}
            Phase::Buyback => self.buyback(ctx),
            Phase::Done => return,
        }
        wake_after(ctx, self.config.interval);
    }

    fn on_event(&mut self, ev: &AgentEvent, ctx: &mut AgentCtx<'_>) {
        if let Some(fill) = self.orders.on_event(ev, ctx) {
            match fill.intent {
                // Sales on the markup ladder while pumping do not count toward the distribution.
                Intent::Dump if matches!(self.phase, Phase::Distribute | Phase::Raid) => self.dumped += fill.qty,
                Intent::Buyback => {
                    self.bought_back += fill.qty;
                    self.buyback_spent += Cash::notional(fill.price, fill.qty);
                }
                _ => {}
            }
        }
    }

    fn phase(&self) -> Option<super::Phase> {
        Some(self.phase.into())
    }
}
