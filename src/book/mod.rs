//! The limit order book: price-time priority over integer ticks and lots.
//!
//! Invariants (checked by unit and property tests):
//! - at rest the book is never crossed: best bid < best ask;
//! - within a price level orders keep arrival order (FIFO); a trade happens at the resting order's price;
//! - for every order, filled + resting + cancelled = submitted.
//!
//! Self-trades are allowed and reported like any other trade (the same trader on both sides), so wash
//! trading can be expressed; preventing them is the caller's business.
//!
//! Costs: best bid/ask O(1); add O(1) at a known level (plus a small page lookup); cancel by id
//! O(1) expected; matching O(1) per fill; depth over a price band walks non-empty levels, never orders.
//! The price ladder lives in `ladder.rs`, order storage in `slab.rs`.

mod index;
mod ladder;
mod matching;
mod slab;
#[cfg(test)]
mod tests;

use crate::types::{OrderId, Price, Qty, Side, TraderId};
use index::OrderIndex;
use ladder::Ladder;
use slab::{Slab, NIL};

/// How an incoming order treats liquidity and what happens to its unfilled remainder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderType {
    /// Match up to the limit price, rest the remainder.
    Limit,
    /// Match at any price, drop the remainder; the price is ignored.
    Market,
    /// Immediate-or-cancel: match up to the limit price, drop the remainder.
    Ioc,
    /// Fill-or-kill: fill completely at or better than the limit price, or reject with no trade.
    Fok,
    /// Rest without trading, or reject if the order would trade.
    PostOnly,
}

impl OrderType {
    /// The name used in CSV files (`limit`, `market`, `ioc`, `fok`, `post_only`).
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderType::Limit => "limit",
            OrderType::Market => "market",
            OrderType::Ioc => "ioc",
            OrderType::Fok => "fok",
            OrderType::PostOnly => "post_only",
        }
    }

    /// Parses a CSV name; `None` for anything else.
    pub fn parse(s: &str) -> Option<OrderType> {
        Some(match s {
            "limit" => OrderType::Limit,
            "market" => OrderType::Market,
            "ioc" => OrderType::Ioc,
            "fok" => OrderType::Fok,
            "post_only" => OrderType::PostOnly,
            _ => return None,
        })
    }
}

/// An order arriving at the book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewOrder {
    /// Identifier; must not be resting already.
    pub id: OrderId,
    /// Owner, reported on trades and resting orders.
    pub trader: TraderId,
    /// Buy or sell.
    pub side: Side,
    /// Order type.
    pub kind: OrderType,
    /// Limit price in ticks (> 0); ignored for market orders.
    pub price: Price,
    /// Quantity in lots (> 0).
    pub qty: Qty,
}

/// Why the book refused an order, a cancel or a modify. Nothing changed on the book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reject {
    /// The id is already resting on the book.
    DuplicateOrderId,
    /// The price is ≤ 0.
    BadPrice,
    /// The quantity is ≤ 0.
    BadQty,
    /// Cancel or modify of an id that is not resting.
    UnknownOrder,
    /// A fill-or-kill order could not be filled completely at its limit.
    Unfillable,
    /// A post-only order would have traded.
    WouldCross,
}

impl Reject {
    /// The reason as written in `rejects.csv`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Reject::DuplicateOrderId => "duplicate_order_id",
            Reject::BadPrice => "bad_price",
            Reject::BadQty => "bad_qty",
            Reject::UnknownOrder => "unknown_order",
            Reject::Unfillable => "unfillable",
            Reject::WouldCross => "would_cross",
        }
    }
}

/// One trade between a resting (maker) order and an incoming (taker) order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fill {
    /// The resting order.
    pub maker: OrderId,
    /// The resting order's owner.
    pub maker_trader: TraderId,
    /// The incoming order.
    pub taker: OrderId,
    /// The incoming order's owner.
    pub taker_trader: TraderId,
    /// The incoming order's side (the aggressor side).
    pub taker_side: Side,
    /// Trade price: the resting order's price.
    pub price: Price,
    /// Traded quantity.
    pub qty: Qty,
    /// What remains of the resting order after this fill (zero: it left the book).
    pub maker_remaining: Qty,
}

/// What became of an accepted order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Placed {
    /// Quantity traded on arrival.
    pub filled: Qty,
    /// Quantity left resting on the book.
    pub rested: Qty,
    /// Quantity dropped (market and IOC remainders).
    pub dropped: Qty,
}

/// What a modify did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modified {
    /// Same price, quantity reduced (or unchanged) in place: time priority kept.
    InPlace {
        /// The quantity removed from the book.
        reduced_by: Qty,
    },
    /// The old order left the book and re-entered as a limit order that may have traded.
    Reentered {
        /// The quantity the old order had resting.
        old_qty: Qty,
        /// The old order's price.
        old_price: Price,
        /// The new order's outcome.
        placed: Placed,
    },
}

/// A resting order as seen from outside the book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RestingOrder {
    /// Identifier.
    pub id: OrderId,
    /// Owner.
    pub trader: TraderId,
    /// Side.
    pub side: Side,
    /// Limit price.
    pub price: Price,
    /// Remaining quantity.
    pub qty: Qty,
}

/// A limit order book for one instrument.
#[derive(Debug)]
pub struct OrderBook {
    bids: Ladder,
    asks: Ladder,
    slab: Slab,
    index: OrderIndex,
}

impl Default for OrderBook {
    fn default() -> Self {
        Self::new()
    }
}

impl OrderBook {
    /// An empty book.
    pub fn new() -> Self {
        OrderBook {
            bids: Ladder::new(Side::Buy),
            asks: Ladder::new(Side::Sell),
            slab: Slab::new(),
            index: OrderIndex::default(),
        }
    }

    /// An empty book with room for `orders` resting orders before it allocates again.
    pub fn with_capacity(orders: usize) -> Self {
        let mut book = Self::new();
        book.slab.reserve(orders);
        book.index = OrderIndex::with_capacity(orders);
        book
    }

    fn ladder(&self, side: Side) -> &Ladder {
        match side {
            Side::Buy => &self.bids,
            Side::Sell => &self.asks,
        }
    }

    /// The highest bid price.
    #[inline]
    pub fn best_bid(&self) -> Option<Price> {
        self.bids.best()
    }

    /// The lowest ask price.
    #[inline]
    pub fn best_ask(&self) -> Option<Price> {
        self.asks.best()
    }

    /// The mid in (fractional) ticks, when both sides are present.
    pub fn mid(&self) -> Option<f64> {
        Some(Price::mid(self.best_bid()?, self.best_ask()?))
    }

    /// The spread in basis points of the mid, when both sides are present.
    pub fn spread_bps(&self) -> Option<f64> {
        Some(Price::spread_bps(self.best_bid()?, self.best_ask()?))
    }

    /// The best price on `side`.
    #[inline]
    pub fn best(&self, side: Side) -> Option<Price> {
        self.ladder(side).best()
    }

    /// Total quantity resting on `side` at exactly `price`.
    pub fn qty_at(&self, side: Side, price: Price) -> Qty {
        Qty(self.ladder(side).qty_at(price.0))
    }

    /// Total quantity resting on `side` at prices within `[lo, hi]`.
    pub fn depth_between(&self, side: Side, lo: Price, hi: Price) -> Qty {
        Qty(self.ladder(side).depth_between(lo.0, hi.0))
    }

    /// The number of resting orders.
    pub fn order_count(&self) -> usize {
        self.slab.len()
    }

    /// The number of non-empty price levels on `side`.
    pub fn level_count(&self, side: Side) -> usize {
        self.ladder(side).level_count()
    }

    /// True when `id` is resting.
    pub fn contains(&self, id: OrderId) -> bool {
        self.index.contains(id)
    }

    /// The resting order `id`, if any.
    pub fn order(&self, id: OrderId) -> Option<RestingOrder> {
        let slot = self.index.get(id)?;
        Some(self.resting(slot))
    }

    fn resting(&self, slot: u32) -> RestingOrder {
        let n = &self.slab.nodes()[slot as usize];
        let side = self.side_of(n.price);
        RestingOrder { id: n.id, trader: self.slab.trader(slot), side, price: Price(n.price), qty: Qty(n.qty) }
    }

    /// The side of a resting order at `price`: at rest the book is not crossed, so every bid is at or
    /// below the best bid and every ask above it.
    #[inline]
    fn side_of(&self, price: i64) -> Side {
        match self.bids.best() {
            Some(b) if price <= b.0 => Side::Buy,
            _ => Side::Sell,
        }
    }

    /// Non-empty levels of `side` as `(price, total qty)`, best first.
    pub fn levels(&self, side: Side) -> impl Iterator<Item = (Price, Qty)> + '_ {
        self.ladder(side).iter().map(|(p, q, _)| (p, q))
    }

    /// Resting orders of `side`, best level first and in time priority within a level.
    pub fn orders(&self, side: Side) -> impl Iterator<Item = RestingOrder> + '_ {
        self.ladder(side).iter().flat_map(move |(_, _, level)| {
            let mut slot = level.head;
            std::iter::from_fn(move || {
                if slot == NIL {
                    return None;
                }
                let order = self.resting(slot);
                slot = self.slab.nodes()[slot as usize].next;
                Some(order)
            })
        })
    }

    /// Removes the resting order `id` and returns it as it was.
    ///
    /// # Errors
    /// [`Reject::UnknownOrder`] when `id` is not resting.
    pub fn cancel(&mut self, id: OrderId) -> Result<RestingOrder, Reject> {
        let slot = self.index.remove(id).ok_or(Reject::UnknownOrder)?;
        let order = self.resting(slot);
        match order.side {
            Side::Buy => self.bids.unlink(self.slab.nodes_mut(), slot),
            Side::Sell => self.asks.unlink(self.slab.nodes_mut(), slot),
        }
        self.slab.remove(slot);
        Ok(order)
    }
}
