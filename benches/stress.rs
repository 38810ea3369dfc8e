//! Deal stress test throughput on the DIO case: how many simulated 24-hour runs per second a
//! stress test gets on two threads, the figure that decides how long the full test takes
//! (`mmsim stress scenarios/dio_lend_and_dump.toml --mm mm --seeds 8 --budget 30 --jobs 2` plays
//! 1,440 runs: six searched playbooks × 30 evaluations × 8 seeds).
//!
//! Workload **stress/dio_seeds2_budget2_jobs2**: the whole stress test (every playbook in the seat
//! of `mm`, searches included) with 2 seeds and a budget of 2 evaluations per playbook: 24 runs of
//! the DIO market (6,500 traders, one simulated day each) on a two-thread pool. Throughput is in
//! runs, so criterion reports runs per second; 1,440 / that rate is the full test's wall time.
//! Loading the plan happens outside the timed section. Run with `cargo bench --bench stress`.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mmsim::stress::{run_stress, StressOptions, StressPlan};

fn bench_stress(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/dio_lend_and_dump.toml");
    let plan = StressPlan::load(&path, &[], "mm", Some(2), Some(2)).expect("the DIO case loads");
    let options = StressOptions { jobs: Some(2), ..StressOptions::default() };
    let runs = run_stress(&plan, &options).expect("the stress test runs").runs;
    let mut group = c.benchmark_group("stress");
    group.sample_size(10);
    group.throughput(Throughput::Elements(runs));
    group.bench_function("dio_seeds2_budget2_jobs2", |b| {
        b.iter(|| run_stress(black_box(&plan), &options).expect("the stress test runs"))
    });
    group.finish();
}

criterion_group!(benches, bench_stress);
criterion_main!(benches);
