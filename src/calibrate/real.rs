//! Measuring real market data: two streamed passes over the files.
//!
//! **Pass 1** ([`grid`]) finds the coarsest grid the data lives on: the greatest common divisor of
//! every price (in the finest tick the reader inferred) and of every size, so the replica's tick and
//! lot are the market's own (ETHUSDT: 0.01 and 0.0001, not the 8 decimals Binance writes).
//!
//! **Pass 2** ([`measure`]) replays the book ([`L2Book`]) on that grid and records, in one walk:
//! - every 100 ms, the touch (the feed's own ticker when it has one, else the rebuilt book) and the
//!   depth at 1, 2, ... ticks from the opposite best price (into [`Observed`], shared with the
//!   replica's measurement);
//! - every trade; consecutive trades with the same time and aggressor are one *taker order* (one
//!   market order walking the book), whose times and summed sizes give the market-order flow;
//! - every applied diff level once the book can be trusted (it descends from a snapshot, or was
//!   bootstrapped from diffs at least 60 s earlier): a level that grew by Δ at `i` ticks from the
//!   opposite best price is a limit order of size Δ at distance `i`; a level that shrank by more than
//!   the trades printed there since is a cancel of the difference.

use std::collections::HashMap;
use std::path::Path;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::measure::{Observed, GRID_NS};
use super::CalibrateError;
use crate::feed::{Applied, EventKind, EventReader, L2Book, ReadOptions};
use crate::types::{Price, Side};

/// Distances (ticks from the opposite best price) measured at most.
pub const MAX_DISTANCE: usize = 200;
/// How long a book bootstrapped from diffs must run before it is trusted.
const WARMUP_NS: u64 = 60_000_000_000;

/// The coarsest tick and lot the data fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataGrid {
    /// Quote units per tick.
    pub tick: Decimal,
    /// Tokens per lot.
    pub lot: Decimal,
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Pass 1: the tick and lot as the largest steps that divide every price and size.
///
/// # Errors
/// Unreadable or damaged files ([`CalibrateError::Feed`]).
pub fn grid<P: AsRef<Path>>(paths: &[P]) -> Result<DataGrid, CalibrateError> {
    let mut reader = EventReader::open(paths, &ReadOptions::default())?;
    let (mut gp, mut gq) = (0u64, 0u64);
    while let Some(ev) = reader.next_event()? {
        let (p, q) = match ev.kind {
            EventKind::Level(l) => (l.price.0, l.qty.0),
            EventKind::Trade(t) => (t.price.0, t.qty.0),
            EventKind::Ticker(t) => (t.bid_price.0, t.ask_price.0),
            _ => continue,
        };
        if matches!(ev.kind, EventKind::Ticker(_)) {
            gp = gcd(gcd(gp, p.unsigned_abs()), q.unsigned_abs());
        } else {
            gp = gcd(gp, p.unsigned_abs());
            gq = gcd(gq, q.unsigned_abs());
        }
    }
    Ok(DataGrid {
        tick: reader.tick_size() * Decimal::from(gp.max(1)),
        lot: reader.lot_size() * Decimal::from(gq.max(1)),
    })
}

/// Everything pass 2 measures, in the replica's units (ticks, tokens, ns from the first event).
#[derive(Clone, Debug)]
pub struct RealMarket {
    /// The samples shared with the replica's measurement.
    pub observed: Observed,
    /// The grid.
    pub grid: DataGrid,
    /// Local time of the first event, ns since the epoch.
    pub start_ns: u64,
    /// The first best bid (ticks), else the first trade price.
    pub open_ticks: i64,
    /// Taker orders per side (buy, sell): times from the start.
    pub taker_times: [Vec<u64>; 2],
    /// Taker order sizes, tokens.
    pub taker_sizes: Vec<f64>,
    /// Share of taker orders whose size has one significant digit.
    pub round_share: f64,
    /// Limit volume added per side (buy, sell) and distance, tokens.
    pub add_volume: [Vec<f64>; 2],
    /// Sizes of the level increases (limit orders), tokens.
    pub add_sizes: Vec<f64>,
    /// Volume cancelled per distance (both sides), tokens.
    pub cancel_volume: Vec<f64>,
    /// Time the book was trusted, ns.
    pub trusted_ns: u64,
    /// Taker orders and seconds covered per UTC hour of day.
    pub by_hour: [(f64, f64); 24],
    /// Total traded volume, tokens.
    pub volume: f64,
    /// Book messages (snapshots and diffs) read.
    pub book_messages: u64,
}

fn side_index(side: Side) -> usize {
    match side {
        Side::Buy => 0,
        Side::Sell => 1,
    }
}

/// True when `lots × lot` has one significant digit.
fn is_round(lots: i64, lot: Decimal) -> bool {
    let d = (Decimal::from(lots) * lot).normalize();
    d.mantissa().abs() < 10
}

/// Pass 2: replays the files on `grid` and measures them.
///
/// # Errors
/// Unreadable or damaged files; no trades, or no book data ([`CalibrateError::NotEnough`]).
pub fn measure<P: AsRef<Path>>(paths: &[P], grid: DataGrid) -> Result<RealMarket, CalibrateError> {
    let options = ReadOptions { tick_size: Some(grid.tick), lot_size: Some(grid.lot), ..ReadOptions::default() };
    let mut reader = EventReader::open(paths, &options)?;
    let lot = grid.lot.to_f64().unwrap_or(1.0);
    let mut book = L2Book::new(true, 100);
    let mut m = RealMarket {
        observed: Observed::new(MAX_DISTANCE),
        grid,
        start_ns: 0,
        open_ticks: 0,
        taker_times: [Vec::new(), Vec::new()],
        taker_sizes: Vec::new(),
        round_share: 0.0,
        add_volume: [vec![0.0; MAX_DISTANCE], vec![0.0; MAX_DISTANCE]],
        add_sizes: Vec::new(),
        cancel_volume: vec![0.0; MAX_DISTANCE],
        trusted_ns: 0,
        by_hour: [(0.0, 0.0); 24],
        volume: 0.0,
        book_messages: 0,
    };
    let mut started = false;
    let mut next_grid = 0u64;
    let mut trusted = false;
    let mut ticker: Option<(i64, i64)> = None;
    let mut in_diff = false;
    let mut touch = (None, None);
    let mut traded_at: HashMap<(usize, i64), i64> = HashMap::new();
    let mut taker: Option<(u64, Side, i64)> = None;
    let mut rounds = 0u64;
    let mut last_ns = 0u64;
    let mut open: Option<i64> = None;
    while let Some(ev) = reader.next_event()? {
        if !started {
            started = true;
            m.start_ns = ev.local_ns;
            next_grid = ev.local_ns;
        }
        last_ns = last_ns.max(ev.local_ns);
        while next_grid <= ev.local_ns {
            let (bid, ask) = match ticker {
                Some((b, a)) => (Some(b), Some(a)),
                None if trusted => (book.best_bid().map(|b| b.0 .0), book.best_ask().map(|a| a.0 .0)),
                None => (None, None),
            };
            if open.is_none() {
                open = bid;
            }
            let depth_ok = trusted && book.best_bid().is_some() && book.best_ask().is_some();
            m.observed.sample(bid, ask, depth_ok, |side, p| book.qty_at(side, Price(p)).0 as f64 * lot);
            if trusted {
                m.trusted_ns += GRID_NS;
            }
            let secs_of_day = (next_grid / 1_000_000_000) % 86_400;
            m.by_hour[(secs_of_day / 3_600) as usize].1 += GRID_NS as f64 / 1e9;
            next_grid += GRID_NS;
        }
        match ev.kind {
            EventKind::Level(l) => {
                let old = book.qty_at(l.side, l.price).0;
                if book.apply(&ev) != Applied::Applied || !in_diff || !trusted {
                    continue;
                }
                let distance = match (l.side, touch) {
                    (Side::Buy, (_, Some(ask))) => ask - l.price.0,
                    (Side::Sell, (Some(bid), _)) => l.price.0 - bid,
                    _ => continue,
                };
                if !(1..=MAX_DISTANCE as i64).contains(&distance) {
                    continue;
                }
                let k = (distance - 1) as usize;
                let delta = l.qty.0 - old;
                if delta > 0 {
                    m.add_volume[side_index(l.side)][k] += delta as f64 * lot;
                    m.add_sizes.push(delta as f64 * lot);
                } else if delta < 0 {
                    let traded = traded_at.remove(&(side_index(l.side), l.price.0)).unwrap_or(0);
                    m.cancel_volume[k] += (-delta - traded).max(0) as f64 * lot;
                }
            }
            EventKind::Trade(t) => {
                let at = ev.exch_ns.unwrap_or(ev.local_ns).saturating_sub(m.start_ns);
                let size = t.qty.0 as f64 * lot;
                m.observed.trade(at, size);
                m.volume += size;
                open.get_or_insert(t.price.0);
                let side = t.aggressor.unwrap_or(match ticker {
                    Some((b, a)) if 2 * t.price.0 <= a + b => Side::Sell,
                    _ => Side::Buy,
                });
                *traded_at.entry((side_index(side.opposite()), t.price.0)).or_insert(0) += t.qty.0;
                match &mut taker {
                    Some((time, s, q)) if *time == at && *s == side => *q += t.qty.0,
                    _ => {
                        if let Some(done) = taker.take() {
                            rounds += u64::from(close_taker(&mut m, done, lot, grid.lot));
                        }
                        taker = Some((at, side, t.qty.0));
                    }
                }
            }
            EventKind::Ticker(t) => {
                if let (Some((b, _)), Some((a, _))) = (t.bid(), t.ask()) {
                    ticker = Some((b.0, a.0));
                }
            }
            EventKind::Snapshot(_) | EventKind::Diff(_) => {
                if let Some(u) = book.finish_message() {
                    trusted = u.from_snapshot || u.local_ns >= u.synced_since_ns.saturating_add(WARMUP_NS);
                }
                m.book_messages += 1;
                let applied = book.apply(&ev) == Applied::Applied;
                in_diff = applied && matches!(ev.kind, EventKind::Diff(_));
                touch = (book.best_bid().map(|b| b.0 .0), book.best_ask().map(|a| a.0 .0));
                if traded_at.len() > 10_000 {
                    traded_at.clear();
                }
            }
        }
    }
    if let Some(done) = taker.take() {
        rounds += u64::from(close_taker(&mut m, done, lot, grid.lot));
    }
    m.observed.duration_ns = last_ns.saturating_sub(m.start_ns).max(1);
    let takers = m.taker_sizes.len();
    m.round_share = if takers > 0 { rounds as f64 / takers as f64 } else { 0.0 };
    m.open_ticks = open.unwrap_or(0);
    check_enough(&m, paths)?;
    Ok(m)
}

/// Files a finished taker order; true when its size is round.
fn close_taker(m: &mut RealMarket, (at, side, lots): (u64, Side, i64), lot: f64, lot_dec: Decimal) -> bool {
    m.taker_times[side_index(side)].push(at);
    m.taker_sizes.push(lots as f64 * lot);
    let hour = ((m.start_ns + at) / 1_000_000_000 % 86_400 / 3_600) as usize;
    m.by_hour[hour].0 += 1.0;
    is_round(lots, lot_dec)
}

fn check_enough<P: AsRef<Path>>(m: &RealMarket, paths: &[P]) -> Result<(), CalibrateError> {
    let files = paths.iter().map(|p| p.as_ref().display().to_string()).collect::<Vec<_>>().join(", ");
    let trades = m.observed.trade_ns.len();
    let problem = if trades < 2 {
        Some(format!("{trades} trade(s); at least 2 are needed to measure trade rates and sizes"))
    } else if m.book_messages == 0 {
        Some(
            "no order-book data (depth diffs or snapshots); calibrate fits limit orders and cancels from the book"
                .into(),
        )
    } else if m.observed.spread_ticks.is_empty() {
        Some(
            "no two-sided touch: the book never had both a bid and an ask (a bootstrapped book is used after 60 s)"
                .into(),
        )
    } else if m.open_ticks <= 0 {
        Some("no positive price".into())
    } else {
        None
    };
    match problem {
        Some(what) => Err(CalibrateError::NotEnough { files, what }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn round_sizes_have_one_significant_digit() {
        assert!(is_round(300, dec!(0.0001)));
        assert!(is_round(5, dec!(1)));
        assert!(!is_round(46, dec!(0.0001)));
        assert_eq!(gcd(12, 18), 6);
    }
}
