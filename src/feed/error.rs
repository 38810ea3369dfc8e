//! What can go wrong reading market data, and where.
//!
//! Every bad input is one of two things, never a panic:
//! - a **located error** ([`FeedError`], with the file and 1-based line number) when going on would
//!   give a wrong book or a wrong order of events: unreadable or truncated files, an unknown format,
//!   a wrong CSV header, a price or size off the tick/lot grid or too large, a local timestamp that
//!   goes backwards within a file;
//! - a **counted skip** ([`SkipReason`], counted in `ReplayStats` with the first place it happened)
//!   when one line is damaged or not market data: a non-JSON line, an unknown stream or message type,
//!   a missing or unparsable field, a CSV row with the wrong number of fields, a row for another
//!   symbol. With `ReplayOptions::strict` every such skip becomes [`FeedError::Rejected`] instead.
//!   The book adds its own skips (diffs it cannot apply while out of sync, stale messages).

use std::fmt;
use std::io;
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;

/// A place in the input: a file and a 1-based line number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file as given by the caller.
    pub file: PathBuf,
    /// The 1-based line number (of the decompressed text for gzip files).
    pub line: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// Why a line or message was skipped (counted, not fatal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipReason {
    /// An empty line.
    BlankLine,
    /// Not `<local timestamp> <json>`, or the JSON does not parse.
    NotJson,
    /// A timestamp that is not a whole number (or overflows nanoseconds).
    BadTimestamp,
    /// Valid JSON that is no depth diff, trade, book ticker or REST snapshot (other streams,
    /// subscription replies).
    UnknownMessage,
    /// A known message with a missing, ill-typed or unparsable field (price, size, side, id).
    BadField,
    /// A CSV row with the wrong number of fields.
    FieldCount,
    /// A message for another symbol than the first one seen in the file.
    OtherSymbol,
    /// A diff ignored because the book is out of sync (after a gap, waiting for a snapshot).
    DiffOutOfSync,
    /// A diff whose updates the book already holds (its last id is at or before the book's).
    DiffStale,
    /// A snapshot older than the book's state (its `lastUpdateId` is at or before the last applied id).
    SnapshotStale,
}

impl SkipReason {
    /// Every reason, in report order.
    pub const ALL: [SkipReason; 10] = [
        SkipReason::BlankLine,
        SkipReason::NotJson,
        SkipReason::BadTimestamp,
        SkipReason::UnknownMessage,
        SkipReason::BadField,
        SkipReason::FieldCount,
        SkipReason::OtherSymbol,
        SkipReason::DiffOutOfSync,
        SkipReason::DiffStale,
        SkipReason::SnapshotStale,
    ];

    /// The name used in reports (`snake_case`).
    pub const fn as_str(self) -> &'static str {
        match self {
            SkipReason::BlankLine => "blank_line",
            SkipReason::NotJson => "not_json",
            SkipReason::BadTimestamp => "bad_timestamp",
            SkipReason::UnknownMessage => "unknown_message",
            SkipReason::BadField => "bad_field",
            SkipReason::FieldCount => "field_count",
            SkipReason::OtherSymbol => "other_symbol",
            SkipReason::DiffOutOfSync => "diff_out_of_sync",
            SkipReason::DiffStale => "diff_stale",
            SkipReason::SnapshotStale => "snapshot_stale",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A fatal problem with the input or the options, located where possible.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// No input file was given.
    #[error("no market-data file given: pass at least one path")]
    NoFiles,
    /// An option is out of range.
    #[error("invalid replay option `{option}`: {message}")]
    BadOption {
        /// The option's name.
        option: &'static str,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A file could not be opened or read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// A gzip file ends early or is corrupt.
    #[error(
        "{location}: the gzip stream is truncated or corrupt after this line ({source}); \
         the file was probably cut off while being written: re-download it, or recompress the readable part"
    )]
    Gzip {
        /// The last line read completely (0 when none).
        location: Location,
        /// The decompressor's error.
        #[source]
        source: io::Error,
    },
    /// The first line matches none of the supported formats.
    #[error(
        "{location}: unknown market-data format (first line {first_line:?}); expected Binance `<local_ns> <json>` \
         lines, a Tardis CSV header (incremental_book_L2, trades, book_ticker) or Binance trades CSV"
    )]
    UnknownFormat {
        /// The first line.
        location: Location,
        /// The start of that line.
        first_line: String,
    },
    /// A line longer than the reader accepts (a broken file, not market data).
    #[error("{location}: line longer than {limit} bytes; this is not a market-data file")]
    LineTooLong {
        /// Where.
        location: Location,
        /// The limit in bytes.
        limit: usize,
    },
    /// A price or size is not a whole number of ticks or lots.
    #[error(
        "{location}: {field} {value} is not a multiple of the {grid} {step}; pass a finer {grid} \
         (or infer it from more lines)"
    )]
    OffGrid {
        /// Where.
        location: Location,
        /// `price` or `qty`.
        field: &'static str,
        /// The value as written.
        value: String,
        /// `tick` or `lot`.
        grid: &'static str,
        /// The step it should be a multiple of.
        step: Decimal,
    },
    /// A price or size needs more than 63 bits of ticks or lots.
    #[error("{location}: {field} {value} is too large for the {grid} {step}; pass a coarser {grid}")]
    TooLarge {
        /// Where.
        location: Location,
        /// `price` or `qty`.
        field: &'static str,
        /// The value as written.
        value: String,
        /// `tick` or `lot`.
        grid: &'static str,
        /// The step.
        step: Decimal,
    },
    /// The local timestamp decreased within one file.
    #[error(
        "{location}: local timestamp {found_ns} ns is before the previous line's {previous_ns} ns; \
         a file must be in receive order (sort it by its first column)"
    )]
    TimeWentBackwards {
        /// Where.
        location: Location,
        /// The previous line's local timestamp.
        previous_ns: u64,
        /// This line's local timestamp.
        found_ns: u64,
    },
    /// In strict mode, a line that would have been skipped.
    #[error("{location}: {reason}: {detail}")]
    Rejected {
        /// Where.
        location: Location,
        /// The skip reason.
        reason: SkipReason,
        /// What exactly was wrong.
        detail: String,
    },
    /// The tick or lot size could not be inferred.
    #[error(
        "cannot infer the {grid} size: no {field} in the first {lines} lines of each file; \
         pass the {grid} size explicitly"
    )]
    CannotInfer {
        /// `tick` or `lot`.
        grid: &'static str,
        /// `price` or `qty`.
        field: &'static str,
        /// Lines looked at per file.
        lines: usize,
    },
}

/// A problem with one line, before it is given a location by the reader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum LineError {
    /// Skip the line (or fail, in strict mode).
    Skip {
        /// Why.
        reason: SkipReason,
        /// The message kind, when known.
        kind: Option<super::event::MessageKind>,
        /// What exactly was wrong (for strict-mode errors).
        detail: String,
    },
    /// A value off the grid (`too_large == false`) or too large for it: always fatal.
    Value {
        /// `price` or `qty`.
        field: &'static str,
        /// The value as written.
        value: String,
        /// True for too large, false for off the grid.
        too_large: bool,
    },
}

impl LineError {
    /// A skip with a detail message.
    pub(super) fn skip(
        reason: SkipReason,
        kind: Option<super::event::MessageKind>,
        detail: impl Into<String>,
    ) -> LineError {
        LineError::Skip { reason, kind, detail: detail.into() }
    }
}
