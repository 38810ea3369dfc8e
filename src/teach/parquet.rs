//! A Parquet table of a run (`orders.parquet`, `trades.parquet`) read back as the CSV text of its
//! `.csv` twin, streamed one record batch at a time, so a `--format parquet` run gets the same
//! `replay.html` and the same chart marks as a CSV run (the readers read one format, and the two
//! files hold the same values: decimals exact, floats written as the CSV writes them, nulls as empty
//! fields).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Float64Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use rust_decimal::Decimal;

/// A reader of a Parquet table yielding CSV text with its columns' names as the header.
#[derive(Debug)]
pub struct ParquetAsCsv {
    /// The file's name, for errors.
    name: String,
    batches: ParquetRecordBatchReader,
    header: Option<Vec<u8>>,
    buf: Vec<u8>,
    pos: usize,
}

impl ParquetAsCsv {
    /// Opens `path`.
    ///
    /// # Errors
    /// An unreadable or non-Parquet file, with its path.
    pub fn open(path: &Path) -> Result<Self, String> {
        let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| format!("{}: {e}", path.display()))?;
        let names: Vec<&str> = builder.schema().fields().iter().map(|f| f.name().as_str()).collect();
        let header = format!("{}\n", names.join(",")).into_bytes();
        let batches = builder.build().map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        Ok(ParquetAsCsv { name, batches, header: Some(header), buf: Vec::new(), pos: 0 })
    }

    /// Formats one batch into `buf`.
    fn fill(&mut self, batch: &RecordBatch) -> io::Result<()> {
        self.buf.clear();
        self.pos = 0;
        let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut self.buf);
        let mut row: Vec<String> = vec![String::new(); batch.num_columns()];
        for i in 0..batch.num_rows() {
            for (cell, col) in row.iter_mut().zip(batch.columns()) {
                *cell = field(col.as_ref(), i, &self.name)?;
            }
            w.write_record(&row)?;
        }
        w.flush()?;
        Ok(())
    }
}

/// The CSV text of row `i` of `col` (of the file `name`): empty when null.
fn field(col: &dyn Array, i: usize, name: &str) -> io::Result<String> {
    if col.is_null(i) {
        return Ok(String::new());
    }
    Ok(match col.data_type() {
        DataType::Float64 => format!("{}", col.as_primitive::<Float64Type>().value(i)),
        DataType::UInt64 => col.as_primitive::<UInt64Type>().value(i).to_string(),
        DataType::Utf8 => col.as_string::<i32>().value(i).to_string(),
        DataType::Boolean => col.as_boolean().value(i).to_string(),
        DataType::Decimal128(_, scale) => {
            let v = col.as_primitive::<Decimal128Type>().value(i);
            Decimal::try_from_i128_with_scale(v, (*scale).max(0) as u32)
                .map_err(|e| io::Error::other(format!("{name}: {e}")))?
                .normalize()
                .to_string()
        }
        other => return Err(io::Error::other(format!("{name}: unexpected column type {other}"))),
    })
}

impl Read for ParquetAsCsv {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if let Some(h) = self.header.take() {
            self.buf = h;
            self.pos = 0;
        }
        while self.pos == self.buf.len() {
            match self.batches.next() {
                None => return Ok(0),
                Some(batch) => self.fill(&batch.map_err(io::Error::other)?)?,
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
