//! Subscriptions: fees paid in arrears, withheld or cut after a miss, termination after missed
//! periods in a row, and the partial period at the run's end.

use rust_decimal::dec;

use super::*;
use crate::contracts::report::Transfer;
use crate::contracts::spec::{KpiTerms, OnMiss, SubscriptionTerms};
use crate::contracts::Subscription;
use crate::units::Dur;

/// Periods of 60 s, snapshots every 10 s, a fee of 1,000 atoms, max spread 150 bps, uptime ≥ 90%.
fn terms(on_miss: OnMiss, terminate_after_misses: u32) -> SubscriptionTerms {
    SubscriptionTerms {
        mm: "mm".into(),
        payer: "project".into(),
        fee_account: Some("firm".into()),
        own_accounts: false,
        penalty_per_miss: Cash::ZERO,
        fee_per_period: Cash(1_000),
        period: Dur(60_000_000_000),
        start: SimTime::ZERO,
        periods: None,
        on_miss,
        terminate_after_misses,
        kpis: KpiTerms {
            max_spread_bps: Some(150.0),
            min_uptime: Some(0.9),
            snapshot_every: Dur(10_000_000_000),
            ..KpiTerms::default()
        },
    }
}

/// The MM quotes the project's account at 995/1005; returns its order ids.
fn quote(w: &mut World) -> Vec<OrderId> {
    let bid = w.order(MM, PROJECT, Side::Buy, OrderType::PostOnly, 995, 100).unwrap();
    let ask = w.order(MM, PROJECT, Side::Sell, OrderType::PostOnly, 1_005, 100).unwrap();
    vec![bid, ask]
}

fn pull(w: &mut World, ids: &[OrderId]) {
    for &id in ids {
        w.exchange.cancel(MM, id).unwrap();
    }
}

fn setup(on_miss: OnMiss, terminate: u32) -> (World, Subscription) {
    let mut w = World::new((10_000_000, 10_000), (0, 0), 1_000);
    w.authorize(PROJECT, MM);
    let s = Subscription::new("retainer", terms(on_miss, terminate), PROJECT, FIRM, vec![FIRM], vec![MM]);
    (w, s)
}

#[test]
fn a_met_period_is_paid_and_a_missed_one_withheld() {
    let (mut w, mut s) = setup(OnMiss::Withhold, 0);
    let ids = quote(&mut w);
    w.start(&mut s);
    w.drive(&mut s, secs(59));
    pull(&mut w, &ids);
    w.drive(&mut s, secs(120));
    w.finish(&mut s);
    let p = s.periods();
    assert_eq!(p.len(), 2);
    assert_eq!((p[0].kpi.snapshots, p[0].kpi.uptime, p[0].kpi.met()), (6, 1.0, true));
    assert_eq!((p[0].fee_paid, p[0].fee_withheld), (Cash(1_000), Cash(0)));
    assert_eq!((p[1].kpi.qualifying, p[1].kpi.met()), (0, false));
    assert_eq!((p[1].fee_paid, p[1].fee_withheld), (Cash(0), Cash(1_000)));
    assert_eq!(w.cash(FIRM), Cash(1_000));
    let r = s.report(units(), s.transfers());
    let j = summary_json(&r);
    assert_eq!(j["fees_paid"], serde_json::json!(10));
    assert_eq!(j["fees_withheld"], serde_json::json!(10));
    assert_eq!((j["periods"].as_u64(), j["periods_failed"].as_u64()), (Some(2), Some(1)));
    assert_eq!(j["terminated"], false);
    assert_eq!(j["kpis"][1]["uptime_met"], false);
    assert_eq!(j["kpis"][0]["spread_met"], true);
    assert_eq!(j["kpis"][0]["depth_met"], serde_json::Value::Null);
    assert_eq!(r.rows.len(), 2);
    assert_eq!(r.rows[1].get("fee_withheld"), "10");
    // Nothing traded: the project's trading result is zero once its fee is left out.
    assert_eq!(j["project_trading_pnl"], serde_json::json!(0));
}

#[test]
fn a_cut_pays_part_of_the_fee() {
    let (mut w, mut s) = setup(OnMiss::Cut(dec!(0.3)), 0);
    w.start(&mut s);
    w.drive(&mut s, secs(60));
    let p = &s.periods()[0];
    assert_eq!((p.fee_paid, p.fee_withheld), (Cash(700), Cash(300)));
    assert_eq!(s.fee_after(false), (Cash(700), Cash(300)));
}

#[test]
fn missed_periods_in_a_row_end_the_contract() {
    let (mut w, mut s) = setup(OnMiss::Withhold, 2);
    let ids = quote(&mut w);
    w.start(&mut s);
    w.drive(&mut s, secs(59));
    pull(&mut w, &ids);
    w.drive(&mut s, secs(100));
    let ids = quote(&mut w); // back for 25 s: one snapshot in each of the next two periods
    w.drive(&mut s, secs(125));
    pull(&mut w, &ids);
    w.drive(&mut s, secs(300));
    w.finish(&mut s);
    assert_eq!(s.terminated_at(), Some(secs(180)));
    let p = s.periods();
    assert_eq!(p.len(), 3, "met, missed, missed: then terminated");
    assert!(p.iter().all(|p| p.settled));
    assert_eq!((p[1].kpi.qualifying, p[2].kpi.qualifying), (1, 1));
    assert!(w.timers.is_empty(), "a terminated contract schedules nothing");
    let r = s.report(units(), s.transfers());
    let j = summary_json(&r);
    assert_eq!(j["terminated"], true);
    assert_eq!(j["terminated_at_s"], serde_json::json!(180));
    assert_eq!(j["fees_paid"], serde_json::json!(10));
    assert_eq!(j["fees_withheld"], serde_json::json!(20));
}

#[test]
fn a_miss_then_a_met_period_resets_the_count() {
    let (mut w, mut s) = setup(OnMiss::Withhold, 2);
    w.start(&mut s);
    w.drive(&mut s, secs(55));
    let _ids = quote(&mut w);
    w.drive(&mut s, secs(120));
    let p = s.periods();
    assert_eq!((p[0].kpi.met(), p[1].kpi.met()), (false, true));
    assert_eq!(s.terminated_at(), None);
}

#[test]
fn the_run_ending_mid_period_leaves_it_unsettled_and_unpaid() {
    let (mut w, mut s) = setup(OnMiss::Withhold, 0);
    quote(&mut w);
    w.start(&mut s);
    w.drive(&mut s, secs(90));
    w.finish(&mut s);
    let p = s.periods();
    assert_eq!(p.len(), 2);
    assert!(!p[1].settled);
    assert_eq!((p[1].kpi.snapshots, p[1].fee_paid), (4, Cash(0)), "snapshots at 60, 70, 80 and 90 s");
    let r = s.report(units(), s.transfers());
    let j = summary_json(&r);
    assert_eq!(j["periods"], serde_json::json!(1));
    assert_eq!(j["kpis"][1]["settled"], false);
    assert!(!r.rows[1].settled);
}

#[test]
fn volume_and_trading_pnl_come_from_the_mms_trades() {
    let (mut w, mut s) = setup(OnMiss::Withhold, 0);
    quote(&mut w);
    w.start(&mut s);
    w.drive(&mut s, secs(30));
    // Another trader lifts the MM's ask: 40 lots at 1,005 ticks.
    w.order(OTHER, OTHER_ACCT, Side::Buy, OrderType::Market, 0, 40);
    w.drive(&mut s, secs(60));
    w.finish(&mut s);
    let k = &s.periods()[0].kpi;
    assert_eq!((k.volume, k.market_volume, k.volume_share), (Cash(40_200), Cash(40_200), 1.0));
    // A transfer into the project by another contract is left out of its trading result.
    let gift = Transfer { at: secs(10), from: OTHER_ACCT, to: PROJECT, cash: Cash(5_000), tokens: Qty(0) };
    w.move_cash(OTHER_ACCT, PROJECT, Cash(5_000));
    w.finish(&mut s);
    let mut all = s.transfers().to_vec();
    all.push(gift);
    let r = s.report(units(), &all);
    // Sold 40 at 10.05 and marked at 10.05: zero trading PnL.
    let j = summary_json(&r);
    assert_eq!(j["project_trading_pnl"], serde_json::json!(0));
    assert_eq!(j["volume_quote"], serde_json::json!(402));
}
