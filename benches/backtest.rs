//! Backtest throughput: recorded events replayed with a passive market maker quoting into them.
//!
//! Workload **`backtest/replay`**: one generated stream of about 5.2M [`Event`]s (a snapshot of
//! 2 × 500 levels, then diff messages with 1–6 levels near a mid that moves one tick with
//! probability 0.05 per message, and trades at the touch on 15% of messages), built outside the
//! timed section and replayed from the start into a fresh [`Backtest`] of
//! `scenarios/backtest_passive_mm.toml` (one `passive_mm` requoting every 250 ms of feed time,
//! `prob:2` queues). Throughput in events (headers, levels and trades alike).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use mmsim::backtest::{Backtest, BacktestOptions};
use mmsim::feed::{DiffStart, Event, EventKind, Level, SnapshotStart, Trade, UpdateIds};
use mmsim::types::{Price, Qty, Side};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const TARGET_EVENTS: usize = 5_200_000;

fn stream() -> Vec<Event> {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut events = Vec::with_capacity(TARGET_EVENTS + 16);
    let mut t = 1_723_161_600_000_000_000u64;
    let mut mid = 268_000i64;
    let ev = |t: u64, kind| Event { local_ns: t, exch_ns: Some(t), kind };
    events.push(ev(t, EventKind::Snapshot(SnapshotStart { last_update_id: Some(1) })));
    for i in 1..=500 {
        for (side, p) in [(Side::Buy, mid - i), (Side::Sell, mid + i)] {
            let qty = Qty(rng.random_range(1_000..200_000));
            events.push(ev(t, EventKind::Level(Level { side, price: Price(p), qty })));
        }
    }
    let mut id = 2u64;
    while events.len() < TARGET_EVENTS {
        t += rng.random_range(100_000..2_000_000);
        if rng.random_bool(0.15) {
            let buy = rng.random_bool(0.5);
            let price = Price(if buy { mid + 1 } else { mid - 1 });
            let aggressor = Some(if buy { Side::Buy } else { Side::Sell });
            let trade = Trade { price, qty: Qty(rng.random_range(1..50_000)), aggressor, id: None };
            events.push(ev(t, EventKind::Trade(trade)));
            continue;
        }
        events.push(ev(t, EventKind::Diff(DiffStart { ids: Some(UpdateIds { first: id, last: id, prev: None }) })));
        id += 1;
        if rng.random_bool(0.05) {
            let up = rng.random_bool(0.5);
            mid += if up { 1 } else { -1 };
            // The level now at the mid leaves the side it was on, so the book never crosses.
            let side = if up { Side::Sell } else { Side::Buy };
            events.push(ev(t, EventKind::Level(Level { side, price: Price(mid), qty: Qty(0) })));
        }
        for _ in 0..rng.random_range(1..=6) {
            let buy = rng.random_bool(0.5);
            let d = 1 + (rng.random_range(0.0f64..1.0).powi(3) * 40.0) as i64;
            let (side, price) = if buy { (Side::Buy, mid - d) } else { (Side::Sell, mid + d) };
            let qty = if rng.random_bool(0.2) { Qty(0) } else { Qty(rng.random_range(1_000..200_000)) };
            events.push(ev(t, EventKind::Level(Level { side, price: Price(price), qty })));
        }
    }
    events
}

fn bench(c: &mut Criterion) {
    let events = stream();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/backtest_passive_mm.toml");
    let scenario = mmsim::scenario::load(&path, &[]).expect("the shipped strategy loads");
    let options = BacktestOptions::default();
    // Sanity outside the timed section: the strategy trades on this stream.
    let mut check = Backtest::new(&scenario, &options, None);
    events.iter().for_each(|e| check.on_event(e));
    let (finished, _) = check.finish();
    assert!(finished.stats.orders > 0 && finished.stats.maker_fills > 0, "{:?}", finished.stats);
    eprintln!("backtest bench stream: {} events, strategy {:?}", events.len(), finished.stats);

    let mut group = c.benchmark_group("backtest");
    group.sampling_mode(SamplingMode::Flat).sample_size(10).measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("replay", |b| {
        b.iter_batched(
            || Backtest::new(&scenario, &options, None),
            |mut bt| {
                for e in &events {
                    bt.on_event(e);
                }
                black_box(bt.finish().0.stats.maker_fills)
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
