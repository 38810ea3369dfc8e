//! Tardis CSV files: `incremental_book_L2`, `trades` and `book_ticker` (timestamps in µs).
//!
//! - `incremental_book_L2` (`exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount`):
//!   `amount` is the level's new absolute size. A run of `is_snapshot=true` rows is one snapshot: a
//!   [`EventKind::Snapshot`] header is emitted when `is_snapshot` turns true (or on the first row),
//!   then one level per row. Incremental rows are grouped into one [`EventKind::Diff`] message per
//!   `local_timestamp` (the rows of one exchange message share it); Tardis has no update ids.
//! - `trades` (`…,id,side,price,amount`): `side` is the aggressor, `buy`, `sell` or `unknown`; a
//!   non-numeric id is kept as `None`.
//! - `book_ticker` (`…,ask_amount,ask_price,bid_price,bid_amount`): an empty side is written empty.
//!
//! Fields are split on commas (Tardis never quotes); a row with the wrong number of fields is a
//! counted skip, as is a row of another symbol than the first one in the file.

use super::error::{LineError, SkipReason};
use super::event::{DiffStart, Event, EventKind, Level, MessageKind, SnapshotStart, Ticker, Trade};
use super::format::{micros_to_ns, parse_bool, Format};
use super::grid::{price_of, qty_of, Units};
use crate::types::{Price, Qty, Side};

/// Fields per row in every Tardis format read here.
const FIELDS: usize = 8;

/// The parser's state across rows of one file.
#[derive(Debug)]
pub(super) struct TardisCsv {
    format: Format,
    symbol: Option<String>,
    /// `(local_ns, is_snapshot)` of the last book row parsed.
    last_book_row: Option<(u64, bool)>,
}

impl TardisCsv {
    /// A parser for one of the three Tardis formats.
    pub(super) fn new(format: Format) -> Self {
        debug_assert!(matches!(format, Format::TardisBook | Format::TardisTrades | Format::TardisTicker));
        TardisCsv { format, symbol: None, last_book_row: None }
    }

    fn kind(&self) -> MessageKind {
        match self.format {
            Format::TardisTrades => MessageKind::Trade,
            Format::TardisTicker => MessageKind::Ticker,
            _ => MessageKind::Diff,
        }
    }

    /// Parses one data row, appending its events to `out` (nothing on error).
    pub(super) fn parse<U: Units>(&mut self, line: &str, units: &mut U, out: &mut Vec<Event>) -> Result<(), LineError> {
        let kind = self.kind();
        let mut fields = [""; FIELDS];
        let mut count = 0;
        for field in line.split(',') {
            if let Some(slot) = fields.get_mut(count) {
                *slot = field;
            }
            count += 1;
        }
        if count != FIELDS {
            let detail = format!("{count} fields, expected {FIELDS}");
            return Err(LineError::skip(SkipReason::FieldCount, Some(kind), detail));
        }
        let [_, symbol, timestamp, local_timestamp, f4, f5, f6, f7] = fields;
        match &self.symbol {
            None => self.symbol = Some(symbol.to_owned()),
            Some(first) if first != symbol => {
                let detail = format!("symbol {symbol} after {first}");
                return Err(LineError::skip(SkipReason::OtherSymbol, Some(kind), detail));
            }
            Some(_) => {}
        }
        let bad_time = |what: &str, text: &str| {
            LineError::skip(SkipReason::BadTimestamp, Some(kind), format!("{what} {text:?} is not µs since the epoch"))
        };
        let exch_ns = Some(micros_to_ns(timestamp).ok_or_else(|| bad_time("timestamp", timestamp))?);
        let local_ns = micros_to_ns(local_timestamp).ok_or_else(|| bad_time("local_timestamp", local_timestamp))?;
        let event = |kind| Event { local_ns, exch_ns, kind };
        let bad = |what: &str, text: &str| {
            LineError::skip(SkipReason::BadField, Some(kind), format!("{what} {text:?} is not valid"))
        };
        match self.format {
            Format::TardisBook => {
                let snapshot = parse_bool(f4).ok_or_else(|| bad("is_snapshot", f4))?;
                let side = match f5 {
                    "bid" => Side::Buy,
                    "ask" => Side::Sell,
                    _ => return Err(bad("side", f5)),
                };
                let level_kind = if snapshot { MessageKind::Snapshot } else { MessageKind::Diff };
                let level =
                    Level { side, price: price_of(units, f6, level_kind)?, qty: qty_of(units, f7, level_kind)? };
                let header = match (self.last_book_row, snapshot) {
                    (Some((_, true)), true) => None,
                    (_, true) => Some(EventKind::Snapshot(SnapshotStart { last_update_id: None })),
                    (Some((last_local, false)), false) if last_local == local_ns => None,
                    (_, false) => Some(EventKind::Diff(DiffStart { ids: None })),
                };
                out.extend(header.map(event));
                out.push(event(EventKind::Level(level)));
                self.last_book_row = Some((local_ns, snapshot));
            }
            Format::TardisTrades => {
                let aggressor = match f5 {
                    "buy" => Some(Side::Buy),
                    "sell" => Some(Side::Sell),
                    "unknown" | "" => None,
                    _ => return Err(bad("side", f5)),
                };
                let trade = Trade {
                    price: price_of(units, f6, kind)?,
                    qty: qty_of(units, f7, kind)?,
                    aggressor,
                    id: f4.parse().ok(),
                };
                out.push(event(EventKind::Trade(trade)));
            }
            _ => {
                let (ask_price, ask_qty) = quote(units, f5, f4)?;
                let (bid_price, bid_qty) = quote(units, f6, f7)?;
                out.push(event(EventKind::Ticker(Ticker { bid_price, bid_qty, ask_price, ask_qty, update_id: None })));
            }
        }
        Ok(())
    }
}

/// One side of a ticker row; empty fields mean an empty side (zero size).
fn quote<U: Units>(units: &mut U, price: &str, qty: &str) -> Result<(Price, Qty), LineError> {
    if price.is_empty() || qty.is_empty() {
        return Ok((Price(0), Qty(0)));
    }
    Ok((price_of(units, price, MessageKind::Ticker)?, qty_of(units, qty, MessageKind::Ticker)?))
}
