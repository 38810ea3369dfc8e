//! Pump-and-dump detectors on trades.
//!
//! - **Kamps–Kleinberg** (Kamps and Kleinberg 2018, "To the moon"): candles of `kk_bar_s`; a bar is
//!   anomalous when its close is at least `kk_price_rise` above the mean close of the previous
//!   `kk_window` bars AND its volume at least `kk_volume_x` × their mean volume (fewer bars at the start of the log,
//!   at least 3). Published F1 on
//!   real Binance pumps (hourly candles): 0.27 / 0.54 / 0.61 (initial / balanced / strict).
//! - **Rush orders** (in the spirit of La Morgia et al. 2020, "Pump and dumps in the Bitcoin era"):
//!   chunks of `rush_chunk_s` (5–25 s); a *rush order* is one taker order filled several times at
//!   once (it swept levels). Per chunk, the fills of rush buy orders, trade count, buy volume and return
//!   are compared with the previous `rush_window` chunks (fewer at the start of the log); a chunk alerts when rush orders are at
//!   least `rush_x` × their moving mean (plus one) and the price rose at least `rush_rise` over the
//!   chunk. Published P/R/F1 93.1 / 91.4 / 92.0 at 25 s (random forest; ours is a threshold rule).
//!
//! Alerts less than `event_gap_s` apart are merged into one event.

use std::collections::HashMap;

use super::data::TradeRow;
use super::{Alert, Thresholds};

/// Merges (start, end, score) intervals closer than `gap` into events.
pub fn merge(mut hits: Vec<(f64, f64, f64)>, gap: f64) -> Vec<(f64, f64, f64)> {
    hits.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64, f64)> = Vec::new();
    for h in hits {
        match out.last_mut() {
            Some(last) if h.0 - last.1 <= gap => {
                last.1 = last.1.max(h.1);
                last.2 = last.2.max(h.2);
            }
            _ => out.push(h),
        }
    }
    out
}

struct Bar {
    close: f64,
    open: f64,
    volume: f64,
    rush: f64,
}

fn bars(trades: &[TradeRow], width: f64) -> Vec<Option<Bar>> {
    let Some(last) = trades.last() else { return Vec::new() };
    let n = (last.t / width).floor() as usize + 1;
    let mut out: Vec<Option<Bar>> = (0..n).map(|_| None).collect();
    let mut fills: HashMap<u64, u32> = HashMap::new();
    for t in trades.iter().filter(|t| t.taker_order != 0) {
        *fills.entry(t.taker_order).or_default() += 1;
    }
    for t in trades {
        let i = ((t.t / width).floor() as usize).min(n - 1);
        let bar = out[i].get_or_insert(Bar { close: t.price, open: t.price, volume: 0.0, rush: 0.0 });
        bar.close = t.price;
        bar.volume += t.price * t.qty;
        // Every fill of a rush order counts: how hard the book is being swept.
        if t.buy && fills.get(&t.taker_order).is_some_and(|&k| k >= 2) {
            bar.rush += 1.0;
        }
    }
    out
}

/// Kamps–Kleinberg events.
pub fn kamps_kleinberg(trades: &[TradeRow], th: &Thresholds) -> Vec<Alert> {
    let b = bars(trades, th.kk_bar_s);
    let mut hits = Vec::new();
    let mut last_close: Option<f64> = None;
    let filled: Vec<(f64, f64)> = b
        .iter()
        .map(|x| {
            let c = x.as_ref().map(|x| x.close).or(last_close).unwrap_or(0.0);
            last_close = Some(c);
            (c, x.as_ref().map_or(0.0, |x| x.volume))
        })
        .collect();
    for i in 3.min(filled.len())..filled.len() {
        // Early bars compare with the history there is (at least 3 bars).
        let w = &filled[i.saturating_sub(th.kk_window)..i];
        let mean_c = w.iter().map(|x| x.0).sum::<f64>() / w.len() as f64;
        let mean_v = w.iter().map(|x| x.1).sum::<f64>() / w.len() as f64;
        let (c, v) = filled[i];
        if mean_c > 0.0 && c >= mean_c * (1.0 + th.kk_price_rise) && v >= th.kk_volume_x * mean_v.max(1e-12) {
            let t0 = i as f64 * th.kk_bar_s;
            hits.push((t0, t0 + th.kk_bar_s, c / mean_c - 1.0));
        }
    }
    to_alerts("pump_kamps_kleinberg", merge(hits, th.event_gap_s), "close and volume over the rolling means")
}

/// Rush-order events.
pub fn rush_orders(trades: &[TradeRow], th: &Thresholds) -> Vec<Alert> {
    let b = bars(trades, th.rush_chunk_s);
    let mut hits = Vec::new();
    for i in 1..b.len() {
        let Some(bar) = &b[i] else { continue };
        // Early chunks compare with the history there is.
        let from = i.saturating_sub(th.rush_window);
        let mean_rush = b[from..i].iter().map(|x| x.as_ref().map_or(0.0, |x| x.rush)).sum::<f64>() / (i - from) as f64;
        let prev_close = b[..i].iter().rev().find_map(|x| x.as_ref().map(|x| x.close)).unwrap_or(bar.open);
        let rise = bar.close / prev_close - 1.0;
        if bar.rush >= th.rush_min && bar.rush >= th.rush_x * (mean_rush + 1.0) && rise >= th.rush_rise {
            let t0 = i as f64 * th.rush_chunk_s;
            hits.push((t0, t0 + th.rush_chunk_s, bar.rush / (mean_rush + 1.0)));
        }
    }
    to_alerts("pump_rush_orders", merge(hits, th.event_gap_s), "rush orders and return over the moving mean")
}

fn to_alerts(detector: &'static str, events: Vec<(f64, f64, f64)>, what: &str) -> Vec<Alert> {
    events
        .into_iter()
        .map(|(s, e, score)| Alert {
            detector,
            t_start: s,
            t_end: e,
            subject: "market".into(),
            score,
            evidence: format!("{what}: peak score {score:.2}"),
        })
        .collect()
}
