//! Update-id sequencing: which snapshots and diffs the replayed book may apply, and where the gaps are.
//!
//! The rules (Binance's documented procedure, for spot and futures):
//! - a snapshot with `lastUpdateId = L` replaces the book, unless the book is already live at an
//!   update id ≥ L (collectors write the REST snapshot when it arrives, which can be after diffs
//!   beyond L were applied; replacing the book would then go back in time): that snapshot is stale;
//! - the first diff after a snapshot applies when `U ≤ L+1` and `u ≥ L` (spot says `u ≥ L+1`,
//!   futures `u ≥ L`; re-applying a diff ending at L is harmless since sizes are absolute); diffs with
//!   `u < L` are stale; a first diff with `U > L+1` means updates are missing: a gap;
//! - each later diff applies when it follows the last applied one: `pu == last` when the message
//!   carries `pu` (futures), else `U == last + 1`; a diff with `u ≤ last` is stale (a duplicate); any
//!   other diff is a gap;
//! - after a gap every diff is ignored until the next snapshot resyncs the book.
//!
//! A stream that has no snapshot yet (the five-minute sample has none) is *bootstrapped* when allowed:
//! the first diff starts the sequence on an empty book, which fills up as levels change. A gap in a
//! stream that has never had a snapshot restarts the bootstrap (the book is cleared and rebuilt from
//! the diff after the gap), since waiting for a snapshot that may never come would drop everything.
//!
//! Feeds without update ids (Tardis) have no sequence to check: a snapshot replaces the book, and
//! every diff after it applies.

use super::error::SkipReason;
use super::event::UpdateIds;

/// Where the book is in the sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncState {
    /// Nothing applied yet.
    Empty,
    /// A snapshot at `snapshot_id` was applied; the next diff must span `snapshot_id + 1`.
    AwaitDiff {
        /// The snapshot's `lastUpdateId`.
        snapshot_id: u64,
    },
    /// Applying diffs; `last` is the last applied update id (`None` for feeds without ids).
    Live {
        /// The last applied update id.
        last: Option<u64>,
    },
    /// A gap was found: diffs are ignored until the next snapshot.
    AwaitSnapshot,
}

/// What to do with a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SnapshotDecision {
    /// Clear the book and apply the snapshot's levels.
    Replace,
    /// Ignore it (and its levels).
    Ignore(SkipReason),
}

/// What to do with a diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DiffDecision {
    /// Apply its levels.
    Apply,
    /// Clear the book, then apply its levels (a bootstrap starts or restarts).
    Bootstrap,
    /// Ignore it (and its levels).
    Ignore(SkipReason),
}

/// A break in the update-id sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Break {
    /// The id the next diff should have covered.
    pub expected: u64,
    /// The diff's first id (`U`, or `pu + 1` when it carries `pu`).
    pub found: u64,
}

/// The sequencing state machine.
#[derive(Clone, Debug)]
pub(super) struct Sequencer {
    state: SyncState,
    seen_snapshot: bool,
    bootstrap: bool,
}

impl Sequencer {
    /// A sequencer; `bootstrap` allows building the book from diffs before any snapshot.
    pub fn new(bootstrap: bool) -> Self {
        Sequencer { state: SyncState::Empty, seen_snapshot: false, bootstrap }
    }

    /// The current state.
    pub fn state(&self) -> SyncState {
        self.state
    }

    /// Decides on a snapshot with `lastUpdateId = id` (`None` for feeds without ids).
    pub fn on_snapshot(&mut self, id: Option<u64>) -> SnapshotDecision {
        if let (Some(l), SyncState::Live { last: Some(last) }) = (id, self.state) {
            if l <= last {
                return SnapshotDecision::Ignore(SkipReason::SnapshotStale);
            }
        }
        self.seen_snapshot = true;
        self.state = match id {
            Some(snapshot_id) => SyncState::AwaitDiff { snapshot_id },
            None => SyncState::Live { last: None },
        };
        SnapshotDecision::Replace
    }

    /// Decides on a diff; also returns the break when the diff reveals a gap.
    pub fn on_diff(&mut self, ids: Option<UpdateIds>) -> (DiffDecision, Option<Break>) {
        let Some(ids) = ids else {
            return match self.state {
                SyncState::Empty if !self.bootstrap => (DiffDecision::Ignore(SkipReason::DiffOutOfSync), None),
                SyncState::Empty => {
                    self.state = SyncState::Live { last: None };
                    (DiffDecision::Bootstrap, None)
                }
                SyncState::AwaitSnapshot => (DiffDecision::Ignore(SkipReason::DiffOutOfSync), None),
                _ => {
                    self.state = SyncState::Live { last: None };
                    (DiffDecision::Apply, None)
                }
            };
        };
        let live = SyncState::Live { last: Some(ids.last) };
        match self.state {
            SyncState::Empty if self.bootstrap => {
                self.state = live;
                (DiffDecision::Bootstrap, None)
            }
            SyncState::Empty | SyncState::AwaitSnapshot => (DiffDecision::Ignore(SkipReason::DiffOutOfSync), None),
            SyncState::AwaitDiff { snapshot_id } => {
                if ids.last < snapshot_id {
                    (DiffDecision::Ignore(SkipReason::DiffStale), None)
                } else if ids.first <= snapshot_id.saturating_add(1) {
                    self.state = live;
                    (DiffDecision::Apply, None)
                } else {
                    self.gap(Break { expected: snapshot_id.saturating_add(1), found: ids.first })
                }
            }
            SyncState::Live { last: None } => {
                self.state = live;
                (DiffDecision::Apply, None)
            }
            SyncState::Live { last: Some(last) } => {
                let follows = match ids.prev {
                    Some(prev) => prev == last,
                    None => ids.first == last.saturating_add(1),
                };
                if follows {
                    self.state = live;
                    (DiffDecision::Apply, None)
                } else if ids.last <= last {
                    (DiffDecision::Ignore(SkipReason::DiffStale), None)
                } else {
                    let found = ids.prev.map_or(ids.first, |p| p.saturating_add(1));
                    let decision = self.gap(Break { expected: last.saturating_add(1), found });
                    if decision.0 == DiffDecision::Bootstrap {
                        self.state = live;
                    }
                    decision
                }
            }
        }
    }

    fn gap(&mut self, at: Break) -> (DiffDecision, Option<Break>) {
        if self.seen_snapshot || !self.bootstrap {
            self.state = SyncState::AwaitSnapshot;
            (DiffDecision::Ignore(SkipReason::DiffOutOfSync), Some(at))
        } else {
            (DiffDecision::Bootstrap, Some(at))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(first: u64, last: u64) -> Option<UpdateIds> {
        Some(UpdateIds { first, last, prev: None })
    }

    #[test]
    fn snapshot_then_spanning_diff_then_consecutive_diffs() {
        let mut s = Sequencer::new(false);
        assert_eq!(s.on_diff(ids(1, 5)).0, DiffDecision::Ignore(SkipReason::DiffOutOfSync));
        assert_eq!(s.on_snapshot(Some(10)), SnapshotDecision::Replace);
        assert_eq!(s.on_diff(ids(3, 9)).0, DiffDecision::Ignore(SkipReason::DiffStale));
        assert_eq!(s.on_diff(ids(8, 12)), (DiffDecision::Apply, None));
        assert_eq!(s.on_diff(ids(13, 13)), (DiffDecision::Apply, None));
        assert_eq!(s.on_diff(ids(10, 13)).0, DiffDecision::Ignore(SkipReason::DiffStale));
        assert_eq!(s.state(), SyncState::Live { last: Some(13) });
        assert_eq!(s.on_snapshot(Some(12)), SnapshotDecision::Ignore(SkipReason::SnapshotStale));
    }

    #[test]
    fn a_gap_waits_for_the_next_snapshot() {
        let mut s = Sequencer::new(true);
        s.on_snapshot(Some(10));
        assert_eq!(s.on_diff(ids(11, 20)).0, DiffDecision::Apply);
        let (d, gap) = s.on_diff(ids(25, 30));
        assert_eq!(
            (d, gap),
            (DiffDecision::Ignore(SkipReason::DiffOutOfSync), Some(Break { expected: 21, found: 25 }))
        );
        assert_eq!(s.on_diff(ids(31, 32)).0, DiffDecision::Ignore(SkipReason::DiffOutOfSync));
        assert_eq!(s.on_snapshot(Some(40)), SnapshotDecision::Replace);
        assert_eq!(s.on_diff(ids(42, 45)).1, Some(Break { expected: 41, found: 42 }), "snapshot too old for the diffs");
        s.on_snapshot(Some(50));
        assert_eq!(s.on_diff(ids(51, 52)), (DiffDecision::Apply, None));
    }

    #[test]
    fn futures_diffs_chain_on_pu() {
        let mut s = Sequencer::new(false);
        s.on_snapshot(Some(100));
        let d = |first, last, prev| Some(UpdateIds { first, last, prev: Some(prev) });
        assert_eq!(s.on_diff(d(95, 105, 90)).0, DiffDecision::Apply);
        assert_eq!(s.on_diff(d(110, 120, 105)).0, DiffDecision::Apply, "ids may jump; pu links");
        assert_eq!(s.on_diff(d(130, 140, 125)).1, Some(Break { expected: 121, found: 126 }));
    }

    #[test]
    fn bootstrap_without_snapshots_restarts_after_a_gap() {
        let mut s = Sequencer::new(true);
        assert_eq!(s.on_diff(ids(5, 9)), (DiffDecision::Bootstrap, None));
        assert_eq!(s.on_diff(ids(10, 12)).0, DiffDecision::Apply);
        assert_eq!(s.on_diff(ids(20, 22)), (DiffDecision::Bootstrap, Some(Break { expected: 13, found: 20 })));
        assert_eq!(s.on_diff(ids(23, 23)).0, DiffDecision::Apply);
    }

    #[test]
    fn feeds_without_ids_apply_after_a_snapshot() {
        let mut s = Sequencer::new(false);
        assert_eq!(s.on_diff(None).0, DiffDecision::Ignore(SkipReason::DiffOutOfSync));
        assert_eq!(s.on_snapshot(None), SnapshotDecision::Replace);
        assert_eq!(s.on_diff(None), (DiffDecision::Apply, None));
        assert_eq!(s.on_snapshot(None), SnapshotDecision::Replace);
    }
}
