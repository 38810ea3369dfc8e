//! The backtest venue: the strategy's orders against the recorded book.
//!
//! The recorded market is the feed's [`L2Book`]; the strategy's orders never change it. This venue
//! keeps, next to it:
//! - the strategy's resting orders, each with its [`QueuePos`], filled by recorded trades at their
//!   price (through the queue model), by trades through their price, and by the recorded book
//!   crossing them (the market reached them: they fill whole at their own price);
//! - a [`Ledger`] with the strategy's accounts, a `market` counterparty (two accounts, makers and
//!   takers, with balances no trade can exhaust) and the fee account, so funds are locked, fees
//!   charged and fills settled exactly as on the simulated [`Exchange`](crate::exchange::Exchange);
//! - the agents' view: an [`OrderBook`] with one synthetic order per recorded level plus the
//!   strategy's own orders, so agents read the replayed book through the same [`MarketView`] as in a
//!   simulation. It is brought up to date lazily ([`Venue::sync_view`], before every agent callback
//!   and sample) from the levels the feed touched since the last sync, so replaying an event costs a
//!   push onto a list, not a book operation.
//!
//! Taker orders (market, IOC, FOK, a crossing limit) walk the recorded levels at arrival, without
//! consuming them: the recorded book is what the market did without us.
//!
//! [`MarketView`]: crate::agents::MarketView

use crate::book::{NewOrder, OrderBook, OrderType, Placed, Reject, RestingOrder};
use crate::exchange::{FeeSchedule, OrderRejected, OrderRequest, Trade};
use crate::feed::L2Book;
use crate::ledger::{AccountId, Ledger};
use crate::types::{AgentId, Cash, Intent, OrderId, Price, Qty, Side, TraderId};

use super::queue::{QueueModel, QueuePos};

/// Order ids of the view's synthetic level orders start here (agents count theirs up from 1).
const SYNTHETIC: u64 = 1 << 62;
/// Past this many pending level changes the list is compacted (sorted, de-duplicated) in place.
const DIRTY_COMPACT: usize = 1 << 20;

/// One of the strategy's resting orders.
#[derive(Clone, Copy, Debug)]
struct MmOrder {
    id: OrderId,
    agent: AgentId,
    account: AccountId,
    side: Side,
    price: Price,
    qty: Qty,
    locked_cash: Cash,
    intent: Intent,
    pos: QueuePos,
    in_view: Qty,
}

/// A fill of one of the strategy's orders, to be reported to its agent.
#[derive(Clone, Copy, Debug)]
pub struct MmFill {
    /// The settled trade.
    pub trade: Trade,
    /// The strategy's agent.
    pub agent: AgentId,
    /// The strategy's account.
    pub account: AccountId,
    /// The strategy's side.
    pub side: Side,
    /// True when the strategy's order was resting.
    pub maker: bool,
    /// For a maker: nothing of the order is left.
    pub done: bool,
}

/// The strategy's orders, funds and view over a recorded book.
#[derive(Debug)]
pub struct Venue {
    view: OrderBook,
    ledger: Ledger,
    fees: FeeSchedule,
    model: QueueModel,
    market_makers: AccountId,
    market_takers: AccountId,
    market_agent: AgentId,
    venue: AccountId,
    orders: Vec<MmOrder>,
    dirty: Vec<(Side, Price)>,
    next_trade: u64,
    scratch: Vec<crate::book::Fill>,
}

impl Venue {
    /// A venue over `ledger` (the strategy's accounts already open), opening the market's two
    /// accounts and the fee account; `market_agent` is the id reported for the market's side.
    pub fn new(mut ledger: Ledger, fees: FeeSchedule, model: QueueModel, market_agent: AgentId) -> Self {
        // Balances no replay can exhaust, far inside the ranges reports print exactly.
        let (cash, tokens) = (Cash(1_000_000_000_000_000_000_000), Qty(1_000_000_000_000_000));
        let market_makers = ledger.open("market:makers", None, cash, tokens);
        let market_takers = ledger.open("market:takers", None, cash, tokens);
        let venue = ledger.open_venue("exchange");
        Venue {
            view: OrderBook::new(),
            ledger,
            fees,
            model,
            market_makers,
            market_takers,
            market_agent,
            venue,
            orders: Vec::new(),
            dirty: Vec::new(),
            next_trade: 1,
            scratch: Vec::new(),
        }
    }

    /// The agents' view of the book (call [`Venue::sync_view`] first).
    pub fn view(&self) -> &OrderBook {
        &self.view
    }

    /// The ledger.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The market's two accounts (makers, takers).
    pub fn market_accounts(&self) -> (AccountId, AccountId) {
        (self.market_makers, self.market_takers)
    }

    /// The resting orders of `agents`, as the book would list them (for KPI snapshots).
    pub fn orders_of(&self, agents: &[AgentId]) -> Vec<crate::book::RestingOrder> {
        self.orders
            .iter()
            .filter(|o| agents.contains(&o.agent))
            .map(|o| crate::book::RestingOrder {
                id: o.id,
                trader: TraderId(o.account.0),
                side: o.side,
                price: o.price,
                qty: o.qty,
            })
            .collect()
    }

    /// The strategy's resting orders.
    pub fn resting(&self) -> usize {
        self.orders.len()
    }

    /// A recorded level changed: remembered for the next view sync and the queues of our orders
    /// at that price. Call *after* the book applied it.
    #[inline]
    pub fn on_level(&mut self, side: Side, price: Price, new_qty: Qty) {
        self.dirty.push((side, price));
        if self.dirty.len() >= DIRTY_COMPACT {
            self.dirty.sort_unstable_by_key(|&(s, p)| (s as u8, p.0));
            self.dirty.dedup();
        }
        for o in &mut self.orders {
            if o.side == side && o.price == price {
                o.pos.on_depth(new_qty.0, self.model);
            }
        }
    }

    /// A recorded trade: fills of our orders at and through its price, appended to `out`.
    pub fn on_trade(&mut self, price: Price, qty: Qty, aggressor: Option<Side>, out: &mut Vec<MmFill>) {
        let mut i = 0;
        while i < self.orders.len() {
            let o = self.orders[i];
            let hit = aggressor.is_none_or(|a| a == o.side.opposite());
            let take = if !hit {
                0
            } else if price == o.price {
                self.orders[i].pos.on_trade(qty.0, o.qty.0)
            } else if (o.side == Side::Buy && price < o.price) || (o.side == Side::Sell && price > o.price) {
                o.qty.0
            } else {
                0
            };
            if take > 0 && self.fill_maker(i, Qty(take), out) {
                continue;
            }
            i += 1;
        }
    }

    /// The recorded touch after a complete message: our orders it crosses fill whole.
    pub fn on_touch(&mut self, book: &L2Book, out: &mut Vec<MmFill>) {
        if self.orders.is_empty() {
            return;
        }
        let (bid, ask) = (book.best_bid().map(|b| b.0), book.best_ask().map(|a| a.0));
        let mut i = 0;
        while i < self.orders.len() {
            let o = self.orders[i];
            let crossed = match o.side {
                Side::Buy => ask.is_some_and(|a| a <= o.price),
                Side::Sell => bid.is_some_and(|b| b >= o.price),
            };
            if crossed && self.fill_maker(i, o.qty, out) {
                continue;
            }
            i += 1;
        }
    }

    /// Fills `qty` of resting order `i` against the market's takers; true when it left the book.
    fn fill_maker(&mut self, i: usize, qty: Qty, out: &mut Vec<MmFill>) -> bool {
        let o = &mut self.orders[i];
        let notional = Cash::notional(o.price, qty);
        let fee = FeeSchedule::fee(notional, self.fees.maker_cbps);
        let l = &mut self.ledger;
        let aggressor = o.side.opposite();
        match o.side {
            Side::Buy => {
                let _ = l.lock_tokens(self.market_takers, qty);
                l.settle_trade(o.account, self.market_takers, notional, qty, fee, Cash::ZERO, self.venue);
                o.locked_cash -= notional + fee.max(Cash::ZERO);
            }
            Side::Sell => {
                let _ = l.lock_cash(self.market_takers, notional);
                l.settle_trade(self.market_takers, o.account, notional, qty, Cash::ZERO, fee, self.venue);
            }
        }
        o.qty -= qty;
        let trade = Trade {
            id: self.next_trade,
            price: o.price,
            qty,
            aggressor,
            maker_order: o.id,
            taker_order: OrderId(0),
            maker_account: o.account,
            taker_account: self.market_takers,
            maker_agent: o.agent,
            taker_agent: self.market_agent,
            maker_intent: o.intent,
            taker_intent: Intent::Other,
            maker_fee: fee,
            taker_fee: Cash::ZERO,
        };
        self.next_trade += 1;
        let done = o.qty.is_zero();
        out.push(MmFill { trade, agent: o.agent, account: o.account, side: o.side, maker: true, done });
        if done {
            let o = self.orders.swap_remove(i);
            if o.locked_cash > Cash::ZERO {
                self.ledger.unlock_cash(o.account, o.locked_cash);
            }
            let _ = self.view.cancel(o.id);
        }
        done
    }

    /// Order `id` reaches the venue: checked, funds locked, matched against the recorded book
    /// (fills appended to `out`), and any rest placed at the back of its level.
    ///
    /// # Errors
    /// The same rejects as the simulated exchange: not authorized, bad price or size, insufficient
    /// funds, `would_cross` for a post-only order, `unfillable` for a FOK order.
    pub fn submit(
        &mut self,
        book: &L2Book,
        id: OrderId,
        req: OrderRequest,
        out: &mut Vec<MmFill>,
    ) -> Result<Placed, OrderRejected> {
        if !self.ledger.account(req.account).can_trade(req.agent) {
            return Err(OrderRejected::NotAuthorized);
        }
        if req.kind != OrderType::Market && req.price.0 <= 0 {
            return Err(Reject::BadPrice.into());
        }
        if req.qty.0 <= 0 {
            return Err(Reject::BadQty.into());
        }
        let within = |p: Price| match (req.kind, req.side) {
            (OrderType::Market, _) => true,
            (_, Side::Buy) => p <= req.price,
            (_, Side::Sell) => p >= req.price,
        };
        let opposite = req.side.opposite();
        let crosses = book.levels(opposite).next().is_some_and(|(p, _)| within(p));
        if req.kind == OrderType::PostOnly && crosses {
            return Err(Reject::WouldCross.into());
        }
        // What walking the book would take: quantity and cost.
        let (mut avail, mut cost) = (0i64, Cash::ZERO);
        for (p, q) in book.levels(opposite).take_while(|&(p, _)| within(p)) {
            let take = q.0.min(req.qty.0 - avail);
            avail += take;
            cost += Cash::notional(p, Qty(take));
            if avail == req.qty.0 {
                break;
            }
        }
        if req.kind == OrderType::Fok && avail < req.qty.0 {
            return Err(Reject::Unfillable.into());
        }
        let mut locked_cash = match req.side {
            Side::Sell => {
                self.ledger.lock_tokens(req.account, req.qty).map_err(|_| OrderRejected::InsufficientFunds)?;
                Cash::ZERO
            }
            Side::Buy => {
                let notional = if req.kind == OrderType::Market { cost } else { Cash::notional(req.price, req.qty) };
                let rate = self.fees.maker_cbps.max(self.fees.taker_cbps).max(0);
                let need = notional + FeeSchedule::fee(notional, rate) + Cash(req.qty.0 as i128);
                self.ledger.lock_cash(req.account, need).map_err(|_| OrderRejected::InsufficientFunds)?;
                need
            }
        };
        let mut filled = 0i64;
        for (p, q) in book.levels(opposite).take_while(|&(p, _)| within(p)) {
            let take = q.0.min(req.qty.0 - filled);
            if take <= 0 {
                break;
            }
            filled += take;
            let qty = Qty(take);
            let notional = Cash::notional(p, qty);
            let fee = FeeSchedule::fee(notional, self.fees.taker_cbps);
            let l = &mut self.ledger;
            match req.side {
                Side::Buy => {
                    let _ = l.lock_tokens(self.market_makers, qty);
                    l.settle_trade(req.account, self.market_makers, notional, qty, fee, Cash::ZERO, self.venue);
                    locked_cash -= notional + fee.max(Cash::ZERO);
                }
                Side::Sell => {
                    let _ = l.lock_cash(self.market_makers, notional);
                    l.settle_trade(self.market_makers, req.account, notional, qty, Cash::ZERO, fee, self.venue);
                }
            }
            let trade = Trade {
                id: self.next_trade,
                price: p,
                qty,
                aggressor: req.side,
                maker_order: OrderId(0),
                taker_order: id,
                maker_account: self.market_makers,
                taker_account: req.account,
                maker_agent: self.market_agent,
                taker_agent: req.agent,
                maker_intent: Intent::Other,
                taker_intent: req.intent,
                maker_fee: Cash::ZERO,
                taker_fee: fee,
            };
            self.next_trade += 1;
            out.push(MmFill {
                trade,
                agent: req.agent,
                account: req.account,
                side: req.side,
                maker: false,
                done: false,
            });
        }
        let left = Qty(req.qty.0 - filled);
        let rests = matches!(req.kind, OrderType::Limit | OrderType::PostOnly) && left.0 > 0;
        if rests {
            let pos = QueuePos::new(book.qty_at(req.side, req.price).0);
            self.orders.push(MmOrder {
                id,
                agent: req.agent,
                account: req.account,
                side: req.side,
                price: req.price,
                qty: left,
                locked_cash,
                intent: req.intent,
                pos,
                in_view: Qty::ZERO,
            });
            Ok(Placed { filled: Qty(filled), rested: left, dropped: Qty::ZERO })
        } else {
            match req.side {
                Side::Buy if locked_cash > Cash::ZERO => self.ledger.unlock_cash(req.account, locked_cash),
                Side::Sell if left.0 > 0 => self.ledger.unlock_tokens(req.account, left),
                _ => {}
            }
            Ok(Placed { filled: Qty(filled), rested: Qty::ZERO, dropped: left })
        }
    }

    /// Cancels resting order `id` for `agent` and releases its funds.
    ///
    /// # Errors
    /// `unknown_order` when it is not resting (filled or never placed), `not_authorized`.
    pub fn cancel(&mut self, agent: AgentId, id: OrderId) -> Result<RestingOrder, OrderRejected> {
        let i = self.orders.iter().position(|o| o.id == id).ok_or(OrderRejected::Book(Reject::UnknownOrder))?;
        let o = self.orders[i];
        if !self.ledger.account(o.account).can_trade(agent) {
            return Err(OrderRejected::NotAuthorized);
        }
        self.orders.swap_remove(i);
        match o.side {
            Side::Buy if o.locked_cash > Cash::ZERO => self.ledger.unlock_cash(o.account, o.locked_cash),
            Side::Sell => self.ledger.unlock_tokens(o.account, o.qty),
            _ => {}
        }
        let _ = self.view.cancel(id);
        Ok(RestingOrder { id, trader: TraderId(o.account.0), side: o.side, price: o.price, qty: o.qty })
    }

    /// The view is rebuilt from scratch at the next sync (a snapshot replaced the recorded book).
    pub fn reset_view(&mut self) {
        self.view = OrderBook::new();
        self.dirty.clear();
        for o in &mut self.orders {
            o.in_view = Qty::ZERO;
        }
    }

    /// The ledger, at the end of the run.
    pub fn into_ledger(self) -> Ledger {
        self.ledger
    }

    /// Brings the view up to date with `book`: every level touched since the last sync is reset to
    /// its recorded size (one synthetic order), then our orders are placed or resized.
    pub fn sync_view(&mut self, book: &L2Book) {
        let market = TraderId(self.market_makers.0);
        let mut dirty = std::mem::take(&mut self.dirty);
        dirty.sort_unstable_by_key(|&(s, p)| (s as u8, p.0));
        dirty.dedup();
        // Removals first, so a stale level never blocks a fresh one on the other side.
        for &(side, price) in &dirty {
            let _ = self.view.cancel(synthetic_id(side, price));
        }
        let mut fills = std::mem::take(&mut self.scratch);
        for &(side, price) in &dirty {
            let qty = book.qty_at(side, price);
            if qty.0 > 0 {
                let order = NewOrder {
                    id: synthetic_id(side, price),
                    trader: market,
                    side,
                    kind: OrderType::PostOnly,
                    price,
                    qty,
                };
                fills.clear();
                // A level the view cannot hold without crossing (a stale level of a bootstrapped
                // book) stays out of the view.
                let _ = self.view.submit(order, &mut fills);
            }
        }
        dirty.clear();
        self.dirty = dirty;
        for o in &mut self.orders {
            if o.in_view != o.qty {
                let _ = self.view.cancel(o.id);
                let order = NewOrder {
                    id: o.id,
                    trader: TraderId(o.account.0),
                    side: o.side,
                    kind: OrderType::PostOnly,
                    price: o.price,
                    qty: o.qty,
                };
                fills.clear();
                o.in_view = if self.view.submit(order, &mut fills).is_ok() { o.qty } else { Qty::ZERO };
            }
        }
        self.scratch = fills;
    }
}

/// The view's synthetic order for the recorded level at `price` on `side`.
fn synthetic_id(side: Side, price: Price) -> OrderId {
    OrderId(SYNTHETIC | ((price.0 as u64) << 1) | (side == Side::Sell) as u64)
}
