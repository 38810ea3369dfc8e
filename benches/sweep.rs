//! Sweep throughput: how many runs per second a sweep gets from one and from two threads.
//!
//! Workloads (both run the same eight runs: replicate 0 of each of the eight points of
//! `scenarios/sweep_loan_size.toml`, a token loan with calls, 100 retail traders, three simulated
//! days; throughput is in runs, so criterion reports runs per second):
//! - **sweep/jobs_1**: `sweep::execute` in a one-thread rayon pool;
//! - **sweep/jobs_2**: the same in a two-thread pool. On a two-core machine the ratio of the two
//!   rates is the sweep's parallel speedup (the target is at least 1.8×).
//!
//! Loading and checking the plan and building the pools happen outside the timed section; each
//! timed run still loads its own point's scenario, as `mmsim sweep` does. Run with
//! `cargo bench --bench sweep` (criterion flags after `--`).

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mmsim::sweep::{execute, pool, Plan};

fn bench_sweep(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweep_loan_size.toml");
    let plan = Plan::load(&path, &[]).expect("the example sweep loads");
    let runs: Vec<(usize, u32)> = (0..plan.points.len().min(8)).map(|p| (p, 0)).collect();
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.throughput(Throughput::Elements(runs.len() as u64));
    for jobs in [1, 2] {
        let pool = pool(Some(jobs)).expect("pool");
        group.bench_function(format!("jobs_{jobs}"), |b| {
            b.iter(|| pool.install(|| execute(black_box(&plan), &runs, &|_| Ok(())).expect("runs")))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_sweep);
criterion_main!(benches);
