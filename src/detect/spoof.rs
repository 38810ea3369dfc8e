//! Spoofing / layering, per owner, from the order log (the pattern regulators describe; no
//! labelled precision/recall has been published, so the scores here are a first figure).
//!
//! An order is flagged when it is
//! - **large**: at least `spoof_size_x` × the median size of all new orders in the log;
//! - **away from the touch**: placed at least `spoof_away_ticks_rel` (relative distance) behind the
//!   best price on its side (the book is rebuilt from the log's events);
//! - **lopsided**: at least `spoof_imbalance` × the most the owner had resting on the other side
//!   while it rested (a market maker's quotes are balanced, even when it places one side just
//!   before the other; a spoof dwarfs the real order it helps);
//! - **short-lived and unfilled**: cancelled with nothing filled within `spoof_life_s`;
//! - **followed by the owner's fills on the other side** within `spoof_window_s` of its placement.

use std::collections::{BTreeMap, HashMap};

use super::data::OrderRow;
use super::{Alert, Thresholds};

#[derive(Clone, Copy)]
struct Live {
    t: f64,
    buy: bool,
    price: f64,
    qty: f64,
    filled: bool,
    away: f64,
    /// The most the owner had resting on the other side while this order rested.
    other_max: f64,
}

fn key(p: f64) -> i64 {
    (p * 1e8).round() as i64
}

/// Order ids flagged as spoofs, with their alerts.
pub fn detect(orders: &[OrderRow], th: &Thresholds) -> (Vec<u64>, Vec<Alert>) {
    let mut sizes: Vec<f64> = orders.iter().filter(|o| o.event == "new").map(|o| o.qty).collect();
    if sizes.is_empty() {
        return (Vec::new(), Vec::new());
    }
    sizes.sort_by(f64::total_cmp);
    let median = sizes[sizes.len() / 2];
    let mut bids: BTreeMap<i64, f64> = BTreeMap::new();
    let mut asks: BTreeMap<i64, f64> = BTreeMap::new();
    let mut resting: HashMap<u64, (bool, f64, String)> = HashMap::new();
    // Owner → quantity resting per side (buy, sell).
    let mut own: HashMap<String, (f64, f64)> = HashMap::new();
    let mut live: HashMap<u64, Live> = HashMap::new();
    let mut candidates: Vec<(u64, String, Live, f64, f64)> = Vec::new();
    // Owner → its live (possibly flagged) orders.
    let mut live_of: HashMap<String, Vec<u64>> = HashMap::new();
    // Owner → fills (t, buy).
    let mut fills: HashMap<&str, Vec<(f64, bool)>> = HashMap::new();
    for o in orders {
        let book = |buy: bool, bids: &mut BTreeMap<i64, f64>, asks: &mut BTreeMap<i64, f64>, p: f64, dq: f64| {
            let side = if buy { bids } else { asks };
            let e = side.entry(key(p)).or_insert(0.0);
            *e += dq;
            if *e <= 1e-9 {
                side.remove(&key(p));
            }
        };
        match o.event.as_str() {
            "new" if o.kind == "post_only" || o.kind == "limit" => {
                let best = if o.buy { bids.keys().next_back() } else { asks.keys().next() };
                let away = best.map_or(0.0, |&b| {
                    let b = b as f64 / 1e8;
                    if o.buy {
                        (b - o.price) / b
                    } else {
                        (o.price - b) / b
                    }
                });
                let mine = own.get(&o.agent).copied().unwrap_or((0.0, 0.0));
                let other_max = if o.buy { mine.1 } else { mine.0 };
                live.insert(
                    o.id,
                    Live { t: o.t, buy: o.buy, price: o.price, qty: o.qty, filled: false, away, other_max },
                );
                live_of.entry(o.agent.clone()).or_default().push(o.id);
            }
            "fill" => {
                fills.entry(o.agent.as_str()).or_default().push((o.t, o.buy));
                if let Some(l) = live.get_mut(&o.id) {
                    l.filled = true;
                }
            }
            _ => {}
        }
        // Keep the rebuilt book and the owners' resting quantities up to date.
        match o.event.as_str() {
            "new" if o.remaining > 0.0 && o.kind != "market" => {
                // Resting happens after the arrival's fills; count the full size now, fills below
                // take their part off.
                book(o.buy, &mut bids, &mut asks, o.price, o.qty);
                resting.insert(o.id, (o.buy, o.price, o.agent.clone()));
                let e = own.entry(o.agent.clone()).or_default();
                if o.buy {
                    e.0 += o.qty
                } else {
                    e.1 += o.qty
                }
                // The owner's live orders on the other side see this one.
                let (bid_qty, ask_qty) = *e;
                if let Some(ids) = live_of.get_mut(&o.agent) {
                    ids.retain(|id| live.contains_key(id));
                    for id in ids.iter() {
                        if let Some(l) = live.get_mut(id) {
                            l.other_max = l.other_max.max(if l.buy { ask_qty } else { bid_qty });
                        }
                    }
                }
            }
            "fill" | "cancel" | "expire" => {
                if let Some((buy, price, agent)) = resting.get(&o.id).cloned() {
                    book(buy, &mut bids, &mut asks, price, -o.qty);
                    let e = own.entry(agent).or_default();
                    if buy {
                        e.0 -= o.qty
                    } else {
                        e.1 -= o.qty
                    }
                    if o.remaining <= 0.0 {
                        resting.remove(&o.id);
                        if o.event != "cancel" {
                            // Filled or expired: it can no longer be a spoof.
                            live.remove(&o.id);
                        }
                    }
                }
                if o.event == "cancel" {
                    if let Some(l) = live.remove(&o.id) {
                        let imbalance = l.qty / l.other_max.max(1e-9);
                        let flagged = !l.filled
                            && o.t - l.t <= th.spoof_life_s
                            && l.qty >= th.spoof_size_x * median
                            && l.away >= th.spoof_away_rel
                            && imbalance >= th.spoof_imbalance;
                        if flagged {
                            candidates.push((o.id, o.agent.clone(), l, o.t, imbalance));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut ids = Vec::new();
    let mut alerts = Vec::new();
    for (id, owner, l, t_cancel, imbalance) in candidates {
        let followed = fills
            .get(owner.as_str())
            .is_some_and(|f| f.iter().any(|&(t, buy)| buy != l.buy && t >= l.t && t <= l.t + th.spoof_window_s));
        if followed {
            ids.push(id);
            alerts.push(Alert {
                detector: "spoofing",
                t_start: l.t,
                t_end: t_cancel,
                subject: owner,
                score: imbalance.min(1e6),
                evidence: format!(
                    "order {id}: {} {} @ {} ({:.2}% behind the touch), cancelled unfilled after {:.1} s, \
                     {:.0}x the owner's other side; owner filled on the other side within {} s",
                    if l.buy { "buy" } else { "sell" },
                    l.qty,
                    l.price,
                    l.away * 100.0,
                    t_cancel - l.t,
                    imbalance.min(1e6),
                    th.spoof_window_s
                ),
            });
        }
    }
    (ids, alerts)
}
