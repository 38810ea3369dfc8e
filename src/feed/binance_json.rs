//! Binance raw streams: one `<local time> <json>` message per line, as common collectors record them.
//!
//! The JSON is either the message itself or the combined-stream wrapper `{"stream":..,"data":..}`
//! (the sample from hftbacktest's collector uses the wrapper for websocket messages and writes REST
//! snapshots bare). What is read:
//! - `depthUpdate`: `E` (ms), `U`, `u`, optional `pu`, `b` and `a` lists of `[price, qty]` strings →
//!   one [`EventKind::Diff`] header and one [`EventKind::Level`] per entry (bids first);
//! - `trade`: `p`, `q`, `T` (ms; `E` if absent), `m` (buyer is maker, so the aggressor sold), `t`;
//! - `bookTicker` (no `e` on spot, `e:"bookTicker"` on futures): `u`, `b`, `B`, `a`, `A`, `E`/`T` if any;
//! - a REST depth snapshot: `lastUpdateId`, `bids`, `asks` (and `E`/`T` on futures) → one
//!   [`EventKind::Snapshot`] header and its levels.
//!
//! Everything else that is valid JSON (other streams, the partial-depth `@depth20` stream, whose
//! messages look like snapshots, subscription replies) is an unknown message. Messages carrying a
//! symbol `s` other than the first one seen in the file are skipped as another symbol.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::error::{LineError, SkipReason};
use super::event::{DiffStart, Event, EventKind, Level, MessageKind, SnapshotStart, Ticker, Trade, UpdateIds};
use super::format::{epoch_ns_by_magnitude, millis_to_ns};
use super::grid::{price_of, qty_of, Units};
use crate::types::Side;

/// A field that is a string on one stream and a list of levels on another (`b`, `a`).
#[derive(Debug, Default)]
enum Field<'a> {
    Text(&'a str),
    Levels(Vec<(&'a str, &'a str)>),
    #[default]
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for Field<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl<'de> Visitor<'de> for FieldVisitor {
            type Value = Field<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of [price, qty] pairs")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Field::Text(v))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Field::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut levels = Vec::with_capacity(seq.size_hint().unwrap_or(16));
                while let Some(pair) = seq.next_element::<(&'de str, &'de str)>()? {
                    levels.push(pair);
                }
                Ok(Field::Levels(levels))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                // Numbers arrive here under serde_json's `arbitrary_precision`.
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Field::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Field::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Field::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Field::Other)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Field::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Field::Other)
            }
        }
        deserializer.deserialize_any(FieldVisitor)
    }
}

/// Every field of every message read, all optional (unknown fields are ignored).
#[derive(Debug, Default, Deserialize)]
struct Msg<'a> {
    #[serde(borrow)]
    stream: Option<&'a str>,
    #[serde(borrow)]
    data: Option<Box<Msg<'a>>>,
    #[serde(rename = "e", borrow)]
    event: Option<&'a str>,
    #[serde(rename = "E")]
    event_time: Option<u64>,
    #[serde(rename = "T")]
    trade_time: Option<u64>,
    #[serde(rename = "s", borrow)]
    symbol: Option<&'a str>,
    #[serde(rename = "U")]
    first_id: Option<u64>,
    #[serde(rename = "u")]
    last_id: Option<u64>,
    pu: Option<u64>,
    #[serde(borrow, default)]
    b: Field<'a>,
    #[serde(borrow, default)]
    a: Field<'a>,
    #[serde(rename = "B", borrow)]
    bid_qty: Option<&'a str>,
    #[serde(rename = "A", borrow)]
    ask_qty: Option<&'a str>,
    #[serde(borrow)]
    p: Option<&'a str>,
    #[serde(borrow)]
    q: Option<&'a str>,
    m: Option<bool>,
    t: Option<u64>,
    #[serde(rename = "lastUpdateId")]
    last_update_id: Option<u64>,
    #[serde(borrow)]
    bids: Option<Vec<(&'a str, &'a str)>>,
    #[serde(borrow)]
    asks: Option<Vec<(&'a str, &'a str)>>,
}

fn missing(kind: MessageKind, field: &str) -> LineError {
    LineError::skip(SkipReason::BadField, Some(kind), format!("{} without a valid `{field}`", kind.as_str()))
}

/// The parser's state across lines of one file.
#[derive(Debug, Default)]
pub(super) struct BinanceJson {
    symbol: Option<String>,
}

impl BinanceJson {
    /// Parses one line, appending its events to `out` (nothing on error).
    pub(super) fn parse<U: Units>(&mut self, line: &str, units: &mut U, out: &mut Vec<Event>) -> Result<(), LineError> {
        let start = out.len();
        let result = self.parse_inner(line, units, out);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    fn parse_inner<U: Units>(&mut self, line: &str, units: &mut U, out: &mut Vec<Event>) -> Result<(), LineError> {
        let Some((stamp, json)) = line.split_once(' ').filter(|(_, json)| json.starts_with('{')) else {
            return Err(LineError::skip(SkipReason::NotJson, None, "not `<local time> <json>`"));
        };
        let local_ns = epoch_ns_by_magnitude(stamp).ok_or_else(|| {
            LineError::skip(SkipReason::BadTimestamp, None, format!("local time {stamp:?} is not a timestamp"))
        })?;
        let mut msg: Msg<'_> = serde_json::from_str(json).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => {
                LineError::skip(SkipReason::BadField, None, format!("unexpected JSON field: {e}"))
            }
            _ => LineError::skip(SkipReason::NotJson, None, format!("invalid JSON: {e}")),
        })?;
        let stream = msg.stream;
        if let Some(data) = msg.data.take() {
            msg = *data;
        }
        let kind = classify(&msg, stream).ok_or_else(|| {
            let what = msg.event.or(stream).unwrap_or("message without `e`");
            LineError::skip(SkipReason::UnknownMessage, None, format!("unknown message type {what:?}"))
        })?;
        if let Some(symbol) = msg.symbol {
            match &self.symbol {
                None => self.symbol = Some(symbol.to_owned()),
                Some(first) if first != symbol => {
                    return Err(LineError::skip(
                        SkipReason::OtherSymbol,
                        Some(kind),
                        format!("symbol {symbol} after {first}"),
                    ))
                }
                Some(_) => {}
            }
        }
        let event = |exch_ms: Option<u64>, kind| Event { local_ns, exch_ns: exch_ms.and_then(millis_to_ns), kind };
        match kind {
            MessageKind::Diff => {
                let first = msg.first_id.ok_or_else(|| missing(kind, "U"))?;
                let last = msg.last_id.ok_or_else(|| missing(kind, "u"))?;
                let (Field::Levels(bids), Field::Levels(asks)) = (&msg.b, &msg.a) else {
                    return Err(missing(kind, "b` or `a"));
                };
                let ids = UpdateIds { first, last, prev: msg.pu };
                out.push(event(msg.event_time, EventKind::Diff(DiffStart { ids: Some(ids) })));
                push_levels(units, bids, asks, kind, |l| out.push(event(msg.event_time, EventKind::Level(l))))?;
            }
            MessageKind::Snapshot => {
                let (Some(bids), Some(asks)) = (&msg.bids, &msg.asks) else {
                    return Err(missing(kind, "bids` or `asks"));
                };
                let time = msg.trade_time.or(msg.event_time);
                let header = SnapshotStart { last_update_id: msg.last_update_id };
                out.push(event(time, EventKind::Snapshot(header)));
                push_levels(units, bids, asks, kind, |l| out.push(event(time, EventKind::Level(l))))?;
            }
            MessageKind::Trade => {
                let price = price_of(units, msg.p.ok_or_else(|| missing(kind, "p"))?, kind)?;
                let qty = qty_of(units, msg.q.ok_or_else(|| missing(kind, "q"))?, kind)?;
                let aggressor = msg.m.map(|buyer_is_maker| if buyer_is_maker { Side::Sell } else { Side::Buy });
                let trade = Trade { price, qty, aggressor, id: msg.t };
                out.push(event(msg.trade_time.or(msg.event_time), EventKind::Trade(trade)));
            }
            MessageKind::Ticker => {
                let (Field::Text(bid), Field::Text(ask)) = (&msg.b, &msg.a) else {
                    return Err(missing(kind, "b` or `a"));
                };
                let ticker = Ticker {
                    bid_price: price_of(units, bid, kind)?,
                    bid_qty: qty_of(units, msg.bid_qty.ok_or_else(|| missing(kind, "B"))?, kind)?,
                    ask_price: price_of(units, ask, kind)?,
                    ask_qty: qty_of(units, msg.ask_qty.ok_or_else(|| missing(kind, "A"))?, kind)?,
                    update_id: msg.last_id,
                };
                out.push(event(msg.trade_time.or(msg.event_time), EventKind::Ticker(ticker)));
            }
        }
        Ok(())
    }
}

/// Which of the four messages this is, if any.
fn classify(msg: &Msg<'_>, stream: Option<&str>) -> Option<MessageKind> {
    // `@depth5`/`@depth10`/`@depth20`: partial books, not snapshots of the diff sequence.
    let partial_depth = stream
        .and_then(|s| s.split_once("@depth"))
        .is_some_and(|(_, rest)| rest.bytes().next().is_some_and(|b| b.is_ascii_digit()));
    if partial_depth {
        return None;
    }
    match msg.event {
        Some("depthUpdate") => Some(MessageKind::Diff),
        Some("trade") => Some(MessageKind::Trade),
        None if msg.last_update_id.is_some() => Some(MessageKind::Snapshot),
        None | Some("bookTicker") if matches!(msg.b, Field::Text(_)) => Some(MessageKind::Ticker),
        _ => None,
    }
}

/// Converts bid then ask levels, handing each to `push`.
fn push_levels<U: Units>(
    units: &mut U,
    bids: &[(&str, &str)],
    asks: &[(&str, &str)],
    kind: MessageKind,
    mut push: impl FnMut(Level),
) -> Result<(), LineError> {
    for (side, levels) in [(Side::Buy, bids), (Side::Sell, asks)] {
        for &(price, qty) in levels {
            push(Level { side, price: price_of(units, price, kind)?, qty: qty_of(units, qty, kind)? });
        }
    }
    Ok(())
}
