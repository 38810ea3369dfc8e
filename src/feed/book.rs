//! [`L2Book`]: the market-by-price book rebuilt from a feed's snapshots and diffs.
//!
//! The book holds one aggregate size per price level (integer ticks and lots) on two paged dense
//! ladders (`ladder.rs`), and applies the event stream of `event.rs` one event at a time: a snapshot
//! header clears the book and its levels fill it, a diff header's levels set absolute sizes. Whether a
//! message applies is decided by its header through the update-id sequencing of `sync.rs`; the levels
//! that follow an ignored header are ignored too. Gaps are recorded with their times and resync time.
//!
//! A *book update* is one applied diff message, complete: [`L2Book::finish_message`] hands it out
//! (with the touch after it) when the next message starts or the stream ends, so callers compare whole
//! messages, never a half-applied one.

use serde::Serialize;

use super::error::SkipReason;
use super::event::{Event, EventKind};
use super::ladder::Ladder;
use super::sync::{DiffDecision, Sequencer, SnapshotDecision, SyncState};
use crate::types::{Price, Qty, Side};

/// A break in the update-id sequence, and when the book resynced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// Local time of the diff that revealed the gap (ns since the epoch).
    pub local_ns: u64,
    /// That diff's exchange time, if it had one.
    pub exch_ns: Option<u64>,
    /// The update id the diff should have covered.
    pub expected_id: u64,
    /// The first update id it did cover.
    pub found_id: u64,
    /// Local time of the snapshot (or bootstrap restart) that resynced the book; `None` if never.
    pub resynced_local_ns: Option<u64>,
}

/// What the book did with one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// Applied (a header accepted, or a level set).
    Applied,
    /// Not applied, for this reason (the whole message is ignored).
    Ignored(SkipReason),
    /// Not a book event (trade, ticker).
    NotBook,
}

/// One complete applied diff message and the touch after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BookUpdate {
    /// The message's local time.
    pub local_ns: u64,
    /// The message's exchange time.
    pub exch_ns: Option<u64>,
    /// The message's last update id (`u`), for feeds with ids.
    pub last_id: Option<u64>,
    /// Best bid after the message.
    pub bid: Option<(Price, Qty)>,
    /// Best ask after the message.
    pub ask: Option<(Price, Qty)>,
    /// True when the book descends from a snapshot, false when it was bootstrapped from diffs.
    pub from_snapshot: bool,
    /// Local time at which the book's current sync began (snapshot or bootstrap).
    pub synced_since_ns: u64,
}

/// What the levels after the last header do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// No header yet.
    None,
    /// Apply them.
    Apply,
    /// Ignore them.
    Ignore(SkipReason),
}

/// The replayed L2 book.
#[derive(Clone, Debug)]
pub struct L2Book {
    bids: Ladder,
    asks: Ladder,
    seq: Sequencer,
    mode: Mode,
    /// The applied diff whose levels are still arriving.
    open: Option<BookUpdate>,
    from_snapshot: bool,
    synced_since_ns: u64,
    gaps: Vec<Gap>,
    gap_count: u64,
    max_gaps: usize,
}

impl L2Book {
    /// An empty book. `bootstrap` lets it build from diffs before any snapshot (see `sync.rs`);
    /// at most `max_gaps` gaps are kept in [`L2Book::gaps`] (all are counted).
    pub fn new(bootstrap: bool, max_gaps: usize) -> Self {
        L2Book {
            bids: Ladder::new(Side::Buy),
            asks: Ladder::new(Side::Sell),
            seq: Sequencer::new(bootstrap),
            mode: Mode::None,
            open: None,
            from_snapshot: false,
            synced_since_ns: 0,
            gaps: Vec::new(),
            gap_count: 0,
            max_gaps,
        }
    }

    /// Best bid: price and size.
    #[inline]
    pub fn best_bid(&self) -> Option<(Price, Qty)> {
        self.bids.best()
    }

    /// Best ask: price and size.
    #[inline]
    pub fn best_ask(&self) -> Option<(Price, Qty)> {
        self.asks.best()
    }

    /// The size at `price` on `side` (zero when there is no level).
    pub fn qty_at(&self, side: Side, price: Price) -> Qty {
        self.side(side).qty_at(price)
    }

    /// The number of levels on `side`.
    pub fn level_count(&self, side: Side) -> usize {
        self.side(side).len()
    }

    /// The levels of `side`, best first.
    pub fn levels(&self, side: Side) -> impl Iterator<Item = (Price, Qty)> + '_ {
        self.side(side).levels()
    }

    /// Where the book is in the update-id sequence.
    pub fn sync_state(&self) -> SyncState {
        self.seq.state()
    }

    /// The gaps found (at most `max_gaps` of them, the first ones).
    pub fn gaps(&self) -> &[Gap] {
        &self.gaps
    }

    /// How many gaps were found in all.
    pub fn gap_count(&self) -> u64 {
        self.gap_count
    }

    fn side(&self, side: Side) -> &Ladder {
        match side {
            Side::Buy => &self.bids,
            Side::Sell => &self.asks,
        }
    }

    fn clear(&mut self, local_ns: u64, from_snapshot: bool) {
        self.bids.clear();
        self.asks.clear();
        self.from_snapshot = from_snapshot;
        self.synced_since_ns = local_ns;
        if let Some(gap) = self.gaps.last_mut().filter(|g| g.resynced_local_ns.is_none()) {
            gap.resynced_local_ns = Some(local_ns);
        }
    }

    /// The diff message whose levels have all arrived, if one was applied since the last call.
    /// Call it before applying any event that is not a level, and at the end of the stream.
    #[inline]
    pub fn finish_message(&mut self) -> Option<BookUpdate> {
        let mut update = self.open.take()?;
        update.bid = self.bids.best();
        update.ask = self.asks.best();
        Some(update)
    }

    /// Applies one event.
    #[inline]
    pub fn apply(&mut self, event: &Event) -> Applied {
        match event.kind {
            EventKind::Level(level) => match self.mode {
                Mode::Apply => {
                    match level.side {
                        Side::Buy => self.bids.set(level.price, level.qty),
                        Side::Sell => self.asks.set(level.price, level.qty),
                    }
                    Applied::Applied
                }
                Mode::Ignore(reason) => Applied::Ignored(reason),
                Mode::None => Applied::Ignored(SkipReason::DiffOutOfSync),
            },
            EventKind::Diff(diff) => {
                self.open = None;
                let (decision, gap) = self.seq.on_diff(diff.ids);
                if let Some(gap) = gap {
                    self.gap_count += 1;
                    if self.gaps.len() < self.max_gaps {
                        self.gaps.push(Gap {
                            local_ns: event.local_ns,
                            exch_ns: event.exch_ns,
                            expected_id: gap.expected,
                            found_id: gap.found,
                            resynced_local_ns: None,
                        });
                    }
                }
                match decision {
                    DiffDecision::Ignore(reason) => {
                        self.mode = Mode::Ignore(reason);
                        return Applied::Ignored(reason);
                    }
                    DiffDecision::Bootstrap => self.clear(event.local_ns, false),
                    DiffDecision::Apply => {}
                }
                self.mode = Mode::Apply;
                self.open = Some(BookUpdate {
                    local_ns: event.local_ns,
                    exch_ns: event.exch_ns,
                    last_id: diff.ids.map(|ids| ids.last),
                    bid: None,
                    ask: None,
                    from_snapshot: self.from_snapshot,
                    synced_since_ns: self.synced_since_ns,
                });
                Applied::Applied
            }
            EventKind::Snapshot(snapshot) => {
                self.open = None;
                match self.seq.on_snapshot(snapshot.last_update_id) {
                    SnapshotDecision::Replace => {
                        self.clear(event.local_ns, true);
                        self.mode = Mode::Apply;
                        Applied::Applied
                    }
                    SnapshotDecision::Ignore(reason) => {
                        self.mode = Mode::Ignore(reason);
                        Applied::Ignored(reason)
                    }
                }
            }
            EventKind::Trade(_) | EventKind::Ticker(_) => Applied::NotBook,
        }
    }
}
