//! Replaying market data: the files' events through an [`L2Book`] and the top-of-book check, into a
//! serde-serializable [`ReplaySummary`] (the `replay` object of `summary.json`).

use std::path::Path;

use rust_decimal::Decimal;
use serde::Serialize;

use super::agreement::{AgreementStats, TopOfBookCheck};
use super::book::{Applied, Gap, L2Book};
use super::error::FeedError;
use super::event::{Event, EventKind};
use super::infer::ReadOptions;
use super::merge::EventReader;
use super::stats::ReplayStats;
use crate::types::Side;

/// How a replay runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayOptions {
    /// How the files are read (tick, lot, strictness).
    pub read: ReadOptions,
    /// Build the book from diffs when the stream has no snapshot yet (default true; see `sync.rs`).
    pub bootstrap_without_snapshot: bool,
    /// How long a bootstrapped book must have been live before it is compared (default 60 s).
    pub warmup_ns: u64,
    /// Gaps listed in the summary (all are counted; default 100).
    pub max_gaps_listed: usize,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions {
            read: ReadOptions::default(),
            bootstrap_without_snapshot: true,
            warmup_ns: 60_000_000_000,
            max_gaps_listed: 100,
        }
    }
}

/// One input file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileSummary {
    /// The path as given.
    pub path: String,
    /// The detected format (see [`Format::as_str`](super::Format::as_str)).
    pub format: &'static str,
}

/// The replayed book at the end, in ticks and lots.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FinalBook {
    /// Bid levels.
    pub bid_levels: usize,
    /// Ask levels.
    pub ask_levels: usize,
    /// Best bid price in ticks.
    pub best_bid_ticks: Option<i64>,
    /// Best ask price in ticks.
    pub best_ask_ticks: Option<i64>,
}

/// What a replay found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplaySummary {
    /// The input files, in the order given.
    pub files: Vec<FileSummary>,
    /// The tick size prices were converted on.
    pub tick_size: Decimal,
    /// The lot size sizes were converted on.
    pub lot_size: Decimal,
    /// True when the tick size was inferred from the data.
    pub tick_size_inferred: bool,
    /// True when the lot size was inferred from the data.
    pub lot_size_inferred: bool,
    /// Local time of the first event (ns since the epoch).
    pub first_local_ns: Option<u64>,
    /// Local time of the last event.
    pub last_local_ns: Option<u64>,
    /// Events replayed (headers, levels, trades, tickers).
    pub events: u64,
    /// Messages read and skipped, per kind and reason.
    pub stats: ReplayStats,
    /// Gaps in the update-id sequence, all of them.
    pub gap_count: u64,
    /// The first gaps, with their times and resync times.
    pub gaps: Vec<Gap>,
    /// The counts behind the top-of-book agreement.
    pub top_of_book: AgreementStats,
    /// Share of compared book updates whose best bid and ask equal the feed's own ticker.
    pub top_of_book_agreement: Option<f64>,
    /// The book at the end.
    pub final_book: FinalBook,
}

/// Drives events through the book and the check, counting what the book skips.
#[derive(Debug)]
pub struct Replayer {
    book: L2Book,
    check: TopOfBookCheck,
    stats: ReplayStats,
    events: u64,
    first_local_ns: Option<u64>,
    last_local_ns: Option<u64>,
}

impl Replayer {
    /// A replayer with an empty book.
    pub fn new(options: &ReplayOptions) -> Self {
        Replayer {
            book: L2Book::new(options.bootstrap_without_snapshot, options.max_gaps_listed),
            check: TopOfBookCheck::new(options.warmup_ns),
            stats: ReplayStats::default(),
            events: 0,
            first_local_ns: None,
            last_local_ns: None,
        }
    }

    /// The book as replayed so far.
    pub fn book(&self) -> &L2Book {
        &self.book
    }

    /// Applies one event.
    pub fn on_event(&mut self, event: &Event) {
        self.events += 1;
        self.first_local_ns.get_or_insert(event.local_ns);
        self.last_local_ns = Some(event.local_ns);
        if let EventKind::Level(_) = event.kind {
            match self.book.apply(event) {
                Applied::Ignored(_) => self.stats.levels_ignored += 1,
                _ => self.stats.levels_applied += 1,
            }
            return;
        }
        if let Some(update) = self.book.finish_message() {
            self.check.on_update(update);
        }
        if let Applied::Ignored(reason) = self.book.apply(event) {
            let kind = event.kind.message_kind();
            let at = event.local_ns;
            self.stats.skip(reason, kind, false, || format!("local_ns {at}"));
        }
        if let EventKind::Ticker(ticker) = &event.kind {
            self.check.on_ticker(event, ticker);
        }
    }

    /// Ends the replay: the last message is completed and the check closed.
    pub fn finish(mut self) -> ReplayOutcome {
        if let Some(update) = self.book.finish_message() {
            self.check.on_update(update);
        }
        ReplayOutcome {
            top_of_book: self.check.finish(),
            book: self.book,
            stats: self.stats,
            events: self.events,
            first_local_ns: self.first_local_ns,
            last_local_ns: self.last_local_ns,
        }
    }
}

/// What replaying an event stream found (for streams that do not come from files, e.g. tests).
#[derive(Debug)]
pub struct ReplayOutcome {
    /// The book at the end.
    pub book: L2Book,
    /// What the book skipped, and the levels applied and ignored (reader counts are not included).
    pub stats: ReplayStats,
    /// The top-of-book check.
    pub top_of_book: AgreementStats,
    /// Events replayed.
    pub events: u64,
    /// Local time of the first event.
    pub first_local_ns: Option<u64>,
    /// Local time of the last event.
    pub last_local_ns: Option<u64>,
}

impl ReplaySummary {
    /// The summary of `outcome`, for the files `reader` read.
    pub fn new(outcome: ReplayOutcome, reader: &EventReader) -> Self {
        let mut stats = reader.stats();
        stats.absorb(&outcome.stats);
        let (tick_size_inferred, lot_size_inferred) = reader.inferred();
        let book = &outcome.book;
        ReplaySummary {
            files: reader
                .formats()
                .into_iter()
                .map(|(path, format)| FileSummary { path: path.display().to_string(), format: format.as_str() })
                .collect(),
            tick_size: reader.tick_size(),
            lot_size: reader.lot_size(),
            tick_size_inferred,
            lot_size_inferred,
            first_local_ns: outcome.first_local_ns,
            last_local_ns: outcome.last_local_ns,
            events: outcome.events,
            stats,
            gap_count: book.gap_count(),
            gaps: book.gaps().to_vec(),
            top_of_book_agreement: outcome.top_of_book.agreement(),
            final_book: FinalBook {
                bid_levels: book.level_count(Side::Buy),
                ask_levels: book.level_count(Side::Sell),
                best_bid_ticks: book.best_bid().map(|(p, _)| p.0),
                best_ask_ticks: book.best_ask().map(|(p, _)| p.0),
            },
            top_of_book: outcome.top_of_book,
        }
    }
}

/// Replays `paths` (merged in local-time order) and summarises what was read, the gaps and the
/// top-of-book agreement.
///
/// # Errors
/// Any [`FeedError`]: no files, a bad option, an unreadable file or a located input error.
pub fn replay_files<P: AsRef<Path>>(paths: &[P], options: &ReplayOptions) -> Result<ReplaySummary, FeedError> {
    let mut reader = EventReader::open(paths, &options.read)?;
    let mut replayer = Replayer::new(options);
    while let Some(event) = reader.next_event()? {
        replayer.on_event(&event);
    }
    Ok(ReplaySummary::new(replayer.finish(), &reader))
}
