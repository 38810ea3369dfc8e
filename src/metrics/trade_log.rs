//! `trades.csv`: one row per trade with both parties and their intents (ground truth), streamed to
//! disk as the run goes so memory does not grow with the number of trades.
//!
//! Columns: `t,trade_id,price,qty,aggressor_side,maker_agent,taker_agent,maker_intent,taker_intent,wash,maker_fee,taker_fee,maker_account,taker_account,maker_order,taker_order`
//! (`t` in seconds since the start; prices and fees in quote units; quantities in tokens). The agent
//! columns hold individuals: a crowd member is named by its account (`retail/17`), see [`Names`].

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter};
use std::path::Path;

use super::{Names, Units};
use crate::exchange::Trade;
use crate::types::SimTime;

/// Where the rows go.
#[derive(Debug)]
enum Sink {
    Csv(Box<csv::Writer<BufWriter<File>>>),
    Parquet(Box<super::trade_parquet::ParquetTrades>),
}

/// A streaming writer of `trades.csv` (or, made with [`TradeLog::parquet`], `trades.parquet`).
#[derive(Debug)]
pub struct TradeLog {
    writer: Sink,
    units: Units,
    names: Names,
    /// The fields of the row being written, kept so that their memory is reused (no allocation
    /// per trade).
    row: [String; 16],
    error: Option<io::Error>,
}

/// The header of `trades.csv`.
pub const TRADES_HEADER: [&str; 16] = [
    "t",
    "trade_id",
    "price",
    "qty",
    "aggressor_side",
    "maker_agent",
    "taker_agent",
    "maker_intent",
    "taker_intent",
    "wash",
    "maker_fee",
    "taker_fee",
    "maker_account",
    "taker_account",
    "maker_order",
    "taker_order",
];

impl TradeLog {
    /// Starts a trade log in `file` (writes the header).
    ///
    /// # Errors
    /// An I/O error writing the header.
    pub fn new(file: File, units: Units) -> io::Result<Self> {
        let mut writer = csv::Writer::from_writer(BufWriter::with_capacity(1 << 16, file));
        writer.write_record(TRADES_HEADER)?;
        Ok(TradeLog {
            writer: Sink::Csv(Box::new(writer)),
            units,
            names: Names::default(),
            row: Default::default(),
            error: None,
        })
    }

    /// Starts a Parquet trade log in `file` (see [`super::trade_parquet`] for the schema), spilling
    /// the row group in progress to unnamed files in `spill_dir` (the output's directory).
    ///
    /// # Errors
    /// When the Parquet writer cannot be set up.
    pub fn parquet(file: File, spill_dir: &Path, units: Units) -> io::Result<Self> {
        let writer = Sink::Parquet(Box::new(super::trade_parquet::ParquetTrades::new(file, spill_dir, units)?));
        Ok(TradeLog { writer, units, names: Names::default(), row: Default::default(), error: None })
    }

    /// Names the agents and accounts (the engine calls it once the agents exist).
    pub fn set_names(&mut self, names: Names) {
        self.names = names;
    }

    /// Writes one trade; the first I/O error is kept and reported by [`TradeLog::finish`].
    pub fn write(&mut self, now: SimTime, t: &Trade, wash: bool) {
        if self.error.is_some() {
            return;
        }
        let writer = match &mut self.writer {
            Sink::Parquet(p) => {
                if let Err(e) = p.write(now, t, wash, &self.names) {
                    self.error = Some(e);
                }
                return;
            }
            Sink::Csv(w) => w,
        };
        let (u, names, row) = (self.units, &self.names, &mut self.row);
        for field in row.iter_mut() {
            field.clear();
        }
        // `write!` into a String cannot fail.
        let _ = write!(row[0], "{}", now.as_secs_f64());
        let _ = write!(row[1], "{}", t.id);
        let _ = write!(row[2], "{}", u.price(t.price));
        let _ = write!(row[3], "{}", u.tokens(t.qty));
        row[4].push_str(t.aggressor.as_str());
        row[5].push_str(names.individual(t.maker_agent, t.maker_account));
        row[6].push_str(names.individual(t.taker_agent, t.taker_account));
        row[7].push_str(t.maker_intent.as_str());
        row[8].push_str(t.taker_intent.as_str());
        let _ = write!(row[9], "{wash}");
        let _ = write!(row[10], "{}", u.cash(t.maker_fee));
        let _ = write!(row[11], "{}", u.cash(t.taker_fee));
        row[12].push_str(names.account(t.maker_account));
        row[13].push_str(names.account(t.taker_account));
        let _ = write!(row[14], "{}", t.maker_order.0);
        let _ = write!(row[15], "{}", t.taker_order.0);
        if let Err(e) = writer.write_record(&*row) {
            self.error = Some(e.into());
        }
    }

    /// Flushes the file.
    ///
    /// # Errors
    /// The first I/O error met while writing, or one from the flush.
    pub fn finish(mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        match self.writer {
            Sink::Csv(mut w) => w.flush(),
            Sink::Parquet(p) => p.finish(),
        }
    }
}
