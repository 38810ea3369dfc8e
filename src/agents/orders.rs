//! Order bookkeeping shared by the manipulator agents (`pump_dump`, `lend_and_dump`, `wash`,
//! `spoofer`): which of an agent's orders are in flight or resting, what they hold back, what the
//! agent can still afford, and which of its fills were trades with itself.
//!
//! # Funds
//! The exchange locks funds when an order *arrives*, so an order still in flight has locked nothing
//! yet. [`Tracker`] reserves, for every order sent but not yet accepted, what the exchange will lock:
//! the tokens of a sell; for a buy, the notional at its limit price plus a fee bound of
//! [`FEE_SLACK_CBPS`] (rounded up) plus one cash atom per lot, which covers the exchange's own bound
//! (`fee(notional, max(maker, taker))` rounded up, plus one atom per lot) whenever the venue charges
//! at most [`FEE_SLACK_CBPS`]. [`Tracker::submit`] clamps every order to the ledger's free balance
//! minus those reservations, so a manipulator never gets `insufficient_funds` under such fees.
//! Cancels in flight are not counted as released, which only errs on the safe side.
//!
//! # Self-trades
//! The engine reports a trade to the maker's owner and then, at once, to the taker's owner. A taker
//! fill of one of the agent's orders that directly follows a maker fill of another of its orders, at
//! the same time, price and quantity, is a trade with itself ([`OwnFill::self_trade`]).
//!
//! # Wash pairs
//! [`Tracker::wash_pair`] rests a post-only order strictly inside the spread and sends an IOC of the
//! same size and price from the same account right behind it: both reach the exchange in that order
//! (commands of one agent never overtake each other), so the IOC trades with the resting order. If
//! something else took part of the resting order first, the leftover is cancelled once the IOC is
//! accepted.

use std::collections::BTreeMap;

use rand::RngExt;

use super::{AgentCtx, AgentEvent, MarketView};
use crate::book::{OrderBook, OrderType};
use crate::exchange::OrderRejected;
use crate::ledger::AccountId;
use crate::scenario::limits::{clamp_ticks, MAX_PRICE_TICKS};
use crate::types::{Cash, Intent, OrderId, Price, Qty, Side, SimTime, TraderId};
use crate::units::Dur;

/// Fee rate, in hundredths of a basis point (10 000 = 1%), set aside with every buy for the fee the
/// exchange locks with it. Venues charging more than this may reject manipulators' buys.
pub const FEE_SLACK_CBPS: i128 = crate::market::FeeSchedule::CEILING.taker_cbps as i128;

/// One of the agent's orders that is in flight or resting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiveOrder {
    /// Buy or sell.
    pub side: Side,
    /// Order type as sent.
    pub kind: OrderType,
    /// Limit price in ticks.
    pub price: Price,
    /// Quantity not yet filled (in flight: as sent, less taker fills; resting: what rests).
    pub qty: Qty,
    /// Why it was sent.
    pub intent: Intent,
    /// When it was sent.
    pub sent_at: SimTime,
    /// True once the exchange processed it (it rests on the book).
    pub accepted: bool,
    /// True once a cancel was sent for it.
    pub cancelling: bool,
}

/// Counters over an agent's orders, for tests and reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrderStats {
    /// Orders sent.
    pub sent: u64,
    /// Cancels sent.
    pub cancels_sent: u64,
    /// Cancels that took effect.
    pub cancelled: u64,
    /// Fills of own orders (a trade with itself counts twice: maker and taker).
    pub fills: u64,
    /// Lots bought (all fills).
    pub bought_lots: i64,
    /// Lots sold (all fills).
    pub sold_lots: i64,
    /// Cash paid for lots bought, before fees.
    pub bought_cash: Cash,
    /// Cash received for lots sold, before fees.
    pub sold_cash: Cash,
    /// Lots traded with itself (each such trade counted once).
    pub self_trade_lots: i64,
    /// Lots filled on orders sent with [`Intent::Spoof`] (spoofs are meant never to fill).
    pub spoof_filled_lots: i64,
    /// Orders rejected `insufficient_funds` (never expected: orders are sized within free balances).
    pub insufficient_funds: u64,
    /// Orders rejected for another reason (e.g. a post-only order that would have crossed).
    pub other_rejects: u64,
}

/// A fill of one of the agent's own orders, as the tracker hands it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OwnFill {
    /// The order.
    pub order: OrderId,
    /// Its side.
    pub side: Side,
    /// Trade price.
    pub price: Price,
    /// Traded lots.
    pub qty: Qty,
    /// True when the order was resting.
    pub maker: bool,
    /// The order's intent.
    pub intent: Intent,
    /// True on the taker fill of a trade whose maker was also this agent's order.
    pub self_trade: bool,
}

/// An agent's open orders, reservations and counters (see the module doc).
#[derive(Clone, Debug, Default)]
pub struct Tracker {
    account: Option<AccountId>,
    live: BTreeMap<OrderId, LiveOrder>,
    /// (IOC, resting partner) of wash pairs whose IOC has not been processed yet.
    pairs: Vec<(OrderId, OrderId)>,
    /// The last maker fill of an own order: (time, price, qty), to recognise self-trades.
    pending_maker: Option<(SimTime, Price, Qty)>,
    stats: OrderStats,
}

/// An upper bound on the cash the exchange locks for a buy of `qty` lots at `price` (see the module
/// doc): notional, plus the fee at [`FEE_SLACK_CBPS`] rounded up, plus one atom per lot.
pub fn buy_cost(price: Price, qty: Qty) -> Cash {
    crate::market::FeeSchedule::CEILING.buy_lock(Cash::notional(price, qty), qty)
}

/// The price an agent quotes for a fractional tick count: the nearest whole tick, at least 1 and at
/// most [`MAX_PRICE_TICKS`] (where two prices still add up without overflow; see
/// `scenario::limits`). Unlike `Market::round_price`, an infinite or huge input stays in range.
pub fn quote_price(ticks: f64) -> Price {
    Price(clamp_ticks(ticks.round()))
}

/// The most lots `cash` can buy at `price` under [`buy_cost`] (a binary search: the cost is
/// increasing in the quantity and at least `price + 1` atoms per lot).
pub fn affordable(cash: Cash, price: Price) -> Qty {
    if price.0 <= 0 || cash.0 <= 0 {
        return Qty::ZERO;
    }
    // At most 2⁶² lots, so `hi - lo + 1` cannot overflow (a market holds far fewer: see
    // `scenario::limits`).
    let (mut lo, mut hi) = (0i64, (cash.0 / (price.0 as i128 + 1)).min(1 << 62) as i64);
    while lo < hi {
        let mid = lo + (hi - lo + 1) / 2;
        if buy_cost(price, Qty(mid)) <= cash {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Qty(lo)
}

/// The best price on `side` among other traders' orders (the agent's own orders on `account` are
/// skipped), or `None` when only the agent (or nobody) is there.
pub fn touch_excluding(book: &OrderBook, side: Side, account: AccountId) -> Option<Price> {
    let me = TraderId(account.0);
    book.orders(side).find(|o| o.trader != me).map(|o| o.price)
}

/// A price strictly inside the spread, as close as possible to `hint`, where an order of the agent
/// would be alone at its level: `None` when the spread is a single tick (no such price).
pub fn inside_price(book: &OrderBook, hint: Price) -> Option<Price> {
    let p = match (book.best_bid(), book.best_ask()) {
        (Some(b), Some(a)) if a.0 - b.0 >= 2 => hint.0.clamp(b.0 + 1, a.0 - 1),
        (Some(_), Some(_)) => return None,
        (Some(b), None) => hint.0.max(b.0 + 1),
        (None, Some(a)) => hint.0.min(a.0 - 1),
        (None, None) => hint.0,
    };
    (p >= 1).then_some(Price(p))
}

/// Wakes the agent again after `every`, jittered uniformly by ±20% so decisions do not line up.
pub fn wake_after(ctx: &mut AgentCtx<'_>, every: Dur) {
    let factor: f64 = ctx.rng.random_range(0.8..1.2);
    ctx.wake_in(((every.nanos() as f64 * factor) as u64).max(1));
}

/// `share` of `of` lots, rounded down, but at least one lot when `share > 0` and `of ≥ 1`.
pub fn share_of(of: Qty, share: f64) -> Qty {
    if of.0 <= 0 || share <= 0.0 {
        return Qty::ZERO;
    }
    Qty(((of.0 as f64 * share).floor() as i64).clamp(1, of.0))
}

impl Tracker {
    /// A tracker for orders on `account` (`None`: the agent has no account and never trades).
    pub fn new(account: Option<AccountId>) -> Self {
        Tracker { account, ..Self::default() }
    }

    /// The account traded.
    pub fn account(&self) -> Option<AccountId> {
        self.account
    }

    /// The counters.
    pub fn stats(&self) -> &OrderStats {
        &self.stats
    }

    /// Orders in flight or resting, by id.
    pub fn live(&self) -> impl Iterator<Item = (OrderId, &LiveOrder)> + '_ {
        self.live.iter().map(|(id, o)| (*id, o))
    }

    /// The live order `id`, if it is in flight or resting.
    pub fn get(&self, id: OrderId) -> Option<&LiveOrder> {
        self.live.get(&id)
    }

    /// True when some order was sent and not yet processed by the exchange.
    pub fn in_flight(&self) -> bool {
        self.live.values().any(|o| !o.accepted)
    }

    /// Lots of live (in-flight or resting) orders on `side`, cancelling ones excluded.
    pub fn open_qty(&self, side: Side) -> Qty {
        self.live.values().filter(|o| o.side == side && !o.cancelling).fold(Qty::ZERO, |acc, o| acc + o.qty)
    }

    /// Free cash on the ledger less what in-flight buys will lock.
    pub fn free_cash(&self, m: &MarketView<'_>) -> Cash {
        let Some(acct) = self.account else { return Cash::ZERO };
        let reserved = self
            .live
            .values()
            .filter(|o| !o.accepted && o.side == Side::Buy)
            .fold(Cash::ZERO, |acc, o| acc + buy_cost(o.price, o.qty));
        (m.ledger.account(acct).cash_free - reserved).max(Cash::ZERO)
    }

    /// Free tokens on the ledger less what in-flight sells will lock.
    pub fn free_tokens(&self, m: &MarketView<'_>) -> Qty {
        let Some(acct) = self.account else { return Qty::ZERO };
        let reserved =
            self.live.values().filter(|o| !o.accepted && o.side == Side::Sell).fold(Qty::ZERO, |acc, o| acc + o.qty);
        (m.ledger.account(acct).tokens_free - reserved).max(Qty::ZERO)
    }

    /// All tokens of the account (free and locked).
    pub fn tokens(&self, m: &MarketView<'_>) -> Qty {
        self.account.map_or(Qty::ZERO, |a| m.ledger.account(a).tokens())
    }

    /// All cash of the account (free and locked).
    pub fn cash(&self, m: &MarketView<'_>) -> Cash {
        self.account.map_or(Cash::ZERO, |a| m.ledger.account(a).cash())
    }

    /// The most lots the agent can buy now at `price`.
    pub fn max_buy(&self, m: &MarketView<'_>, price: Price) -> Qty {
        affordable(self.free_cash(m), price)
    }

    /// Sends an order of at most `qty` lots, clamped to what the agent can afford (free cash for a
    /// buy, free tokens for a sell). Returns its id, or `None` when nothing could be sent.
    pub fn submit(
        &mut self,
        ctx: &mut AgentCtx<'_>,
        side: Side,
        kind: OrderType,
        price: Price,
        qty: Qty,
        intent: Intent,
    ) -> Option<OrderId> {
        debug_assert!(kind != OrderType::Market, "manipulators send priced orders only");
        let account = self.account?;
        if price.0 <= 0 {
            return None;
        }
        let price = price.min(Price(MAX_PRICE_TICKS));
        let cap = match side {
            Side::Buy => self.max_buy(&ctx.market, price),
            Side::Sell => self.free_tokens(&ctx.market),
        };
        let qty = qty.min(cap);
        if qty.0 <= 0 {
            return None;
        }
        let id = ctx.submit(account, side, kind, price, qty, intent);
        let order = LiveOrder { side, kind, price, qty, intent, sent_at: ctx.now, accepted: false, cancelling: false };
        self.live.insert(id, order);
        self.stats.sent += 1;
        Some(id)
    }

    /// Trades up to `qty` lots with itself at `price` (which should lie strictly inside the spread,
    /// see [`inside_price`]): a post-only order resting on `rest_side` and an IOC against it, both
    /// with [`Intent::Wash`]. Returns the size sent (zero when the agent cannot afford a lot).
    pub fn wash_pair(&mut self, ctx: &mut AgentCtx<'_>, rest_side: Side, price: Price, qty: Qty) -> Qty {
        // One leg needs cash (the buy), the other tokens (the sell): independent resources.
        let qty = qty.min(self.max_buy(&ctx.market, price)).min(self.free_tokens(&ctx.market));
        if qty.0 <= 0 {
            return Qty::ZERO;
        }
        let Some(rest) = self.submit(ctx, rest_side, OrderType::PostOnly, price, qty, Intent::Wash) else {
            return Qty::ZERO;
        };
        match self.submit(ctx, rest_side.opposite(), OrderType::Ioc, price, qty, Intent::Wash) {
            Some(ioc) => {
                self.pairs.push((ioc, rest));
                qty
            }
            None => {
                self.cancel(ctx, rest);
                Qty::ZERO
            }
        }
    }

    /// Sends a cancel for `id` if it is live, not already being cancelled, and can rest (IOC and
    /// FOK orders never rest, so they are never cancelled).
    pub fn cancel(&mut self, ctx: &mut AgentCtx<'_>, id: OrderId) {
        if let Some(o) = self.live.get_mut(&id) {
            if !o.cancelling && !matches!(o.kind, OrderType::Ioc | OrderType::Fok) {
                o.cancelling = true;
                ctx.cancel(id);
                self.stats.cancels_sent += 1;
            }
        }
    }

    /// Cancels every live order for which `pred` holds.
    pub fn cancel_where(&mut self, ctx: &mut AgentCtx<'_>, mut pred: impl FnMut(&LiveOrder) -> bool) {
        let ids: Vec<OrderId> = self.live.iter().filter(|(_, o)| pred(o)).map(|(id, _)| *id).collect();
        for id in ids {
            self.cancel(ctx, id);
        }
    }

    /// Cancels every live order.
    pub fn cancel_all(&mut self, ctx: &mut AgentCtx<'_>) {
        self.cancel_where(ctx, |_| true);
    }

    /// Updates the bookkeeping with an event about the agent's orders; returns the fill when it is
    /// one of the agent's (events about orders it does not know are ignored).
    pub fn on_event(&mut self, ev: &AgentEvent, ctx: &mut AgentCtx<'_>) -> Option<OwnFill> {
        match *ev {
            AgentEvent::Filled { order, side, price, qty, maker, done, .. } => {
                let Some(o) = self.live.get_mut(&order) else {
                    self.pending_maker = None;
                    return None;
                };
                o.qty = (o.qty - qty).max(Qty::ZERO);
                let intent = o.intent;
                if maker && (done || o.qty.is_zero()) {
                    self.live.remove(&order);
                }
                let self_trade = if maker {
                    self.pending_maker = Some((ctx.now, price, qty));
                    false
                } else {
                    self.pending_maker.take() == Some((ctx.now, price, qty))
                };
                self.count_fill(side, price, qty, intent, self_trade);
                Some(OwnFill { order, side, price, qty, maker, intent, self_trade })
            }
            AgentEvent::Accepted { order, placed } => {
                self.pending_maker = None;
                if let Some(o) = self.live.get_mut(&order) {
                    o.accepted = true;
                    o.qty = placed.rested;
                    if placed.rested.is_zero() {
                        self.live.remove(&order);
                    }
                }
                self.finish_pair(order, ctx);
                None
            }
            AgentEvent::Rejected { order, reason } => {
                self.pending_maker = None;
                if let Some(o) = self.live.remove(&order) {
                    if !o.accepted {
                        match reason {
                            OrderRejected::InsufficientFunds => self.stats.insufficient_funds += 1,
                            _ => self.stats.other_rejects += 1,
                        }
                    }
                }
                self.finish_pair(order, ctx);
                None
            }
            AgentEvent::Cancelled { order, .. } => {
                self.pending_maker = None;
                if self.live.remove(&order).is_some() {
                    self.stats.cancelled += 1;
                }
                None
            }
        }
    }

    fn count_fill(&mut self, side: Side, price: Price, qty: Qty, intent: Intent, self_trade: bool) {
        let s = &mut self.stats;
        s.fills += 1;
        match side {
            Side::Buy => {
                s.bought_lots += qty.0;
                s.bought_cash += Cash::notional(price, qty);
            }
            Side::Sell => {
                s.sold_lots += qty.0;
                s.sold_cash += Cash::notional(price, qty);
            }
        }
        if self_trade {
            s.self_trade_lots += qty.0;
        }
        if intent == Intent::Spoof {
            s.spoof_filled_lots += qty.0;
        }
    }

    /// After a wash IOC was processed, cancels whatever is left of its resting partner.
    fn finish_pair(&mut self, order: OrderId, ctx: &mut AgentCtx<'_>) {
        if let Some(i) = self.pairs.iter().position(|(ioc, _)| *ioc == order) {
            let (_, rest) = self.pairs.swap_remove(i);
            self.cancel(ctx, rest);
        }
    }
}
