//! `mmsim match`: replays an order stream from a CSV file through the [`OrderBook`] and writes the
//! trades, the final book and the rejects.
//!
//! The file format and the outputs are a stable interface (the README's `mmsim match` section):
//! - input header exactly `ts,trader,action,order_id,side,type,price,qty` (surrounding whitespace of
//!   every field, the header's included, is ignored), rows applied in file order;
//! - `trades.csv`, `book.csv` and `rejects.csv` in the output directory.
//!
//! How the file maps onto the book:
//! - prices and quantities are decimals that must be whole multiples of the tick and the lot size;
//!   they become integer ticks and lots once, when a row is read (see [`Grid`]), and are printed
//!   back as the shortest exact decimal (`100.5`, `100`);
//! - order ids and trader names are strings, interned as dense [`OrderId`]s and [`TraderId`]s and
//!   written back exactly as they appeared (after trimming);
//! - a row that the rules refuse is a *reject* (`rejects.csv`, processing goes on); a file that is
//!   not an order stream at all is a [`MatchError::Input`] with its line number, and nothing is
//!   written. Besides the stable cases (bad header, wrong field count), an unknown `action`, an empty
//!   `order_id` and an empty `trader` on a `new` row are such user errors: no reject reason covers
//!   them and they point at a broken file rather than at a refused order.
//!
//! Outputs are written to temporary names in the output directory and renamed when all three are
//! complete; on any error the temporary files are removed (and the directory too, if this run
//! created it and it is empty), so a failed run leaves no output behind. Existing files from an
//! earlier run are only replaced on success.
//!
//! Speed: rows are read into one reused [`csv::ByteRecord`]; numbers are parsed and printed without
//! allocating; the only per-row allocation is the key of a new order id.
//!
//! [`OrderBook`]: crate::book::OrderBook
//! [`OrderId`]: crate::types::OrderId
//! [`TraderId`]: crate::types::TraderId

mod apply;
mod grid;
mod lines;
mod names;
mod output;
mod ts;

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use csv::ByteRecord;
use rust_decimal::Decimal;

use apply::Replay;
pub use grid::{Grid, GridError};
use lines::{LineCounter, Unreadable};
use output::{Staging, Writers};

/// The input header, field by field.
pub const HEADER: [&str; 8] = ["ts", "trader", "action", "order_id", "side", "type", "price", "qty"];

/// The output file names, as written in the output directory.
pub const TRADES_FILE: &str = "trades.csv";
/// The final book's file name.
pub const BOOK_FILE: &str = "book.csv";
/// The rejects' file name.
pub const REJECTS_FILE: &str = "rejects.csv";

/// The header as one line, for messages.
fn header_line() -> String {
    HEADER.join(",")
}

/// What is wrong with a malformed input file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// The file has no header line.
    #[error("the file is empty; expected the header `{}`", header_line())]
    NoHeader,
    /// The first line is not the expected header.
    #[error("the header is `{found}`; expected exactly `{}`", header_line())]
    BadHeader {
        /// The header found, fields joined by commas.
        found: String,
    },
    /// A row with the wrong number of fields.
    #[error("{found} field(s); every row needs 8: `{}`", header_line())]
    FieldCount {
        /// The number of fields in the row.
        found: usize,
    },
    /// An `action` other than `new`, `cancel` or `modify`.
    #[error("unknown action `{found}`; expected `new`, `cancel` or `modify`")]
    UnknownAction {
        /// The action found.
        found: String,
    },
    /// A required identifier field is empty.
    #[error("empty {field}; every {action} row needs one")]
    EmptyField {
        /// The field's name.
        field: &'static str,
        /// The row's action.
        action: &'static str,
    },
    /// More distinct trader names than a [`TraderId`](crate::types::TraderId) can number.
    #[error("more than {} distinct traders", u32::MAX)]
    TooManyTraders,
    /// A NUL byte: the file is binary, not CSV text.
    #[error("a NUL byte: this is a binary file, not CSV text")]
    Binary,
    /// A line longer than the replay reads.
    #[error("a line longer than {} bytes; is this a CSV file with line ends?", lines::MAX_LINE_BYTES)]
    LineTooLong,
    /// A `ts` that does not parse, or that is below the previous row's.
    #[error("{0}")]
    Timestamp(String),
}

/// Why `mmsim match` stopped. Rejected rows are not errors: they go to `rejects.csv`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MatchError {
    /// The input file is malformed (a user error); no output was written.
    #[error("{}: line {line}: {problem}", file.display())]
    Input {
        /// The input file.
        file: PathBuf,
        /// 1-based line number in the file (the header is line 1).
        line: u64,
        /// What is wrong.
        problem: Problem,
    },
    /// The tick or lot size is not usable.
    #[error("--{name} {value}: {why}")]
    Step {
        /// `tick` or `lot`.
        name: &'static str,
        /// The value given.
        value: Decimal,
        /// What is wrong with it.
        why: &'static str,
    },
    /// The input could not be read.
    #[error("{}: cannot read: {err}", file.display())]
    Read {
        /// The input file.
        file: PathBuf,
        /// The I/O error.
        err: io::Error,
    },
    /// An output could not be written.
    #[error("{}: cannot write: {err}", path.display())]
    Write {
        /// The output file (or directory).
        path: PathBuf,
        /// The I/O error.
        err: io::Error,
    },
}

impl MatchError {
    /// Puts a bare output file name under `dir`.
    fn in_dir(self, dir: &Path) -> MatchError {
        match self {
            MatchError::Write { path, err } if path.is_relative() => MatchError::Write { path: dir.join(path), err },
            other => other,
        }
    }
}

/// The market's grids: every price is a multiple of the tick, every quantity of the lot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatchConfig {
    tick: Grid,
    lot: Grid,
}

impl MatchConfig {
    /// A configuration with tick size `tick` and lot size `lot` (both decimals > 0).
    ///
    /// # Errors
    /// [`MatchError::Step`] when either is ≤ 0 or has more than 19 significant digits.
    pub fn try_new(tick: Decimal, lot: Decimal) -> Result<MatchConfig, MatchError> {
        let grid = |name, value| Grid::try_new(value).map_err(|why| MatchError::Step { name, value, why });
        Ok(MatchConfig { tick: grid("tick", tick)?, lot: grid("lot", lot)? })
    }

    /// The price grid.
    pub fn tick(&self) -> Grid {
        self.tick
    }

    /// The quantity grid.
    pub fn lot(&self) -> Grid {
        self.lot
    }
}

/// Where the three outputs go, for [`replay`].
#[derive(Debug)]
pub struct Outputs<W> {
    /// `trades.csv`.
    pub trades: W,
    /// `rejects.csv`.
    pub rejects: W,
    /// `book.csv`.
    pub book: W,
}

/// Counts from one replay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MatchSummary {
    /// Data rows read (the header excluded).
    pub rows: u64,
    /// Trades written.
    pub trades: u64,
    /// Rows rejected.
    pub rejects: u64,
    /// Orders resting on the book at the end.
    pub resting: u64,
}

impl fmt::Display for MatchSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} rows: {} trades, {} rejects, {} resting orders",
            self.rows, self.trades, self.rejects, self.resting
        )
    }
}

/// Replays the order stream in the file `input` and writes `trades.csv`, `book.csv` and
/// `rejects.csv` into `out_dir` (created if missing).
///
/// # Errors
/// [`MatchError`]; on any error no output file is left behind.
pub fn replay_file(config: &MatchConfig, input: &Path, out_dir: &Path) -> Result<MatchSummary, MatchError> {
    let file = File::open(input).map_err(|err| MatchError::Read { file: input.to_path_buf(), err })?;
    let mut staging = Staging::create(out_dir)?;
    let outputs = Outputs {
        trades: staging.file(TRADES_FILE)?,
        rejects: staging.file(REJECTS_FILE)?,
        book: staging.file(BOOK_FILE)?,
    };
    let summary = replay(config, file, input, outputs).map_err(|e| e.in_dir(out_dir))?;
    staging.commit()?;
    Ok(summary)
}

/// Replays the order stream read from `input` (named `input_name` in messages) and writes the three
/// outputs. The writers are flushed on success; on error they hold partial output.
///
/// # Errors
/// [`MatchError::Input`] for a malformed file, [`MatchError::Read`] and [`MatchError::Write`] for
/// I/O failures (a write error names the output's bare file name).
pub fn replay<R: Read, W: Write>(
    config: &MatchConfig,
    input: R,
    input_name: &Path,
    outputs: Outputs<W>,
) -> Result<MatchSummary, MatchError> {
    let input_error = |line, problem| MatchError::Input { file: input_name.to_path_buf(), line, problem };
    // A read that stopped on bad input is the file's fault: say where.
    let read_error = |reader: &csv::Reader<LineCounter<R>>, err: csv::Error| match reader.get_ref().stopped() {
        Some((why, line)) => input_error(
            line,
            match why {
                Unreadable::Binary => Problem::Binary,
                Unreadable::LineTooLong => Problem::LineTooLong,
            },
        ),
        None => MatchError::Read { file: input_name.to_path_buf(), err: output::io_error(err) },
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(LineCounter::new(input));
    let mut record = ByteRecord::new();
    if !reader.read_byte_record(&mut record).map_err(|e| read_error(&reader, e))? {
        return Err(input_error(1, Problem::NoHeader));
    }
    let line = line_of(&mut reader, &record);
    check_header(&record).map_err(|p| input_error(line, p))?;
    let mut writers = Writers::new(outputs)?;
    let mut replay = Replay::new(config.tick, config.lot);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(read_error(&reader, e)),
        }
        let line = line_of(&mut reader, &record);
        replay.apply(line, &record, &mut writers).map_err(|stop| stop.into_error(input_name, line))?;
    }
    replay.write_book(&mut writers)?;
    writers.finish()?;
    Ok(replay.summary())
}

/// The 1-based file line where `record`, just read, starts (see [`lines`] for why not csv's own).
fn line_of<R: Read>(reader: &mut csv::Reader<LineCounter<R>>, record: &ByteRecord) -> u64 {
    let start = record.position().map_or(0, |p| p.byte());
    reader.get_mut().line_at(start)
}

/// A field as text for messages: lossy UTF-8, at most 80 characters.
fn messages_text(field: &[u8]) -> String {
    let text = String::from_utf8_lossy(field);
    if text.chars().count() <= 80 {
        return text.into_owned();
    }
    let mut cut: String = text.chars().take(80).collect();
    cut.push('…');
    cut
}

fn check_header(record: &ByteRecord) -> Result<(), Problem> {
    let matches = record.len() == HEADER.len()
        && record.iter().zip(HEADER).all(|(found, want)| found.trim_ascii() == want.as_bytes());
    if matches {
        return Ok(());
    }
    let fields: Vec<_> = record.iter().map(String::from_utf8_lossy).collect();
    Err(Problem::BadHeader { found: fields.join(",") })
}

#[cfg(test)]
mod tests;
