//! What the Parquet outputs share (`trades.parquet`, `orders.parquet`, `timeseries.parquet`, a
//! sweep's `runs.parquet`): the writer settings and exact decimal columns.
//!
//! Settings, chosen by measurement (`benches/trade_log.rs` and the 365-day run in the README):
//! zstd level [`ZSTD_LEVEL`] (level 3 cost a fifth more CPU for a file no smaller), no dictionaries
//! (slower and larger here), data pages of [`PAGE_BYTES`], statistics per row group for the
//! numeric columns only. The streamed logs (`trades`, `orders`) spill the row group in progress to
//! disk ([`spilling_writer`], row groups of [`SPILL_ROW_GROUP`] rows); the tables written at the end
//! of a run keep it on the heap ([`writer`], row groups of [`ROW_GROUP`] rows).
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
//! Memory stays flat in a run's length but for each finished row group's metadata (about 11 KB
//! for 16 columns: 0.4 MB for the 42 million trades of a 365-day `baseline_market` in row groups of
//! [`SPILL_ROW_GROUP`]); there is no page index, which would grow with every page.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::Decimal128Builder;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use parquet::arrow::arrow_writer::ArrowWriterOptions;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use super::parquet_spill::SpillPagesIn;

/// The zstd level of every Parquet output.
pub const ZSTD_LEVEL: i32 = 1;
/// Rows per record batch handed to the writer (and the rows buffered in column builders).
pub const BATCH: usize = 8_192;
/// Rows per Parquet row group of the files written at the end of a run (`timeseries.parquet`,
/// `runs.parquet`): the writer holds one row group's compressed pages in memory.
pub const ROW_GROUP: usize = 65_536;
/// Rows per row group of the streamed logs (`trades.parquet`, `orders.parquet`), whose pages are
/// spilled to disk ([`spilling_writer`]): parquet-rs's default row group size. Each finished row
/// group leaves its metadata (about 11 KB for 16 columns) in memory until the footer is written,
/// so few row groups keep a long run's memory flat: 0.4 MB for the 42 million trades of a 365-day
/// `baseline_market` (7 MB with row groups of 65,536 rows).
pub const SPILL_ROW_GROUP: usize = 1_048_576;
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
    ArrowWriter::try_new(file, schema.clone(), Some(properties(&schema, row_group)?)).map_err(io_err)
}

/// A Parquet writer of `schema` into `file` with the shared settings, whose row group in progress
/// is kept in unnamed files in `spill_dir` (see [`super::parquet_spill`]) rather than on the heap,
/// in row groups of [`SPILL_ROW_GROUP`] rows.
///
/// # Errors
/// When the writer cannot be set up.
pub fn spilling_writer(file: File, schema: SchemaRef, spill_dir: &Path) -> io::Result<ArrowWriter<File>> {
    spilling_writer_with(file, schema, spill_dir, SPILL_ROW_GROUP)
}

/// [`spilling_writer`] with `row_group` rows per row group.
///
/// # Errors
/// When the writer cannot be set up.
pub fn spilling_writer_with(
    file: File,
    schema: SchemaRef,
    spill_dir: &Path,
    row_group: usize,
) -> io::Result<ArrowWriter<File>> {
    let options = ArrowWriterOptions::new()
        .with_properties(properties(&schema, row_group)?)
        .with_page_store_factory(Arc::new(SpillPagesIn { dir: spill_dir.to_path_buf() }));
    ArrowWriter::try_new_with_options(file, schema, options).map_err(io_err)
}

/// The shared writer settings (see the module doc) with `row_group` rows per row group.
fn properties(schema: &SchemaRef, row_group: usize) -> io::Result<WriterProperties> {
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
    Ok(props.build())
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
