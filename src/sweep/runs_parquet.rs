//! `runs.parquet`: a sweep's `runs.csv` as a Parquet file (zstd), written with `--format parquet`
//! beside `runs.csv` (which shards, `--merge` and resuming read: one small row per run).
//!
//! Schema: `point` uint64, `point_id` utf8, `replicate` uint32, `seed` uint64, one utf8 column per
//! parameter (the value as written in `runs.csv`: a number or a name such as an agent kind), then
//! one float64 column per metric, null where `runs.csv` leaves the figure empty. Figures are the
//! same f64 values `runs.csv` prints (its text is the shortest that reads back exactly).

use std::sync::Arc;

use arrow_array::builder::{Float64Builder, StringBuilder, UInt32Builder, UInt64Builder};
use arrow_array::ArrayRef;
use arrow_schema::{DataType, Field, Schema};

use super::exec::RunRow;
use super::output::Manifest;
use crate::metrics::parquet_out::{self, BATCH};
use crate::report::{OutputDir, OutputError};

/// Stages `runs.parquet` in `dir` from the sorted `rows` of the sweep `m`.
///
/// # Errors
/// Encoding or I/O errors.
pub fn write_runs_parquet(dir: &mut OutputDir, m: &Manifest, rows: &[RunRow]) -> Result<(), OutputError> {
    let io = OutputError::from;
    let mut fields = vec![
        Field::new("point", DataType::UInt64, false),
        Field::new("point_id", DataType::Utf8, false),
        Field::new("replicate", DataType::UInt32, false),
        Field::new("seed", DataType::UInt64, false),
    ];
    fields.extend(m.params.iter().map(|p| Field::new(p, DataType::Utf8, false)));
    fields.extend(m.columns.iter().map(|c| Field::new(c, DataType::Float64, true)));
    let schema = Arc::new(Schema::new(fields));
    let mut writer = parquet_out::writer(dir.stage("runs.parquet")?, schema.clone()).map_err(io)?;
    let first_metric = 4 + m.params.len();
    for chunk in rows.chunks(BATCH) {
        let (mut point, mut id, mut rep, mut seed) =
            (UInt64Builder::new(), StringBuilder::new(), UInt32Builder::new(), UInt64Builder::new());
        let mut params: Vec<StringBuilder> = m.params.iter().map(|_| StringBuilder::new()).collect();
        let mut metrics: Vec<Float64Builder> = m.columns.iter().map(|_| Float64Builder::new()).collect();
        for r in chunk {
            point.append_value(r.point as u64);
            id.append_value(&r.fields[1]);
            rep.append_value(r.replicate);
            seed.append_value(r.fields[3].parse().map_err(|_| bad(&r.fields[3]))?);
            for (b, v) in params.iter_mut().zip(&r.fields[4..first_metric]) {
                b.append_value(v);
            }
            for (b, v) in metrics.iter_mut().zip(&r.fields[first_metric..]) {
                b.append_option(if v.is_empty() { None } else { Some(v.parse().map_err(|_| bad(v))?) });
            }
        }
        let mut arrays: Vec<ArrayRef> =
            vec![Arc::new(point.finish()), Arc::new(id.finish()), Arc::new(rep.finish()), Arc::new(seed.finish())];
        arrays.extend(params.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
        arrays.extend(metrics.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
        parquet_out::write_batch(&mut writer, &schema, arrays).map_err(io)?;
    }
    writer.close().map_err(|e| io(parquet_out::io_err(e)))?;
    Ok(())
}

fn bad(v: &str) -> OutputError {
    OutputError::PlainIo(std::io::Error::other(format!("runs.csv field {v:?} is not a number (a bug in mmsim)")))
}
