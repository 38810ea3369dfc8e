//! The cost of the order log (`orders.csv`) on the DIO case.
//!
//! Workloads (`scenarios/dio_lend_and_dump.toml` as shipped: 6,500 retail traders, one simulated
//! day; files written to a temporary directory, no charts):
//! - **order_log/dio_without_orders**: the run with its files (`trades.csv`, `timeseries.csv`,
//!   `agents.csv`, `summary.json`, ...) but no order log (`RunExtras::no_orders`).
//! - **order_log/dio_with_orders**: the same run writing `orders.csv` too (the default).
//!
//! - **order_log/write_rows**: the writer alone (`OrderLog::write`, what the writer thread does):
//!   100,000 rows shaped like the DIO case's (a crowd of 6,500 accounts, tick 0.00001, new / fill
//!   / cancel / expire / reject rows) formatted and written to a file in a temporary directory;
//!   throughput in rows.
//!
//! The ratio of the first two is the order log's cost (target: at most +25%). With more than one
//! core the rows are formatted and written on a writer thread, so on a busy machine the ratio
//! follows the load as much as the code. Loading the scenario and making the rows happen outside
//! the timed section. Run with `cargo bench --bench order_log`.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use mmsim::book::OrderType;
use mmsim::ledger::AccountId;
use mmsim::metrics::order_rows::{OrderEvent, OrderFields, OrderRow};
use mmsim::metrics::{Names, OrderLog, Units};
use mmsim::run::{run_with, RunExtras, RunOptions};
use mmsim::scenario::load;
use mmsim::types::{AgentId, Intent, OrderId, Price, Qty, Side, SimTime};
use rust_decimal::Decimal;

/// Accounts of the crowd the rows come from (as many as the DIO case's traders).
const ACCOUNTS: u32 = 6_500;
/// Rows per iteration of `write_rows`.
const ROWS: u64 = 100_000;

/// Rows like the DIO case's: a crowd's orders on random accounts, most filled or cancelled.
fn dio_like_rows() -> Vec<OrderRow> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let events = [OrderEvent::New, OrderEvent::Fill, OrderEvent::Fill, OrderEvent::Cancel, OrderEvent::Expire];
    (0..ROWS)
        .map(|i| {
            let r = next();
            let event = if r % 97 == 0 { OrderEvent::Reject } else { events[(r % 5) as usize] };
            let kind = if r % 3 == 0 { OrderType::Market } else { OrderType::Limit };
            let qty = Qty(1 + (r >> 20) as i64 % 50_000);
            OrderRow {
                t: SimTime::from_nanos(i * 99_991_717 + (r >> 40)),
                event,
                id: OrderId(i + 1),
                agent: AgentId(2),
                account: Some(AccountId(2 + (r >> 8) as u32 % ACCOUNTS)),
                order: Some(OrderFields {
                    side: if r & 1 == 0 { Side::Buy } else { Side::Sell },
                    kind,
                    price: Price(4_000 + (r >> 30) as i64 % 2_000),
                    qty,
                    remaining: Qty(qty.0 / 2),
                }),
                intent: Intent::Retail,
                reason: if event == OrderEvent::Reject { "insufficient_funds" } else { "" },
            }
        })
        .collect()
}

fn dio_like_names() -> Names {
    let agents = vec![
        ("jump".into(), "mm".into(), false),
        ("retail".into(), "retail".into(), true),
        ("fomo".into(), "fomo".into(), true),
    ];
    let mut accounts = vec!["jump".to_string(), "project".to_string()];
    accounts.extend((0..ACCOUNTS).map(|i| format!("fomo/{i}")));
    Names::new(agents, accounts)
}

fn bench_write_rows(c: &mut Criterion) {
    let (rows, names) = (dio_like_rows(), dio_like_names());
    let units = Units { tick: Decimal::new(1, 5), lot: Decimal::ONE };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("orders.csv");
    let mut group = c.benchmark_group("order_log");
    group.throughput(Throughput::Elements(ROWS));
    group.bench_function("write_rows", |b| {
        b.iter_batched(
            || {
                let mut log = OrderLog::new(std::fs::File::create(&path).expect("a file"), units).expect("a log");
                log.set_names(&names);
                log
            },
            |mut log| {
                for r in &rows {
                    log.write(black_box(r));
                }
                log.finish().expect("written")
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

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

criterion_group!(benches, bench_write_rows, bench_order_log);
criterion_main!(benches);
