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

// ---- limit ----

#[test]
fn limit_rests_when_nothing_crosses() {
    let mut book = OrderBook::new();
    let (res, fills) = submit(&mut book, 1, Side::Buy, OrderType::Limit, 100, 5);
    assert_eq!(res, Ok(Placed { filled: Qty(0), rested: Qty(5), dropped: Qty(0) }));
    assert!(fills.is_empty());
    assert!(limit(&mut book, 2, Side::Sell, 101, 3).is_empty());
    assert_eq!(book.best_bid(), Some(Price(100)));
    assert_eq!(book.best_ask(), Some(Price(101)));
    assert_eq!(book.order_count(), 2);
    assert_eq!(
        book.order(OrderId(1)),
        Some(RestingOrder { id: OrderId(1), trader: BUYER, side: Side::Buy, price: Price(100), qty: Qty(5) })
    );
    assert!(book.contains(OrderId(2)));
}

#[test]
fn limit_matches_then_rests_the_remainder() {
    let mut book = OrderBook::new();
    limit(&mut book, 1, Side::Sell, 100, 3);
    let (res, fills) = submit(&mut book, 2, Side::Buy, OrderType::Limit, 101, 5);
    assert_eq!(res, Ok(Placed { filled: Qty(3), rested: Qty(2), dropped: Qty(0) }));
    assert_eq!(
        fills,
        vec![Fill {
            maker: OrderId(1),
            maker_trader: SELLER,
            taker: OrderId(2),
            taker_trader: BUYER,
            taker_side: Side::Buy,
            price: Price(100),
            qty: Qty(3),
            maker_remaining: Qty(0),
        }]
    );
    assert_eq!(book.best_ask(), None);
    assert_eq!(book.best_bid(), Some(Price(101)));
    assert_eq!(book.order(OrderId(2)).map(|o| o.qty), Some(Qty(2)));
    assert!(!book.contains(OrderId(1)));
}

#[test]
fn limit_filled_completely_does_not_rest() {
    let mut book = OrderBook::new();
    limit(&mut book, 1, Side::Sell, 100, 5);
    let (res, fills) = submit(&mut book, 2, Side::Buy, OrderType::Limit, 100, 3);
    assert_eq!(res, Ok(Placed { filled: Qty(3), rested: Qty(0), dropped: Qty(0) }));
    assert_eq!(fills[0].maker_remaining, Qty(2));
    assert!(!book.contains(OrderId(2)));
    assert_eq!(book.best_bid(), None);
    assert_eq!(book.qty_at(Side::Sell, Price(100)), Qty(2));
}

#[test]
fn limit_sell_trades_against_bids() {
    let mut book = sample_book();
    let fills = limit(&mut book, 9, Side::Sell, 97, 4);
    assert_eq!(trades(&fills), vec![(4, 9, 98, 2), (5, 9, 97, 2)]);
    assert!(fills.iter().all(|f| f.taker_side == Side::Sell && f.taker_trader == SELLER && f.maker_trader == BUYER));
    assert_eq!(book.best_bid(), Some(Price(97)));
    assert_eq!(book.qty_at(Side::Buy, Price(97)), Qty(1));
}

// ---- market ----

#[test]
fn market_walks_the_book_and_drops_the_remainder() {
    let mut book = sample_book();
    let (res, fills) = submit(&mut book, 9, Side::Buy, OrderType::Market, 1, 12);
    assert_eq!(res, Ok(Placed { filled: Qty(9), rested: Qty(0), dropped: Qty(3) }));
    assert_eq!(trades(&fills), vec![(1, 9, 100, 2), (2, 9, 101, 3), (3, 9, 102, 4)]);
    assert_eq!(book.best_ask(), None);
    assert!(!book.contains(OrderId(9)));
    assert_eq!(book.best_bid(), Some(Price(98)), "the buyer's own side is untouched");
}

#[test]
fn market_ignores_its_price_even_when_invalid() {
    for price in [0, -5, 1, 1_000_000] {
        let mut book = sample_book();
        let (res, fills) = submit(&mut book, 9, Side::Sell, OrderType::Market, price, 3);
        assert_eq!(res, Ok(Placed { filled: Qty(3), rested: Qty(0), dropped: Qty(0) }), "price {price}");
        assert_eq!(trades(&fills), vec![(4, 9, 98, 2), (5, 9, 97, 1)], "price {price}");
    }
}

#[test]
fn market_on_an_empty_side_drops_everything() {
    let mut book = OrderBook::new();
    limit(&mut book, 1, Side::Buy, 100, 1);
    let (res, fills) = submit(&mut book, 2, Side::Buy, OrderType::Market, 0, 4);
    assert_eq!(res, Ok(Placed { filled: Qty(0), rested: Qty(0), dropped: Qty(4) }));
    assert!(fills.is_empty());
    assert_eq!(ids(&book, Side::Buy), vec![1]);
}

// ---- IOC ----

#[test]
fn ioc_matches_up_to_its_limit_and_drops_the_rest() {
    let mut book = sample_book();
    let (res, fills) = submit(&mut book, 9, Side::Buy, OrderType::Ioc, 101, 10);
    assert_eq!(res, Ok(Placed { filled: Qty(5), rested: Qty(0), dropped: Qty(5) }));
    assert_eq!(trades(&fills), vec![(1, 9, 100, 2), (2, 9, 101, 3)]);
    assert_eq!(book.best_ask(), Some(Price(102)));
    assert_eq!(book.best_bid(), Some(Price(98)), "the IOC remainder does not rest");
    assert!(!book.contains(OrderId(9)));
}

#[test]
fn ioc_that_cannot_trade_drops_all_and_changes_nothing() {
    let mut book = sample_book();
    let before = snapshot(&book);
    let (res, fills) = submit(&mut book, 9, Side::Sell, OrderType::Ioc, 99, 4);
    assert_eq!(res, Ok(Placed { filled: Qty(0), rested: Qty(0), dropped: Qty(4) }));
    assert!(fills.is_empty());
    assert_eq!(snapshot(&book), before);
}

// ---- FOK ----

#[test]
fn fok_fills_completely_across_levels() {
    let mut book = sample_book();
    let (res, fills) = submit(&mut book, 9, Side::Buy, OrderType::Fok, 101, 5);
    assert_eq!(res, Ok(Placed { filled: Qty(5), rested: Qty(0), dropped: Qty(0) }));
    assert_eq!(trades(&fills), vec![(1, 9, 100, 2), (2, 9, 101, 3)]);
    assert_eq!(book.best_ask(), Some(Price(102)));
}

#[test]
fn fok_counts_every_order_of_a_level() {
    let mut book = OrderBook::new();
    for id in 1..=3 {
        limit(&mut book, id, Side::Buy, 50, 2);
    }
    let (res, fills) = submit(&mut book, 9, Side::Sell, OrderType::Fok, 50, 6);
    assert_eq!(res.map(|p| p.filled), Ok(Qty(6)));
    assert_eq!(trades(&fills), vec![(1, 9, 50, 2), (2, 9, 50, 2), (3, 9, 50, 2)]);
    assert_eq!(book.order_count(), 0);
}

#[test]
fn fok_short_of_liquidity_rejects_unfillable_with_no_trade() {
    let mut book = sample_book();
    let before = snapshot(&book);
    // 5 lots at ≤ 101, 9 at ≤ 102: one lot short each time.
    for (side, price, qty) in [(Side::Buy, 101, 6), (Side::Buy, 102, 10), (Side::Sell, 98, 3), (Side::Sell, 97, 6)] {
        let (res, fills) = submit(&mut book, 9, side, OrderType::Fok, price, qty);
        assert_eq!(res, Err(Reject::Unfillable), "{side} {qty}@{price}");
        assert!(fills.is_empty());
        assert_eq!(snapshot(&book), before);
    }
    // Enough liquidity exists, but not at the limit.
    let (res, _) = submit(&mut book, 9, Side::Buy, OrderType::Fok, 99, 1);
    assert_eq!(res, Err(Reject::Unfillable));
    assert_eq!(snapshot(&book), before);
}

// ---- post-only ----

#[test]
fn post_only_rests_when_it_would_not_trade() {
    let mut book = sample_book();
    let (res, fills) = submit(&mut book, 9, Side::Buy, OrderType::PostOnly, 99, 4);
    assert_eq!(res, Ok(Placed { filled: Qty(0), rested: Qty(4), dropped: Qty(0) }));
    assert!(fills.is_empty());
    assert_eq!(book.best_bid(), Some(Price(99)));
    let (res, _) = submit(&mut book, 10, Side::Sell, OrderType::PostOnly, 100, 1);
    assert_eq!(res.map(|p| p.rested), Ok(Qty(1)));
    assert_eq!(ids(&book, Side::Sell), vec![1, 10, 2, 3]);
}

#[test]
fn post_only_that_would_cross_is_rejected_and_changes_nothing() {
    let mut book = sample_book();
    let before = snapshot(&book);
    for (side, price) in [(Side::Buy, 100), (Side::Buy, 105), (Side::Sell, 98), (Side::Sell, 1)] {
        let (res, fills) = submit(&mut book, 9, side, OrderType::PostOnly, price, 1);
        assert_eq!(res, Err(Reject::WouldCross), "{side} @{price}");
        assert!(fills.is_empty());
        assert_eq!(snapshot(&book), before);
    }
}

// ---- price-time priority ----

#[test]
fn fifo_within_a_level() {
    let mut book = OrderBook::new();
    for id in 1..=3 {
        limit(&mut book, id, Side::Sell, 100, 2);
    }
    let fills = limit(&mut book, 9, Side::Buy, 100, 5);
    assert_eq!(trades(&fills), vec![(1, 9, 100, 2), (2, 9, 100, 2), (3, 9, 100, 1)]);
    assert_eq!(fills.iter().map(|f| f.maker_remaining.0).collect::<Vec<_>>(), vec![0, 0, 1]);
    assert_eq!(ids(&book, Side::Sell), vec![3]);
}

#[test]
fn better_price_first_regardless_of_arrival() {
    let mut book = OrderBook::new();
    limit(&mut book, 1, Side::Sell, 102, 1);
    limit(&mut book, 2, Side::Sell, 101, 1);
    limit(&mut book, 3, Side::Sell, 100, 1);
    let fills = limit(&mut book, 9, Side::Buy, 102, 3);
    assert_eq!(trades(&fills), vec![(3, 9, 100, 1), (2, 9, 101, 1), (1, 9, 102, 1)]);

    limit(&mut book, 11, Side::Buy, 98, 1);
    limit(&mut book, 12, Side::Buy, 100, 1);
    limit(&mut book, 13, Side::Buy, 99, 1);
    let fills = limit(&mut book, 19, Side::Sell, 98, 3);
    assert_eq!(trades(&fills), vec![(12, 19, 100, 1), (13, 19, 99, 1), (11, 19, 98, 1)]);
}

#[test]
fn trades_happen_at_the_resting_price() {
    let mut book = OrderBook::new();
    limit(&mut book, 1, Side::Sell, 100, 1);
    assert_eq!(trades(&limit(&mut book, 2, Side::Buy, 150, 1)), vec![(1, 2, 100, 1)]);
    limit(&mut book, 3, Side::Buy, 100, 1);
    assert_eq!(trades(&limit(&mut book, 4, Side::Sell, 60, 1)), vec![(3, 4, 100, 1)]);
}

#[test]
fn partially_filled_maker_keeps_its_place() {
    let mut book = OrderBook::new();
    limit(&mut book, 1, Side::Sell, 100, 5);
    limit(&mut book, 2, Side::Sell, 100, 5);
    let fills = limit(&mut book, 3, Side::Buy, 100, 3);
    assert_eq!(trades(&fills), vec![(1, 3, 100, 3)]);
    assert_eq!(fills[0].maker_remaining, Qty(2));
    assert_eq!(book.qty_at(Side::Sell, Price(100)), Qty(7));
    assert_eq!(ids(&book, Side::Sell), vec![1, 2]);
    let fills = limit(&mut book, 4, Side::Buy, 100, 3);
    assert_eq!(trades(&fills), vec![(1, 4, 100, 2), (2, 4, 100, 1)]);
    assert_eq!(book.order(OrderId(2)).map(|o| o.qty), Some(Qty(4)));
}

#[test]
fn taker_walks_several_levels_and_leaves_a_partial_one() {
    let mut book = sample_book();
    let fills = limit(&mut book, 9, Side::Buy, 102, 7);
    assert_eq!(trades(&fills), vec![(1, 9, 100, 2), (2, 9, 101, 3), (3, 9, 102, 2)]);
    assert_eq!(levels(&book, Side::Sell), vec![(102, 2)]);
    assert_eq!(book.level_count(Side::Sell), 1);
    assert_eq!(book.best_bid(), Some(Price(98)), "nothing left to rest");
}

// ---- cancel ----

#[test]
fn cancel_returns_the_order_as_it_was() {
    let mut book = OrderBook::new();
    limit(&mut book, 1, Side::Sell, 100, 5);
    limit(&mut book, 2, Side::Buy, 100, 2);
    let cancelled = book.cancel(OrderId(1));
    assert_eq!(
        cancelled,
        Ok(RestingOrder { id: OrderId(1), trader: SELLER, side: Side::Sell, price: Price(100), qty: Qty(3) })
    );
    assert!(!book.contains(OrderId(1)));
    assert_eq!(book.order_count(), 0);
    assert_eq!(book.best_ask(), None);
    assert_eq!(book.qty_at(Side::Sell, Price(100)), Qty(0));
}

#[test]
fn cancel_of_an_unknown_id_is_rejected() {
    let mut book = sample_book();
    let before = snapshot(&book);
    assert_eq!(book.cancel(OrderId(42)), Err(Reject::UnknownOrder));
    assert_eq!(snapshot(&book), before);
    book.cancel(OrderId(1)).unwrap();
    assert_eq!(book.cancel(OrderId(1)), Err(Reject::UnknownOrder), "cancelled twice");
    limit(&mut book, 9, Side::Buy, 101, 3);
    assert_eq!(book.cancel(OrderId(2)), Err(Reject::UnknownOrder), "filled completely");
    assert_eq!(book.cancel(OrderId(9)), Err(Reject::UnknownOrder), "never rested");
}

#[test]
fn cancel_inside_a_level_keeps_the_others_in_order() {
    let mut book = OrderBook::new();
    for id in 1..=4 {
        limit(&mut book, id, Side::Buy, 100, id as i64);
    }
    book.cancel(OrderId(2)).unwrap();
    assert_eq!(ids(&book, Side::Buy), vec![1, 3, 4]);
    book.cancel(OrderId(1)).unwrap();
    assert_eq!(ids(&book, Side::Buy), vec![3, 4]);
    book.cancel(OrderId(4)).unwrap();
    assert_eq!(ids(&book, Side::Buy), vec![3]);
    limit(&mut book, 5, Side::Buy, 100, 1);
    assert_eq!(levels(&book, Side::Buy), vec![(100, 4)]);
    let fills = limit(&mut book, 9, Side::Sell, 100, 4);
    assert_eq!(trades(&fills), vec![(3, 9, 100, 3), (5, 9, 100, 1)]);
}

// ---- modify ----

#[test]
fn modify_reducing_at_the_same_price_keeps_priority() {
    let mut book = OrderBook::new();
    limit(&mut book, 1, Side::Sell, 100, 5);
    limit(&mut book, 2, Side::Sell, 100, 5);
    let (res, fills) = modify(&mut book, 1, 100, 2);
    assert_eq!(res, Ok(Modified::InPlace { reduced_by: Qty(3) }));
    assert!(fills.is_empty());
    assert_eq!(ids(&book, Side::Sell), vec![1, 2]);
    assert_eq!(book.qty_at(Side::Sell, Price(100)), Qty(7));
    assert_eq!(trades(&limit(&mut book, 9, Side::Buy, 100, 3)), vec![(1, 9, 100, 2), (2, 9, 100, 1)]);
}

#[test]
fn modify_to_the_same_quantity_keeps_priority() {
    let mut book = OrderBook::new();
    limit(&mut book, 1, Side::Buy, 100, 5);
    limit(&mut book, 2, Side::Buy, 100, 5);
    assert_eq!(modify(&mut book, 1, 100, 5).0, Ok(Modified::InPlace { reduced_by: Qty(0) }));
    assert_eq!(ids(&book, Side::Buy), vec![1, 2]);
    assert_eq!(book.qty_at(Side::Buy, Price(100)), Qty(10));
    // A reduction on the bid side updates the level total too.
    assert_eq!(modify(&mut book, 2, 100, 1).0, Ok(Modified::InPlace { reduced_by: Qty(4) }));
    assert_eq!(levels(&book, Side::Buy), vec![(100, 6)]);
    assert_eq!(ids(&book, Side::Buy), vec![1, 2]);
}

#[test]
fn modify_increasing_the_quantity_loses_priority() {
    let mut book = OrderBook::new();
    limit(&mut book, 1, Side::Sell, 100, 5);
    limit(&mut book, 2, Side::Sell, 100, 5);
    let (res, fills) = modify(&mut book, 1, 100, 6);
    assert_eq!(
        res,
        Ok(Modified::Reentered {
            old_qty: Qty(5),
            old_price: Price(100),
            placed: Placed { filled: Qty(0), rested: Qty(6), dropped: Qty(0) }
        })
    );
    assert!(fills.is_empty());
    assert_eq!(ids(&book, Side::Sell), vec![2, 1]);
    assert_eq!(book.qty_at(Side::Sell, Price(100)), Qty(11));
    assert_eq!(trades(&limit(&mut book, 9, Side::Buy, 100, 6)), vec![(2, 9, 100, 5), (1, 9, 100, 1)]);
}

#[test]
fn modify_changing_the_price_loses_priority() {
    let mut book = OrderBook::new();
    limit(&mut book, 1, Side::Buy, 100, 5);
    limit(&mut book, 2, Side::Buy, 100, 5);
    limit(&mut book, 3, Side::Buy, 99, 5);
    // Down to 99 (smaller too): behind 3, which was there first.
    assert!(matches!(
        modify(&mut book, 1, 99, 2).0,
        Ok(Modified::Reentered { old_qty: Qty(5), old_price: Price(100), .. })
    ));
    assert_eq!(ids(&book, Side::Buy), vec![2, 3, 1]);
    // Back to 100: behind 2 now.
    modify(&mut book, 1, 100, 2).0.unwrap();
    assert_eq!(ids(&book, Side::Buy), vec![2, 1, 3]);
    assert_eq!(levels(&book, Side::Buy), vec![(100, 7), (99, 5)]);
}

#[test]
fn modify_reenters_as_a_limit_order_that_may_trade() {
    let mut book = OrderBook::new();
    limit(&mut book, 1, Side::Buy, 100, 5);
    limit(&mut book, 2, Side::Sell, 102, 3);
    limit(&mut book, 3, Side::Sell, 104, 3);
    let (res, fills) = modify(&mut book, 1, 103, 5);
    assert_eq!(
        res,
        Ok(Modified::Reentered {
            old_qty: Qty(5),
            old_price: Price(100),
            placed: Placed { filled: Qty(3), rested: Qty(2), dropped: Qty(0) }
        })
    );
    assert_eq!(trades(&fills), vec![(2, 1, 102, 3)]);
    assert_eq!((fills[0].taker_trader, fills[0].maker_trader, fills[0].taker_side), (BUYER, SELLER, Side::Buy));
    assert_eq!(
        book.order(OrderId(1)),
        Some(RestingOrder { id: OrderId(1), trader: BUYER, side: Side::Buy, price: Price(103), qty: Qty(2) })
    );
    assert_eq!((book.best_bid(), book.best_ask()), (Some(Price(103)), Some(Price(104))));
}

#[test]
fn modify_compares_with_the_remaining_quantity_after_a_partial_fill() {
    let mut book = OrderBook::new();
    limit(&mut book, 1, Side::Sell, 100, 5);
    limit(&mut book, 2, Side::Sell, 100, 5);
    limit(&mut book, 3, Side::Buy, 100, 3); // order 1 has 2 left
    assert_eq!(modify(&mut book, 1, 100, 2).0, Ok(Modified::InPlace { reduced_by: Qty(0) }));
    assert_eq!(ids(&book, Side::Sell), vec![1, 2]);
    // 3 > 2 remaining: an increase, so it goes to the back.
    assert!(matches!(modify(&mut book, 1, 100, 3).0, Ok(Modified::Reentered { old_qty: Qty(2), .. })));
    assert_eq!(ids(&book, Side::Sell), vec![2, 1]);
    assert_eq!(book.qty_at(Side::Sell, Price(100)), Qty(8));
}

#[test]
fn modify_rejects_leave_the_book_unchanged() {
    let mut book = sample_book();
    let before = snapshot(&book);
    for (id, price, qty, reason) in [
        (42, 100, 1, Reject::UnknownOrder),
        (1, 0, 1, Reject::BadPrice),
        (1, -3, 1, Reject::BadPrice),
        (1, 100, 0, Reject::BadQty),
        (1, 100, -1, Reject::BadQty),
        (4, 98, 0, Reject::BadQty),
    ] {
        let (res, fills) = modify(&mut book, id, price, qty);
        assert_eq!(res, Err(reason), "modify {id} to {qty}@{price}");
        assert!(fills.is_empty());
        assert_eq!(snapshot(&book), before);
    }
}

// ---- rejects on submit ----

#[test]
fn duplicate_resting_id_is_rejected_without_trading() {
    let mut book = sample_book();
    let before = snapshot(&book);
    for kind in [OrderType::Limit, OrderType::Market, OrderType::Ioc, OrderType::Fok, OrderType::PostOnly] {
        // Id 1 is a resting ask; a crossing sell under the same id must not trade against the bids.
        let (res, fills) = submit(&mut book, 1, Side::Sell, kind, 90, 1);
        assert_eq!(res, Err(Reject::DuplicateOrderId), "{}", kind.as_str());
        assert!(fills.is_empty());
        assert_eq!(snapshot(&book), before);
    }
    // The duplicate check comes before the price and quantity checks.
    assert_eq!(submit(&mut book, 4, Side::Buy, OrderType::Limit, 0, 0).0, Err(Reject::DuplicateOrderId));
}

#[test]
fn id_that_left_the_book_is_not_a_duplicate_for_the_book() {
    // The book only knows resting ids; rejecting ids seen earlier in a stream is the caller's job.
    let mut book = sample_book();
    book.cancel(OrderId(1)).unwrap();
    assert!(limit(&mut book, 1, Side::Buy, 50, 1).is_empty());
    assert_eq!(book.order(OrderId(1)).map(|o| o.side), Some(Side::Buy));
}

#[test]
fn bad_price_and_bad_qty_are_rejected() {
    let mut book = sample_book();
    let before = snapshot(&book);
    for kind in [OrderType::Limit, OrderType::Ioc, OrderType::Fok, OrderType::PostOnly] {
        for side in [Side::Buy, Side::Sell] {
            for price in [0, -1, i64::MIN] {
                assert_eq!(
                    submit(&mut book, 9, side, kind, price, 1).0,
                    Err(Reject::BadPrice),
                    "{} {side} @{price}",
                    kind.as_str()
                );
            }
            // The price is checked before the quantity.
            assert_eq!(submit(&mut book, 9, side, kind, 0, 0).0, Err(Reject::BadPrice));
        }
    }
    for kind in [OrderType::Limit, OrderType::Market, OrderType::Ioc, OrderType::Fok, OrderType::PostOnly] {
        for qty in [0, -1, i64::MIN] {
            assert_eq!(
                submit(&mut book, 9, Side::Buy, kind, 101, qty).0,
                Err(Reject::BadQty),
                "{} qty {qty}",
                kind.as_str()
            );
        }
    }
    assert_eq!(snapshot(&book), before);
}

#[test]
fn reject_and_type_names() {
    let names: Vec<_> = [
        Reject::DuplicateOrderId,
        Reject::BadPrice,
        Reject::BadQty,
        Reject::UnknownOrder,
        Reject::Unfillable,
        Reject::WouldCross,
    ]
    .iter()
    .map(|r| r.as_str())
    .collect();
    assert_eq!(names, ["duplicate_order_id", "bad_price", "bad_qty", "unknown_order", "unfillable", "would_cross"]);
    for kind in [OrderType::Limit, OrderType::Market, OrderType::Ioc, OrderType::Fok, OrderType::PostOnly] {
        assert_eq!(OrderType::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(OrderType::parse("stop"), None);
    assert_eq!(OrderType::parse("LIMIT"), None);
}

// ---- self-trades ----

#[test]
fn self_trades_are_allowed_and_reported() {
    let mut book = OrderBook::new();
    let wash = TraderId(7);
    let mut fills = Vec::new();
    book.submit(new_order(1, wash, Side::Sell, OrderType::Limit, 100, 2), &mut fills).unwrap();
    let placed = book.submit(new_order(2, wash, Side::Buy, OrderType::Limit, 100, 2), &mut fills).unwrap();
    assert_eq!(placed.filled, Qty(2));
    assert_eq!(trades(&fills), vec![(1, 2, 100, 2)]);
    assert_eq!((fills[0].maker_trader, fills[0].taker_trader), (wash, wash));
    assert_eq!(book.order_count(), 0);
}

// ---- the touch across ladder pages ----

#[test]
fn best_moves_when_the_touch_empties_within_a_page() {
    let mut book = OrderBook::new();
    for (id, price) in [(1, 100), (2, 99), (3, 97)] {
        limit(&mut book, id, Side::Buy, price, 1);
    }
    book.cancel(OrderId(1)).unwrap();
    assert_eq!(book.best_bid(), Some(Price(99)));
    limit(&mut book, 9, Side::Sell, 99, 1);
    assert_eq!(book.best_bid(), Some(Price(97)));
    book.cancel(OrderId(3)).unwrap();
    assert_eq!(book.best_bid(), None);
    assert_eq!(book.level_count(Side::Buy), 0);
}

#[test]
fn best_bid_steps_down_across_page_boundaries() {
    let mut book = OrderBook::new();
    let prices = [1, 63, 64, 127, 128, 191, 192, 300];
    for (i, &p) in prices.iter().enumerate() {
        limit(&mut book, i as u64, Side::Buy, p, 1);
    }
    for i in (0..prices.len()).rev() {
        assert_eq!(book.best_bid(), Some(Price(prices[i])));
        book.cancel(OrderId(i as u64)).unwrap();
    }
    assert_eq!(book.best_bid(), None);
}

#[test]
fn best_ask_steps_up_across_page_boundaries() {
    let mut book = OrderBook::new();
    let prices = [1, 63, 64, 127, 128, 191, 192, 300];
    for (i, &p) in prices.iter().enumerate().rev() {
        limit(&mut book, i as u64, Side::Sell, p, 1);
    }
    for (i, &p) in prices.iter().enumerate() {
        assert_eq!(book.best_ask(), Some(Price(p)));
        book.cancel(OrderId(i as u64)).unwrap();
    }
    assert_eq!(book.best_ask(), None);
}

#[test]
fn matching_walks_across_page_boundaries() {
    let mut book = OrderBook::new();
    for (id, price) in [(1, 62), (2, 63), (3, 64), (4, 65), (5, 128)] {
        limit(&mut book, id, Side::Sell, price, 1);
    }
    let fills = limit(&mut book, 9, Side::Buy, 127, 10);
    assert_eq!(trades(&fills), vec![(1, 9, 62, 1), (2, 9, 63, 1), (3, 9, 64, 1), (4, 9, 65, 1)]);
    assert_eq!((book.best_bid(), book.best_ask()), (Some(Price(127)), Some(Price(128))));

    book.cancel(OrderId(5)).unwrap();
    for (id, price) in [(11, 130), (12, 129), (13, 128)] {
        limit(&mut book, id, Side::Buy, price, 1);
    }
    let fills = limit(&mut book, 19, Side::Sell, 127, 4);
    assert_eq!(trades(&fills), vec![(11, 19, 130, 1), (12, 19, 129, 1), (13, 19, 128, 1), (9, 19, 127, 1)]);
    assert_eq!(book.best_bid(), Some(Price(127)));
    assert_eq!(book.best_ask(), None);
}

#[test]
fn best_with_far_apart_prices() {
    let mut book = OrderBook::new();
    limit(&mut book, 1, Side::Buy, 1, 1);
    limit(&mut book, 2, Side::Buy, 10_000_000, 1);
    assert_eq!(book.best_bid(), Some(Price(10_000_000)));
    book.cancel(OrderId(2)).unwrap();
    assert_eq!(book.best_bid(), Some(Price(1)));
    limit(&mut book, 3, Side::Buy, 10_000_000, 2);
    let (_, fills) = submit(&mut book, 9, Side::Sell, OrderType::Market, 0, 3);
    assert_eq!(trades(&fills), vec![(3, 9, 10_000_000, 2), (1, 9, 1, 1)]);
    assert_eq!(book.best_bid(), None);

    limit(&mut book, 11, Side::Sell, 10_000_000, 1);
    limit(&mut book, 12, Side::Sell, 2, 1);
    assert_eq!(book.best_ask(), Some(Price(2)));
    let fills = limit(&mut book, 19, Side::Buy, 2, 1);
    assert_eq!(trades(&fills), vec![(12, 19, 2, 1)]);
    assert_eq!(book.best_ask(), Some(Price(10_000_000)));
    assert_eq!(levels(&book, Side::Sell), vec![(10_000_000, 1)]);
}

#[test]
fn a_released_page_is_reused_correctly() {
    let mut book = OrderBook::new();
    limit(&mut book, 1, Side::Sell, 64, 1);
    book.cancel(OrderId(1)).unwrap(); // page 1 (64..=127) empties and is released
    limit(&mut book, 2, Side::Sell, 200, 1); // page 3 may take the released page
                                             // 72 has the same offset in page 1 as 200 in page 3: a stale page mapping would show it.
    assert_eq!(book.qty_at(Side::Sell, Price(72)), Qty(0));
    limit(&mut book, 3, Side::Sell, 65, 1);
    assert_eq!(book.best_ask(), Some(Price(65)));
    assert_eq!(levels(&book, Side::Sell), vec![(65, 1), (200, 1)]);
    assert_eq!(book.qty_at(Side::Sell, Price(64)), Qty(0));
    assert_eq!(book.qty_at(Side::Sell, Price(72)), Qty(0));
    book.cancel(OrderId(3)).unwrap();
    assert_eq!(book.best_ask(), Some(Price(200)));
}

#[test]
fn a_page_released_and_refilled_at_once_stays_separate_from_new_pages() {
    // Release a page, put an order back on the same page straight away, then open another page:
    // the two pages must not share storage.
    for side in [Side::Buy, Side::Sell] {
        let mut book = OrderBook::new();
        limit(&mut book, 1, side, 64, 1);
        book.cancel(OrderId(1)).unwrap();
        limit(&mut book, 2, side, 65, 2);
        limit(&mut book, 3, side, 200, 3);
        assert_eq!(book.qty_at(side, Price(65)), Qty(2), "{side}");
        assert_eq!(book.qty_at(side, Price(200)), Qty(3), "{side}");
        assert_eq!(book.qty_at(side, Price(193)), Qty(0), "{side}: 65's offset in 200's page");
        let mut want = vec![(65, 2), (200, 3)];
        if side == Side::Buy {
            want.reverse();
        }
        assert_eq!(levels(&book, side), want, "{side}");
        assert_eq!(book.depth_between(side, Price(64), Price(127)), Qty(2), "{side}");
        book.cancel(OrderId(if side == Side::Buy { 3 } else { 2 })).unwrap();
        assert_eq!(book.best(side), Some(Price(if side == Side::Buy { 65 } else { 200 })), "{side}");
    }
}

// ---- depth, levels and orders ----

#[test]
fn depth_between_sums_a_band_inclusively() {
    let mut book = OrderBook::new();
    for (id, price, qty) in [(1, 95, 1), (2, 97, 2), (3, 97, 3), (4, 100, 4), (5, 104, 5)] {
        limit(&mut book, id, Side::Buy, price, qty);
    }
    let depth = |lo, hi| book.depth_between(Side::Buy, Price(lo), Price(hi)).0;
    assert_eq!(depth(95, 104), 15);
    assert_eq!(depth(97, 100), 9);
    assert_eq!(depth(97, 97), 5);
    assert_eq!(depth(98, 99), 0);
    assert_eq!(depth(105, 200), 0);
    assert_eq!(depth(100, 97), 0, "an empty band");
    assert_eq!(depth(i64::MIN, i64::MAX), 15);
    assert_eq!(book.depth_between(Side::Sell, Price(1), Price(1_000)), Qty(0));
}

#[test]
fn depth_between_across_page_boundaries() {
    let mut book = OrderBook::new();
    let orders = [
        (1, 1, 1),
        (2, 63, 2),
        (3, 64, 4),
        (4, 127, 8),
        (5, 128, 16),
        (6, 255, 32),
        (7, 256, 64),
        (8, 10_000_000, 128),
    ];
    for (id, price, qty) in orders {
        limit(&mut book, id, Side::Sell, price, qty);
    }
    let naive = |lo: i64, hi: i64| orders.iter().filter(|o| lo <= o.1 && o.1 <= hi).map(|o| o.2).sum::<i64>();
    let bands = [
        (1, 63),
        (63, 64),
        (64, 127),
        (63, 128),
        (0, 255),
        (128, 256),
        (129, 254),
        (2, 10_000_000),
        (65, 126),
        (256, 9_999_999),
    ];
    for (lo, hi) in bands {
        assert_eq!(book.depth_between(Side::Sell, Price(lo), Price(hi)).0, naive(lo, hi), "[{lo}, {hi}]");
    }
    // A buy of 2 @63 takes the lot at 1 and one of the two at 63: 1 + 4 left in [1, 64].
    limit(&mut book, 9, Side::Buy, 63, 2);
    assert_eq!(book.depth_between(Side::Sell, Price(1), Price(64)).0, 5);
    assert_eq!(book.depth_between(Side::Sell, Price(1), Price(62)).0, 0);
}

#[test]
fn levels_are_best_first_with_totals() {
    let mut book = OrderBook::new();
    for (id, price, qty) in [(1, 100, 1), (2, 130, 2), (3, 100, 3), (4, 5, 4), (5, 64, 5)] {
        limit(&mut book, id, Side::Buy, price, qty);
    }
    for (id, price, qty) in [(11, 300, 1), (12, 200, 2), (13, 300, 3), (14, 191, 4), (15, 192, 5)] {
        limit(&mut book, id, Side::Sell, price, qty);
    }
    assert_eq!(levels(&book, Side::Buy), vec![(130, 2), (100, 4), (64, 5), (5, 4)]);
    assert_eq!(levels(&book, Side::Sell), vec![(191, 4), (192, 5), (200, 2), (300, 4)]);
    assert_eq!((book.level_count(Side::Buy), book.level_count(Side::Sell)), (4, 4));
    assert_eq!(book.qty_at(Side::Buy, Price(100)), Qty(4));
    assert_eq!(book.qty_at(Side::Buy, Price(101)), Qty(0));
    assert_eq!(book.qty_at(Side::Sell, Price(100)), Qty(0), "sides are separate");
}

#[test]
fn orders_are_best_level_first_and_fifo_within_a_level() {
    let mut book = OrderBook::new();
    for (id, price) in [(1, 99), (2, 100), (3, 99), (4, 100), (5, 98), (6, 99)] {
        limit(&mut book, id, Side::Buy, price, 1);
    }
    for (id, price) in [(11, 102), (12, 101), (13, 102), (14, 101), (15, 103)] {
        limit(&mut book, id, Side::Sell, price, 1);
    }
    assert_eq!(ids(&book, Side::Buy), vec![2, 4, 1, 3, 6, 5]);
    assert_eq!(ids(&book, Side::Sell), vec![12, 14, 11, 13, 15]);
    let bid_prices: Vec<i64> = book.orders(Side::Buy).map(|o| o.price.0).collect();
    assert_eq!(bid_prices, vec![100, 100, 99, 99, 99, 98]);
    assert!(book.orders(Side::Sell).all(|o| o.side == Side::Sell && o.trader == SELLER));
}

#[test]
fn order_count_follows_every_change() {
    let mut book = OrderBook::with_capacity(16);
    assert_eq!(book.order_count(), 0);
    limit(&mut book, 1, Side::Sell, 100, 2);
    limit(&mut book, 2, Side::Sell, 100, 2);
    limit(&mut book, 3, Side::Buy, 90, 2);
    assert_eq!(book.order_count(), 3);
    limit(&mut book, 4, Side::Buy, 100, 3); // fills 1, half of 2
    assert_eq!(book.order_count(), 2);
    modify(&mut book, 3, 95, 2).0.unwrap();
    assert_eq!(book.order_count(), 2);
    book.cancel(OrderId(2)).unwrap();
    assert_eq!(book.order_count(), 1);
    submit(&mut book, 5, Side::Sell, OrderType::Market, 0, 5).0.unwrap();
    assert_eq!(book.order_count(), 0);
    assert_eq!(OrderBook::default().order_count(), 0);
}
