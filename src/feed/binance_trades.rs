//! Binance public historical trades CSV (data.binance.vision): `id,price,qty,quote_qty,time,is_buyer_maker`
//! with an optional 7th `is_best_match` column, with or without a header line.
//!
//! These files have no local receive time. The event's exchange time is `time` (ms, or µs in newer
//! spot files: read by magnitude) and its local time is that plus the assumed feed latency
//! (`ReplayOptions::assumed_latency_ns`). `is_buyer_maker = true` means the aggressor sold.
//! `quote_qty` is derived (`price × qty`) and ignored.

use super::error::{LineError, SkipReason};
use super::event::{Event, EventKind, MessageKind, Trade};
use super::format::{epoch_ns_by_magnitude, parse_bool};
use super::grid::{price_of, qty_of, Units};
use crate::types::Side;

/// The parser: stateless but for the assumed latency.
#[derive(Debug)]
pub(super) struct BinanceTradesCsv {
    latency_ns: u64,
}

impl BinanceTradesCsv {
    /// A parser stamping local times `latency_ns` after the exchange time.
    pub(super) fn new(latency_ns: u64) -> Self {
        BinanceTradesCsv { latency_ns }
    }

    /// Parses one data row, appending its trade to `out` (nothing on error).
    pub(super) fn parse<U: Units>(&mut self, line: &str, units: &mut U, out: &mut Vec<Event>) -> Result<(), LineError> {
        const KIND: MessageKind = MessageKind::Trade;
        let mut fields = [""; 7];
        let mut count = 0;
        for field in line.split(',') {
            if let Some(slot) = fields.get_mut(count) {
                *slot = field.trim();
            }
            count += 1;
        }
        if !(6..=7).contains(&count) {
            return Err(LineError::skip(
                SkipReason::FieldCount,
                Some(KIND),
                format!("{count} fields, expected 6 or 7"),
            ));
        }
        let [id, price, qty, _quote, time, buyer_is_maker, _] = fields;
        let exch_ns = epoch_ns_by_magnitude(time).filter(|_| !time.contains('.')).ok_or_else(|| {
            LineError::skip(SkipReason::BadTimestamp, Some(KIND), format!("time {time:?} is not an epoch timestamp"))
        })?;
        let buyer_is_maker = parse_bool(buyer_is_maker).ok_or_else(|| {
            LineError::skip(
                SkipReason::BadField,
                Some(KIND),
                format!("is_buyer_maker {buyer_is_maker:?} is not a bool"),
            )
        })?;
        let trade = Trade {
            price: price_of(units, price, KIND)?,
            qty: qty_of(units, qty, KIND)?,
            aggressor: Some(if buyer_is_maker { Side::Sell } else { Side::Buy }),
            id: Some(id.parse().map_err(|_| {
                LineError::skip(SkipReason::BadField, Some(KIND), format!("id {id:?} is not a number"))
            })?),
        };
        out.push(Event {
            local_ns: exch_ns.saturating_add(self.latency_ns),
            exch_ns: Some(exch_ns),
            kind: EventKind::Trade(trade),
        });
        Ok(())
    }
}
