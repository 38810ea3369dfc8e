//! Applying one row of the order stream to the book.
//!
//! Checks run in the stable order below, so a row with several problems always gets the same
//! reason:
//! - `new`: `duplicate_order_id`, `bad_side`, `bad_type`, `bad_price` (not for `market`, whose price
//!   is ignored), `bad_qty`, then the book's `unfillable` (fok) or `would_cross` (post_only);
//! - `cancel`: `unknown_order`;
//! - `modify`: `bad_price`, `bad_qty`, `unknown_order`.
//!
//! Before any of them, the row must be well formed (8 fields, a `ts` that parses and is not below
//! the previous row's, a known action, a non-empty `order_id`, and a non-empty `trader` on `new`
//! rows); otherwise the replay stops with a [`Problem`]. An order id counts as used from its first `new` row on, even if that row was
//! rejected.
//!
//! The replay also keeps the total quantity resting on the book, so that no price level's total can
//! overflow an `i64`: an order that could rest (`limit`, `post_only`, a modify) and whose quantity
//! would push the total past `i64::MAX` lots (counting a modified order's new quantity instead of
//! its old one) is rejected as `bad_qty`, like a quantity too large to represent.

use csv::ByteRecord;

use super::grid::Grid;
use super::names::Names;
use super::output::{BookRow, TradeRow, WriteFailed, Writers};
use super::ts::Clock;
use super::{MatchError, MatchSummary, Problem};
use crate::book::{Fill, Modified, NewOrder, OrderBook, OrderType, Reject};
use crate::types::{OrderId, Price, Qty, Side, TraderId};
use std::io::Write;
use std::path::Path;

const BAD_SIDE: &str = "bad_side";
const BAD_TYPE: &str = "bad_type";

/// Why a row stopped the replay.
#[derive(Debug)]
pub(super) enum Stop {
    /// The row is malformed.
    Input(Problem),
    /// An output could not be written.
    Write(WriteFailed),
}

impl From<WriteFailed> for Stop {
    fn from(e: WriteFailed) -> Stop {
        Stop::Write(e)
    }
}

impl Stop {
    /// The error for a stop at `line` of `file`.
    pub fn into_error(self, file: &Path, line: u64) -> MatchError {
        match self {
            Stop::Input(problem) => MatchError::Input { file: file.to_path_buf(), line, problem },
            Stop::Write(e) => e.into(),
        }
    }
}

/// One data row, fields trimmed.
#[derive(Debug)]
struct Row<'a> {
    line: u64,
    ts: &'a [u8],
    trader: &'a [u8],
    order_id: &'a [u8],
    side: &'a [u8],
    kind: &'a [u8],
    price: &'a [u8],
    qty: &'a [u8],
}

/// The replay state: the book, the name tables and the running counts.
#[derive(Debug)]
pub(super) struct Replay {
    tick: Grid,
    lot: Grid,
    book: OrderBook,
    orders: Names,
    traders: Names,
    fills: Vec<Fill>,
    /// Total quantity resting on the book, in lots.
    resting_lots: i64,
    summary: MatchSummary,
    /// The last timestamp, which the next row's may not be below.
    clock: Clock,
}

fn can_rest(kind: OrderType) -> bool {
    matches!(kind, OrderType::Limit | OrderType::PostOnly)
}

impl Replay {
    /// An empty book on the given grids.
    pub fn new(tick: Grid, lot: Grid) -> Self {
        Replay {
            tick,
            lot,
            book: OrderBook::with_capacity(1 << 12),
            orders: Names::default(),
            traders: Names::default(),
            fills: Vec::new(),
            resting_lots: 0,
            summary: MatchSummary::default(),
            clock: Clock::default(),
        }
    }

    /// The counts so far.
    pub fn summary(&self) -> MatchSummary {
        MatchSummary { resting: self.book.order_count() as u64, ..self.summary }
    }

    /// Applies the data row `record`, found at `line`, writing its trades or its reject.
    pub fn apply<W: Write>(&mut self, line: u64, record: &ByteRecord, out: &mut Writers<W>) -> Result<(), Stop> {
        if record.len() != super::HEADER.len() {
            return Err(Stop::Input(Problem::FieldCount { found: record.len() }));
        }
        self.summary.rows += 1;
        let field = |i: usize| record[i].trim_ascii();
        let row = Row {
            line,
            ts: field(0),
            trader: field(1),
            order_id: field(3),
            side: field(4),
            kind: field(5),
            price: field(6),
            qty: field(7),
        };
        self.clock.advance(row.ts, line).map_err(|m| Stop::Input(Problem::Timestamp(m)))?;
        let action: &'static str = match field(2) {
            b"new" => "new",
            b"cancel" => "cancel",
            b"modify" => "modify",
            other => {
                return Err(Stop::Input(Problem::UnknownAction { found: String::from_utf8_lossy(other).into_owned() }))
            }
        };
        if row.order_id.is_empty() {
            return Err(Stop::Input(Problem::EmptyField { field: "order_id", action }));
        }
        match action {
            "new" => self.new_order(&row, out),
            "cancel" => self.cancel(&row, out),
            _ => self.modify(&row, out),
        }
    }

    fn reject<W: Write>(&mut self, row: &Row<'_>, reason: &str, out: &mut Writers<W>) -> Result<(), Stop> {
        self.summary.rejects += 1;
        Ok(out.reject(row.line, row.order_id, reason)?)
    }

    fn new_order<W: Write>(&mut self, row: &Row<'_>, out: &mut Writers<W>) -> Result<(), Stop> {
        if row.trader.is_empty() {
            return Err(Stop::Input(Problem::EmptyField { field: "trader", action: "new" }));
        }
        let Some(id) = self.orders.insert_new(row.order_id) else {
            return self.reject(row, Reject::DuplicateOrderId.as_str(), out);
        };
        let side = match row.side {
            b"buy" => Side::Buy,
            b"sell" => Side::Sell,
            _ => return self.reject(row, BAD_SIDE, out),
        };
        let Some(kind) = std::str::from_utf8(row.kind).ok().and_then(OrderType::parse) else {
            return self.reject(row, BAD_TYPE, out);
        };
        let price = if kind == OrderType::Market {
            0
        } else {
            match self.tick.to_units(row.price) {
                Ok(ticks) => ticks,
                Err(_) => return self.reject(row, Reject::BadPrice.as_str(), out),
            }
        };
        let fits = |lots: &i64| !can_rest(kind) || self.resting_lots.checked_add(*lots).is_some();
        let Some(qty) = self.lot.to_units(row.qty).ok().filter(fits) else {
            return self.reject(row, Reject::BadQty.as_str(), out);
        };
        let trader =
            u32::try_from(self.traders.intern(row.trader)).map_err(|_| Stop::Input(Problem::TooManyTraders))?;
        let order =
            NewOrder { id: OrderId(id), trader: TraderId(trader), side, kind, price: Price(price), qty: Qty(qty) };
        let mut fills = std::mem::take(&mut self.fills);
        fills.clear();
        let result = match self.book.submit(order, &mut fills) {
            Ok(placed) => {
                self.resting_lots += placed.rested.lots();
                self.write_fills(row, &fills, out)
            }
            Err(reject) => self.reject(row, reject.as_str(), out),
        };
        self.fills = fills;
        result
    }

    fn cancel<W: Write>(&mut self, row: &Row<'_>, out: &mut Writers<W>) -> Result<(), Stop> {
        let cancelled = match self.orders.get(row.order_id) {
            Some(id) => self.book.cancel(OrderId(id)),
            None => Err(Reject::UnknownOrder),
        };
        match cancelled {
            Ok(order) => {
                self.resting_lots -= order.qty.lots();
                Ok(())
            }
            Err(reject) => self.reject(row, reject.as_str(), out),
        }
    }

    fn modify<W: Write>(&mut self, row: &Row<'_>, out: &mut Writers<W>) -> Result<(), Stop> {
        let Ok(price) = self.tick.to_units(row.price) else {
            return self.reject(row, Reject::BadPrice.as_str(), out);
        };
        // The order's current quantity leaves the book if it is modified.
        let resting = self.orders.get(row.order_id).and_then(|id| self.book.order(OrderId(id)));
        let room = self.resting_lots - resting.map_or(0, |o| o.qty.lots());
        let Some(qty) = self.lot.to_units(row.qty).ok().filter(|&lots| room.checked_add(lots).is_some()) else {
            return self.reject(row, Reject::BadQty.as_str(), out);
        };
        let Some(order) = resting else {
            return self.reject(row, Reject::UnknownOrder.as_str(), out);
        };
        let id = order.id;
        let mut fills = std::mem::take(&mut self.fills);
        fills.clear();
        let result = match self.book.modify(id, Price(price), Qty(qty), &mut fills) {
            Ok(Modified::InPlace { reduced_by }) => {
                self.resting_lots -= reduced_by.lots();
                Ok(())
            }
            Ok(Modified::Reentered { old_qty, placed, .. }) => {
                self.resting_lots = self.resting_lots - old_qty.lots() + placed.rested.lots();
                self.write_fills(row, &fills, out)
            }
            Err(reject) => self.reject(row, reject.as_str(), out),
        };
        self.fills = fills;
        result
    }

    fn write_fills<W: Write>(&mut self, row: &Row<'_>, fills: &[Fill], out: &mut Writers<W>) -> Result<(), Stop> {
        for fill in fills {
            self.resting_lots -= fill.qty.lots();
            self.summary.trades += 1;
            let trade = TradeRow {
                id: self.summary.trades,
                ts: row.ts,
                price: fill.price.ticks(),
                qty: fill.qty.lots(),
                aggressor: fill.taker_side,
                maker_order: self.orders.name(fill.maker.0),
                taker_order: self.orders.name(fill.taker.0),
                maker_trader: self.traders.name(u64::from(fill.maker_trader.0)),
                taker_trader: self.traders.name(u64::from(fill.taker_trader.0)),
            };
            out.trade(&trade, &self.tick, &self.lot)?;
        }
        Ok(())
    }

    /// Writes the resting orders: bids best first, then asks best first, time priority in a level.
    pub fn write_book<W: Write>(&self, out: &mut Writers<W>) -> Result<(), WriteFailed> {
        for side in [Side::Buy, Side::Sell] {
            for order in self.book.orders(side) {
                let row = BookRow {
                    side,
                    price: order.price.ticks(),
                    qty: order.qty.lots(),
                    order: self.orders.name(order.id.0),
                    trader: self.traders.name(u64::from(order.trader.0)),
                };
                out.resting(&row, &self.tick, &self.lot)?;
            }
        }
        Ok(())
    }
}
