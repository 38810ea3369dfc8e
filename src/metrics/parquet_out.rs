//! What the Parquet outputs share (`trades.parquet`, `orders.parquet`, `timeseries.parquet`, a
//! sweep's `runs.parquet`): the writer settings and exact decimal columns.
//!
//! Settings, chosen by measurement (`benches/trade_log.rs` and the 365-day run in the README):
//! zstd level [`ZSTD_LEVEL`] (level 3 cost a fifth more CPU for a file no smaller), no dictionaries
//! (slower and larger here), data pages of [`PAGE_BYTES`] and row groups of [`ROW_GROUP`] rows,
//! statistics per row group for the numeric columns only.
//!
//! A decimal column holds the integer ticks, lots or cash atoms times the unit's mantissa, at the
//! unit's scale: `Decimal128(38, scale)`, exact like the CSV's decimal text.
//!
//! Memory: decimal columns are written without min/max statistics. The writer encodes a batch's
//! decimals into one buffer and a statistic's min or max is a slice of it, so every row group's
//! footer statistics kept one or two whole batch buffers alive until the file closed — memory that
//! grew with the run (measured: 73 MB of 102 MB peak heap after 4 simulated days of
//! `baseline_market`). Text columns have none either (their min/max of names say little); the
//! numeric ones keep theirs (copied values), so a reader can skip row groups by `t`.
//!
//! Memory stays flat in a run's length but for each finished row group's metadata (about 6 KB
//! for 16 columns: 3 MB for the 36 million trades of a 365-day `baseline_market`); there is no page
//! index, which would grow with every page.

use std::fs::File;
use std::io;
use std::sync::Arc;

use arrow_array::builder::Decimal128Builder;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

/// The zstd level of every Parquet output.
pub const ZSTD_LEVEL: i32 = 1;
/// Rows per record batch handed to the writer (and the rows buffered in column builders).
pub const BATCH: usize = 8_192;
/// Rows per Parquet row group: the writer holds one row group's compressed pages in memory, and
/// each finished row group leaves its metadata (about 6 KB for 16 columns) in memory until the
/// footer is written; 65,536 rows balances the two for runs of tens of millions of rows.
pub const ROW_GROUP: usize = 65_536;
/// Bytes of a data page before it is compressed: each column's zstd context is sized to its
/// largest page, so small pages keep the contexts (one per column) small.
pub const PAGE_BYTES: usize = 16 * 1024;

/// An I/O error carrying an arrow or parquet error's message.
pub fn io_err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// A Parquet writer of `schema` into `file` with the shared settings.
///
/// # Errors
/// When the writer cannot be set up.
pub fn writer(file: File, schema: SchemaRef) -> io::Result<ArrowWriter<File>> {
    writer_with(file, schema, ROW_GROUP)
}

/// [`writer`] with `row_group` rows per row group.
///
/// # Errors
/// When the writer cannot be set up.
pub fn writer_with(file: File, schema: SchemaRef, row_group: usize) -> io::Result<ArrowWriter<File>> {
    let mut props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(ZSTD_LEVEL).map_err(io_err)?))
        .set_dictionary_enabled(false)
        .set_max_row_group_row_count(Some(row_group))
        .set_data_page_size_limit(PAGE_BYTES)
        // Statistics per row group only (no page index, which grows with the file until the end).
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_offset_index_disabled(true);
    for field in schema.fields() {
        if matches!(field.data_type(), DataType::Decimal128(..) | DataType::Utf8) {
            props =
                props.set_column_statistics_enabled(ColumnPath::from(field.name().as_str()), EnabledStatistics::None);
        }
    }
    ArrowWriter::try_new(file, schema, Some(props.build())).map_err(io_err)
}

/// Writes the batch of `arrays` (skipped when empty).
///
/// # Errors
/// An encoding or I/O error.
pub fn write_batch(writer: &mut ArrowWriter<File>, schema: &SchemaRef, arrays: Vec<ArrayRef>) -> io::Result<()> {
    let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(io_err)?;
    if batch.num_rows() > 0 {
        writer.write(&batch).map_err(io_err)?;
    }
    Ok(())
}

/// A decimal unit (tick, lot or cash atom) as an exact column type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecUnit {
    /// The unit's mantissa: one integer unit is `mantissa × 10^-scale`.
    pub mantissa: i128,
    /// Its scale (digits after the point).
    pub scale: u32,
}

impl DecUnit {
    /// The unit `d` (e.g. the tick `0.0001`).
    pub fn of(d: rust_decimal::Decimal) -> Self {
        DecUnit { mantissa: d.mantissa(), scale: d.scale() }
    }

    /// The unit of a product of two units (a cash atom is tick × lot).
    pub fn times(self, other: DecUnit) -> Self {
        DecUnit { mantissa: self.mantissa * other.mantissa, scale: self.scale + other.scale }
    }

    /// The column type: `Decimal128(38, scale)`.
    pub fn data_type(self) -> DataType {
        DataType::Decimal128(38, self.scale as i8)
    }

    /// The column's raw value for `units` integer units.
    pub fn raw(self, units: i128) -> i128 {
        units * self.mantissa
    }

    /// The finished column of `b` at this unit's scale.
    ///
    /// # Errors
    /// Never for the scales of validated units (at most 28).
    pub fn finish(self, b: &mut Decimal128Builder) -> io::Result<ArrayRef> {
        Ok(Arc::new(b.finish().with_precision_and_scale(38, self.scale as i8).map_err(io_err)?))
    }
}
