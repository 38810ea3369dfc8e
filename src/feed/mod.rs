//! Real market data: importing recorded feeds into one event stream and replaying it into an L2 book.
//!
//! **Formats** (detected from each file's first line, gzip detected by its magic bytes; see
//! `format.rs`): Binance raw streams (`<local_ns> <json>` lines: `depthUpdate`, `trade`, `bookTicker`,
//! REST snapshots, bare or in the `{"stream":..,"data":..}` wrapper), Tardis CSV
//! (`incremental_book_L2`, `trades`, `book_ticker`) and Binance public trades CSV.
//!
//! **One stream.** Every file becomes [`Event`]s with a local and an exchange timestamp (ns since the
//! epoch) and one of five kinds: snapshot header, diff header, price level, trade, ticker (see
//! `event.rs` for how a message with many levels is flattened). [`EventReader`] reads any number of
//! files lazily, line by line, and merges them in local-time order; memory is flat in file length.
//!
//! **Exact numbers.** Prices and sizes are parsed with `rust_decimal` and converted exactly to
//! integer ticks and lots; the tick and lot are given, or inferred as the finest decimal places seen
//! in the first lines of each file (`grid.rs`, `infer.rs`). A value off the grid is a located error.
//!
//! **Errors.** Damaged lines are counted skips with a reason and their first place; anything that
//! would make the book or the order of events wrong is a located [`FeedError`] (`error.rs`).
//!
//! **Book.** [`L2Book`] applies snapshots and diffs with Binance update-id sequencing, records gaps and
//! resyncs at the next snapshot (`sync.rs`, `book.rs`); [`TopOfBookCheck`] compares its touch with the
//! feed's own `bookTicker` at the matching update id (`agreement.rs`).
//!
//! **Entry point.** [`replay_files`] runs all of it and returns a serde-serializable
//! [`ReplaySummary`]: events read and skipped per kind and reason, the gaps, the top-of-book agreement.
//!
//! ```no_run
//! use mmsim::feed::{replay_files, ReplayOptions};
//! let summary = replay_files(&["binance_ethusdt.gz"], &ReplayOptions::default())?;
//! println!("agreement {:?}", summary.top_of_book_agreement);
//! # Ok::<(), mmsim::feed::FeedError>(())
//! ```

mod agreement;
mod binance_json;
mod binance_trades;
mod book;
mod error;
mod event;
mod format;
mod grid;
mod infer;
mod ladder;
mod merge;
mod reader;
mod replay;
mod stats;
mod sync;
mod tardis;
#[cfg(test)]
mod tests;

pub use agreement::{AgreementStats, MatchKey, Mismatch, TopOfBookCheck};
pub use book::{Applied, BookUpdate, Gap, L2Book};
pub use error::{FeedError, Location, SkipReason};
pub use event::{DiffStart, Event, EventKind, Level, MessageKind, SnapshotStart, Ticker, Trade, UpdateIds};
pub use format::Format;
pub use grid::Step;
pub use infer::ReadOptions;
pub use merge::EventReader;
pub use reader::MAX_LINE_BYTES;
pub use replay::{replay_files, FileSummary, FinalBook, ReplayOptions, ReplayOutcome, ReplaySummary, Replayer};
pub use stats::{KindStats, ReasonStats, ReplayStats};
pub use sync::SyncState;
