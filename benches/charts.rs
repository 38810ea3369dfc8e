//! Chart rendering cost: the four charts (`price`, `pnl`, `liquidity`, `volume`), each to PNG and SVG
//! at 1200×700, for one run with 10,001 samples.
//!
//! Workloads:
//! - **charts/render_all**: `render_charts` as a run calls it (the four charts spread over rayon's
//!   threads);
//! - **charts/render_all_1_thread**: the same inside a one-thread rayon pool, the cost on a busy
//!   machine (e.g. inside a sweep).
//!
//! The run is built outside the timed section: a passive market maker quoting the project's treasury
//! and 200 retail traders for 10,000 simulated minutes with one sample a minute. The budget is
//! 0.5 s per run; the charts downsample every series to at most 2,000 points, so the cost hardly
//! grows with the run's length.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use mmsim::agents::passive_mm::PassiveMmConfig;
use mmsim::agents::retail::RetailConfig;
use mmsim::agents::Behaviour;
use mmsim::report::{render_charts, ChartInput};
use mmsim::run::{run, units, RunOptions};
use mmsim::scenario::Scenario;
use mmsim::units::Dur;
use rust_decimal::dec;

const MINUTE: u64 = 60_000_000_000;

fn bench_charts(c: &mut Criterion) {
    let scenario = Scenario::new("bench_charts", 3, dec!(0.0001), dec!(1), dec!(0.05), Dur(10_000 * MINUTE))
        .with_project(dec!(1000000), dec!(20000000))
        .with_group("mm", 1, dec!(50000), dec!(1000000), Behaviour::PassiveMm(PassiveMmConfig::default()))
        .with_group("retail", 200, dec!(2000), dec!(20000), Behaviour::Retail(RetailConfig::default()));
    let outcome = run(&scenario, &RunOptions::default()).expect("bench run");
    let recorder = outcome.built.sim.recorder();
    let input = ChartInput::new(&scenario.name, recorder, units(&scenario), scenario.market.open_price);
    let charts = render_charts(&input).expect("charts render");
    let bytes: usize = charts.charts.iter().map(|c| c.png.len() + c.svg.len()).sum();
    eprintln!(
        "charts bench: {} samples, {} trades; four charts = {} KB of PNG + SVG",
        recorder.samples().len(),
        outcome.summary.volume.trades,
        bytes / 1024
    );

    let mut group = c.benchmark_group("charts");
    group.sample_size(20);
    group.bench_function("render_all", |b| b.iter(|| render_charts(black_box(&input)).expect("render")));
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    group.bench_function("render_all_1_thread", |b| {
        b.iter(|| one.install(|| render_charts(black_box(&input)).expect("render")))
    });
    group.finish();
}

criterion_group!(benches, bench_charts);
criterion_main!(benches);
