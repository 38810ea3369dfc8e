//! Cancel, modify, rejects on submit and self-trades.

use super::*;

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
