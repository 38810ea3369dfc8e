//! [`OrderSink`], the order log the engine feeds: it expands what the engine reports into rows
//! ([`super::order_rows`]) and hands them to its writer, `orders.csv` or `orders.parquet`.
//!
//! Cost: expanding an event into rows is cheap; formatting and writing them is not (740k rows and
//! 62 MB for the DIO case). So, when the machine has more than one core, the rows go in batches
//! of [`BATCH_ROWS`] to a writer thread that formats and writes them while the simulation runs on.
//! One thread reads one channel in order, so the file is byte for byte what the inline writer
//! writes (a test pins the two against each other); at most [`IN_FLIGHT`] batches wait, so memory
//! stays bounded when the disk is slow.

use std::io;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::JoinHandle;

use super::order_rows::{OrderRow, OrderRows};
use super::{Names, OrderLog, ParquetOrders};
use crate::book::Placed;
use crate::exchange::{OrderRejected, OrderRequest, Trade};
use crate::types::{AgentId, OrderId, Qty, SimTime};

/// Rows sent to the writer thread at a time (80 KiB: small enough to stay in cache).
pub const BATCH_ROWS: usize = 1024;
/// Batches that may wait for the writer thread before the simulation waits for it.
pub const IN_FLIGHT: usize = 4;

/// The order log the engine feeds: `orders.csv` or `orders.parquet`.
#[derive(Debug)]
pub struct OrderSink {
    rows: OrderRows,
    out: Out,
}

/// Where the rows go.
#[derive(Debug)]
enum Writer {
    Csv(Box<OrderLog>),
    Parquet(Box<ParquetOrders>),
}

impl Writer {
    #[inline]
    fn write(&mut self, row: &OrderRow) {
        match self {
            Writer::Csv(w) => w.write(row),
            Writer::Parquet(w) => w.write(row),
        }
    }

    fn set_names(&mut self, names: &Names) {
        match self {
            Writer::Csv(w) => w.set_names(names),
            Writer::Parquet(w) => w.set_names(names),
        }
    }

    fn finish(self) -> io::Result<()> {
        match self {
            Writer::Csv(w) => w.finish(),
            Writer::Parquet(w) => w.finish(),
        }
    }
}

/// What the writer thread is sent.
enum Msg {
    Names(Names),
    Rows(Vec<OrderRow>),
}

/// The writer, here or on its thread.
#[derive(Debug)]
enum Out {
    /// Rows are written as they come.
    Inline(Writer),
    /// Rows are gathered into `batch`; the writer starts on its thread with the first full one.
    Batched { batch: Vec<OrderRow>, state: Batched },
}

#[derive(Debug)]
enum Batched {
    Waiting(Writer),
    Running(Thread),
    /// The thread could not start or has stopped: [`OrderSink::finish`] says why.
    Failed(Option<Thread>, Option<io::Error>),
}

/// The writer thread: batches go out on `to`, empty ones come back on `back` for reuse.
#[derive(Debug)]
struct Thread {
    to: SyncSender<Msg>,
    back: Receiver<Vec<OrderRow>>,
    handle: JoinHandle<io::Result<()>>,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Msg::Names(_) => f.write_str("Names"),
            Msg::Rows(rows) => write!(f, "Rows({})", rows.len()),
        }
    }
}

impl Thread {
    fn spawn(mut writer: Writer) -> io::Result<Thread> {
        let (to, from) = mpsc::sync_channel::<Msg>(IN_FLIGHT);
        // Every batch there is comes back here: after the first few, no batch is allocated.
        let (give_back, back) = mpsc::sync_channel(IN_FLIGHT + 2);
        for _ in 0..IN_FLIGHT {
            let _ = give_back.send(Vec::with_capacity(BATCH_ROWS));
        }
        let handle = std::thread::Builder::new().name("orders".into()).spawn(move || {
            for msg in from {
                match msg {
                    Msg::Names(names) => writer.set_names(&names),
                    Msg::Rows(mut rows) => {
                        for r in &rows {
                            writer.write(r);
                        }
                        rows.clear();
                        let _ = give_back.send(rows);
                    }
                }
            }
            writer.finish()
        })?;
        Ok(Thread { to, back, handle })
    }

    fn join(self) -> io::Result<()> {
        drop(self.to);
        self.handle.join().unwrap_or_else(|_| Err(io::Error::other("the order log's writer thread failed")))
    }
}

impl From<OrderLog> for OrderSink {
    fn from(log: OrderLog) -> Self {
        OrderSink::new(Writer::Csv(Box::new(log)))
    }
}

impl From<ParquetOrders> for OrderSink {
    fn from(log: ParquetOrders) -> Self {
        OrderSink::new(Writer::Parquet(Box::new(log)))
    }
}

impl OrderSink {
    fn new(writer: Writer) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let out = if cores > 1 { Self::batched(writer) } else { Out::Inline(writer) };
        OrderSink { rows: OrderRows::default(), out }
    }

    fn batched(writer: Writer) -> Out {
        Out::Batched { batch: Vec::with_capacity(BATCH_ROWS), state: Batched::Waiting(writer) }
    }

    /// With `on`, rows are formatted and written on a thread of their own (the default when the
    /// machine has more than one core); without, as they come. The file is the same either way.
    /// Choose before the first rows: later, this changes nothing.
    pub fn with_writer_thread(mut self, on: bool) -> Self {
        self.out = match self.out {
            Out::Inline(w) if on => Self::batched(w),
            Out::Batched { batch, state: Batched::Waiting(w) } if !on && batch.is_empty() => Out::Inline(w),
            out => out,
        };
        self
    }

    /// Names agents, groups and accounts.
    pub fn set_names(&mut self, names: Names) {
        match &mut self.out {
            Out::Inline(w) | Out::Batched { state: Batched::Waiting(w), .. } => w.set_names(&names),
            Out::Batched { state: Batched::Running(t), .. } => {
                let _ = t.to.send(Msg::Names(names));
            }
            Out::Batched { state: Batched::Failed(..), .. } => {}
        }
    }

    /// Order `id` reached the exchange: `result` is what became of it, `trades` its fills.
    pub fn submitted(
        &mut self,
        now: SimTime,
        id: OrderId,
        req: &OrderRequest,
        result: &Result<Placed, OrderRejected>,
        trades: &[Trade],
    ) {
        match &mut self.out {
            Out::Inline(w) => self.rows.submitted(now, id, req, result, trades, |r| w.write(r)),
            Out::Batched { batch, .. } => self.rows.submitted(now, id, req, result, trades, |r| batch.push(*r)),
        }
        self.sent();
    }

    /// Resting order `id` was cancelled with `qty` left; `reason` is empty for its agent's own
    /// cancel, `contract` for a contract's.
    pub fn cancelled(&mut self, now: SimTime, id: OrderId, qty: Qty, reason: &'static str) {
        match &mut self.out {
            Out::Inline(w) => self.rows.cancelled(now, id, qty, reason, |r| w.write(r)),
            Out::Batched { batch, .. } => self.rows.cancelled(now, id, qty, reason, |r| batch.push(*r)),
        }
        self.sent();
    }

    /// `agent`'s cancel of `id` was refused.
    pub fn cancel_rejected(&mut self, now: SimTime, agent: AgentId, id: OrderId, reason: OrderRejected) {
        let row = self.rows.cancel_rejected(now, agent, id, reason);
        match &mut self.out {
            Out::Inline(w) => w.write(&row),
            Out::Batched { batch, .. } => batch.push(row),
        }
        self.sent();
    }

    /// Hands a full batch to the writer thread (starting it with the first).
    #[inline]
    fn sent(&mut self) {
        if let Out::Batched { batch, state } = &mut self.out {
            if batch.len() >= BATCH_ROWS {
                Self::send(batch, state);
            }
        }
    }

    fn send(batch: &mut Vec<OrderRow>, state: &mut Batched) {
        if let Batched::Waiting(_) = state {
            let Batched::Waiting(w) = std::mem::replace(state, Batched::Failed(None, None)) else { return };
            *state = match Thread::spawn(w) {
                Ok(t) => Batched::Running(t),
                Err(e) => Batched::Failed(None, Some(e)),
            };
        }
        match state {
            Batched::Running(t) => {
                // Waits for a batch to come back when all are with the writer (the bound on memory).
                let next = t.back.recv().unwrap_or_else(|_| Vec::with_capacity(BATCH_ROWS));
                if t.to.send(Msg::Rows(std::mem::replace(batch, next))).is_err() {
                    // The thread has stopped (an error it reports when joined): stop sending.
                    let Batched::Running(t) = std::mem::replace(state, Batched::Failed(None, None)) else { return };
                    *state = Batched::Failed(Some(t), None);
                }
            }
            Batched::Failed(..) | Batched::Waiting(_) => batch.clear(),
        }
    }

    /// Writes what is left and closes the file (waiting for the writer thread).
    ///
    /// # Errors
    /// The first I/O or encoding error met.
    pub fn finish(self) -> io::Result<()> {
        match self.out {
            Out::Inline(w) => w.finish(),
            Out::Batched { batch, state: Batched::Waiting(mut w) } => {
                for r in &batch {
                    w.write(r);
                }
                w.finish()
            }
            Out::Batched { mut batch, state: Batched::Running(t) } => {
                if !batch.is_empty() {
                    let _ = t.to.send(Msg::Rows(std::mem::take(&mut batch)));
                }
                t.join()
            }
            Out::Batched { state: Batched::Failed(t, e), .. } => {
                let joined = t.map_or(Ok(()), Thread::join);
                match e {
                    Some(e) => Err(e),
                    None => joined.and(Err(io::Error::other("the order log's writer thread stopped"))),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::OrderType;
    use crate::ledger::AccountId;
    use crate::metrics::Units;
    use crate::types::{Cash, Intent, Price, Side};
    use rust_decimal::Decimal;

    /// A stream of orders with fills, cancels and refusals, long enough to start the writer thread.
    fn feed(sink: &mut OrderSink) {
        let names = Names::new(vec![("crowd".into(), "crowd".into(), true)], vec!["crowd/0".into(), "crowd/1".into()]);
        sink.set_names(names);
        for i in 0..3 * BATCH_ROWS as u64 {
            let now = SimTime::from_nanos(i * 1_000_003);
            let (id, maker) = (OrderId(2 * i + 2), OrderId(2 * i + 1));
            let side = if i % 2 == 0 { Side::Buy } else { Side::Sell };
            let req = |account, side, kind| OrderRequest {
                account: AccountId(account),
                agent: AgentId(0),
                side,
                kind,
                price: Price(5_000 + (i % 7) as i64),
                qty: Qty(10),
                intent: Intent::Retail,
            };
            let rest = Placed { filled: Qty::ZERO, rested: Qty(10), dropped: Qty::ZERO };
            sink.submitted(now, maker, &req(0, side, OrderType::Limit), &Ok(rest), &[]);
            let trade = Trade {
                id: i + 1,
                price: Price(5_000),
                qty: Qty(4),
                aggressor: side.opposite(),
                maker_order: maker,
                taker_order: id,
                maker_account: AccountId(0),
                taker_account: AccountId(1),
                maker_agent: AgentId(0),
                taker_agent: AgentId(0),
                maker_intent: Intent::Retail,
                taker_intent: Intent::Retail,
                maker_fee: Cash(0),
                taker_fee: Cash(0),
            };
            let taken = Placed { filled: Qty(4), rested: Qty::ZERO, dropped: Qty(6) };
            sink.submitted(now, id, &req(1, side.opposite(), OrderType::Market), &Ok(taken), &[trade]);
            match i % 3 {
                0 => sink.cancelled(now, maker, Qty(6), ""),
                1 => sink.cancel_rejected(now, AgentId(0), OrderId(u64::MAX - i), OrderRejected::NotAuthorized),
                _ => sink.submitted(
                    now,
                    OrderId(u64::MAX - i),
                    &req(1, side, OrderType::Ioc),
                    &Err(OrderRejected::InsufficientFunds),
                    &[],
                ),
            }
        }
    }

    fn written(thread: bool) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("orders.csv");
        let units = Units { tick: Decimal::new(1, 4), lot: Decimal::ONE };
        let log = OrderLog::new(std::fs::File::create(&path).unwrap(), units).unwrap();
        let mut sink = OrderSink::from(log).with_writer_thread(thread);
        feed(&mut sink);
        sink.finish().unwrap();
        std::fs::read(&path).unwrap()
    }

    #[test]
    fn the_writer_thread_writes_what_the_inline_writer_writes() {
        let (inline, threaded) = (written(false), written(true));
        let lines = inline.iter().filter(|&&b| b == b'\n').count();
        assert!(lines > 4 * BATCH_ROWS, "{lines} lines: too few to start the thread");
        assert!(inline == threaded, "the files differ");
        let text = String::from_utf8(inline).unwrap();
        assert!(
            text.contains("\n0.001000003,fill,3,crowd/0,crowd,crowd/0,sell,limit,0.5001,4,6,retail,\n"),
            "{}",
            &text[..600]
        );
        assert!(text.contains(",reject,18446744073709551614,crowd,crowd,,,,,,,other,not_authorized\n"));
    }
}
