//! Tests of `spoofer`: parameters and the cover and distance rules (the agent in the engine is
//! tested in `tests/integration/manipulators.rs`).

use super::*;
use crate::units::Dur;

#[test]
fn defaults_and_sides_parse() {
    let c: SpooferConfig = toml::from_str("").unwrap();
    assert_eq!(c, SpooferConfig::default());
    let c: SpooferConfig = toml::from_str("side = \"ask\"\nspoof_lifetime = \"5s\"").unwrap();
    assert_eq!((c.side, c.spoof_lifetime), (SpoofSide::Ask, Dur(5_000_000_000)));
    assert!(toml::from_str::<SpooferConfig>("side = \"both\"").is_err());
    assert!(toml::from_str::<SpooferConfig>("spoof_size = 1").is_err());
}

#[test]
fn check_names_bad_parameters() {
    let m = crate::testkit::market();
    assert!(SpooferConfig::default().check(&m).is_empty());
    let bad = SpooferConfig {
        interval: Dur(0),
        spoof_tokens: 0.0,
        spoof_distance_ticks: 2,
        cancel_within_ticks: 2,
        trade_tokens: -1.0,
        ..SpooferConfig::default()
    };
    let keys: Vec<_> = bad.check(&m).iter().map(|i| i.key).collect();
    assert_eq!(keys, ["interval", "spoof_tokens", "cancel_within_ticks", "trade_tokens"]);
    let bad = SpooferConfig {
        cancel_within_bps: 60.0,
        min_cover_tokens: 100.0,
        cancel_cover_tokens: 200.0,
        ..SpooferConfig::default()
    };
    let keys: Vec<_> = bad.check(&m).iter().map(|i| i.key).collect();
    assert_eq!(keys, ["cancel_within_bps", "cancel_cover_tokens"]);
}

fn book(orders: &[(u32, Side, i64, i64)]) -> OrderBook {
    let mut book = OrderBook::new();
    for (i, &(trader, side, price, qty)) in orders.iter().enumerate() {
        let order = crate::book::NewOrder {
            id: OrderId(i as u64 + 1),
            trader: TraderId(trader),
            side,
            kind: OrderType::Limit,
            price: Price(price),
            qty: Qty(qty),
        };
        book.submit(order, &mut Vec::new()).unwrap();
    }
    book
}

#[test]
fn cover_counts_only_other_traders_at_better_prices() {
    // The spoofer is trader 9; others bid 100 (5 lots), 99 (7), 97 (10).
    let b = book(&[(1, Side::Buy, 100, 5), (9, Side::Buy, 99, 50), (2, Side::Buy, 99, 7), (3, Side::Buy, 97, 10)]);
    let me = TraderId(9);
    assert_eq!(cover_ahead(&b, Side::Buy, me, Price(98)), Qty(12));
    assert_eq!(cover_ahead(&b, Side::Buy, me, Price(99)), Qty(5));
    assert_eq!(cover_ahead(&b, Side::Buy, me, Price(101)), Qty(0));
    assert_eq!(cover_level(&b, Side::Buy, me, Qty(12)), Some(Price(99)));
    assert_eq!(cover_level(&b, Side::Buy, me, Qty(13)), Some(Price(97)));
    assert_eq!(cover_level(&b, Side::Buy, me, Qty(23)), None, "too thin");
    let asks = book(&[(1, Side::Sell, 200, 4), (9, Side::Sell, 201, 40), (2, Side::Sell, 202, 4)]);
    assert_eq!(cover_ahead(&asks, Side::Sell, me, Price(203)), Qty(8));
    assert_eq!(cover_level(&asks, Side::Sell, me, Qty(5)), Some(Price(202)));
}

#[test]
fn distances_take_the_larger_of_ticks_and_bps() {
    assert_eq!(ticks_or_bps(3, 50.0, Price(500)), 3, "50 bps of 500 ticks is 2.5 → 3");
    assert_eq!(ticks_or_bps(3, 50.0, Price(10_000)), 50);
    assert_eq!(ticks_or_bps(1, 0.0, Price(10_000)), 1);
}
