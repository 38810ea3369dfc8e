//! The three output files: CSV writers with reused number buffers, and staging under temporary
//! names so that only complete outputs ever appear under their real names.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::grid::{write_scaled, Grid};
use super::{MatchError, Outputs, BOOK_FILE, REJECTS_FILE, TRADES_FILE};
use crate::types::Side;

/// An output that could not be written.
#[derive(Debug)]
pub(super) struct WriteFailed {
    output: &'static str,
    err: io::Error,
}

impl From<WriteFailed> for MatchError {
    fn from(e: WriteFailed) -> MatchError {
        MatchError::Write { path: PathBuf::from(e.output), err: e.err }
    }
}

/// The I/O error inside a CSV error (the only kind byte-record reading and writing produce).
pub(super) fn io_error(err: csv::Error) -> io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(err) => err,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// One line of `trades.csv`, in grid units and raw names.
#[derive(Debug)]
pub(super) struct TradeRow<'a> {
    pub id: u64,
    pub ts: &'a [u8],
    pub price: i64,
    pub qty: i64,
    pub aggressor: Side,
    pub maker_order: &'a [u8],
    pub taker_order: &'a [u8],
    pub maker_trader: &'a [u8],
    pub taker_trader: &'a [u8],
}

/// One line of `book.csv`.
#[derive(Debug)]
pub(super) struct BookRow<'a> {
    pub side: Side,
    pub price: i64,
    pub qty: i64,
    pub order: &'a [u8],
    pub trader: &'a [u8],
}

/// CSV writers for the three outputs, with scratch buffers for formatting numbers.
#[derive(Debug)]
pub(super) struct Writers<W: Write> {
    trades: csv::Writer<W>,
    rejects: csv::Writer<W>,
    book: csv::Writer<W>,
    num: Vec<u8>,
    price: Vec<u8>,
    qty: Vec<u8>,
}

fn csv_writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().buffer_capacity(1 << 16).from_writer(w)
}

fn failed(output: &'static str) -> impl FnOnce(csv::Error) -> WriteFailed {
    move |err| WriteFailed { output, err: io_error(err) }
}

impl<W: Write> Writers<W> {
    /// Wraps the outputs and writes their headers.
    pub fn new(outputs: Outputs<W>) -> Result<Self, WriteFailed> {
        let mut writers = Writers {
            trades: csv_writer(outputs.trades),
            rejects: csv_writer(outputs.rejects),
            book: csv_writer(outputs.book),
            num: Vec::with_capacity(24),
            price: Vec::with_capacity(40),
            qty: Vec::with_capacity(40),
        };
        writers
            .trades
            .write_record([
                "trade_id",
                "ts",
                "price",
                "qty",
                "aggressor_side",
                "maker_order_id",
                "taker_order_id",
                "maker_trader",
                "taker_trader",
            ])
            .map_err(failed(TRADES_FILE))?;
        writers.book.write_record(["side", "price", "qty", "order_id", "trader"]).map_err(failed(BOOK_FILE))?;
        writers.rejects.write_record(["line", "order_id", "reason"]).map_err(failed(REJECTS_FILE))?;
        Ok(writers)
    }

    fn format(&mut self, id: u64, price: i64, qty: i64, tick: &Grid, lot: &Grid) {
        self.num.clear();
        write_scaled(id, 0, &mut self.num);
        self.price.clear();
        tick.write(price, &mut self.price);
        self.qty.clear();
        lot.write(qty, &mut self.qty);
    }

    /// Appends a trade.
    pub fn trade(&mut self, row: &TradeRow<'_>, tick: &Grid, lot: &Grid) -> Result<(), WriteFailed> {
        self.format(row.id, row.price, row.qty, tick, lot);
        self.trades
            .write_record([
                &self.num[..],
                row.ts,
                &self.price,
                &self.qty,
                row.aggressor.as_str().as_bytes(),
                row.maker_order,
                row.taker_order,
                row.maker_trader,
                row.taker_trader,
            ])
            .map_err(failed(TRADES_FILE))
    }

    /// Appends a reject.
    pub fn reject(&mut self, line: u64, order_id: &[u8], reason: &str) -> Result<(), WriteFailed> {
        self.num.clear();
        write_scaled(line, 0, &mut self.num);
        self.rejects.write_record([&self.num[..], order_id, reason.as_bytes()]).map_err(failed(REJECTS_FILE))
    }

    /// Appends a resting order.
    pub fn resting(&mut self, row: &BookRow<'_>, tick: &Grid, lot: &Grid) -> Result<(), WriteFailed> {
        self.format(0, row.price, row.qty, tick, lot);
        self.book
            .write_record([row.side.as_str().as_bytes(), &self.price, &self.qty, row.order, row.trader])
            .map_err(failed(BOOK_FILE))
    }

    /// Flushes all three outputs.
    pub fn finish(mut self) -> Result<(), WriteFailed> {
        self.trades.flush().map_err(|err| WriteFailed { output: TRADES_FILE, err })?;
        self.rejects.flush().map_err(|err| WriteFailed { output: REJECTS_FILE, err })?;
        self.book.flush().map_err(|err| WriteFailed { output: BOOK_FILE, err })
    }
}

/// Output files being written under temporary names in the output directory.
///
/// [`Staging::commit`] renames them to their real names; dropping an uncommitted `Staging` removes
/// them, and removes the directory too if it was created here and is empty.
#[derive(Debug)]
pub(super) struct Staging {
    dir: PathBuf,
    created_dir: bool,
    /// `(temporary, final)` paths.
    files: Vec<(PathBuf, PathBuf)>,
    committed: bool,
}

impl Staging {
    /// Creates `dir` if needed, and removes temporary files that a killed earlier run left there:
    /// `.trades.csv.tmp` and the like, and the `.trades.csv.<pid>.tmp` names older versions used.
    pub fn create(dir: &Path) -> Result<Staging, MatchError> {
        let created_dir = !dir.exists();
        fs::create_dir_all(dir).map_err(|err| MatchError::Write { path: dir.to_path_buf(), err })?;
        if let Ok(entries) = fs::read_dir(dir) {
            for entry in entries.flatten() {
                if entry.file_name().to_str().is_some_and(is_stale_temp) {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        Ok(Staging { dir: dir.to_path_buf(), created_dir, files: Vec::new(), committed: false })
    }

    /// Creates the empty temporary file `.{name}.tmp` that becomes `name` on commit.
    pub fn file(&mut self, name: &str) -> Result<File, MatchError> {
        let temp = self.dir.join(temp_name(name));
        let file = File::create(&temp).map_err(|err| MatchError::Write { path: temp.clone(), err })?;
        self.files.push((temp, self.dir.join(name)));
        Ok(file)
    }

    /// Renames every temporary file to its real name.
    pub fn commit(mut self) -> Result<(), MatchError> {
        for (temp, path) in &self.files {
            fs::rename(temp, path).map_err(|err| MatchError::Write { path: path.clone(), err })?;
        }
        self.committed = true;
        Ok(())
    }
}

/// The temporary name of output `name`: stable, so a rerun finds what a killed run left.
pub(super) fn temp_name(name: &str) -> String {
    format!(".{name}.tmp")
}

/// True for a temporary output name: `.{output}.tmp` or `.{output}.{digits}.tmp`.
fn is_stale_temp(file: &str) -> bool {
    [TRADES_FILE, BOOK_FILE, REJECTS_FILE].iter().any(|name| {
        file.strip_prefix('.').and_then(|f| f.strip_prefix(name)).and_then(|f| f.strip_suffix(".tmp")).is_some_and(
            |mid| {
                mid.is_empty()
                    || mid
                        .strip_prefix('.')
                        .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
            },
        )
    })
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        for (temp, _) in &self.files {
            let _ = fs::remove_file(temp);
        }
        if self.created_dir {
            // Fails, as it should, if the directory is not empty.
            let _ = fs::remove_dir(&self.dir);
        }
    }
}
