//! The KPI monitor on hand-built books: only the MM's own orders count, spread and depth against
//! thresholds, the exchange-programme 75% rule, and volume.

use super::*;
use crate::contracts::kpi::{measure, KpiMonitor, Snapshot, DAY_NS};
use crate::contracts::spec::{KpiRule, KpiTerms};

fn terms(max_spread_bps: Option<f64>, min_depth_atoms: Option<i128>) -> KpiTerms {
    KpiTerms { max_spread_bps, min_depth_quote: min_depth_atoms.map(Cash), ..KpiTerms::default() }
}

/// The MM (trading the project's account) quotes 995/1005; another trader quotes 998/1002.
fn book() -> World {
    let mut w = World::new((10_000_000, 10_000), (0, 0), 1_000);
    w.authorize(PROJECT, MM);
    w.order(MM, PROJECT, Side::Buy, OrderType::PostOnly, 995, 100);
    w.order(MM, PROJECT, Side::Sell, OrderType::PostOnly, 1_005, 100);
    w.order(OTHER, OTHER_ACCT, Side::Buy, OrderType::PostOnly, 998, 1_000);
    w.order(OTHER, OTHER_ACCT, Side::Sell, OrderType::PostOnly, 1_002, 1_000);
    w
}

fn snap(w: &World, t: &KpiTerms) -> Snapshot {
    measure(w.exchange.book(), w.exchange.orders_of(&[MM]), t)
}

#[test]
fn the_mm_is_measured_from_its_own_orders_only() {
    let w = book();
    let s = snap(&w, &terms(None, None));
    assert_eq!(
        (s.bid, s.ask),
        (Some(Price(995)), Some(Price(1_005))),
        "the tighter book quotes are the other trader's"
    );
    assert!((s.spread_bps.unwrap() - 100.0).abs() < 1e-9);
    assert_eq!((s.depth_bid, s.depth_ask), (Cash(99_500), Cash(100_500)));
    assert!(s.qualifies);
    assert!(!snap(&w, &terms(Some(50.0), None)).qualifies, "100 bps is wider than 50");
    assert!(snap(&w, &terms(Some(100.0), None)).qualifies, "the bound is inclusive");
    assert!(!snap(&w, &terms(None, Some(100_000))).qualifies, "bid depth 99,500 atoms is short of 100,000");
    assert!(snap(&w, &terms(None, Some(99_500))).qualifies);
}

#[test]
fn depth_counts_only_inside_the_band_and_one_side_is_not_uptime() {
    let mut w = book();
    // A bid 3% below the mid adds no depth within ±2%.
    w.order(MM, PROJECT, Side::Buy, OrderType::PostOnly, 970, 1_000);
    let s = snap(&w, &terms(None, None));
    assert_eq!(s.depth_bid, Cash(99_500));
    let asks: Vec<_> = w.exchange.orders_of(&[MM]).into_iter().filter(|o| o.side == Side::Sell).map(|o| o.id).collect();
    for id in asks {
        w.exchange.cancel(MM, id).unwrap();
    }
    let s = snap(&w, &terms(None, None));
    assert_eq!((s.ask, s.spread_bps, s.qualifies), (None, None, false));
}

#[test]
fn a_one_sided_book_qualifies_no_one() {
    let mut w = World::new((10_000_000, 10_000), (0, 0), 1_000);
    w.authorize(PROJECT, MM);
    w.order(MM, PROJECT, Side::Buy, OrderType::PostOnly, 995, 100);
    let s = snap(&w, &terms(None, None));
    assert!(!s.qualifies && s.depth_bid == Cash::ZERO);
}

fn q(qualifies: bool) -> Snapshot {
    Snapshot {
        bid: Some(Price(99)),
        ask: Some(Price(101)),
        spread_bps: Some(200.0),
        depth_bid: Cash(1_000),
        depth_ask: Cash(2_000),
        qualifies,
    }
}

#[test]
fn uptime_rule_and_period_means() {
    let t = KpiTerms { min_uptime: Some(0.75), max_spread_bps: Some(250.0), ..KpiTerms::default() };
    let mut m = KpiMonitor::new(t, vec![MM], SimTime::ZERO);
    m.begin_period(SimTime::ZERO, Cash::ZERO, Cash::ZERO);
    for (i, ok) in [true, true, true, false].into_iter().enumerate() {
        m.record(SimTime::from_secs(10 * i as u64), q(ok));
    }
    let p = m.close_period(SimTime::from_secs(40), Cash(500), Cash(2_000));
    assert_eq!((p.snapshots, p.qualifying, p.two_sided), (4, 3, 4));
    assert_eq!(p.uptime, 0.75);
    assert_eq!(p.uptime_met, Some(true));
    assert_eq!(p.spread_met, Some(true));
    assert_eq!((p.depth_bid, p.depth_ask), (1_000.0, 2_000.0));
    assert_eq!((p.volume, p.volume_share), (Cash(500), 0.25));
    assert_eq!((p.depth_met, p.volume_met), (None, None), "unchecked KPIs");
    assert!(p.met());
    // Next period starts from the running totals.
    m.begin_period(SimTime::from_secs(40), Cash(500), Cash(2_000));
    m.record(SimTime::from_secs(40), q(false));
    let p = m.close_period(SimTime::from_secs(50), Cash(500), Cash(3_000));
    assert_eq!((p.uptime_met, p.volume, p.market_volume), (Some(false), Cash(0), Cash(1_000)));
    assert!(!p.met());
}

#[test]
fn exchange_rule_needs_75_percent_of_snapshots_a_day_and_of_days() {
    let run = |daily: [u32; 4]| {
        let t = KpiTerms { rule: KpiRule::Exchange75, ..KpiTerms::default() };
        let mut m = KpiMonitor::new(t, vec![MM], SimTime::ZERO);
        m.begin_period(SimTime::ZERO, Cash::ZERO, Cash::ZERO);
        for (day, good) in daily.iter().enumerate() {
            for k in 0..4u32 {
                m.record(SimTime(day as u64 * DAY_NS + k as u64 * 1_000_000_000), q(k < *good));
            }
        }
        m.close_period(SimTime(4 * DAY_NS), Cash::ZERO, Cash::ZERO)
    };
    // Days with 3, 2, 4, 4 of 4 snapshots: three days qualify out of four.
    let p = run([3, 2, 4, 4]);
    assert_eq!((p.days, p.days_qualified, p.uptime_met), (4, 3, Some(true)));
    let p = run([3, 2, 2, 4]);
    assert_eq!((p.days, p.days_qualified, p.uptime_met), (4, 2, Some(false)));
}

#[test]
fn depth_and_daily_volume_thresholds_compare_exactly() {
    let t = KpiTerms {
        min_depth_quote: Some(Cash(1_500)),
        min_daily_volume_quote: Some(Cash(1_000)),
        ..KpiTerms::default()
    };
    let mut m = KpiMonitor::new(t, vec![MM], SimTime::ZERO);
    m.begin_period(SimTime::ZERO, Cash::ZERO, Cash::ZERO);
    m.record(SimTime::ZERO, q(true));
    m.record(SimTime::from_secs(10), Snapshot { depth_bid: Cash(2_000), ..q(true) });
    // Two days, 2,000 traded: exactly 1,000 a day.
    let p = m.close_period(SimTime(2 * DAY_NS), Cash(2_000), Cash(4_000));
    assert_eq!(p.depth_met, Some(true), "mean bid depth 1,500 is enough");
    assert_eq!(p.volume_met, Some(true));
    assert_eq!(p.daily_volume(), 1_000.0);
    m.begin_period(SimTime(2 * DAY_NS), Cash(2_000), Cash(4_000));
    m.record(SimTime(2 * DAY_NS), q(true));
    let p = m.close_period(SimTime(3 * DAY_NS), Cash(2_999), Cash(5_000));
    assert_eq!((p.depth_met, p.volume_met), (Some(false), Some(false)));
}

#[test]
fn the_monitor_snapshots_the_exchange() {
    let w = book();
    let mut m = KpiMonitor::new(terms(Some(150.0), Some(50_000)), vec![MM, OTHER], SimTime::ZERO);
    m.begin_period(SimTime::ZERO, Cash::ZERO, Cash::ZERO);
    m.snapshot(SimTime::ZERO, w.exchange.book(), w.exchange.orders_of(&[MM]));
    // OTHER is not watched: its orders are invisible, so the MM's figures are unchanged.
    assert_eq!(m.last().unwrap().depth_bid, Cash(99_500));
    assert!(m.last().unwrap().qualifies);
}
