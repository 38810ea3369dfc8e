//! `--format parquet` writes `trades.parquet`, `orders.parquet` and `timeseries.parquet` holding
//! the same rows and values as the CSV files, exactly for decimals; `sweep --format parquet`
//! writes `runs.parquet` with the figures of `runs.csv`; `--no-trades` writes no trade log; the
//! same run twice gives byte-identical Parquet files (the trade log is encoded on a thread).

use std::fs;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, UInt32Type, UInt64Type};
use arrow_array::{Array, ArrayRef, Decimal128Array};
use arrow_schema::DataType;
use assert_cmd::Command;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rust_decimal::Decimal;

fn mmsim(args: &[&str]) {
    Command::cargo_bin("mmsim").unwrap().args(args).assert().success();
}

fn run(out: &Path, extra: &[&str]) {
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/example_minimal.toml");
    let mut args = vec!["run", scenario, "--no-charts", "--quiet", "--out", out.to_str().unwrap()];
    args.extend(extra);
    mmsim(&args);
}

/// A cell of a Parquet column as the CSV would hold it (decimals normalized, null as empty); floats
/// are returned as numbers for a tolerant comparison.
enum Cell {
    Text(String),
    Float(Option<f64>),
}

fn cell(col: &ArrayRef, i: usize) -> Cell {
    if col.is_null(i) {
        return match col.data_type() {
            DataType::Float64 => Cell::Float(None),
            _ => Cell::Text(String::new()),
        };
    }
    Cell::Text(match col.data_type() {
        DataType::Float64 => return Cell::Float(Some(col.as_primitive::<Float64Type>().value(i))),
        DataType::Decimal128(..) => {
            let d: Decimal =
                col.as_any().downcast_ref::<Decimal128Array>().unwrap().value_as_string(i).parse().unwrap();
            d.normalize().to_string()
        }
        DataType::UInt64 => col.as_primitive::<UInt64Type>().value(i).to_string(),
        DataType::UInt32 => col.as_primitive::<UInt32Type>().value(i).to_string(),
        DataType::Boolean => col.as_boolean().value(i).to_string(),
        DataType::Utf8 => col.as_string::<i32>().value(i).to_string(),
        other => panic!("unexpected column type {other}"),
    })
}

/// Asserts that `name.parquet` in `pq_dir` has the header and rows of `name.csv` in `csv_dir`;
/// floats agree within `tol` (relative, absolute below 1); returns the number of rows.
fn same_table(csv_dir: &Path, pq_dir: &Path, name: &str, tol: impl Fn(&str) -> f64) -> usize {
    let mut csv = csv::Reader::from_path(csv_dir.join(format!("{name}.csv"))).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(str::to_string).collect();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let file = fs::File::open(pq_dir.join(format!("{name}.parquet"))).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let names: Vec<String> = builder.schema().fields().iter().map(|f| f.name().clone()).collect();
    assert_eq!(names, header, "{name}: the Parquet columns are the CSV's, in order");
    let mut n = 0;
    for batch in builder.build().unwrap() {
        let batch = batch.unwrap();
        for i in 0..batch.num_rows() {
            let row = &rows[n];
            for (j, col) in batch.columns().iter().enumerate() {
                let (text, what) = (&row[j], format!("{name} row {n} column {}", header[j]));
                match cell(col, i) {
                    Cell::Text(s) => assert_eq!(&s, text, "{what}"),
                    Cell::Float(None) => assert_eq!(text, "", "{what}"),
                    Cell::Float(Some(x)) => {
                        let y: f64 = text.parse().unwrap_or_else(|_| panic!("{what}: {text:?}"));
                        assert!((x - y).abs() <= tol(&header[j]) * y.abs().max(1.0), "{what}: {x} vs {y}");
                    }
                }
            }
            n += 1;
        }
    }
    assert_eq!(n, rows.len(), "{name}: every row");
    n
}

#[test]
fn parquet_tables_equal_the_csv_and_no_trades_writes_none() {
    let tmp = tempfile::tempdir().unwrap();
    let (csv_dir, pq_dir, none_dir) = (tmp.path().join("csv"), tmp.path().join("pq"), tmp.path().join("none"));
    run(&csv_dir, &[]);
    run(&pq_dir, &["--format", "parquet"]);
    run(&none_dir, &["--no-trades"]);
    for name in ["trades", "orders", "timeseries"] {
        assert!(!pq_dir.join(format!("{name}.csv")).exists(), "parquet replaces {name}.csv");
    }
    assert!(!none_dir.join("trades.csv").exists() && !none_dir.join("trades.parquet").exists());
    // Times: trades.csv prints the f64 itself, orders.csv the exact nanoseconds; spread_bps is
    // rounded to 2 decimals in the CSV.
    let tol = |col: &str| if col == "spread_bps" { 0.005 } else { 1e-12 };
    assert!(same_table(&csv_dir, &pq_dir, "trades", tol) > 100);
    assert!(same_table(&csv_dir, &pq_dir, "orders", tol) > 100);
    assert!(same_table(&csv_dir, &pq_dir, "timeseries", tol) >= 60);
    // The writer thread's timing never shows in the files: a second run is byte-identical.
    let again = tmp.path().join("again");
    run(&again, &["--format", "parquet"]);
    for name in ["trades", "orders", "timeseries"] {
        let file = format!("{name}.parquet");
        assert_eq!(fs::read(pq_dir.join(&file)).unwrap(), fs::read(again.join(&file)).unwrap(), "{file}");
    }
    // Everything else is the same.
    assert_eq!(fs::read(csv_dir.join("agents.csv")).unwrap(), fs::read(pq_dir.join("agents.csv")).unwrap());
    // Rerunning a directory in the other format leaves no stale table of the first behind.
    run(&pq_dir, &[]);
    assert!(pq_dir.join("orders.csv").exists() && !pq_dir.join("orders.parquet").exists());
}

#[test]
fn sweep_runs_parquet_holds_the_runs_csv_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let base = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/example_minimal.toml")).unwrap();
    let text = base.replace("duration = \"1h\"", "duration = \"20m\"")
        + "\n[sweep]\nreplicates = 2\nmetrics = [\"close\", \"mm_pnl\", \"conservation_ok\"]\n\
           [sweep.grid]\n\"agents.mm.passive_mm.spread_bps\" = [30, 80]\n";
    let scenario = tmp.path().join("s.toml");
    fs::write(&scenario, text).unwrap();
    let out = tmp.path().join("out");
    mmsim(&["sweep", scenario.to_str().unwrap(), "--quiet", "--format", "parquet", "--out", out.to_str().unwrap()]);
    assert_eq!(same_table(&out, &out, "runs", |_| 0.0), 4, "2 points × 2 replicates, figures exact");
}
