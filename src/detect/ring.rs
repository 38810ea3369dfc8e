//! Wash rings by volume matching on the account graph (after Victor and Weintraud 2021), without
//! owner labels: only the accounts on both sides of each trade are used.
//!
//! The trades are cut into windows of `ring_window_s`, each starting half a window after the last
//! (so a cycle cut by one window's edge lies whole in the next). In a window, an account is a
//! candidate when it traded at least `ring_min_trades` times with other accounts and its net
//! position change is small against its gross volume (`|bought − sold| ≤ ring_net_tol × (bought +
//! sold)`): a ring passes tokens round and ends where it started. Candidates are then pruned,
//! repeatedly, to those that trade at least `ring_share` of their volume with other remaining
//! candidates, by volume and by number of trades: a market maker nets out too, but mostly with
//! traders who do not (and a pumper that bought from it and sold back is only part of its trades). What is left, split
//! into connected groups of at least two accounts, are the rings; the trades of a window between
//! two accounts of one ring are flagged (unit: trade). Trades of an account with itself are left to
//! the same-owner detector.

use std::collections::BTreeMap;

use super::data::TradeRow;
use super::{Alert, Thresholds};

/// Flagged trade indices and one alert per ring and window (consecutive windows of one ring merge).
pub fn detect(trades: &[TradeRow], th: &Thresholds) -> (Vec<usize>, Vec<Alert>) {
    let mut flagged = vec![false; trades.len()];
    let mut alerts: Vec<Alert> = Vec::new();
    let (Some(first), Some(last)) = (trades.first(), trades.last()) else { return (Vec::new(), alerts) };
    let w = th.ring_window_s.max(1e-9);
    let mut start = first.t;
    let mut lo = 0;
    while start <= last.t {
        while lo < trades.len() && trades[lo].t < start {
            lo += 1;
        }
        let hi = lo + trades[lo..].partition_point(|t| t.t < start + w);
        for (ring, idx) in rings(trades, lo, hi, th) {
            for &i in &idx {
                flagged[i] = true;
            }
            let subject = ring.join("+");
            let (t0, t1) = (trades[idx[0]].t, trades[idx[idx.len() - 1]].t);
            match alerts.iter_mut().rev().find(|a| a.subject == subject) {
                Some(a) if t0 <= a.t_end + w => a.t_end = a.t_end.max(t1),
                _ => alerts.push(Alert {
                    detector: "wash_ring",
                    t_start: t0,
                    t_end: t1,
                    subject,
                    score: 0.0,
                    evidence: format!("{} accounts", ring.len()),
                }),
            }
        }
        start += w / 2.0;
    }
    for a in &mut alerts {
        let members: Vec<&str> = a.subject.split('+').collect();
        let inside = |t: &&TradeRow| {
            t.t >= a.t_start
                && t.t <= a.t_end
                && t.maker_account != t.taker_account
                && members.contains(&t.maker_account.as_str())
                && members.contains(&t.taker_account.as_str())
        };
        let (n, volume) = trades.iter().filter(inside).fold((0, 0.0), |(n, v), t| (n + 1, v + t.qty));
        a.score = n as f64;
        a.evidence = format!(
            "{} trade {volume:.0} tokens among themselves in {n} trades, each window ending near where it started",
            a.evidence
        );
    }
    let idx = (0..trades.len()).filter(|&i| flagged[i]).collect();
    (idx, alerts)
}

#[derive(Default)]
struct Flow {
    bought: f64,
    sold: f64,
    trades: usize,
}

/// The rings among trades `lo..hi`: (accounts, trade indices between them).
fn rings(trades: &[TradeRow], lo: usize, hi: usize, th: &Thresholds) -> Vec<(Vec<String>, Vec<usize>)> {
    let mut flow: BTreeMap<&str, Flow> = BTreeMap::new();
    // (volume, trades) per unordered pair of accounts.
    let mut pairs: BTreeMap<(&str, &str), (f64, usize)> = BTreeMap::new();
    for t in &trades[lo..hi] {
        let (m, k) = (t.maker_account.as_str(), t.taker_account.as_str());
        if m == k || m.is_empty() || k.is_empty() {
            continue;
        }
        let (buyer, seller) = if t.buy { (k, m) } else { (m, k) };
        let b = flow.entry(buyer).or_default();
        b.bought += t.qty;
        b.trades += 1;
        let s = flow.entry(seller).or_default();
        s.sold += t.qty;
        s.trades += 1;
        let p = pairs.entry(if m < k { (m, k) } else { (k, m) }).or_default();
        p.0 += t.qty;
        p.1 += 1;
    }
    let mut keep: BTreeMap<&str, bool> = flow
        .iter()
        .map(|(a, f)| {
            let gross = f.bought + f.sold;
            (*a, f.trades >= th.ring_min_trades && (f.bought - f.sold).abs() <= th.ring_net_tol * gross)
        })
        .collect();
    loop {
        let mut inside: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
        for (&(a, b), &(q, n)) in &pairs {
            if keep[a] && keep[b] {
                for x in [a, b] {
                    let e = inside.entry(x).or_default();
                    e.0 += q;
                    e.1 += n;
                }
            }
        }
        let mut changed = false;
        for (a, k) in keep.iter_mut() {
            let f = &flow[a];
            let (q, n) = inside.get(a).copied().unwrap_or_default();
            if *k && (q < th.ring_share * (f.bought + f.sold) || (n as f64) < th.ring_share * f.trades as f64) {
                *k = false;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // Connected groups of the kept accounts (union-find over the kept pairs).
    let names: Vec<&str> = keep.iter().filter(|(_, k)| **k).map(|(a, _)| *a).collect();
    let pos = |a: &str| names.binary_search(&a).ok();
    let mut parent: Vec<usize> = (0..names.len()).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for &(a, b) in pairs.keys() {
        if let (Some(i), Some(j)) = (pos(a), pos(b)) {
            let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
            parent[ri.max(rj)] = ri.min(rj);
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..names.len() {
        groups.entry(root(&mut parent, i)).or_default().push(i);
    }
    let mut out = Vec::new();
    for members in groups.values().filter(|m| m.len() >= 2) {
        let group: Vec<String> = members.iter().map(|&i| names[i].to_string()).collect();
        let idx: Vec<usize> = (lo..hi)
            .filter(|&i| {
                let t = &trades[i];
                t.maker_account != t.taker_account
                    && group.contains(&t.maker_account)
                    && group.contains(&t.taker_account)
            })
            .collect();
        if !idx.is_empty() {
            out.push((group, idx));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trade(t: f64, maker: &str, taker: &str, buy: bool, qty: f64) -> TradeRow {
        TradeRow {
            t,
            price: 1.0,
            qty,
            buy,
            maker: maker.into(),
            taker: taker.into(),
            maker_account: maker.into(),
            taker_account: taker.into(),
            ..TradeRow::default()
        }
    }

    #[test]
    fn a_ring_is_found_and_a_market_maker_with_its_clients_is_not() {
        let mut trades = Vec::new();
        let ring = ["r0", "r1", "r2"];
        for k in 0..60 {
            let t = k as f64 * 10.0;
            // r_k sells to r_{k+1}: maker sells, taker buys.
            trades.push(trade(t, ring[k % 3], ring[(k + 1) % 3], true, 100.0 + (k % 7) as f64));
            // A market maker buying from and selling to one-off clients, netting out itself.
            trades.push(trade(t + 1.0, "mm", &format!("c{k}"), k % 2 == 0, 50.0));
        }
        let (idx, alerts) = detect(&trades, &Thresholds::default());
        assert!(idx.iter().all(|&i| trades[i].maker.starts_with('r')), "only ring trades are flagged");
        assert!(idx.len() >= 55, "{} of 60 ring trades flagged", idx.len());
        assert!(alerts.iter().all(|a| a.subject == "r0+r1+r2"), "{alerts:?}");
    }

    #[test]
    fn two_traders_moving_tokens_one_way_are_no_ring() {
        let trades: Vec<TradeRow> = (0..50).map(|k| trade(k as f64, "a", "b", true, 10.0)).collect();
        assert!(detect(&trades, &Thresholds::default()).0.is_empty());
    }
}
