//! `orders.parquet`: the rows of `orders.csv` (see [`super::order_log`] for the events) as a
//! Parquet file (zstd), streamed in row groups so memory stays flat however many orders a run
//! sends.
//!
//! Schema: `t` float64 (seconds since the start), `event` utf8, `order_id` uint64, `agent`,
//! `group` utf8, `account` utf8 (null for a refused cancel of an order the log never saw),
//! `side`, `type` utf8 (null for a refused cancel), `price` decimal128(38, tick scale) (null for a
//! market order and a refused cancel), `qty`, `remaining` decimal128(38, lot scale) (null for a
//! refused cancel), `intent`, `reason` utf8 (`reason` empty when there is none, as in the CSV).
//! Row for row the same events as `orders.csv`: both render the rows of [`super::order_rows`]
//! (and a test pins the two files against each other).

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{Decimal128Builder, Float64Builder, StringBuilder, UInt64Builder};
use arrow_array::ArrayRef;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;

use super::order_rows::OrderRow;
use super::parquet_out::{self, DecUnit, BATCH};
use super::{Names, Units};

/// Builders of one batch.
#[derive(Debug, Default)]
struct Columns {
    t: Float64Builder,
    event: StringBuilder,
    id: UInt64Builder,
    agent: StringBuilder,
    group: StringBuilder,
    account: StringBuilder,
    side: StringBuilder,
    kind: StringBuilder,
    price: Decimal128Builder,
    qty: Decimal128Builder,
    remaining: Decimal128Builder,
    intent: StringBuilder,
    reason: StringBuilder,
}

/// A streaming writer of `orders.parquet`.
pub struct ParquetOrders {
    writer: ArrowWriter<File>,
    schema: SchemaRef,
    cols: Columns,
    rows: usize,
    tick: DecUnit,
    lot: DecUnit,
    names: Names,
    error: Option<io::Error>,
}

impl std::fmt::Debug for ParquetOrders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetOrders").field("rows", &self.rows).finish_non_exhaustive()
    }
}

impl ParquetOrders {
    /// Starts `orders.parquet` in `file`, spilling the row group in progress to `spill_dir` (the
    /// output's directory, see [`super::parquet_spill`]).
    ///
    /// # Errors
    /// When the writer cannot be set up.
    pub fn new(file: File, spill_dir: &Path, units: Units) -> io::Result<Self> {
        let (tick, lot) = (DecUnit::of(units.tick), DecUnit::of(units.lot));
        let utf8 = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
        let schema = Arc::new(Schema::new(vec![
            Field::new("t", DataType::Float64, false),
            utf8("event", false),
            Field::new("order_id", DataType::UInt64, false),
            utf8("agent", false),
            utf8("group", false),
            utf8("account", true),
            utf8("side", true),
            utf8("type", true),
            Field::new("price", tick.data_type(), true),
            Field::new("qty", lot.data_type(), true),
            Field::new("remaining", lot.data_type(), true),
            utf8("intent", false),
            utf8("reason", false),
        ]));
        let writer = parquet_out::spilling_writer(file, schema.clone(), spill_dir)?;
        Ok(ParquetOrders {
            writer,
            schema,
            cols: Columns::default(),
            rows: 0,
            tick,
            lot,
            names: Names::default(),
            error: None,
        })
    }

    /// Names agents, groups and accounts.
    pub fn set_names(&mut self, names: &Names) {
        self.names = names.clone();
    }

    /// Appends one row (a batch goes to the file every [`BATCH`] rows).
    pub fn write(&mut self, r: &OrderRow) {
        let (c, names) = (&mut self.cols, &self.names);
        c.t.append_value(r.t.as_secs_f64());
        c.event.append_value(r.event.as_str());
        c.id.append_value(r.id.0);
        c.agent.append_value(match r.account {
            Some(a) => names.individual(r.agent, a),
            None => names.agent_name(r.agent),
        });
        c.group.append_value(names.group(r.agent));
        c.account.append_option(r.account.map(|a| names.account(a)));
        c.side.append_option(r.order.map(|o| o.side.as_str()));
        c.kind.append_option(r.order.map(|o| o.kind.as_str()));
        c.price.append_option(r.shown_price().map(|p| self.tick.raw(i128::from(p.0))));
        c.qty.append_option(r.order.map(|o| self.lot.raw(i128::from(o.qty.0))));
        c.remaining.append_option(r.order.map(|o| self.lot.raw(i128::from(o.remaining.0))));
        c.intent.append_value(r.intent.as_str());
        c.reason.append_value(r.reason);
        self.rows += 1;
        if self.rows % BATCH == 0 && self.error.is_none() {
            if let Err(e) = self.flush_batch() {
                self.error = Some(e);
            }
        }
    }

    fn flush_batch(&mut self) -> io::Result<()> {
        let c = &mut self.cols;
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(c.t.finish()),
            Arc::new(c.event.finish()),
            Arc::new(c.id.finish()),
            Arc::new(c.agent.finish()),
            Arc::new(c.group.finish()),
            Arc::new(c.account.finish()),
            Arc::new(c.side.finish()),
            Arc::new(c.kind.finish()),
            self.tick.finish(&mut c.price)?,
            self.lot.finish(&mut c.qty)?,
            self.lot.finish(&mut c.remaining)?,
            Arc::new(c.intent.finish()),
            Arc::new(c.reason.finish()),
        ];
        parquet_out::write_batch(&mut self.writer, &self.schema, arrays)
    }

    /// Writes the last batch and the footer.
    ///
    /// # Errors
    /// The first I/O or encoding error met while writing, or one from closing.
    pub fn finish(mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.flush_batch()?;
        self.writer.close().map_err(parquet_out::io_err)?;
        Ok(())
    }
}
