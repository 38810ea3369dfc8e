//! Order entry and matching: submit, modify and the price-time matching loop.
//!
//! Checks run in a fixed order so that an order with several problems always gets the same reason:
//! duplicate id, price, quantity, then the type's own condition (post-only crossing, fill-or-kill
//! liquidity). A rejected order leaves the book untouched.

use super::slab::{Node, NIL};
use super::{Fill, Modified, NewOrder, OrderBook, OrderType, Placed, Reject};
use crate::types::{Price, Qty, Side};

/// True when a resting price `best` on the opposite side is acceptable to a taker on `side` with `limit`.
#[inline]
fn crosses(side: Side, best: i64, limit: i64) -> bool {
    match side {
        Side::Buy => best <= limit,
        Side::Sell => best >= limit,
    }
}

impl OrderBook {
    /// Submits an order: it trades against resting liquidity by price-time priority, then rests,
    /// drops or is rejected according to its type. Trades are appended to `fills` in execution order.
    ///
    /// # Errors
    /// [`Reject::DuplicateOrderId`], [`Reject::BadPrice`] (non-market price ≤ 0),
    /// [`Reject::BadQty`] (≤ 0), [`Reject::WouldCross`] (post-only), [`Reject::Unfillable`] (FOK).
    pub fn submit(&mut self, order: NewOrder, fills: &mut Vec<Fill>) -> Result<Placed, Reject> {
        if self.index.contains(order.id) {
            return Err(Reject::DuplicateOrderId);
        }
        if order.kind != OrderType::Market && order.price.0 <= 0 {
            return Err(Reject::BadPrice);
        }
        if order.qty.0 <= 0 {
            return Err(Reject::BadQty);
        }
        let limit = match (order.kind, order.side) {
            (OrderType::Market, Side::Buy) => i64::MAX,
            (OrderType::Market, Side::Sell) => i64::MIN,
            _ => order.price.0,
        };
        let opposite_best = self.best(order.side.opposite());
        if order.kind == OrderType::PostOnly && opposite_best.is_some_and(|b| crosses(order.side, b.0, limit)) {
            return Err(Reject::WouldCross);
        }
        if order.kind == OrderType::Fok && self.available(order.side, limit, order.qty.0) < order.qty.0 {
            return Err(Reject::Unfillable);
        }
        let filled = self.match_incoming(&order, limit, fills);
        let remaining = order.qty.0 - filled;
        let mut placed = Placed { filled: Qty(filled), ..Placed::default() };
        if remaining > 0 {
            match order.kind {
                OrderType::Limit | OrderType::PostOnly => {
                    self.rest(&order, remaining);
                    placed.rested = Qty(remaining);
                }
                OrderType::Market | OrderType::Ioc => placed.dropped = Qty(remaining),
                OrderType::Fok => unreachable!("a fill-or-kill order was checked to fill completely"),
            }
        }
        Ok(placed)
    }

    /// Changes a resting order's price and total remaining quantity.
    ///
    /// Same price and a quantity ≤ the remaining one reduces in place and keeps time priority;
    /// anything else removes the order and re-enters it as a limit order with the same id, owner and
    /// side, which may trade (its trades are appended to `fills`).
    ///
    /// # Errors
    /// [`Reject::BadPrice`], [`Reject::BadQty`], [`Reject::UnknownOrder`]; the book is unchanged.
    pub fn modify(
        &mut self,
        id: crate::types::OrderId,
        price: Price,
        qty: Qty,
        fills: &mut Vec<Fill>,
    ) -> Result<Modified, Reject> {
        if price.0 <= 0 {
            return Err(Reject::BadPrice);
        }
        if qty.0 <= 0 {
            return Err(Reject::BadQty);
        }
        let slot = self.index.get(id).ok_or(Reject::UnknownOrder)?;
        let node = self.slab.nodes()[slot as usize];
        if price.0 == node.price && qty.0 <= node.qty {
            let reduced_by = node.qty - qty.0;
            self.slab.nodes_mut()[slot as usize].qty = qty.0;
            match self.side_of(node.price) {
                Side::Buy => self.bids.reduce(node.price, reduced_by),
                Side::Sell => self.asks.reduce(node.price, reduced_by),
            }
            return Ok(Modified::InPlace { reduced_by: Qty(reduced_by) });
        }
        let old = self.cancel(id)?;
        let reentry = NewOrder { id, trader: old.trader, side: old.side, kind: OrderType::Limit, price, qty };
        let placed = self.submit(reentry, fills).expect("a validated limit order with a free id is accepted");
        Ok(Modified::Reentered { old_qty: old.qty, old_price: old.price, placed })
    }

    /// Quantity available to a taker on `side` at prices acceptable under `limit`, counted up to `want`.
    fn available(&self, side: Side, limit: i64, want: i64) -> i64 {
        let mut total = 0;
        for (price, qty) in self.levels(side.opposite()) {
            if !crosses(side, price.0, limit) || total >= want {
                break;
            }
            total += qty.0;
        }
        total
    }

    /// Trades `order` against the opposite side while prices cross `limit`; returns the filled lots.
    fn match_incoming(&mut self, order: &NewOrder, limit: i64, fills: &mut Vec<Fill>) -> i64 {
        let OrderBook { bids, asks, slab, index } = self;
        let opposite = match order.side {
            Side::Buy => asks,
            Side::Sell => bids,
        };
        let mut remaining = order.qty.0;
        while remaining > 0 {
            let Some(best) = opposite.best() else { break };
            if !crosses(order.side, best.0, limit) {
                break;
            }
            let mut slot = opposite.head(best.0);
            while remaining > 0 && slot != NIL {
                let maker_trader = slab.trader(slot);
                let nodes = slab.nodes_mut();
                let maker = nodes[slot as usize];
                let take = remaining.min(maker.qty);
                remaining -= take;
                fills.push(Fill {
                    maker: maker.id,
                    maker_trader,
                    taker: order.id,
                    taker_trader: order.trader,
                    taker_side: order.side,
                    price: best,
                    qty: Qty(take),
                    maker_remaining: Qty(maker.qty - take),
                });
                if take == maker.qty {
                    opposite.unlink(nodes, slot);
                    index.remove(maker.id);
                    slab.remove(slot);
                    slot = maker.next;
                } else {
                    nodes[slot as usize].qty -= take;
                    opposite.reduce(best.0, take);
                }
            }
        }
        order.qty.0 - remaining
    }

    /// Puts `lots` of `order` on its side of the book behind the orders already at its price.
    fn rest(&mut self, order: &NewOrder, lots: i64) {
        let node = Node { id: order.id, qty: lots, price: order.price.0, prev: NIL, next: NIL };
        let slot = self.slab.insert(node, order.trader);
        self.index.insert(order.id, slot);
        match order.side {
            Side::Buy => self.bids.push_back(self.slab.nodes_mut(), slot),
            Side::Sell => self.asks.push_back(self.slab.nodes_mut(), slot),
        }
    }
}
