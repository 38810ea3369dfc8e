//! `trades.parquet`: the columns of `trades.csv` as a Parquet file (zstd), encoded on a writer
//! thread ([`ParquetPipe`]) and streamed in bounded row groups, so the simulation does not wait
//! for the encoding and memory stays flat however many trades a run makes.
//!
//! Schema: `t` float64 (seconds since the start), `trade_id` uint64, `price` decimal128(38, scale of
//! the tick), `qty` decimal128(38, scale of the lot), `aggressor_side`, `maker_agent`,
//! `taker_agent`, `maker_intent`, `taker_intent` utf8, `wash` bool, `maker_fee`, `taker_fee`
//! decimal128(38, tick scale + lot scale), `maker_account`, `taker_account` utf8, `maker_order`,
//! `taker_order` uint64. Decimals are exact: the integer ticks, lots and cash
//! atoms times the tick's and lot's mantissas.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Decimal128Builder, Float64Builder, StringBuilder, UInt64Builder};
use arrow_array::ArrayRef;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;

use super::parquet_out::DecUnit;
use super::parquet_pipe::{ParquetPipe, PIPE_BATCH};
use super::{Names, Units};
use crate::exchange::Trade;
use crate::types::SimTime;

/// One trade as the writer thread receives it.
#[derive(Clone, Copy, Debug)]
struct Row {
    now: SimTime,
    trade: Trade,
    wash: bool,
}

/// The units of the decimal columns.
#[derive(Clone, Copy, Debug)]
struct Scales {
    tick: DecUnit,
    lot: DecUnit,
    cash: DecUnit,
}

/// A streaming writer of `trades.parquet`.
pub struct ParquetTrades {
    /// The writer until the first row starts the writer thread (which needs the names).
    waiting: Option<(ArrowWriter<File>, SchemaRef)>,
    pipe: Option<ParquetPipe<Row>>,
    scales: Scales,
}

impl std::fmt::Debug for ParquetTrades {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetTrades").field("pipe", &self.pipe).finish_non_exhaustive()
    }
}

impl ParquetTrades {
    /// Starts `trades.parquet` in `file`, spilling the row group in progress to `spill_dir` (the
    /// output's directory, see [`super::parquet_spill`]).
    ///
    /// # Errors
    /// When the writer cannot be set up.
    pub fn new(file: File, spill_dir: &Path, units: Units) -> io::Result<Self> {
        let (tick, lot) = (DecUnit::of(units.tick), DecUnit::of(units.lot));
        let scales = Scales { tick, lot, cash: tick.times(lot) };
        let utf8 = |name: &str| Field::new(name, DataType::Utf8, false);
        let schema = Arc::new(Schema::new(vec![
            Field::new("t", DataType::Float64, false),
            Field::new("trade_id", DataType::UInt64, false),
            Field::new("price", tick.data_type(), false),
            Field::new("qty", lot.data_type(), false),
            utf8("aggressor_side"),
            utf8("maker_agent"),
            utf8("taker_agent"),
            utf8("maker_intent"),
            utf8("taker_intent"),
            Field::new("wash", DataType::Boolean, false),
            Field::new("maker_fee", scales.cash.data_type(), false),
            Field::new("taker_fee", scales.cash.data_type(), false),
            utf8("maker_account"),
            utf8("taker_account"),
            Field::new("maker_order", DataType::UInt64, false),
            Field::new("taker_order", DataType::UInt64, false),
        ]));
        let writer = super::parquet_out::spilling_writer(file, schema.clone(), spill_dir)?;
        Ok(ParquetTrades { waiting: Some((writer, schema)), pipe: None, scales })
    }

    /// The writer thread, started with `names` on first use.
    fn pipe(&mut self, names: &Names) -> io::Result<&mut ParquetPipe<Row>> {
        if let Some((writer, schema)) = self.waiting.take() {
            let (names, scales) = (names.clone(), self.scales);
            let encode = move |rows: &[Row]| encode(rows, &names, scales);
            self.pipe = Some(ParquetPipe::spawn("mmsim-trades", writer, schema, PIPE_BATCH, encode)?);
        }
        self.pipe.as_mut().ok_or_else(|| io::Error::other("trades.parquet is closed"))
    }

    /// Appends one trade (`names` name its parties; the first call's names are used throughout).
    ///
    /// # Errors
    /// The writer thread's error, when it has stopped on one.
    pub fn write(&mut self, now: SimTime, t: &Trade, wash: bool, names: &Names) -> io::Result<()> {
        self.pipe(names)?.push(Row { now, trade: *t, wash })
    }

    /// Writes the last rows and the footer.
    ///
    /// # Errors
    /// An I/O or encoding error.
    pub fn finish(mut self) -> io::Result<()> {
        self.pipe(&Names::default())?;
        self.pipe.take().map_or(Ok(()), ParquetPipe::finish)
    }
}

/// The columns of a batch of rows (on the writer thread).
fn encode(rows: &[Row], names: &Names, s: Scales) -> io::Result<Vec<ArrayRef>> {
    let n = rows.len();
    let strings = || StringBuilder::with_capacity(n, n * 8);
    let decimals = || Decimal128Builder::with_capacity(n);
    let (mut t, mut id, mut maker_order, mut taker_order) = (
        Float64Builder::with_capacity(n),
        UInt64Builder::with_capacity(n),
        UInt64Builder::with_capacity(n),
        UInt64Builder::with_capacity(n),
    );
    let (mut price, mut qty, mut maker_fee, mut taker_fee) = (decimals(), decimals(), decimals(), decimals());
    let (mut aggressor, mut maker, mut taker, mut maker_intent, mut taker_intent, mut maker_account, mut taker_account) =
        (strings(), strings(), strings(), strings(), strings(), strings(), strings());
    let mut wash = BooleanBuilder::with_capacity(n);
    for Row { now, trade: tr, wash: w } in rows {
        t.append_value(now.as_secs_f64());
        id.append_value(tr.id);
        price.append_value(s.tick.raw(i128::from(tr.price.0)));
        qty.append_value(s.lot.raw(i128::from(tr.qty.0)));
        aggressor.append_value(tr.aggressor.as_str());
        maker.append_value(names.individual(tr.maker_agent, tr.maker_account));
        taker.append_value(names.individual(tr.taker_agent, tr.taker_account));
        maker_intent.append_value(tr.maker_intent.as_str());
        taker_intent.append_value(tr.taker_intent.as_str());
        wash.append_value(*w);
        maker_fee.append_value(s.cash.raw(tr.maker_fee.0));
        taker_fee.append_value(s.cash.raw(tr.taker_fee.0));
        maker_account.append_value(names.account(tr.maker_account));
        taker_account.append_value(names.account(tr.taker_account));
        maker_order.append_value(tr.maker_order.0);
        taker_order.append_value(tr.taker_order.0);
    }
    Ok(vec![
        Arc::new(t.finish()),
        Arc::new(id.finish()),
        s.tick.finish(&mut price)?,
        s.lot.finish(&mut qty)?,
        Arc::new(aggressor.finish()),
        Arc::new(maker.finish()),
        Arc::new(taker.finish()),
        Arc::new(maker_intent.finish()),
        Arc::new(taker_intent.finish()),
        Arc::new(wash.finish()),
        s.cash.finish(&mut maker_fee)?,
        s.cash.finish(&mut taker_fee)?,
        Arc::new(maker_account.finish()),
        Arc::new(taker_account.finish()),
        Arc::new(maker_order.finish()),
        Arc::new(taker_order.finish()),
    ])
}
