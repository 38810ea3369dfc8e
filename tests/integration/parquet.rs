//! `--format parquet` writes `trades.parquet` holding the same trades as `trades.csv`, exactly;
//! `--no-trades` writes no trade log.

use std::fs;
use std::path::Path;

use arrow_array::{Array, Decimal128Array, UInt64Array};
use assert_cmd::Command;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn run(out: &Path, extra: &[&str]) {
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/example_minimal.toml");
    Command::cargo_bin("mmsim")
        .unwrap()
        .args(["run", scenario, "--no-charts", "--quiet", "--out", out.to_str().unwrap()])
        .args(extra)
        .assert()
        .success();
}

#[test]
fn parquet_trades_equal_the_csv_and_no_trades_writes_none() {
    let tmp = tempfile::tempdir().unwrap();
    let (csv_dir, pq_dir, none_dir) = (tmp.path().join("csv"), tmp.path().join("pq"), tmp.path().join("none"));
    run(&csv_dir, &[]);
    run(&pq_dir, &["--format", "parquet"]);
    run(&none_dir, &["--no-trades"]);
    assert!(!pq_dir.join("trades.csv").exists() && !none_dir.join("trades.csv").exists());
    assert!(!none_dir.join("trades.parquet").exists());
    let csv_text = fs::read_to_string(csv_dir.join("trades.csv")).unwrap();
    let rows: Vec<Vec<String>> = csv_text.lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect();
    assert!(!rows.is_empty());
    let file = fs::File::open(pq_dir.join("trades.parquet")).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
    let mut n = 0;
    for batch in reader {
        let batch = batch.unwrap();
        let ids = batch.column_by_name("trade_id").unwrap().as_any().downcast_ref::<UInt64Array>().unwrap();
        let prices = batch.column_by_name("price").unwrap().as_any().downcast_ref::<Decimal128Array>().unwrap();
        for i in 0..batch.num_rows() {
            let row = &rows[n];
            assert_eq!(ids.value(i).to_string(), row[1]);
            let price: rust_decimal::Decimal = prices.value_as_string(i).parse().unwrap();
            assert_eq!(price.normalize().to_string(), row[2], "trade {n}: exact price");
            n += 1;
        }
    }
    assert_eq!(n, rows.len(), "every trade");
    // Everything else is the same.
    assert_eq!(fs::read(csv_dir.join("timeseries.csv")).unwrap(), fs::read(pq_dir.join("timeseries.csv")).unwrap());
}
