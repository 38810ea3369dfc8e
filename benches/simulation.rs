//! Whole runs, end to end (build, simulate, summarise; no files, no charts), in events per second.
//!
//! Workloads (throughput is the run's kernel event count, so criterion reports events/s):
//! - **simulation/dio_full**: `scenarios/dio_lend_and_dump.toml` as shipped (6,500 retail
//!   traders, one simulated day). Target: under 5 s a run in release.
//! - **simulation/rmsc04_like_day**: `scenarios/rmsc04_like.toml`, a trading day shaped like
//!   ABIDES's RMSC04 (2 market makers, 102 value, 12 momentum, 1,000 noise traders, 6.5 hours).
//!   ABIDES needs about 20 s for it; the target is under 0.2 s (100× faster).
//! - **simulation/baseline_10k_day**: `scenarios/baseline_market.toml` with 10,000 retail traders
//!   and 3 market makers for one simulated day. Target: at least 2 million events per second.
//!
//! Loading the scenario and one warm-up run (to count the events) happen outside the timed
//! section. Run with `cargo bench --bench simulation` (criterion flags after `--`).

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mmsim::run::{run, RunOptions};
use mmsim::scenario::{load, Override, Scenario};

fn scenario(file: &str, overrides: &[&str]) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(file);
    let sets: Vec<Override> = overrides.iter().map(|s| s.parse().expect("override")).collect();
    load(&path, &sets).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn events(s: &Scenario) -> u64 {
    run(s, &RunOptions { out_dir: None, progress: None, charts: false }).expect("run").summary.events
}

fn bench_runs(c: &mut Criterion) {
    let workloads = [
        ("dio_full", scenario("dio_lend_and_dump.toml", &[])),
        ("rmsc04_like_day", scenario("rmsc04_like.toml", &[])),
        (
            "baseline_10k_day",
            scenario("baseline_market.toml", &["agents.retail.count=10000", "agents.mm.count=3", "market.duration=1d"]),
        ),
    ];
    let mut group = c.benchmark_group("simulation");
    group.sample_size(10);
    let options = RunOptions { out_dir: None, progress: None, charts: false };
    for (name, s) in &workloads {
        group.throughput(Throughput::Elements(events(s)));
        group.bench_function(*name, |b| b.iter(|| run(black_box(s), &options).expect("run").summary.events));
    }
    group.finish();
}

criterion_group!(benches, bench_runs);
criterion_main!(benches);
