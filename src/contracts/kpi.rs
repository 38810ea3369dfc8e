//! The KPI monitor: snapshots of one market maker's own quotes at a fixed interval, summed up per
//! period.
//!
//! **Snapshot** (every `snapshot_every`, 10 s on real exchanges). Only the MM's own resting orders
//! count ([`Exchange::orders_of`] for each of its agents), never the rest of the book, so an MM that
//! hides behind others is seen. From them: its best bid and ask, its spread in bps of its own mid
//! `(ask − bid) / ((ask + bid)/2) × 10⁴`, and the value (price × quantity, cash atoms) it quotes on
//! each side within `depth_band` of the **book's** mid. A snapshot *qualifies* when the MM quotes
//! both sides, within `max_spread_bps` (if set), with at least `min_depth_quote` on each side (if
//! set). An empty or one-sided book qualifies no one.
//!
//! **Period figures**: uptime = qualifying / snapshots; the time-weighted spread (snapshots are
//! evenly spaced, so the plain mean over two-sided snapshots); the mean depth per side over all
//! snapshots; the MM's traded value (either side; a trade with itself once) and its share of all
//! traded value (so every MM's share lies in [0, 1]).
//!
//! **Passing** (a KPI left out of the contract is not checked and reported as `None`):
//! spread: mean spread ≤ max (and at least one two-sided snapshot); depth: mean depth on *each*
//! side ≥ min; volume: traded value per day of the period ≥ min (compared exactly in atoms);
//! uptime, rule `uptime`: uptime ≥ `min_uptime`; rule `exchange_75`: a day (24 h from the contract's
//! start) qualifies when ≥ 75% of its snapshots do, the period when ≥ 75% of its days (with any
//! snapshot) do.

use super::spec::{KpiRule, KpiTerms};
use crate::book::OrderBook;
use crate::book::RestingOrder;
use crate::types::{AgentId, Cash, Price, Side, SimTime};

/// One day in nanoseconds.
pub const DAY_NS: u64 = 86_400_000_000_000;

/// What one snapshot saw of one MM.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Snapshot {
    /// The MM's best bid.
    pub bid: Option<Price>,
    /// The MM's best ask.
    pub ask: Option<Price>,
    /// The MM's spread in bps of its own mid, when two-sided.
    pub spread_bps: Option<f64>,
    /// Value it quotes on the bid within the band around the book's mid.
    pub depth_bid: Cash,
    /// Value it quotes on the ask within the band.
    pub depth_ask: Cash,
    /// Whether the snapshot counts towards uptime.
    pub qualifies: bool,
}

/// Measures one snapshot of `orders` (the MM's own) against `book` (for its mid).
pub fn measure(book: &OrderBook, orders: impl IntoIterator<Item = RestingOrder>, terms: &KpiTerms) -> Snapshot {
    let mid = book.mid();
    let (mut bid, mut ask): (Option<Price>, Option<Price>) = (None, None);
    let (mut depth_bid, mut depth_ask) = (Cash::ZERO, Cash::ZERO);
    for o in orders {
        let inside = mid.is_some_and(|m| match o.side {
            Side::Buy => o.price.0 as f64 >= m * (1.0 - terms.depth_band),
            Side::Sell => o.price.0 as f64 <= m * (1.0 + terms.depth_band),
        });
        match o.side {
            Side::Buy => {
                bid = Some(bid.map_or(o.price, |b| b.max(o.price)));
                if inside {
                    depth_bid += Cash::notional(o.price, o.qty);
                }
            }
            Side::Sell => {
                ask = Some(ask.map_or(o.price, |a| a.min(o.price)));
                if inside {
                    depth_ask += Cash::notional(o.price, o.qty);
                }
            }
        }
    }
    let spread_bps = match (bid, ask) {
        (Some(b), Some(a)) => Some(Price::spread_bps(b, a)),
        _ => None,
    };
    let spread_ok = match (spread_bps, terms.max_spread_bps) {
        (Some(s), Some(max)) => s <= max + 1e-9,
        (Some(_), None) => true,
        (None, _) => false,
    };
    let depth_ok = terms.min_depth_quote.is_none_or(|min| depth_bid >= min && depth_ask >= min);
    Snapshot { bid, ask, spread_bps, depth_bid, depth_ask, qualifies: mid.is_some() && spread_ok && depth_ok }
}

/// One period's KPI figures and verdicts.
#[derive(Clone, Debug, PartialEq)]
pub struct KpiPeriod {
    /// First instant of the period.
    pub start: SimTime,
    /// End of the period (exclusive).
    pub end: SimTime,
    /// Snapshots taken.
    pub snapshots: u64,
    /// Snapshots that qualified.
    pub qualifying: u64,
    /// Snapshots where the MM quoted both sides.
    pub two_sided: u64,
    /// `qualifying / snapshots` (0 without snapshots).
    pub uptime: f64,
    /// Mean spread over two-sided snapshots, bps.
    pub spread_bps: Option<f64>,
    /// Mean bid depth in the band, atoms (f64: a mean).
    pub depth_bid: f64,
    /// Mean ask depth in the band, atoms.
    pub depth_ask: f64,
    /// Value the MM traded.
    pub volume: Cash,
    /// Value the whole market traded.
    pub market_volume: Cash,
    /// `volume / market_volume` (0 when nothing traded).
    pub volume_share: f64,
    /// Days (24 h from the contract's start) with at least one snapshot.
    pub days: u32,
    /// Of those, days with ≥ 75% qualifying snapshots.
    pub days_qualified: u32,
    /// Uptime verdict (`None`: not checked).
    pub uptime_met: Option<bool>,
    /// Spread verdict.
    pub spread_met: Option<bool>,
    /// Depth verdict.
    pub depth_met: Option<bool>,
    /// Daily volume verdict.
    pub volume_met: Option<bool>,
}

impl KpiPeriod {
    /// True when every checked KPI passed.
    pub fn met(&self) -> bool {
        [self.uptime_met, self.spread_met, self.depth_met, self.volume_met].iter().all(|v| v.unwrap_or(true))
    }

    /// Traded value per day of the period, in atoms (f64: a rate).
    pub fn daily_volume(&self) -> f64 {
        let days = self.end.nanos().saturating_sub(self.start.nanos()) as f64 / DAY_NS as f64;
        if days > 0.0 {
            self.volume.0 as f64 / days
        } else {
            0.0
        }
    }
}

/// Running sums of the period in progress.
#[derive(Clone, Debug, Default)]
struct Sums {
    start: SimTime,
    snapshots: u64,
    qualifying: u64,
    two_sided: u64,
    spread_sum: f64,
    depth_bid: Cash,
    depth_ask: Cash,
    days: u32,
    days_qualified: u32,
    volume0: Cash,
    market0: Cash,
}

/// Snapshots one MM's quotes and sums them per period.
#[derive(Clone, Debug)]
pub struct KpiMonitor {
    terms: KpiTerms,
    agents: Vec<AgentId>,
    origin: SimTime,
    sums: Sums,
    /// The day in progress: (index from the origin, snapshots, qualifying).
    day: Option<(u64, u64, u64)>,
    last: Option<Snapshot>,
    /// Every snapshot recorded, in time order: what the charts draw against the thresholds.
    trace: Vec<KpiPoint>,
}

/// One recorded snapshot, as the charts and `kpis.csv` show it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KpiPoint {
    /// When it was taken.
    pub t: SimTime,
    /// What it saw.
    pub snap: Snapshot,
}

impl KpiMonitor {
    /// A monitor of `agents` (one MM group) whose days count from `origin`.
    pub fn new(terms: KpiTerms, agents: Vec<AgentId>, origin: SimTime) -> Self {
        KpiMonitor { terms, agents, origin, sums: Sums::default(), day: None, last: None, trace: Vec::new() }
    }

    /// The thresholds.
    pub fn terms(&self) -> &KpiTerms {
        &self.terms
    }

    /// The agents watched.
    pub fn agents(&self) -> &[AgentId] {
        &self.agents
    }

    /// The last snapshot taken.
    pub fn last(&self) -> Option<&Snapshot> {
        self.last.as_ref()
    }

    /// Every snapshot recorded so far, in time order (the very figures the periods are summed from).
    pub fn trace(&self) -> &[KpiPoint] {
        &self.trace
    }

    /// Starts a period at `now`; `volume` and `market` are the running traded values (the MM's and
    /// the market's) to measure the period's from.
    pub fn begin_period(&mut self, now: SimTime, volume: Cash, market: Cash) {
        self.sums = Sums { start: now, volume0: volume, market0: market, ..Sums::default() };
        self.day = None;
    }

    /// Takes a snapshot of the monitored agents' orders on `book` (`orders`: their resting orders,
    /// from the book query [`crate::contracts::ContractCtx::orders_of`]).
    pub fn snapshot(&mut self, now: SimTime, book: &OrderBook, orders: Vec<RestingOrder>) {
        let snap = measure(book, orders, &self.terms);
        self.record(now, snap);
    }

    /// Adds a measured snapshot taken at `now`.
    pub fn record(&mut self, now: SimTime, snap: Snapshot) {
        let index = now.nanos().saturating_sub(self.origin.nanos()) / DAY_NS;
        if self.day.is_some_and(|(d, _, _)| d != index) {
            self.close_day();
        }
        let day = self.day.get_or_insert((index, 0, 0));
        day.1 += 1;
        let s = &mut self.sums;
        s.snapshots += 1;
        if snap.qualifies {
            s.qualifying += 1;
            day.2 += 1;
        }
        if let Some(bps) = snap.spread_bps {
            s.two_sided += 1;
            s.spread_sum += bps;
        }
        s.depth_bid += snap.depth_bid;
        s.depth_ask += snap.depth_ask;
        self.last = Some(snap);
        self.trace.push(KpiPoint { t: now, snap });
    }

    fn close_day(&mut self) {
        if let Some((_, n, q)) = self.day.take() {
            if n > 0 {
                self.sums.days += 1;
                if q * 4 >= n * 3 {
                    self.sums.days_qualified += 1;
                }
            }
        }
    }

    /// Ends the period at `now` and judges it; `volume` and `market` are the running traded values.
    pub fn close_period(&mut self, now: SimTime, volume: Cash, market: Cash) -> KpiPeriod {
        self.close_day();
        let s = &self.sums;
        let t = &self.terms;
        let n = s.snapshots;
        let uptime = if n > 0 { s.qualifying as f64 / n as f64 } else { 0.0 };
        let spread_bps = (s.two_sided > 0).then(|| s.spread_sum / s.two_sided as f64);
        let mean = |c: Cash| if n > 0 { c.0 as f64 / n as f64 } else { 0.0 };
        let volume = volume - s.volume0;
        let market_volume = market - s.market0;
        let length = now.nanos().saturating_sub(s.start.nanos()) as i128;
        let uptime_met = match t.rule {
            KpiRule::Uptime => t.min_uptime.map(|min| n > 0 && uptime >= min),
            KpiRule::Exchange75 => Some(s.days > 0 && s.days_qualified * 4 >= s.days * 3),
        };
        KpiPeriod {
            start: s.start,
            end: now,
            snapshots: n,
            qualifying: s.qualifying,
            two_sided: s.two_sided,
            uptime,
            spread_bps,
            depth_bid: mean(s.depth_bid),
            depth_ask: mean(s.depth_ask),
            volume,
            market_volume,
            volume_share: if market_volume.0 > 0 { volume.0 as f64 / market_volume.0 as f64 } else { 0.0 },
            days: s.days,
            days_qualified: s.days_qualified,
            uptime_met,
            spread_met: t.max_spread_bps.map(|max| spread_bps.is_some_and(|v| v <= max + 1e-9)),
            depth_met: t
                .min_depth_quote
                .map(|min| n > 0 && s.depth_bid.0 >= min.0 * n as i128 && s.depth_ask.0 >= min.0 * n as i128),
            volume_met: t.min_daily_volume_quote.map(|min| volume.0 * DAY_NS as i128 >= min.0 * length),
        }
    }
}
