//! The cost of the order log (`orders.csv`) on the DIO case.
//!
//! Workloads (`scenarios/dio_lend_and_dump.toml` as shipped: 6,500 retail traders, one simulated
//! day; files written to a temporary directory, no charts):
//! - **order_log/dio_without_orders**: the run with its files (`trades.csv`, `timeseries.csv`,
//!   `agents.csv`, `summary.json`, ...) but no order log (`RunExtras::no_orders`).
//! - **order_log/dio_with_orders**: the same run writing `orders.csv` too (the default).
//!
//! The ratio of the two is the order log's cost (target: at most +25%). With more than one core
//! the rows are formatted and written on a writer thread, so on a busy machine the ratio follows
//! the load as much as the code. Loading the scenario
//! happens outside the timed section. Run with `cargo bench --bench order_log`.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use mmsim::run::{run_with, RunExtras, RunOptions};
use mmsim::scenario::load;

fn bench_order_log(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/dio_lend_and_dump.toml");
    let scenario = load(&path, &[]).expect("the DIO case loads");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut group = c.benchmark_group("order_log");
    group.sample_size(10);
    for (name, no_orders) in [("dio_without_orders", true), ("dio_with_orders", false)] {
        let options = RunOptions { out_dir: Some(dir.path().join(name)), progress: None, charts: false };
        let extras = RunExtras { no_orders, ..RunExtras::default() };
        group.bench_function(name, |b| {
            b.iter(|| run_with(black_box(&scenario), &options, &extras).expect("run").summary.events)
        });
    }
    group.finish();
}

criterion_group!(benches, bench_order_log);
criterion_main!(benches);
