//! Lend-and-dump signature: an owner who is a large net seller into a crash and a net buyer after
//! it (a borrower selling lent tokens, then buying back what it owes at the bottom).
//!
//! The crash is the largest peak-to-trough fall of the trade price; it counts when at least
//! `ld_crash`. From the peak on, each owner's running net position is followed: an owner is flagged
//! when the most it net sold (the lowest point of that position) is at least `ld_sell_share` of the
//! volume traded from the peak to the trough, and it then net bought back at least
//! `ld_buyback_share` of that by the end of the log.

use std::collections::BTreeMap;

use super::data::TradeRow;
use super::{Alert, Thresholds};

/// Flagged owners and their alerts.
pub fn detect(trades: &[TradeRow], th: &Thresholds) -> (Vec<String>, Vec<Alert>) {
    let (mut peak_i, mut best) = (0usize, (0usize, 0usize, 0.0f64));
    for (i, t) in trades.iter().enumerate() {
        if t.price > trades[peak_i].price {
            peak_i = i;
        }
        let fall = 1.0 - t.price / trades[peak_i].price;
        if fall > best.2 {
            best = (peak_i, i, fall);
        }
    }
    let (p, q, fall) = best;
    if fall < th.ld_crash {
        return (Vec::new(), Vec::new());
    }
    // Per owner, from the peak on: the running net position, its lowest point (what it had sold
    // at most) and where it ended.
    let mut path: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    let mut vol = 0.0;
    for t in &trades[p..] {
        if t.maker == t.taker {
            continue;
        }
        let (buyer, seller) = if t.buy { (&t.taker, &t.maker) } else { (&t.maker, &t.taker) };
        for (who, dq) in [(buyer, t.qty), (seller, -t.qty)] {
            let e = path.entry(who.as_str()).or_default();
            e.0 += dq;
            e.1 = e.1.min(e.0);
        }
    }
    for t in &trades[p..=q] {
        vol += t.qty;
    }
    let mut owners = Vec::new();
    let mut alerts = Vec::new();
    for (owner, &(end, low)) in &path {
        let sold = -low;
        let bought = end - low;
        if owner.is_empty() || sold < th.ld_sell_share * vol || bought < th.ld_buyback_share * sold {
            continue;
        }
        owners.push(owner.to_string());
        alerts.push(Alert {
            detector: "lend_and_dump",
            t_start: trades[p].t,
            t_end: trades.last().map_or(trades[q].t, |t| t.t),
            subject: owner.to_string(),
            score: sold / vol.max(1e-12),
            evidence: format!(
                "net sold {sold:.0} tokens ({:.0}% of volume) in a {:.0}% fall, then net bought {bought:.0}",
                100.0 * sold / vol.max(1e-12),
                fall * 100.0
            ),
        });
    }
    (owners, alerts)
}
