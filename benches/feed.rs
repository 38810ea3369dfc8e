//! Market-data replay throughput: the importer's events into the replayed L2 book, and text parsing.
//!
//! Workloads:
//! - **`feed/replay`**: one generated stream of about 5.3M [`Event`]s (one snapshot of 2 × 1,000
//!   levels, then diff messages and trades), built outside the timed section and replayed from the
//!   start on a fresh book each iteration. Throughput in events (headers, levels and trades alike).
//!   - `l2book`: [`L2Book::apply`] per event, plus [`L2Book::finish_message`] before each header, as
//!     the replayer does;
//!   - `btreemap`: the readable baseline, a `BTreeMap<i64, i64>` of size per price on each side, with
//!     the same work (set or remove per level, read the touch per message);
//!   - `replayer`: the whole [`Replayer`] (book, skip counting and the top-of-book check; the stream
//!     has no tickers, so every book update waits in the check's bounded queue).
//! - **`feed/parse`**: the first 200,000 messages of the same stream written as Binance raw-stream
//!   lines (`<local_ns> {"stream":..,"data":..}`, prices and sizes with 8 decimals as Binance writes
//!   them) to a temporary file, plain and gzip; [`EventReader`] reads, parses and converts them.
//!   Throughput in lines.
//!
//! The stream: the mid starts at 268,000 ticks (ETHUSDT 2,680.00 on a 0.01 tick) and moves one tick
//! with probability 0.1 per message. 85% of messages are diffs with 1–12 levels per side at a
//! distance from the mid drawn from an exponential law (mean 6 ticks, capped at 1,000), 30% of them
//! removals, sizes 1–20,000 lots; a diff that sets a level at or through the opposite touch also
//! removes the crossed opposite levels, as a real feed does, so the book never crosses. 15% are
//! trades. The generator tracks its own book (a `BTreeMap`), and before timing the `l2book` and
//! `btreemap` replays must end with the same touch and level counts as that model, else the bench
//! panics.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use mmsim::feed::{
    DiffStart, Event, EventKind, EventReader, L2Book, Level, ReadOptions, ReplayOptions, Replayer, SnapshotStart,
    Trade, UpdateIds,
};
use mmsim::types::{Price, Qty, Side};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp};
use rust_decimal::Decimal;

const MID: i64 = 268_000;
const MESSAGES: usize = 500_000;
const PARSE_MESSAGES: usize = 200_000;

/// The generated stream and the generator's own final book.
struct Stream {
    events: Vec<Event>,
    model: [BTreeMap<i64, i64>; 2],
}

fn generate(seed: u64) -> Stream {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let distance = Exp::new(1.0 / 6.0).expect("rate > 0");
    let mut model = [BTreeMap::new(), BTreeMap::new()]; // bids, asks
    let mut events = Vec::with_capacity(5_600_000);
    let mut local_ns = 1_723_161_600_000_000_000u64;
    let mut mid = MID;
    let mut id = 1_000u64;
    let header = |local_ns, kind| Event { local_ns, exch_ns: Some(local_ns - 1_000_000), kind };
    events.push(header(local_ns, EventKind::Snapshot(SnapshotStart { last_update_id: Some(id) })));
    for d in 0..1_000 {
        for (i, side, price) in [(0, Side::Buy, MID - 1 - d), (1, Side::Sell, MID + 1 + d)] {
            let qty = rng.random_range(1..=20_000);
            model[i].insert(price, qty);
            events.push(header(local_ns, EventKind::Level(Level { side, price: Price(price), qty: Qty(qty) })));
        }
    }
    let mut levels = Vec::new();
    for _ in 0..MESSAGES {
        local_ns += rng.random_range(1_000..200_000);
        if rng.random_bool(0.1) {
            mid += if rng.random_bool(0.5) { 1 } else { -1 };
        }
        if rng.random_bool(0.15) {
            let side = if rng.random_bool(0.5) { Side::Buy } else { Side::Sell };
            let price = if side == Side::Buy { mid + 1 } else { mid - 1 };
            let trade =
                Trade { price: Price(price), qty: Qty(rng.random_range(1..500)), aggressor: Some(side), id: Some(id) };
            events.push(header(local_ns, EventKind::Trade(trade)));
            continue;
        }
        levels.clear();
        for (i, side) in [(0usize, Side::Buy), (1, Side::Sell)] {
            for _ in 0..rng.random_range(1..=12) {
                let away = (distance.sample(&mut rng) as i64).min(1_000);
                let price = if side == Side::Buy { mid - 1 - away } else { mid + 1 + away };
                let qty = if rng.random_bool(0.3) { 0 } else { rng.random_range(1..=20_000) };
                levels.push((i, side, price, qty));
            }
        }
        // Remove opposite levels a new level reaches, as the exchange's own diff would.
        let mut crossed = Vec::new();
        for &(i, _, price, qty) in &levels {
            if qty > 0 {
                let other = &model[1 - i];
                let through: Vec<i64> = if i == 0 {
                    other.range(..=price).map(|(&p, _)| p).collect()
                } else {
                    other.range(price..).map(|(&p, _)| p).collect()
                };
                crossed.extend(through.into_iter().map(|p| (1 - i, if i == 0 { Side::Sell } else { Side::Buy }, p, 0)));
            }
        }
        levels.extend(crossed);
        let n = levels.len() as u64;
        let ids = UpdateIds { first: id + 1, last: id + n, prev: None };
        id += n;
        events.push(header(local_ns, EventKind::Diff(DiffStart { ids: Some(ids) })));
        for &(i, side, price, qty) in &levels {
            if qty == 0 {
                model[i].remove(&price);
            } else {
                model[i].insert(price, qty);
            }
            events.push(header(local_ns, EventKind::Level(Level { side, price: Price(price), qty: Qty(qty) })));
        }
    }
    Stream { events, model }
}

/// The baseline: size per price in a `BTreeMap` on each side.
#[derive(Default)]
struct PlainL2 {
    sides: [BTreeMap<i64, i64>; 2],
}

impl PlainL2 {
    fn apply(&mut self, event: &Event) -> (Option<i64>, Option<i64>) {
        match event.kind {
            EventKind::Level(l) => {
                let side = &mut self.sides[usize::from(l.side == Side::Sell)];
                if l.qty.0 == 0 {
                    side.remove(&l.price.0);
                } else {
                    side.insert(l.price.0, l.qty.0);
                }
                (None, None)
            }
            EventKind::Snapshot(_) => {
                self.sides = Default::default();
                (None, None)
            }
            _ => (self.sides[0].last_key_value().map(|(&p, _)| p), self.sides[1].first_key_value().map(|(&p, _)| p)),
        }
    }
}

fn replay_l2book(events: &[Event]) -> L2Book {
    let mut book = L2Book::new(true, 100);
    for event in events {
        if !matches!(event.kind, EventKind::Level(_)) {
            black_box(book.finish_message());
        }
        book.apply(event);
    }
    book
}

fn replay_plain(events: &[Event]) -> PlainL2 {
    let mut book = PlainL2::default();
    for event in events {
        black_box(book.apply(event));
    }
    book
}

fn check(stream: &Stream) {
    let book = replay_l2book(&stream.events);
    let plain = replay_plain(&stream.events);
    let touch =
        |m: &[BTreeMap<i64, i64>; 2]| (m[0].last_key_value().map(|(&p, _)| p), m[1].first_key_value().map(|(&p, _)| p));
    let expected = touch(&stream.model);
    assert_eq!((book.best_bid().map(|(p, _)| p.0), book.best_ask().map(|(p, _)| p.0)), expected, "l2book touch");
    assert_eq!(touch(&plain.sides), expected, "btreemap touch");
    assert_eq!(
        (book.level_count(Side::Buy), book.level_count(Side::Sell)),
        (stream.model[0].len(), stream.model[1].len())
    );
    assert!(expected.0 < expected.1, "the generated book never crosses");
    assert_eq!(book.gap_count(), 0);
    let levels = stream.events.iter().filter(|e| matches!(e.kind, EventKind::Level(_))).count();
    eprintln!(
        "feed stream: {} events ({} levels), final book {} bids / {} asks, touch {:?}",
        stream.events.len(),
        levels,
        stream.model[0].len(),
        stream.model[1].len(),
        expected
    );
}

/// The first `messages` trades and diffs of the stream as Binance raw-stream lines (the snapshot is
/// left out: the reader bootstraps from the first diff).
fn binance_text(events: &[Event], messages: usize) -> (String, usize) {
    let fmt8 = |units: i64, places: u32| format!("{:.8}", Decimal::new(units, places));
    let mut text = String::new();
    let mut count = 0;
    let mut i = 0;
    while i < events.len() && count < messages {
        let e = events[i];
        i += 1;
        match e.kind {
            EventKind::Trade(t) => {
                let _ = writeln!(
                    text,
                    "{} {{\"stream\":\"ethusdt@trade\",\"data\":{{\"e\":\"trade\",\"E\":{ms},\"s\":\"ETHUSDT\",\"t\":{},\
                     \"p\":\"{}\",\"q\":\"{}\",\"T\":{ms},\"m\":{},\"M\":true}}}}",
                    e.local_ns,
                    t.id.unwrap_or(0),
                    fmt8(t.price.0, 2),
                    fmt8(t.qty.0, 4),
                    t.aggressor == Some(Side::Sell),
                    ms = e.local_ns / 1_000_000
                );
                count += 1;
            }
            EventKind::Diff(DiffStart { ids: Some(ids) }) => {
                let (mut bids, mut asks) = (Vec::new(), Vec::new());
                while let Some(Event { kind: EventKind::Level(l), .. }) = events.get(i) {
                    let pair = format!("[\"{}\",\"{}\"]", fmt8(l.price.0, 2), fmt8(l.qty.0, 4));
                    match l.side {
                        Side::Buy => bids.push(pair),
                        Side::Sell => asks.push(pair),
                    }
                    i += 1;
                }
                let _ = writeln!(
                    text,
                    "{} {{\"stream\":\"ethusdt@depth@100ms\",\"data\":{{\"e\":\"depthUpdate\",\"E\":{},\"s\":\"ETHUSDT\",\
                     \"U\":{},\"u\":{},\"b\":[{}],\"a\":[{}]}}}}",
                    e.local_ns,
                    e.local_ns / 1_000_000,
                    ids.first,
                    ids.last,
                    bids.join(","),
                    asks.join(",")
                );
                count += 1;
            }
            _ => {}
        }
    }
    (text, count)
}

fn bench_feed(c: &mut Criterion) {
    let stream = generate(14);
    check(&stream);
    let mut group = c.benchmark_group("feed/replay");
    group
        .throughput(Throughput::Elements(stream.events.len() as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(12));
    group.bench_function("l2book", |b| b.iter(|| black_box(replay_l2book(black_box(&stream.events)))));
    group.bench_function("btreemap", |b| b.iter(|| black_box(replay_plain(black_box(&stream.events)))));
    let options = ReplayOptions::default();
    group.bench_function("replayer", |b| {
        b.iter_batched(
            || Replayer::new(&options),
            |mut replayer| {
                for event in black_box(&stream.events) {
                    replayer.on_event(event);
                }
                replayer
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();

    let (text, lines) = binance_text(&stream.events, PARSE_MESSAGES);
    let dir = tempfile::TempDir::new().expect("temp dir");
    let plain = dir.path().join("binance.txt");
    std::fs::write(&plain, &text).expect("write");
    let gz = dir.path().join("binance.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).expect("compress");
    std::fs::write(&gz, encoder.finish().expect("compress")).expect("write");
    let options = ReadOptions {
        tick_size: Some(Decimal::new(1, 2)),
        lot_size: Some(Decimal::new(1, 4)),
        ..ReadOptions::default()
    };
    let count = |path: &std::path::Path| {
        let mut reader = EventReader::open(&[path], &options).expect("open");
        let mut n = 0u64;
        while let Some(event) = reader.next_event().expect("read") {
            black_box(event);
            n += 1;
        }
        n
    };
    eprintln!("feed parse: {lines} lines, {} bytes, {} events", text.len(), count(&plain));
    let mut group = c.benchmark_group("feed/parse");
    group
        .throughput(Throughput::Elements(lines as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    group.bench_function("binance_json", |b| b.iter(|| black_box(count(&plain))));
    group.bench_function("binance_json_gzip", |b| b.iter(|| black_box(count(&gz))));
    group.finish();
}

criterion_group!(benches, bench_feed);
criterion_main!(benches);
