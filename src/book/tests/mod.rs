//! Unit tests of the order book: every order type, price-time priority, cancel, modify, each reject
//! reason, self-trades, the touch across ladder pages, depth over a band and iteration order.
//!
//! Conventions: trader 1 places bids and trader 2 places asks unless a test says otherwise; prices
//! are ticks and quantities lots.

use super::*;
use crate::types::{OrderId, Price, Qty, Side, TraderId};

const BUYER: TraderId = TraderId(1);
const SELLER: TraderId = TraderId(2);

fn new_order(id: u64, trader: TraderId, side: Side, kind: OrderType, price: i64, qty: i64) -> NewOrder {
    NewOrder { id: OrderId(id), trader, side, kind, price: Price(price), qty: Qty(qty) }
}

fn default_trader(side: Side) -> TraderId {
    match side {
        Side::Buy => BUYER,
        Side::Sell => SELLER,
    }
}

/// Submits and returns the outcome with the fills it produced.
fn submit(
    book: &mut OrderBook,
    id: u64,
    side: Side,
    kind: OrderType,
    price: i64,
    qty: i64,
) -> (Result<Placed, Reject>, Vec<Fill>) {
    let mut fills = Vec::new();
    let res = book.submit(new_order(id, default_trader(side), side, kind, price, qty), &mut fills);
    (res, fills)
}

/// Places a limit order that must be accepted; returns its fills.
fn limit(book: &mut OrderBook, id: u64, side: Side, price: i64, qty: i64) -> Vec<Fill> {
    let (res, fills) = submit(book, id, side, OrderType::Limit, price, qty);
    let placed = res.expect("limit order accepted");
    assert_eq!(placed.filled.0 + placed.rested.0 + placed.dropped.0, qty, "placed quantities add up");
    fills
}

fn modify(book: &mut OrderBook, id: u64, price: i64, qty: i64) -> (Result<Modified, Reject>, Vec<Fill>) {
    let mut fills = Vec::new();
    let res = book.modify(OrderId(id), Price(price), Qty(qty), &mut fills);
    (res, fills)
}

/// Fills as `(maker, taker, price, qty)`.
fn trades(fills: &[Fill]) -> Vec<(u64, u64, i64, i64)> {
    fills.iter().map(|f| (f.maker.0, f.taker.0, f.price.0, f.qty.0)).collect()
}

/// Resting order ids of `side` in book order.
fn ids(book: &OrderBook, side: Side) -> Vec<u64> {
    book.orders(side).map(|o| o.id.0).collect()
}

fn levels(book: &OrderBook, side: Side) -> Vec<(i64, i64)> {
    book.levels(side).map(|(p, q)| (p.0, q.0)).collect()
}

/// Everything observable about the book, to check that a reject changed nothing.
fn snapshot(book: &OrderBook) -> (Vec<RestingOrder>, Vec<RestingOrder>, Option<Price>, Option<Price>, usize) {
    (
        book.orders(Side::Buy).collect(),
        book.orders(Side::Sell).collect(),
        book.best_bid(),
        book.best_ask(),
        book.order_count(),
    )
}

/// A book with asks 1@100×2, 2@101×3, 3@102×4 and bids 4@98×2, 5@97×3.
fn sample_book() -> OrderBook {
    let mut book = OrderBook::new();
    limit(&mut book, 1, Side::Sell, 100, 2);
    limit(&mut book, 2, Side::Sell, 101, 3);
    limit(&mut book, 3, Side::Sell, 102, 4);
    limit(&mut book, 4, Side::Buy, 98, 2);
    limit(&mut book, 5, Side::Buy, 97, 3);
    book
}

mod cancel_modify;
mod ladder;
mod order_types;
