//! `orders.parquet`: the rows of `orders.csv` (see [`super::order_log`] for the events) as a
//! Parquet file (zstd), streamed in row groups so memory stays flat however many orders a run
//! sends; and [`OrderSink`], the order log the engine feeds (CSV or Parquet).
//!
//! Schema: `t` float64 (seconds since the start), `event` utf8, `order_id` uint64, `agent`,
//! `group` utf8, `account` utf8 (null for a refused cancel of an order the log never saw),
//! `side`, `type` utf8 (null for a refused cancel), `price` decimal128(38, tick scale) (null for a
//! market order and a refused cancel), `qty`, `remaining` decimal128(38, lot scale) (null for a
//! refused cancel), `intent`, `reason` utf8 (`reason` empty when there is none, as in the CSV).
//! Row for row the same events as `orders.csv` (a test pins the two against each other).

use std::fs::File;
use std::io;
use std::sync::Arc;

use arrow_array::builder::{Decimal128Builder, Float64Builder, StringBuilder, UInt64Builder};
use arrow_array::ArrayRef;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use rustc_hash::FxHashMap;

use super::parquet_out::{self, DecUnit, BATCH};
use super::{Names, OrderLog, Units};
use crate::book::{OrderType, Placed};
use crate::exchange::{OrderRejected, OrderRequest, Trade};
use crate::ledger::AccountId;
use crate::types::{AgentId, Intent, OrderId, Price, Qty, Side, SimTime};

/// The order log the engine feeds: `orders.csv` or `orders.parquet`.
#[derive(Debug)]
pub enum OrderSink {
    /// `orders.csv`.
    Csv(Box<OrderLog>),
    /// `orders.parquet`.
    Parquet(Box<ParquetOrders>),
}

impl From<OrderLog> for OrderSink {
    fn from(log: OrderLog) -> Self {
        OrderSink::Csv(Box::new(log))
    }
}

impl From<ParquetOrders> for OrderSink {
    fn from(log: ParquetOrders) -> Self {
        OrderSink::Parquet(Box::new(log))
    }
}

impl OrderSink {
    /// Names agents, groups and accounts.
    pub fn set_names(&mut self, names: Names) {
        match self {
            OrderSink::Csv(l) => l.set_names(names),
            OrderSink::Parquet(l) => l.names = names,
        }
    }

    /// An order reached the exchange (see [`OrderLog::submitted`]).
    pub fn submitted(
        &mut self,
        now: SimTime,
        id: OrderId,
        req: &OrderRequest,
        result: &Result<Placed, OrderRejected>,
        trades: &[Trade],
    ) {
        match self {
            OrderSink::Csv(l) => l.submitted(now, id, req, result, trades),
            OrderSink::Parquet(l) => l.submitted(now, id, req, result, trades),
        }
    }

    /// A resting order was cancelled (see [`OrderLog::cancelled`]).
    pub fn cancelled(&mut self, now: SimTime, id: OrderId, qty: Qty, reason: &str) {
        match self {
            OrderSink::Csv(l) => l.cancelled(now, id, qty, reason),
            OrderSink::Parquet(l) => l.cancelled(now, id, qty, reason),
        }
    }

    /// A cancel was refused (see [`OrderLog::cancel_rejected`]).
    pub fn cancel_rejected(&mut self, now: SimTime, agent: AgentId, id: OrderId, reason: OrderRejected) {
        match self {
            OrderSink::Csv(l) => l.cancel_rejected(now, agent, id, reason),
            OrderSink::Parquet(l) => l.cancel_rejected(now, agent, id, reason),
        }
    }

    /// Flushes and closes the file.
    ///
    /// # Errors
    /// The first I/O or encoding error met.
    pub fn finish(self) -> io::Result<()> {
        match self {
            OrderSink::Csv(l) => (*l).finish(),
            OrderSink::Parquet(l) => l.finish(),
        }
    }
}

/// What the log remembers of a resting order (as the CSV log does).
#[derive(Clone, Copy, Debug)]
struct Resting {
    agent: AgentId,
    account: AccountId,
    side: Side,
    kind: OrderType,
    price: Price,
    intent: Intent,
    remaining: Qty,
}

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
    resting: FxHashMap<OrderId, Resting>,
    error: Option<io::Error>,
}

impl std::fmt::Debug for ParquetOrders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetOrders").field("rows", &self.rows).finish_non_exhaustive()
    }
}

impl ParquetOrders {
    /// Starts `orders.parquet` in `file`.
    ///
    /// # Errors
    /// When the writer cannot be set up.
    pub fn new(file: File, units: Units) -> io::Result<Self> {
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
        let writer = parquet_out::writer(file, schema.clone())?;
        Ok(ParquetOrders {
            writer,
            schema,
            cols: Columns::default(),
            rows: 0,
            tick,
            lot,
            names: Names::default(),
            resting: FxHashMap::default(),
            error: None,
        })
    }

    fn submitted(
        &mut self,
        now: SimTime,
        id: OrderId,
        req: &OrderRequest,
        result: &Result<Placed, OrderRejected>,
        trades: &[Trade],
    ) {
        let mut taker = Resting {
            agent: req.agent,
            account: req.account,
            side: req.side,
            kind: req.kind,
            price: req.price,
            intent: req.intent,
            remaining: req.qty,
        };
        let placed = match result {
            Err(reason) => {
                self.row(now, "reject", id, &taker, Some(req.qty), Qty::ZERO, reason.as_str());
                return;
            }
            Ok(placed) => placed,
        };
        self.row(now, "new", id, &taker, Some(req.qty), req.qty, "");
        for t in trades {
            if let Some(mut maker) = self.resting.get(&t.maker_order).copied() {
                maker.remaining -= t.qty;
                self.row(now, "fill", t.maker_order, &maker, Some(t.qty), maker.remaining, "");
                if maker.remaining.is_zero() {
                    self.resting.remove(&t.maker_order);
                } else {
                    self.resting.insert(t.maker_order, maker);
                }
            }
            taker.remaining -= t.qty;
            self.row(now, "fill", id, &taker, Some(t.qty), taker.remaining, "");
        }
        if placed.dropped > Qty::ZERO {
            self.row(now, "expire", id, &taker, Some(placed.dropped), Qty::ZERO, "");
        }
        if placed.rested > Qty::ZERO {
            taker.remaining = placed.rested;
            self.resting.insert(id, taker);
        }
    }

    fn cancelled(&mut self, now: SimTime, id: OrderId, qty: Qty, reason: &str) {
        if let Some(order) = self.resting.remove(&id) {
            self.row(now, "cancel", id, &order, Some(qty), Qty::ZERO, reason);
        }
    }

    fn cancel_rejected(&mut self, now: SimTime, agent: AgentId, id: OrderId, reason: OrderRejected) {
        let (account, intent) = self.resting.get(&id).map_or((None, Intent::Other), |o| (Some(o.account), o.intent));
        let c = &mut self.cols;
        c.t.append_value(now.as_secs_f64());
        c.event.append_value("reject");
        c.id.append_value(id.0);
        let who = account.map_or_else(|| self.names.agent_name(agent), |a| self.names.individual(agent, a));
        c.agent.append_value(who);
        c.group.append_value(self.names.group(agent));
        c.account.append_option(account.map(|a| self.names.account(a)));
        c.side.append_null();
        c.kind.append_null();
        c.price.append_null();
        c.qty.append_null();
        c.remaining.append_null();
        c.intent.append_value(intent.as_str());
        c.reason.append_value(reason.as_str());
        self.row_done();
    }

    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        now: SimTime,
        event: &str,
        id: OrderId,
        o: &Resting,
        qty: Option<Qty>,
        remaining: Qty,
        reason: &str,
    ) {
        let c = &mut self.cols;
        c.t.append_value(now.as_secs_f64());
        c.event.append_value(event);
        c.id.append_value(id.0);
        c.agent.append_value(self.names.individual(o.agent, o.account));
        c.group.append_value(self.names.group(o.agent));
        c.account.append_value(self.names.account(o.account));
        c.side.append_value(o.side.as_str());
        c.kind.append_value(o.kind.as_str());
        c.price.append_option((o.kind != OrderType::Market).then(|| self.tick.raw(i128::from(o.price.0))));
        c.qty.append_option(qty.map(|q| self.lot.raw(i128::from(q.0))));
        c.remaining.append_value(self.lot.raw(i128::from(remaining.0)));
        c.intent.append_value(o.intent.as_str());
        c.reason.append_value(reason);
        self.row_done();
    }

    fn row_done(&mut self) {
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
