//! Counts of what a replay read, applied and skipped, per message kind and per skip reason.
//!
//! A *message* is one line's worth of market data: a diff or snapshot counts once however many
//! levels it carries (levels are counted separately). For each kind, `read` counts every message
//! seen (parsed or not) and `skipped` the ones that were not used: damaged lines of that kind and
//! messages the book could not apply (out of sync, stale). Lines whose kind cannot be told (not JSON,
//! an unknown stream, blank) count in `unrecognised`. Every skip also counts under its reason, with
//! the place it first happened: `file:line` for lines the reader skipped, `local_ns <time>` for
//! messages the book refused (events carry times, not line numbers).

use std::collections::BTreeMap;

use serde::Serialize;

use super::error::SkipReason;
use super::event::MessageKind;

/// Messages of one kind: seen, and not used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct KindStats {
    /// Messages of this kind seen (parsed or not).
    pub read: u64,
    /// Of those, messages not used (damaged, or not applicable to the book).
    pub skipped: u64,
}

/// One skip reason: how often, and where first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReasonStats {
    /// How many lines or messages were skipped for this reason.
    pub count: u64,
    /// `file:line` of the first one.
    pub first_at: String,
}

/// What a replay read and skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReplayStats {
    /// Lines read, headers included.
    pub lines: u64,
    /// Snapshots.
    pub snapshot: KindStats,
    /// Book diffs (messages, not levels).
    pub diff: KindStats,
    /// Trades.
    pub trade: KindStats,
    /// Best bid/ask tickers.
    pub ticker: KindStats,
    /// Lines of no known kind (blank, not JSON, unknown message), all skipped.
    pub unrecognised: u64,
    /// Price levels (of snapshots and diffs) applied to the book.
    pub levels_applied: u64,
    /// Price levels not applied (their message was skipped).
    pub levels_ignored: u64,
    /// Skips by reason (`snake_case` names, see [`SkipReason::as_str`]).
    pub skip_reasons: BTreeMap<&'static str, ReasonStats>,
}

impl ReplayStats {
    /// The counts of one message kind.
    pub fn kind(&self, kind: MessageKind) -> &KindStats {
        match kind {
            MessageKind::Snapshot => &self.snapshot,
            MessageKind::Diff => &self.diff,
            MessageKind::Trade => &self.trade,
            MessageKind::Ticker => &self.ticker,
        }
    }

    fn kind_mut(&mut self, kind: MessageKind) -> &mut KindStats {
        match kind {
            MessageKind::Snapshot => &mut self.snapshot,
            MessageKind::Diff => &mut self.diff,
            MessageKind::Trade => &mut self.trade,
            MessageKind::Ticker => &mut self.ticker,
        }
    }

    /// How many skips had `reason`.
    pub fn skipped(&self, reason: SkipReason) -> u64 {
        self.skip_reasons.get(reason.as_str()).map_or(0, |r| r.count)
    }

    /// Every skip, all reasons together.
    pub fn total_skipped(&self) -> u64 {
        self.skip_reasons.values().map(|r| r.count).sum()
    }

    /// Counts one message read.
    #[inline]
    pub(super) fn read(&mut self, kind: MessageKind) {
        self.kind_mut(kind).read += 1;
    }

    /// Counts one skip; `kind` is `None` when the line's kind is unknown. A line skipped while
    /// reading counts as read too (`read_too`); a message the book refused was counted when read.
    pub(super) fn skip(
        &mut self,
        reason: SkipReason,
        kind: Option<MessageKind>,
        read_too: bool,
        at: impl FnOnce() -> String,
    ) {
        match kind {
            Some(kind) => {
                let k = self.kind_mut(kind);
                k.read += u64::from(read_too);
                k.skipped += 1;
            }
            None => self.unrecognised += 1,
        }
        let entry = self.skip_reasons.entry(reason.as_str()).or_default();
        if entry.count == 0 {
            entry.first_at = at();
        }
        entry.count += 1;
    }

    /// Adds `other`'s counts to these (the first place of a reason is kept from `self` if any).
    pub(super) fn absorb(&mut self, other: &ReplayStats) {
        self.lines += other.lines;
        for kind in [MessageKind::Snapshot, MessageKind::Diff, MessageKind::Trade, MessageKind::Ticker] {
            let theirs = *other.kind(kind);
            let ours = self.kind_mut(kind);
            ours.read += theirs.read;
            ours.skipped += theirs.skipped;
        }
        self.unrecognised += other.unrecognised;
        self.levels_applied += other.levels_applied;
        self.levels_ignored += other.levels_ignored;
        for (name, theirs) in &other.skip_reasons {
            let ours = self.skip_reasons.entry(name).or_default();
            if ours.count == 0 {
                ours.first_at.clone_from(&theirs.first_at);
            }
            ours.count += theirs.count;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_count_per_kind_and_reason_and_keep_the_first_place() {
        let mut a = ReplayStats::default();
        a.read(MessageKind::Trade);
        a.skip(SkipReason::BadField, Some(MessageKind::Trade), true, || "a:2".into());
        a.skip(SkipReason::BadField, Some(MessageKind::Trade), true, || "a:3".into());
        a.skip(SkipReason::NotJson, None, true, || "a:4".into());
        assert_eq!(a.trade, KindStats { read: 3, skipped: 2 });
        assert_eq!(a.unrecognised, 1);
        assert_eq!(a.skip_reasons["bad_field"], ReasonStats { count: 2, first_at: "a:2".into() });
        let mut b = ReplayStats::default();
        b.skip(SkipReason::DiffStale, Some(MessageKind::Diff), false, || "b:9".into());
        b.skip(SkipReason::BadField, Some(MessageKind::Trade), true, || "b:1".into());
        a.absorb(&b);
        assert_eq!(a.skipped(SkipReason::BadField), 3);
        assert_eq!(a.skip_reasons["bad_field"].first_at, "a:2");
        assert_eq!(a.diff, KindStats { read: 0, skipped: 1 });
        assert_eq!(a.total_skipped(), 5);
    }
}
