//! Order types and price-time priority.

use super::*;

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
