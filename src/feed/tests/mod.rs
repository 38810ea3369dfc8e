//! Tests of the feed module on small files written to a temporary directory.
//!
//! - `formats.rs`: every format parsed, gzip, tick/lot inference, the merge of several files;
//! - `replay.rs`: gap detection and resync, Tardis snapshots, the top-of-book check on files whose
//!   answer is known;
//! - `errors.rs`: every class of bad input gives a located error or a counted skip.

mod errors;
mod formats;
mod replay;

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;
use rust_decimal::Decimal;
use tempfile::TempDir;

use super::*;
use crate::types::{Price, Qty, Side};

/// Writes `text` to `dir/name`.
fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write test file");
    path
}

/// Gzip-compresses `text`.
fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(text.as_bytes()).expect("compress");
    encoder.finish().expect("compress")
}

/// Writes `text` gzip-compressed to `dir/name`.
fn write_gz(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, gzip(text)).expect("write test file");
    path
}

/// Read options on a tick of 0.01 and a lot of 0.001.
fn cents() -> ReadOptions {
    ReadOptions { tick_size: Some(Decimal::new(1, 2)), lot_size: Some(Decimal::new(1, 3)), ..ReadOptions::default() }
}

/// Replay options on a tick of 0.01 and a lot of 0.001.
fn replay_cents() -> ReplayOptions {
    ReplayOptions { read: cents(), ..ReplayOptions::default() }
}

/// Every event of `paths`, or the first error.
fn read_all<P: AsRef<Path>>(paths: &[P], options: &ReadOptions) -> Result<(Vec<Event>, ReplayStats), FeedError> {
    let mut reader = EventReader::open(paths, options)?;
    let mut events = Vec::new();
    while let Some(event) = reader.next_event()? {
        events.push(event);
    }
    Ok((events, reader.stats()))
}

fn levels(list: &[(&str, &str)]) -> String {
    let pairs: Vec<String> = list.iter().map(|(p, q)| format!("[\"{p}\",\"{q}\"]")).collect();
    format!("[{}]", pairs.join(","))
}

/// A wrapped Binance spot `depthUpdate` line (`E` = local time in ms).
fn depth(local_ns: u64, first: u64, last: u64, bids: &[(&str, &str)], asks: &[(&str, &str)]) -> String {
    format!(
        "{local_ns} {{\"stream\":\"ethusdt@depth@100ms\",\"data\":{{\"e\":\"depthUpdate\",\"E\":{},\"s\":\"ETHUSDT\",\
         \"U\":{first},\"u\":{last},\"b\":{},\"a\":{}}}}}",
        local_ns / 1_000_000,
        levels(bids),
        levels(asks)
    )
}

/// A wrapped Binance spot `bookTicker` line.
fn ticker(local_ns: u64, id: u64, bid: (&str, &str), ask: (&str, &str)) -> String {
    format!(
        "{local_ns} {{\"stream\":\"ethusdt@bookTicker\",\"data\":{{\"u\":{id},\"s\":\"ETHUSDT\",\"b\":\"{}\",\
         \"B\":\"{}\",\"a\":\"{}\",\"A\":\"{}\"}}}}",
        bid.0, bid.1, ask.0, ask.1
    )
}

/// A wrapped Binance `trade` line.
fn trade(local_ns: u64, id: u64, price: &str, qty: &str, buyer_is_maker: bool) -> String {
    format!(
        "{local_ns} {{\"stream\":\"ethusdt@trade\",\"data\":{{\"e\":\"trade\",\"E\":{ms},\"s\":\"ETHUSDT\",\"t\":{id},\
         \"p\":\"{price}\",\"q\":\"{qty}\",\"T\":{ms},\"m\":{buyer_is_maker},\"M\":true}}}}",
        ms = local_ns / 1_000_000
    )
}

/// A bare REST snapshot line.
fn snapshot(local_ns: u64, last_id: u64, bids: &[(&str, &str)], asks: &[(&str, &str)]) -> String {
    format!("{local_ns} {{\"lastUpdateId\":{last_id},\"bids\":{},\"asks\":{}}}", levels(bids), levels(asks))
}

/// Lines joined with newlines, with a final newline.
fn lines(lines: &[String]) -> String {
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// A level event's contents.
fn level(event: &Event) -> Option<(Side, i64, i64)> {
    match event.kind {
        EventKind::Level(l) => Some((l.side, l.price.0, l.qty.0)),
        _ => None,
    }
}

/// One side of the touch: price and size.
type Quote = Option<(Price, Qty)>;

/// The book's touch: best bid and best ask.
fn touch(book: &L2Book) -> (Quote, Quote) {
    (book.best_bid(), book.best_ask())
}

/// The local time of second `s` of the test day, in ns.
const fn at(s: u64) -> u64 {
    1_723_161_600_000_000_000 + s * 1_000_000_000
}
