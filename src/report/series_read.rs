//! `timeseries.csv` and `timeseries.parquet` read back into samples (for `mmsim charts RUN_DIR`):
//! the inverse of [`super::write_timeseries_csv`] and [`super::write_timeseries_parquet`], exact
//! (decimal prices and values back to ticks and cash atoms).

use std::io::Read;
use std::path::Path;

use arrow_array::{Array, Decimal128Array, Float64Array, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rust_decimal::Decimal;

use super::rundir::{at_secs, phase_named, whole};
use crate::metrics::{Sample, Units};
use crate::types::{Cash, Price};

/// The columns a sample is rebuilt from, as decimals (prices, values) per row.
struct Row {
    t: f64,
    bid: Option<Decimal>,
    ask: Option<Decimal>,
    depth: [Decimal; 4],
    last: Option<Decimal>,
    phase: Option<String>,
}

fn sample(row: Row, units: Units) -> Result<Sample, String> {
    let atom = units.tick * units.lot;
    let price = |d: Option<Decimal>, what: &str| -> Result<Option<Price>, String> {
        d.map(|d| {
            whole(d, units.tick)
                .and_then(|v| i64::try_from(v).ok())
                .map(Price)
                .ok_or(format!("`{what}` {d} is off the scale"))
        })
        .transpose()
    };
    let cash = |d: Decimal| Cash(whole(d, atom).unwrap_or(0));
    let phase = match row.phase.as_deref() {
        None | Some("") => None,
        Some(p) => Some(phase_named(p).ok_or_else(|| format!("`phase` `{p}` is not a phase mmsim knows"))?),
    };
    Ok(Sample {
        t: at_secs(row.t),
        best_bid: price(row.bid, "best_bid")?,
        best_ask: price(row.ask, "best_ask")?,
        depth_bid_2pct: cash(row.depth[0]),
        depth_ask_2pct: cash(row.depth[1]),
        volume: cash(row.depth[2]),
        volume_wash: cash(row.depth[3]),
        last: price(row.last, "last")?,
        phase,
    })
}

const COLUMNS: [&str; 9] = [
    "t",
    "best_bid",
    "best_ask",
    "depth_bid_2pct",
    "depth_ask_2pct",
    "volume_quote",
    "volume_wash_quote",
    "last",
    "phase",
];

/// Reads `timeseries.csv`.
///
/// # Errors
/// A missing column or a bad value, located (`timeseries.csv line 7: …`).
pub fn read_timeseries_csv(reader: impl Read, units: Units) -> Result<Vec<Sample>, String> {
    const F: &str = "timeseries.csv";
    let mut csv = csv::Reader::from_reader(reader);
    let header = csv.headers().map_err(|e| format!("{F}: {e}"))?.clone();
    let mut at = [0usize; 9];
    for (i, c) in COLUMNS.iter().enumerate() {
        at[i] = header.iter().position(|h| h == *c).ok_or_else(|| format!("{F}: no `{c}` column in the header"))?;
    }
    let mut out = Vec::new();
    for (k, rec) in csv.records().enumerate() {
        let line = k + 2;
        let rec = rec.map_err(|e| format!("{F} line {line}: {e}"))?;
        let f = |i: usize| rec.get(at[i]).unwrap_or("");
        let dec = |i: usize| -> Result<Option<Decimal>, String> {
            match f(i) {
                "" => Ok(None),
                v => {
                    v.parse().map(Some).map_err(|_| format!("{F} line {line}: `{}` is `{v}`, not a number", COLUMNS[i]))
                }
            }
        };
        let need = |i: usize| dec(i)?.ok_or_else(|| format!("{F} line {line}: `{}` is empty", COLUMNS[i]));
        let t: f64 = f(0).parse().map_err(|_| format!("{F} line {line}: `t` is `{}`, not a number", f(0)))?;
        let row = Row {
            t,
            bid: dec(1)?,
            ask: dec(2)?,
            depth: [need(3)?, need(4)?, need(5)?, need(6)?],
            last: dec(7)?,
            phase: Some(f(8).to_string()),
        };
        out.push(sample(row, units).map_err(|e| format!("{F} line {line}: {e}"))?);
    }
    Ok(out)
}

/// Reads `timeseries.parquet`.
///
/// # Errors
/// An unreadable file or a column of the wrong type, named.
pub fn read_timeseries_parquet(path: &Path, units: Units) -> Result<Vec<Sample>, String> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| format!("{name}: {e}"))?;
    let reader =
        ParquetRecordBatchReaderBuilder::try_new(file).and_then(|b| b.build()).map_err(|e| format!("{name}: {e}"))?;
    let mut out = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| format!("{name}: {e}"))?;
        let col = |c: &str| batch.column_by_name(c).ok_or_else(|| format!("{name}: no `{c}` column"));
        let t = col("t")?.as_any().downcast_ref::<Float64Array>().ok_or(format!("{name}: `t` is not float64"))?;
        let decs: Vec<&Decimal128Array> = COLUMNS[1..8]
            .iter()
            .map(|c| {
                col(c)?.as_any().downcast_ref::<Decimal128Array>().ok_or(format!("{name}: `{c}` is not a decimal"))
            })
            .collect::<Result<_, _>>()?;
        let phase =
            col("phase")?.as_any().downcast_ref::<StringArray>().ok_or(format!("{name}: `phase` is not text"))?;
        let dec = |a: &Decimal128Array, i: usize| {
            (!a.is_null(i))
                .then(|| Decimal::try_from_i128_with_scale(a.value(i), a.scale().max(0) as u32).unwrap_or(Decimal::MAX))
        };
        for i in 0..batch.num_rows() {
            let zero = |a: &Decimal128Array| dec(a, i).unwrap_or(Decimal::ZERO);
            let row = Row {
                t: t.value(i),
                bid: dec(decs[0], i),
                ask: dec(decs[1], i),
                depth: [zero(decs[2]), zero(decs[3]), zero(decs[4]), zero(decs[5])],
                last: dec(decs[6], i),
                phase: (!phase.is_null(i)).then(|| phase.value(i).to_string()),
            };
            out.push(sample(row, units).map_err(|e| format!("{name} row {}: {e}", out.len() + 1))?);
        }
    }
    Ok(out)
}
