//! The trade log's cost per row: `trades.csv` against `trades.parquet`.
//!
//! Workloads (100,000 synthetic trades shaped like `baseline_market`'s: a market maker against a
//! crowd of 2,000 retail accounts, prices near 10,000 ticks, mixed quantities, fees on the taker;
//! written through [`TradeLog`] to a file in a temporary directory, the footer included):
//! - **trade_log/csv**: `trades.csv` (the default format).
//! - **trade_log/parquet**: `trades.parquet` (zstd, streamed in row groups; the encoding runs on a
//!   writer thread, so this measures the whole pipeline from the first row to the closed file).
//!
//! Throughput is in trades, so criterion prints the time per row of each. Building the trades
//! happens outside the timed section. Run with `cargo bench --bench trade_log`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mmsim::exchange::Trade;
use mmsim::ledger::AccountId;
use mmsim::metrics::{Names, TradeLog, Units};
use mmsim::types::{AgentId, Cash, Intent, OrderId, Price, Qty, Side, SimTime};
use rust_decimal::Decimal;

/// Trades per measured log.
const TRADES: u64 = 100_000;
/// Retail accounts (account 0 is the market maker's).
const CROWD: u32 = 2_000;

/// The names of `baseline_market`'s agents and accounts.
fn names() -> Names {
    let agents = vec![("mm".to_string(), "mm".to_string(), false), ("retail".to_string(), "retail".to_string(), true)];
    let accounts = std::iter::once("mm".to_string()).chain((0..CROWD).map(|i| format!("retail/{i}"))).collect();
    Names::new(agents, accounts)
}

/// `TRADES` trades from a small deterministic generator (SplitMix64).
fn trades() -> Vec<(SimTime, Trade, bool)> {
    let mut state = 7_u64;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut price = 10_000_i64;
    let mut ns = 0_u64;
    (1..=TRADES)
        .map(|id| {
            let r = next();
            ns += 1 + r % 2_000_000_000;
            price += (r >> 40) as i64 % 5 - 2;
            let qty = 1 + (r >> 20) as i64 % 3_000;
            let retail = AccountId(1 + (r >> 8) as u32 % CROWD);
            let mm_makes = r & 1 == 0;
            let (maker, taker) = if mm_makes { (AccountId(0), retail) } else { (retail, AccountId(0)) };
            let agent = |a: AccountId| AgentId(u32::from(a.0 != 0));
            let intent = |a: AccountId| if a.0 == 0 { Intent::Quote } else { Intent::Retail };
            let fee = Cash(i128::from(price) * i128::from(qty) / 1_000);
            let trade = Trade {
                id,
                price: Price(price),
                qty: Qty(qty),
                aggressor: if r & 2 == 0 { Side::Buy } else { Side::Sell },
                maker_order: OrderId(3 * id),
                taker_order: OrderId(3 * id + 1),
                maker_account: maker,
                taker_account: taker,
                maker_agent: agent(maker),
                taker_agent: agent(taker),
                maker_intent: intent(maker),
                taker_intent: intent(taker),
                maker_fee: Cash(0),
                taker_fee: fee,
            };
            (SimTime::from_nanos(ns), trade, false)
        })
        .collect()
}

fn bench_trade_log(c: &mut Criterion) {
    let units = Units { tick: Decimal::new(1, 4), lot: Decimal::ONE };
    let rows = trades();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut group = c.benchmark_group("trade_log");
    group.sample_size(10);
    group.throughput(Throughput::Elements(TRADES));
    for format in ["csv", "parquet"] {
        let path = dir.path().join(format!("trades.{format}"));
        group.bench_function(format, |b| {
            b.iter(|| {
                let file = std::fs::File::create(&path).expect("create the trade log");
                let mut log = match format {
                    "csv" => TradeLog::new(file, units),
                    _ => TradeLog::parquet(file, dir.path(), units),
                }
                .expect("open the trade log");
                log.set_names(names());
                for (now, trade, wash) in &rows {
                    log.write(*now, black_box(trade), *wash);
                }
                log.finish().expect("close the trade log");
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_trade_log);
criterion_main!(benches);
