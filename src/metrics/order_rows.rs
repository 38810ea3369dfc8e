//! The rows of the order log, one truth for `orders.csv` and `orders.parquet`: what the engine
//! reports (an order reached the exchange, a resting order was cancelled, a cancel was refused)
//! expanded into [`OrderRow`]s, which each writer only renders.
//!
//! The expansion (see [`super::order_log`] for the events and columns):
//! - a refused order: one `reject` row;
//! - an accepted order: `new`, then per trade a `fill` row for the maker (when the log saw the
//!   maker's order arrive) and one for the taker, then `expire` for a dropped remainder;
//! - a cancel: one `cancel` row for an order the log saw rest; a refused cancel: one `reject` row
//!   with no side, type, price or quantities.
//!
//! The expander remembers one small record per resting order (for the cancels and fills that do
//! not carry the order's fields), in a window indexed by order id: the engine numbers orders
//! sequentially, so live ids sit close together (ids far outside the window go to a hash map).

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use crate::book::{OrderType, Placed};
use crate::exchange::{OrderRejected, OrderRequest, Trade};
use crate::ledger::AccountId;
use crate::types::{AgentId, Intent, OrderId, Price, Qty, Side, SimTime};

/// The kind of an order event (the `event` column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderEvent {
    /// An order reached the exchange and was accepted.
    New,
    /// One fill of an order.
    Fill,
    /// The unfilled remainder of a market or IOC order was dropped.
    Expire,
    /// A resting order was cancelled.
    Cancel,
    /// An order or a cancel was refused.
    Reject,
}

impl OrderEvent {
    /// The name written in the `event` column.
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderEvent::New => "new",
            OrderEvent::Fill => "fill",
            OrderEvent::Expire => "expire",
            OrderEvent::Cancel => "cancel",
            OrderEvent::Reject => "reject",
        }
    }
}

/// The fields of an order a row shows (absent for a refused cancel).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderFields {
    /// Buy or sell.
    pub side: Side,
    /// Order type.
    pub kind: OrderType,
    /// Limit price in ticks (not shown for a market order).
    pub price: Price,
    /// What the row's `qty` column shows, in lots.
    pub qty: Qty,
    /// What is left of the order after the event, in lots.
    pub remaining: Qty,
}

/// One row of the order log, in integer units; the writers name and format it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderRow {
    /// When the exchange processed the event.
    pub t: SimTime,
    /// What happened.
    pub event: OrderEvent,
    /// The order.
    pub id: OrderId,
    /// The agent that sent it.
    pub agent: AgentId,
    /// The account it trades (`None` for a refused cancel of an order the log never saw).
    pub account: Option<AccountId>,
    /// Its fields (`None` for a refused cancel).
    pub order: Option<OrderFields>,
    /// Why it was sent.
    pub intent: Intent,
    /// Why it was refused or who cancelled it (empty when there is nothing to say).
    pub reason: &'static str,
}

impl OrderRow {
    /// The price column: the limit price, or nothing for a market order or a refused cancel.
    pub fn shown_price(&self) -> Option<Price> {
        self.order.filter(|o| o.kind != OrderType::Market).map(|o| o.price)
    }
}

/// What the log remembers of an order it saw.
#[derive(Clone, Copy, Debug)]
struct Resting {
    agent: AgentId,
    account: AccountId,
    side: Side,
    kind: OrderType,
    price: Price,
    intent: Intent,
    remaining: Qty,
}

impl Resting {
    fn row(
        &self,
        t: SimTime,
        event: OrderEvent,
        id: OrderId,
        qty: Qty,
        remaining: Qty,
        reason: &'static str,
    ) -> OrderRow {
        OrderRow {
            t,
            event,
            id,
            agent: self.agent,
            account: Some(self.account),
            order: Some(OrderFields { side: self.side, kind: self.kind, price: self.price, qty, remaining }),
            intent: self.intent,
            reason,
        }
    }
}

/// The ids past the window's end that still extend it (farther ones go to the hash map).
const MAX_GAP: u64 = 1 << 16;
/// The window may hold this many slots beyond 4 × its live orders before its oldest live orders
/// move to the hash map (so memory follows the live orders, not every order ever sent).
const SLACK: usize = 1 << 16;

/// Resting orders by id: a window over sequential ids, a hash map for the rest.
#[derive(Debug, Default)]
struct RestingOrders {
    base: u64,
    window: VecDeque<Option<Resting>>,
    live: usize,
    far: FxHashMap<OrderId, Resting>,
}

impl RestingOrders {
    fn slot(&mut self, id: OrderId) -> Option<&mut Option<Resting>> {
        let off = id.0.checked_sub(self.base)?;
        self.window.get_mut(usize::try_from(off).ok()?)
    }

    fn get(&mut self, id: OrderId) -> Option<Resting> {
        match self.slot(id) {
            Some(Some(o)) => Some(*o),
            _ => self.far.get(&id).copied(),
        }
    }

    fn remove(&mut self, id: OrderId) -> Option<Resting> {
        let found = match self.slot(id) {
            Some(slot @ Some(_)) => slot.take(),
            _ => return self.far.remove(&id),
        };
        self.live -= 1;
        self.drop_dead_front();
        found
    }

    fn drop_dead_front(&mut self) {
        while let Some(None) = self.window.front() {
            self.window.pop_front();
            self.base += 1;
        }
    }

    fn set(&mut self, id: OrderId, order: Resting) {
        if self.window.is_empty() {
            self.base = id.0;
        }
        if let Some(slot @ Some(_)) = self.slot(id) {
            *slot = Some(order);
            return;
        }
        if let Some(o) = self.far.get_mut(&id) {
            *o = order;
            return;
        }
        let end = self.base + self.window.len() as u64;
        if let Some(slot) = self.slot(id) {
            *slot = Some(order);
            self.live += 1;
        } else if id.0 >= end && id.0 - end < MAX_GAP {
            self.window.resize(usize::try_from(id.0 - self.base).unwrap_or(0), None);
            self.window.push_back(Some(order));
            self.live += 1;
            while self.window.len() > 4 * self.live + SLACK {
                if let Some(Some(old)) = self.window.pop_front() {
                    self.far.insert(OrderId(self.base), old);
                    self.live -= 1;
                }
                self.base += 1;
            }
            self.drop_dead_front();
        } else {
            self.far.insert(id, order);
        }
    }
}

/// Expands what the engine reports into order-log rows.
#[derive(Debug, Default)]
pub struct OrderRows {
    resting: RestingOrders,
}

impl OrderRows {
    /// Order `id` reached the exchange: `result` is what became of it, `trades` its fills. Its
    /// rows go to `emit`, in order.
    pub fn submitted(
        &mut self,
        now: SimTime,
        id: OrderId,
        req: &OrderRequest,
        result: &Result<Placed, OrderRejected>,
        trades: &[Trade],
        mut emit: impl FnMut(&OrderRow),
    ) {
        let mut taker = Resting {
            agent: req.agent,
            account: req.account,
            side: req.side,
            kind: req.kind,
            price: req.price,
            intent: req.intent,
            remaining: req.qty,
        };
        let placed = match result {
            Err(reason) => {
                emit(&taker.row(now, OrderEvent::Reject, id, req.qty, Qty::ZERO, reason.as_str()));
                return;
            }
            Ok(placed) => placed,
        };
        emit(&taker.row(now, OrderEvent::New, id, req.qty, req.qty, ""));
        for t in trades {
            if let Some(mut maker) = self.resting.get(t.maker_order) {
                maker.remaining -= t.qty;
                emit(&maker.row(now, OrderEvent::Fill, t.maker_order, t.qty, maker.remaining, ""));
                if maker.remaining.is_zero() {
                    self.resting.remove(t.maker_order);
                } else {
                    self.resting.set(t.maker_order, maker);
                }
            }
            taker.remaining -= t.qty;
            emit(&taker.row(now, OrderEvent::Fill, id, t.qty, taker.remaining, ""));
        }
        if placed.dropped > Qty::ZERO {
            emit(&taker.row(now, OrderEvent::Expire, id, placed.dropped, Qty::ZERO, ""));
        }
        if placed.rested > Qty::ZERO {
            taker.remaining = placed.rested;
            self.resting.set(id, taker);
        }
    }

    /// Resting order `id` was cancelled with `qty` left; `reason` is empty for its agent's own
    /// cancel, `contract` for a contract's. No row for an order the log never saw rest.
    pub fn cancelled(
        &mut self,
        now: SimTime,
        id: OrderId,
        qty: Qty,
        reason: &'static str,
        mut emit: impl FnMut(&OrderRow),
    ) {
        if let Some(order) = self.resting.remove(id) {
            emit(&order.row(now, OrderEvent::Cancel, id, qty, Qty::ZERO, reason));
        }
    }

    /// `agent`'s cancel of `id` was refused: one `reject` row.
    pub fn cancel_rejected(&mut self, now: SimTime, agent: AgentId, id: OrderId, reason: OrderRejected) -> OrderRow {
        let known = self.resting.get(id);
        OrderRow {
            t: now,
            event: OrderEvent::Reject,
            id,
            agent,
            account: known.map(|o| o.account),
            order: None,
            intent: known.map_or(Intent::Other, |o| o.intent),
            reason: reason.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(remaining: i64) -> Resting {
        Resting {
            agent: AgentId(0),
            account: AccountId(0),
            side: Side::Buy,
            kind: OrderType::Limit,
            price: Price(10),
            intent: Intent::Other,
            remaining: Qty(remaining),
        }
    }

    #[test]
    fn resting_orders_find_what_was_set_near_and_far() {
        let mut r = RestingOrders::default();
        for id in [5u64, 7, 6, 1 << 40, 3, 9] {
            r.set(OrderId(id), order(id as i64));
        }
        for id in [5u64, 7, 6, 1 << 40, 3, 9] {
            assert_eq!(r.get(OrderId(id)).map(|o| o.remaining), Some(Qty(id as i64)), "id {id}");
        }
        assert!(r.get(OrderId(8)).is_none());
        r.set(OrderId(7), order(70));
        assert_eq!(r.get(OrderId(7)).map(|o| o.remaining), Some(Qty(70)));
        assert_eq!(r.remove(OrderId(5)).map(|o| o.remaining), Some(Qty(5)));
        assert!(r.remove(OrderId(5)).is_none());
        assert!(r.get(OrderId(5)).is_none());
        for id in [3u64, 6, 7, 9, 1 << 40] {
            assert!(r.remove(OrderId(id)).is_some(), "id {id}");
        }
        assert!(r.window.is_empty() && r.far.is_empty());
    }

    #[test]
    fn a_long_lived_order_does_not_hold_the_window_open() {
        let mut r = RestingOrders::default();
        r.set(OrderId(1), order(1));
        for id in 2..400_000u64 {
            r.set(OrderId(id), order(2));
            assert!(r.remove(OrderId(id)).is_some());
        }
        assert!(r.window.len() <= 4 * r.live + SLACK + 1, "window {} for {} live", r.window.len(), r.live);
        assert_eq!(r.get(OrderId(1)).map(|o| o.remaining), Some(Qty(1)));
        assert!(r.remove(OrderId(1)).is_some());
        assert!(r.get(OrderId(1)).is_none());
    }
}
