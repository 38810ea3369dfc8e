//! KPI gaming, per owner, from the order log: quotes shown only for the exchange's snapshots.
//!
//! An exchange scores a market maker from snapshots of its quotes every `kpi_snapshot_s` (10 s on
//! the published programme; the period is public, the phase need not be known). Two signatures:
//! - **flicker**: the owner's quotes rest only around the snapshot instants. Every priced
//!   (`limit`/`post_only`) order of the owner rests from its `new` event until it is cancelled,
//!   filled or expires; the union of these intervals is folded modulo the snapshot period into
//!   [`BINS`] phase bins. *Presence* at a phase = the share of the periods of the owner's active
//!   span in which it had a quote resting there. Flagged when the highest presence is at least
//!   `kpi_presence` and at least `kpi_peak_x` × the mean presence (a market maker quoting all the
//!   time is flat: peak ≈ mean; one that quotes rarely never reaches the presence).
//! - **depth parked at the band edge**: at least `kpi_park_share` of the owner's priced orders sit
//!   within `kpi_edge_bps` of the edge of the depth band (`kpi_band` from the last trade price at
//!   placement), where they count for the depth KPI and are hardly ever traded against.
//!
//! Owners with fewer than `kpi_min_orders` priced orders are not judged. The flagged unit is the
//! owner; `mmsim surveil-bench` searches the thresholds on its training runs.

use std::collections::BTreeMap;

use super::data::{OrderRow, TradeRow};
use super::{Alert, Thresholds};

/// Phase bins per snapshot period.
pub const BINS: usize = 40;

/// What the detector measured for one owner.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OwnerKpi {
    /// Priced orders placed.
    pub orders: usize,
    /// Highest presence over the phase bins, in [0, 1].
    pub peak: f64,
    /// Mean presence over the phase bins.
    pub mean: f64,
    /// Share of its priced orders within `kpi_edge_bps` of the band edge.
    pub parked: f64,
    /// First and last instant of its quoting (s).
    pub span: (f64, f64),
}

/// Per owner (in name order): the measured figures.
pub fn measure(orders: &[OrderRow], trades: &[TradeRow], th: &Thresholds) -> BTreeMap<String, OwnerKpi> {
    let end = orders.last().map_or(0.0, |o| o.t).max(trades.last().map_or(0.0, |t| t.t));
    // Open priced orders: id → (owner, start). Closed intervals per owner.
    let mut open: BTreeMap<u64, (usize, f64)> = BTreeMap::new();
    let mut names: Vec<&str> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = Default::default();
    let mut intervals: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut counts: Vec<(usize, usize)> = Vec::new();
    let mut ti = 0;
    let mut last_price = trades.first().map_or(0.0, |t| t.price);
    for o in orders {
        match o.event.as_str() {
            "new" if (o.kind == "post_only" || o.kind == "limit") && !o.agent.is_empty() => {
                let k = *index.entry(o.agent.as_str()).or_insert_with(|| {
                    names.push(o.agent.as_str());
                    intervals.push(Vec::new());
                    counts.push((0, 0));
                    names.len() - 1
                });
                while ti < trades.len() && trades[ti].t <= o.t {
                    last_price = trades[ti].price;
                    ti += 1;
                }
                counts[k].0 += 1;
                if last_price > 0.0 && o.price > 0.0 {
                    let d = (o.price / last_price - 1.0).abs();
                    if (d - th.kpi_band).abs() * 1e4 <= th.kpi_edge_bps {
                        counts[k].1 += 1;
                    }
                }
                if o.remaining > 0.0 {
                    open.insert(o.id, (k, o.t));
                }
            }
            // The order leaves the book (a modify keeps it there unless nothing remains).
            "cancel" | "expire" | "reject" | "fill" | "modify" if o.remaining <= 0.0 || o.event == "cancel" => {
                if let Some((k, start)) = open.remove(&o.id) {
                    intervals[k].push((start, o.t));
                }
            }
            _ => {}
        }
    }
    for (_, (k, start)) in open {
        intervals[k].push((start, end));
    }
    let period = th.kpi_snapshot_s.max(1e-3);
    let mut out = BTreeMap::new();
    for (k, name) in names.iter().enumerate() {
        let (peak, mean, span) = fold(&mut intervals[k], period);
        let (n, parked) = counts[k];
        out.insert(name.to_string(), OwnerKpi { orders: n, peak, mean, parked: parked as f64 / n.max(1) as f64, span });
    }
    out
}

/// Peak and mean presence of the union of `iv` folded modulo `period`, and the active span.
fn fold(iv: &mut [(f64, f64)], period: f64) -> (f64, f64, (f64, f64)) {
    if iv.is_empty() {
        return (0.0, 0.0, (0.0, 0.0));
    }
    iv.sort_by(|a, b| a.0.total_cmp(&b.0));
    let width = period / BINS as f64;
    let mut cover = [0f64; BINS];
    let mut add = |a: f64, b: f64| {
        let full = ((b - a) / period).floor();
        for c in &mut cover {
            *c += full * width;
        }
        let mut x = a + full * period;
        while x < b - 1e-12 {
            let phase = x.rem_euclid(period);
            let bin = ((phase / width) as usize).min(BINS - 1);
            let bin_end = x - phase + (bin as f64 + 1.0) * width;
            let y = bin_end.min(b);
            cover[bin] += y - x;
            x = y.max(x + 1e-12);
        }
    };
    let (mut s, mut e) = iv[0];
    let (first, mut last) = (iv[0].0, iv[0].1);
    for &(a, b) in &iv[1..] {
        last = last.max(b);
        if a <= e {
            e = e.max(b);
        } else {
            add(s, e);
            (s, e) = (a, b);
        }
    }
    add(s, e);
    let periods = ((last - first) / period).max(1.0);
    let presence: Vec<f64> = cover.iter().map(|c| (c / width / periods).min(1.0)).collect();
    let peak = presence.iter().copied().fold(0.0, f64::max);
    let mean = presence.iter().sum::<f64>() / BINS as f64;
    (peak, mean, (first, last))
}

/// Whether `m` is flagged under `th`, and why.
pub fn verdict(m: &OwnerKpi, th: &Thresholds) -> Option<String> {
    if m.orders < th.kpi_min_orders {
        return None;
    }
    let flicker = m.peak >= th.kpi_presence && m.peak >= th.kpi_peak_x * m.mean.max(1e-12);
    let parked = m.parked >= th.kpi_park_share;
    let mut why = Vec::new();
    if flicker {
        why.push(format!(
            "quotes present at {:.0}% of snapshot instants at their best phase but {:.0}% on average",
            100.0 * m.peak,
            100.0 * m.mean
        ));
    }
    if parked {
        why.push(format!("{:.0}% of its orders parked at the {:.1}% band edge", 100.0 * m.parked, 100.0 * th.kpi_band));
    }
    (!why.is_empty()).then(|| format!("{} priced orders; {}", m.orders, why.join("; ")))
}

/// Owners flagged for KPI gaming, with their alerts.
pub fn detect(orders: &[OrderRow], trades: &[TradeRow], th: &Thresholds) -> (Vec<String>, Vec<Alert>) {
    let mut owners = Vec::new();
    let mut alerts = Vec::new();
    for (owner, m) in measure(orders, trades, th) {
        if let Some(evidence) = verdict(&m, th) {
            alerts.push(Alert {
                detector: "kpi_gaming",
                t_start: m.span.0,
                t_end: m.span.1,
                subject: owner.clone(),
                score: (m.peak / m.mean.max(1e-12)).max(m.parked),
                evidence,
            });
            owners.push(owner);
        }
    }
    (owners, alerts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(t: f64, event: &str, id: u64, agent: &str, price: f64, remaining: f64) -> OrderRow {
        OrderRow {
            t,
            event: event.into(),
            id,
            agent: agent.into(),
            kind: "post_only".into(),
            price,
            qty: 100.0,
            remaining,
            ..OrderRow::default()
        }
    }

    #[test]
    fn a_flickering_owner_is_flagged_and_a_steady_one_is_not() {
        let th = Thresholds::default();
        let mut orders = Vec::new();
        let mut id = 0;
        for k in 1..200u64 {
            let s = k as f64 * 10.0;
            // The flicker: up 1 s before each snapshot, down 1 s after.
            id += 1;
            orders.push(order(s - 1.0, "new", id, "gamer", 0.995, 100.0));
            orders.push(order(s + 1.0, "cancel", id, "gamer", 0.995, 0.0));
            // The steady MM: requotes every 2 s (a new order before the old one goes).
            for j in 0..5 {
                id += 1;
                let t = s - 10.0 + 2.0 * j as f64 + 0.3;
                orders.push(order(t, "new", id, "mm", 0.999, 100.0));
                orders.push(order(t + 2.05, "cancel", id, "mm", 0.999, 0.0));
            }
        }
        orders.sort_by(|a, b| a.t.total_cmp(&b.t));
        let trades = vec![TradeRow { t: 0.0, price: 1.0, qty: 1.0, ..TradeRow::default() }];
        let m = measure(&orders, &trades, &th);
        assert!(m["gamer"].peak > 0.9 && m["gamer"].mean < 0.3, "{:?}", m["gamer"]);
        assert!(m["mm"].peak - m["mm"].mean < 0.1, "{:?}", m["mm"]);
        let (owners, alerts) = detect(&orders, &trades, &th);
        assert_eq!(owners, ["gamer"]);
        assert_eq!(alerts.len(), 1);
    }

    #[test]
    fn depth_at_the_band_edge_is_flagged() {
        let th = Thresholds::default();
        let mut orders = Vec::new();
        for k in 0..50u64 {
            let t = k as f64 * 7.0;
            orders.push(order(t, "new", 2 * k, "parker", 1.0 - th.kpi_band + 0.0005, 100.0));
            orders.push(order(t, "new", 2 * k + 1, "mm", 0.998, 100.0));
        }
        let trades = vec![TradeRow { t: 0.0, price: 1.0, qty: 1.0, ..TradeRow::default() }];
        let m = measure(&orders, &trades, &th);
        assert_eq!((m["parker"].parked, m["mm"].parked), (1.0, 0.0));
        assert_eq!(detect(&orders, &trades, &th).0, ["parker"]);
    }
}
