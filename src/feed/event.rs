//! The internal market-data event: what every importer produces and what the replayed book consumes.
//!
//! One [`Event`] is one small `Copy` value (80 bytes, no heap), so a stream of them never allocates
//! per message. A message that touches several price levels is *flattened*: a header event
//! ([`EventKind::Snapshot`] or [`EventKind::Diff`]) followed by one [`EventKind::Level`] event per
//! level, all with the same timestamps. The levels that follow a header, up to the next event that is
//! not a level, belong to its message: importers emit a message's events together (a Tardis diff is
//! the rows of one `local_timestamp`), and the merger never interleaves two files inside one message
//! (see `merge.rs`).
//!
//! Units: prices in integer ticks ([`Price`]), sizes in integer lots ([`Qty`]) on the grid the reader
//! was given or inferred; times in nanoseconds since the Unix epoch. A level's `qty` is the level's new
//! *absolute* size; zero removes the level.

use crate::types::{Price, Qty, Side};

/// One market-data event with its two timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// When the collector received the message, ns since the epoch (the merge and replay order).
    pub local_ns: u64,
    /// The exchange's own timestamp, ns since the epoch; `None` when the message carries none
    /// (Binance spot `bookTicker`, REST snapshots without `E`).
    pub exch_ns: Option<u64>,
    /// What happened.
    pub kind: EventKind,
}

/// The kinds of market-data events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A full book follows: the book is cleared and the [`EventKind::Level`] events up to the next
    /// header are its levels.
    Snapshot(SnapshotStart),
    /// An incremental update follows: the [`EventKind::Level`] events up to the next header are its
    /// level changes.
    Diff(DiffStart),
    /// One price level of the current snapshot or diff.
    Level(Level),
    /// A trade printed.
    Trade(Trade),
    /// The exchange's own best bid and ask (Binance `bookTicker`, Tardis `book_ticker`).
    Ticker(Ticker),
}

/// The header of a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SnapshotStart {
    /// Binance `lastUpdateId`: the snapshot is the book after this update; `None` for Tardis.
    pub last_update_id: Option<u64>,
}

/// The header of a diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiffStart {
    /// Binance update ids of the diff; `None` for feeds without them (Tardis).
    pub ids: Option<UpdateIds>,
}

/// The update-id range of one Binance diff message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpdateIds {
    /// `U`: the first update id in the message.
    pub first: u64,
    /// `u`: the last update id in the message.
    pub last: u64,
    /// `pu`: the previous message's `u` (futures streams only).
    pub prev: Option<u64>,
}

/// One price level's new absolute size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Level {
    /// `Buy` for a bid level, `Sell` for an ask level.
    pub side: Side,
    /// The level's price in ticks.
    pub price: Price,
    /// The level's new total size in lots; zero removes the level.
    pub qty: Qty,
}

/// One trade.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trade {
    /// Trade price in ticks.
    pub price: Price,
    /// Trade size in lots.
    pub qty: Qty,
    /// The taker's side (`Buy` lifted the ask); `None` when the feed does not say.
    pub aggressor: Option<Side>,
    /// The exchange's trade id, when it is a number.
    pub id: Option<u64>,
}

/// The exchange's best bid and ask. A side with zero size is empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticker {
    /// Best bid price in ticks (meaningless when `bid_qty` is zero).
    pub bid_price: Price,
    /// Size at the best bid in lots.
    pub bid_qty: Qty,
    /// Best ask price in ticks (meaningless when `ask_qty` is zero).
    pub ask_price: Price,
    /// Size at the best ask in lots.
    pub ask_qty: Qty,
    /// Binance `u`: the update id, on the diff stream's sequence, after which this was the touch.
    pub update_id: Option<u64>,
}

impl Ticker {
    /// The best bid, if the bid side is not empty.
    pub fn bid(&self) -> Option<(Price, Qty)> {
        (!self.bid_qty.is_zero()).then_some((self.bid_price, self.bid_qty))
    }
    /// The best ask, if the ask side is not empty.
    pub fn ask(&self) -> Option<(Price, Qty)> {
        (!self.ask_qty.is_zero()).then_some((self.ask_price, self.ask_qty))
    }
}

/// The coarse kind of a message, for counting (a diff or snapshot counts once, not per level).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MessageKind {
    /// A full book.
    Snapshot,
    /// An incremental book update.
    Diff,
    /// A trade.
    Trade,
    /// A best bid/ask ticker.
    Ticker,
}

impl MessageKind {
    /// The name used in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            MessageKind::Snapshot => "snapshot",
            MessageKind::Diff => "diff",
            MessageKind::Trade => "trade",
            MessageKind::Ticker => "ticker",
        }
    }
}

impl EventKind {
    /// The message kind this event starts, or `None` for a level (part of the message before it).
    pub const fn message_kind(&self) -> Option<MessageKind> {
        match self {
            EventKind::Snapshot(_) => Some(MessageKind::Snapshot),
            EventKind::Diff(_) => Some(MessageKind::Diff),
            EventKind::Level(_) => None,
            EventKind::Trade(_) => Some(MessageKind::Trade),
            EventKind::Ticker(_) => Some(MessageKind::Ticker),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_stay_small() {
        assert!(std::mem::size_of::<Event>() <= 80, "{}", std::mem::size_of::<Event>());
    }

    #[test]
    fn ticker_sides_with_zero_size_are_empty() {
        let t = Ticker { bid_price: Price(5), bid_qty: Qty(0), ask_price: Price(6), ask_qty: Qty(2), update_id: None };
        assert_eq!(t.bid(), None);
        assert_eq!(t.ask(), Some((Price(6), Qty(2))));
    }
}
