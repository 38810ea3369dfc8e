//! The book over time in a compact form the page rebuilds exactly: the order log's level changes
//! (see [`super::log`]), optionally netted per time step, plus a few full snapshots so the page
//! need not replay from the start, and a depth heat map.
//!
//! Encoding (all integers): a change is `[dt, sp, g, q]` with `dt` the milliseconds since the
//! previous change, `sp` the price in ticks (positive for a bid, negative for an ask), `g` the
//! group and `q` the change in lots. A snapshot `[i, sp, g, q, sp, g, q, ...]` is the book after the
//! first `i` changes. With a step `w > 0` the changes in each step `(k·w − w, k·w]` are netted per
//! level and group and stamped `k·w`: the book is then exact at every multiple of `w`.

use std::collections::BTreeMap;

use super::log::Delta;

/// Level changes netted per step, and snapshots.
#[derive(Debug, Default)]
pub struct BookCode {
    /// The step in ms (0: every change as logged).
    pub step: i64,
    /// Number of changes.
    pub n: usize,
    /// Changes, flat `[dt, sp, g, q]*`.
    pub changes: Vec<i64>,
    /// Snapshots, each `[i, (sp, g, q)*]`.
    pub snaps: Vec<Vec<i64>>,
}

impl BookCode {
    /// Rough size in bytes of the JSON this encodes to.
    pub fn json_bytes(&self) -> usize {
        let digits = |v: &i64| v.unsigned_abs().checked_ilog10().unwrap_or(0) as usize + 2 + usize::from(*v < 0);
        self.changes.iter().map(digits).sum::<usize>() + self.snaps.iter().flatten().map(digits).sum::<usize>()
    }
}

fn signed(d: &Delta) -> i64 {
    if d.bid {
        d.price
    } else {
        -d.price
    }
}

/// Encodes `deltas` (in log order) with step `step` ms.
pub fn encode(deltas: &[Delta], step: i64) -> BookCode {
    let netted: Vec<Delta> = if step <= 0 {
        deltas.to_vec()
    } else {
        let mut out = Vec::new();
        let mut bucket: BTreeMap<(bool, i64, u16), i64> = BTreeMap::new();
        let mut current = i64::MIN;
        let flush = |bucket: &mut BTreeMap<(bool, i64, u16), i64>, at: i64, out: &mut Vec<Delta>| {
            for ((bid, price, group), qty) in std::mem::take(bucket) {
                if qty != 0 {
                    out.push(Delta { t: at, bid, price, group, qty });
                }
            }
        };
        for d in deltas {
            let k = (d.t + step - 1).div_euclid(step) * step;
            if k != current {
                flush(&mut bucket, current, &mut out);
                current = k;
            }
            *bucket.entry((d.bid, d.price, d.group)).or_insert(0) += d.qty;
        }
        flush(&mut bucket, current, &mut out);
        out
    };
    let every = (netted.len() / 16).max(20_000);
    let mut code = BookCode { step, n: netted.len(), changes: Vec::with_capacity(netted.len() * 4), snaps: Vec::new() };
    let mut book: BTreeMap<(i64, u16), i64> = BTreeMap::new();
    let mut prev = 0;
    for (i, d) in netted.iter().enumerate() {
        if i > 0 && i % every == 0 {
            let mut snap = vec![i as i64];
            for (&(sp, g), &q) in &book {
                snap.extend([sp, i64::from(g), q]);
            }
            code.snaps.push(snap);
        }
        code.changes.extend([d.t - prev, signed(d), i64::from(d.group), d.qty]);
        prev = d.t;
        let e = book.entry((signed(d), d.group)).or_insert(0);
        *e += d.qty;
        if *e == 0 {
            book.remove(&(signed(d), d.group));
        }
    }
    code
}

/// The book's depth over time: `cols` times × `rows` price bands, per side, each cell the resting
/// lots in the band scaled to 0–99 on a log scale (`ln(1 + lots) / ln(1 + max)`).
#[derive(Debug, Default)]
pub struct Heat {
    /// Columns (time).
    pub cols: usize,
    /// Rows (price bands, lowest first).
    pub rows: usize,
    /// Log-spaced price bands.
    pub log: bool,
    /// Lowest price (ticks).
    pub lo: f64,
    /// Highest price (ticks).
    pub hi: f64,
    /// Bids, `[col * rows + row]`.
    pub bid: Vec<u8>,
    /// Asks, `[col * rows + row]`.
    pub ask: Vec<u8>,
    /// The largest cell, in lots.
    pub max: i64,
}

/// The heat map of `deltas` over `[0, end_ms]` and prices `lo..hi` ticks; column `c` shows the book
/// at `end_ms · (c + 1) / cols`.
pub fn heat(deltas: &[Delta], end_ms: i64, lo: i64, hi: i64, cols: usize, rows: usize) -> Heat {
    let log = hi as f64 / (lo.max(1) as f64) > 3.0;
    let (lo, hi) = if log {
        (lo.max(1) as f64 / 1.25, hi as f64 * 1.25)
    } else {
        let pad = ((hi - lo) as f64 * 0.1).max(10.0);
        ((lo as f64 - pad).max(0.0), hi as f64 + pad)
    };
    let row_of = |p: i64| -> Option<usize> {
        let p = p as f64;
        let f = if log { (p.ln() - lo.ln()) / (hi.ln() - lo.ln()) } else { (p - lo) / (hi - lo) };
        (0.0..1.0).contains(&f).then_some((f * rows as f64) as usize)
    };
    let mut book: BTreeMap<(bool, i64), i64> = BTreeMap::new();
    let (mut raw_bid, mut raw_ask) = (vec![0i64; cols * rows], vec![0i64; cols * rows]);
    let mut next = 0;
    for c in 0..cols {
        let at = end_ms * (c as i64 + 1) / cols as i64;
        while next < deltas.len() && deltas[next].t <= at {
            let d = &deltas[next];
            *book.entry((d.bid, d.price)).or_insert(0) += d.qty;
            next += 1;
        }
        for (&(bid, price), &q) in &book {
            if let (Some(r), true) = (row_of(price), q > 0) {
                let cell = if bid { &mut raw_bid } else { &mut raw_ask };
                cell[c * rows + r] += q;
            }
        }
    }
    let max = raw_bid.iter().chain(&raw_ask).copied().max().unwrap_or(0).max(1);
    let scale = |v: &i64| ((*v as f64).ln_1p() / (max as f64).ln_1p() * 99.0).round() as u8;
    Heat {
        cols,
        rows,
        log,
        lo,
        hi,
        bid: raw_bid.iter().map(scale).collect(),
        ask: raw_ask.iter().map(scale).collect(),
        max,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(t: i64, bid: bool, price: i64, qty: i64) -> Delta {
        Delta { t, bid, price, group: 0, qty }
    }

    /// The book the page rebuilds from the code after the changes stamped `≤ at`.
    fn rebuild(code: &BookCode, at: i64) -> BTreeMap<i64, i64> {
        let mut book = BTreeMap::new();
        let mut t = 0;
        for c in code.changes.chunks(4) {
            t += c[0];
            if t > at {
                break;
            }
            *book.entry(c[1]).or_insert(0) += c[3];
        }
        book.retain(|_, q| *q != 0);
        book
    }

    #[test]
    fn netted_steps_give_the_exact_book_at_every_step() {
        let deltas = vec![
            d(10, true, 100, 5),
            d(20, false, 105, 3),
            d(900, true, 100, -5),
            d(1500, true, 99, 7),
            d(2100, false, 105, -1),
        ];
        let truth = |at: i64| {
            let mut book = BTreeMap::new();
            for x in deltas.iter().filter(|x| x.t <= at) {
                *book.entry(if x.bid { x.price } else { -x.price }).or_insert(0) += x.qty;
            }
            book.retain(|_, q| *q != 0);
            book
        };
        let exact = encode(&deltas, 0);
        for at in [0, 10, 15, 20, 900, 1499, 1500, 2100, 5000] {
            assert_eq!(rebuild(&exact, at), truth(at), "exact at {at}");
        }
        let netted = encode(&deltas, 1000);
        assert!(netted.n < deltas.len(), "the 5 then −5 at 100 net out within the first step");
        for at in [0, 1000, 2000, 3000] {
            assert_eq!(rebuild(&netted, at), truth(at), "netted at {at}");
        }
    }

    #[test]
    fn heat_puts_depth_in_its_band() {
        let h = heat(&[d(0, true, 100, 50), d(0, false, 110, 20)], 1000, 100, 110, 4, 10);
        assert!(!h.log);
        assert_eq!(h.max, 50);
        assert_eq!(h.bid.iter().filter(|&&v| v == 99).count(), 4, "the bid, in every column");
        assert!(h.ask.iter().all(|&v| v < 99) && h.ask.iter().filter(|&&v| v > 0).count() == 4);
    }
}
