//! `trades.parquet`: the columns of `trades.csv` as a Parquet file (zstd), streamed in row groups
//! so memory stays flat however many trades a run makes.
//!
//! Schema: `t` float64 (seconds since the start), `trade_id` uint64, `price` decimal128(38, scale of
//! the tick), `qty` decimal128(38, scale of the lot), `aggressor_side`, `maker_agent`,
//! `taker_agent`, `maker_intent`, `taker_intent` utf8, `wash` bool, `maker_fee`, `taker_fee`
//! decimal128(38, tick scale + lot scale), `maker_account`, `taker_account` utf8, `maker_order`,
//! `taker_order` uint64. Decimals are exact: the integer ticks, lots and cash
//! atoms times the tick's and lot's mantissas.

use std::fs::File;
use std::io;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Decimal128Builder, Float64Builder, StringBuilder, UInt64Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;

use super::{Names, Units};
use crate::exchange::Trade;
use crate::types::SimTime;

/// Rows per record batch handed to the writer.
const BATCH: usize = 8_192;
/// Rows per Parquet row group (the writer's memory bound).
pub const ROW_GROUP: usize = 32_768;

/// Builders of one batch.
struct Columns {
    t: Float64Builder,
    id: UInt64Builder,
    price: Decimal128Builder,
    qty: Decimal128Builder,
    aggressor: StringBuilder,
    maker: StringBuilder,
    taker: StringBuilder,
    maker_intent: StringBuilder,
    taker_intent: StringBuilder,
    wash: BooleanBuilder,
    maker_fee: Decimal128Builder,
    taker_fee: Decimal128Builder,
    maker_account: StringBuilder,
    taker_account: StringBuilder,
    maker_order: UInt64Builder,
    taker_order: UInt64Builder,
}

/// A streaming writer of `trades.parquet`.
pub struct ParquetTrades {
    writer: ArrowWriter<File>,
    schema: SchemaRef,
    cols: Columns,
    rows: usize,
    /// Mantissas and scales of the tick and the lot.
    tick: (i128, u32),
    lot: (i128, u32),
}

impl std::fmt::Debug for ParquetTrades {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetTrades").field("rows", &self.rows).finish_non_exhaustive()
    }
}

fn io_err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

impl ParquetTrades {
    /// Starts `trades.parquet` in `file`.
    ///
    /// # Errors
    /// When the writer cannot be set up.
    pub fn new(file: File, units: Units) -> io::Result<Self> {
        let tick = (units.tick.mantissa(), units.tick.scale());
        let lot = (units.lot.mantissa(), units.lot.scale());
        let dec = |scale: u32| DataType::Decimal128(38, scale as i8);
        let utf8 = |name: &str| Field::new(name, DataType::Utf8, false);
        let schema = Arc::new(Schema::new(vec![
            Field::new("t", DataType::Float64, false),
            Field::new("trade_id", DataType::UInt64, false),
            Field::new("price", dec(tick.1), false),
            Field::new("qty", dec(lot.1), false),
            utf8("aggressor_side"),
            utf8("maker_agent"),
            utf8("taker_agent"),
            utf8("maker_intent"),
            utf8("taker_intent"),
            Field::new("wash", DataType::Boolean, false),
            Field::new("maker_fee", dec(tick.1 + lot.1), false),
            Field::new("taker_fee", dec(tick.1 + lot.1), false),
            utf8("maker_account"),
            utf8("taker_account"),
            Field::new("maker_order", DataType::UInt64, false),
            Field::new("taker_order", DataType::UInt64, false),
        ]));
        // Shared settings: zstd level 1 without dictionaries (measured: smaller and faster than
        // with them here), no statistics on decimal columns (they held memory until the end).
        let writer = super::parquet_out::writer_with(file, schema.clone(), ROW_GROUP)?;
        let cols = Columns::new();
        Ok(ParquetTrades { writer, schema, cols, rows: 0, tick, lot })
    }

    /// Appends one trade.
    ///
    /// # Errors
    /// An error writing a full batch.
    pub fn write(&mut self, now: SimTime, t: &Trade, wash: bool, names: &Names) -> io::Result<()> {
        let c = &mut self.cols;
        c.t.append_value(now.as_secs_f64());
        c.id.append_value(t.id);
        c.price.append_value(i128::from(t.price.0) * self.tick.0);
        c.qty.append_value(i128::from(t.qty.0) * self.lot.0);
        c.aggressor.append_value(t.aggressor.as_str());
        c.maker.append_value(names.individual(t.maker_agent, t.maker_account));
        c.taker.append_value(names.individual(t.taker_agent, t.taker_account));
        c.maker_intent.append_value(t.maker_intent.as_str());
        c.taker_intent.append_value(t.taker_intent.as_str());
        c.wash.append_value(wash);
        c.maker_fee.append_value(t.maker_fee.0 * self.tick.0 * self.lot.0);
        c.taker_fee.append_value(t.taker_fee.0 * self.tick.0 * self.lot.0);
        c.maker_account.append_value(names.account(t.maker_account));
        c.taker_account.append_value(names.account(t.taker_account));
        c.maker_order.append_value(t.maker_order.0);
        c.taker_order.append_value(t.taker_order.0);
        self.rows += 1;
        if self.rows % BATCH == 0 {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn flush_batch(&mut self) -> io::Result<()> {
        let c = &mut self.cols;
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(c.t.finish()),
            Arc::new(c.id.finish()),
            Arc::new(c.price.finish().with_precision_and_scale(38, self.tick.1 as i8).map_err(io_err)?),
            Arc::new(c.qty.finish().with_precision_and_scale(38, self.lot.1 as i8).map_err(io_err)?),
            Arc::new(c.aggressor.finish()),
            Arc::new(c.maker.finish()),
            Arc::new(c.taker.finish()),
            Arc::new(c.maker_intent.finish()),
            Arc::new(c.taker_intent.finish()),
            Arc::new(c.wash.finish()),
            Arc::new(
                c.maker_fee.finish().with_precision_and_scale(38, (self.tick.1 + self.lot.1) as i8).map_err(io_err)?,
            ),
            Arc::new(
                c.taker_fee.finish().with_precision_and_scale(38, (self.tick.1 + self.lot.1) as i8).map_err(io_err)?,
            ),
            Arc::new(c.maker_account.finish()),
            Arc::new(c.taker_account.finish()),
            Arc::new(c.maker_order.finish()),
            Arc::new(c.taker_order.finish()),
        ];
        let batch = RecordBatch::try_new(self.schema.clone(), arrays).map_err(io_err)?;
        if batch.num_rows() > 0 {
            self.writer.write(&batch).map_err(io_err)?;
        }
        Ok(())
    }

    /// Writes the last batch and the footer.
    ///
    /// # Errors
    /// An I/O or encoding error.
    pub fn finish(mut self) -> io::Result<()> {
        self.flush_batch()?;
        self.writer.close().map_err(io_err)?;
        Ok(())
    }
}

impl Columns {
    fn new() -> Self {
        Columns {
            t: Float64Builder::new(),
            id: UInt64Builder::new(),
            price: Decimal128Builder::new(),
            qty: Decimal128Builder::new(),
            aggressor: StringBuilder::new(),
            maker: StringBuilder::new(),
            taker: StringBuilder::new(),
            maker_intent: StringBuilder::new(),
            taker_intent: StringBuilder::new(),
            wash: BooleanBuilder::new(),
            maker_fee: Decimal128Builder::new(),
            taker_fee: Decimal128Builder::new(),
            maker_account: StringBuilder::new(),
            taker_account: StringBuilder::new(),
            maker_order: UInt64Builder::new(),
            taker_order: UInt64Builder::new(),
        }
    }
}
