//! The touch across ladder pages; depth, levels and orders.

use super::*;

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
