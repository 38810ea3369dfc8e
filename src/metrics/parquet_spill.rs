//! The pages of a Parquet row group in progress, kept in an unnamed file beside the output instead
//! of on the heap ([`SpillPages`], plugged into the writer by [`super::parquet_out::spilling_writer`]).
//!
//! The Parquet writer must hold every column's finished pages until the row group ends (a column
//! chunk is contiguous in the file, while rows arrive with all columns interleaved). On the heap
//! that memory grows with the row group, so row groups had to stay small, and each small row group
//! left its metadata (about 11 KB for 16 columns) in memory until the footer: 7 MB of heap for the
//! 42 million trades of a 365-day run, plus the fragmentation of allocating and freeing every row
//! group's pages, codecs and metadata side by side (measured in the README's "365 days" section).
//! Spilled, a row group costs no heap however many rows it holds, so row groups can be large and
//! few.
//!
//! Each column chunk gets its own file (created in the output's directory, removed by the operating
//! system when it is closed, even after a crash): pages are appended through a buffer and read back
//! in the order they were written when the chunk is copied into the output, so both passes are
//! sequential. The file's bytes are the same as with pages on the heap.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use bytes::Bytes;
use parquet::arrow::arrow_writer::{PageKey, PageStore, PageStoreArgs, PageStoreFactory};
use parquet::errors::{ParquetError, Result};

/// Bytes buffered before a spill file is written to (and read ahead when it is read back): one
/// buffer per column, a few compressed pages each.
const SPILL_BUFFER: usize = 16 * 1024;

/// Makes a [`SpillPages`] in `dir` for each column chunk.
#[derive(Debug)]
pub struct SpillPagesIn {
    /// Where the unnamed spill files are created (the output's directory).
    pub dir: PathBuf,
}

impl PageStoreFactory for SpillPagesIn {
    fn create(&self, _args: &PageStoreArgs<'_>) -> Result<Box<dyn PageStore>> {
        let file = tempfile::tempfile_in(&self.dir)
            .map_err(|e| ParquetError::General(format!("creating a spill file in {}: {e}", self.dir.display())))?;
        Ok(Box::new(SpillPages {
            file: Spill::Writing(BufWriter::with_capacity(SPILL_BUFFER, file)),
            pages: Vec::new(),
        }))
    }
}

/// The spill file: appended to while the row group fills, then read back once.
#[derive(Debug)]
enum Spill {
    Writing(BufWriter<File>),
    /// Reading, with the position the reader is at.
    Reading(BufReader<File>, u64),
    /// After an I/O error switching modes.
    Broken,
}

/// One column chunk's pages in a spill file (see the module doc).
#[derive(Debug)]
pub struct SpillPages {
    file: Spill,
    /// Each page's offset and length in the file, by key.
    pages: Vec<(u64, usize)>,
}

impl SpillPages {
    /// The file, ready to read at `offset`.
    fn reader_at(&mut self, offset: u64) -> io::Result<&mut BufReader<File>> {
        if let Spill::Writing(_) = self.file {
            let Spill::Writing(w) = std::mem::replace(&mut self.file, Spill::Broken) else { unreachable!() };
            let mut file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
            file.seek(SeekFrom::Start(0))?;
            self.file = Spill::Reading(BufReader::with_capacity(SPILL_BUFFER, file), 0);
        }
        match &mut self.file {
            Spill::Reading(r, at) => {
                if *at != offset {
                    r.seek(SeekFrom::Start(offset))?;
                    *at = offset;
                }
                Ok(r)
            }
            _ => Err(io::Error::other("the spill file is not readable")),
        }
    }
}

impl PageStore for SpillPages {
    fn put(&mut self, value: Bytes) -> Result<PageKey> {
        let Spill::Writing(w) = &mut self.file else {
            return Err(ParquetError::General("a page was spilled after reading began".into()));
        };
        let offset = self.pages.last().map_or(0, |&(o, l)| o + l as u64);
        w.write_all(&value)?;
        self.pages.push((offset, value.len()));
        Ok(PageKey::new(self.pages.len() as u64 - 1))
    }

    fn take(&mut self, key: PageKey) -> Result<Bytes> {
        let &(offset, len) = usize::try_from(key.get())
            .ok()
            .and_then(|k| self.pages.get(k))
            .ok_or_else(|| ParquetError::General(format!("no spilled page {}", key.get())))?;
        let mut page = vec![0; len];
        self.reader_at(offset)?.read_exact(&mut page)?;
        if let Spill::Reading(_, at) = &mut self.file {
            *at = offset + len as u64;
        }
        Ok(Bytes::from(page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &std::path::Path) -> SpillPages {
        SpillPages { file: Spill::Writing(BufWriter::new(tempfile::tempfile_in(dir).unwrap())), pages: Vec::new() }
    }

    #[test]
    fn pages_come_back_whole_in_any_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = store(dir.path());
        let pages: Vec<Bytes> =
            (0..200_u32).map(|i| Bytes::from(vec![(i % 251) as u8; 1 + (i as usize * 997) % 70_000])).collect();
        let keys: Vec<PageKey> = pages.iter().map(|p| s.put(p.clone()).unwrap()).collect();
        // In order (how the writer reads them), then one out of order.
        for (k, p) in keys.iter().zip(&pages).take(150) {
            assert_eq!(&s.take(*k).unwrap(), p);
        }
        assert_eq!(s.take(keys[199]).unwrap(), pages[199]);
        assert_eq!(s.take(keys[150]).unwrap(), pages[150]);
        assert_eq!(s.memory_size(), 0);
        assert!(s.put(Bytes::from_static(b"late")).is_err());
        assert!(s.take(PageKey::new(10_000)).is_err());
    }

    /// 20,000 rows of a number and a name, written in batches of 1,000 by `writer`.
    fn write_rows(path: &std::path::Path, writer: impl FnOnce(File) -> io::Result<parquet::arrow::ArrowWriter<File>>) {
        use std::sync::Arc;

        use arrow_array::{ArrayRef, StringArray, UInt64Array};

        let mut w = writer(File::create(path).unwrap()).unwrap();
        for start in (0..20_000_u64).step_by(1_000) {
            let n: ArrayRef =
                Arc::new(UInt64Array::from_iter_values((start..start + 1_000).map(|i| i * 7919 % 100_003)));
            let name: ArrayRef =
                Arc::new(StringArray::from_iter_values((start..start + 1_000).map(|i| format!("retail/{}", i % 613))));
            super::super::parquet_out::write_batch(&mut w, &schema(), vec![n, name]).unwrap();
        }
        w.close().unwrap();
    }

    fn schema() -> arrow_schema::SchemaRef {
        use arrow_schema::{DataType, Field, Schema};
        std::sync::Arc::new(Schema::new(vec![
            Field::new("n", DataType::UInt64, false),
            Field::new("name", DataType::Utf8, false),
        ]))
    }

    #[test]
    fn a_spilled_file_has_the_bytes_of_one_kept_in_memory_and_leaves_nothing_behind() {
        use super::super::parquet_out::{spilling_writer_with, writer_with};

        let (out, spill) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (heap, spilled) = (out.path().join("heap.parquet"), out.path().join("spilled.parquet"));
        // Row groups of 6,000 rows: several pages per column chunk, and a last row group part full.
        write_rows(&heap, |f| writer_with(f, schema(), 6_000));
        write_rows(&spilled, |f| spilling_writer_with(f, schema(), spill.path(), 6_000));
        let bytes = std::fs::read(&spilled).unwrap();
        assert_eq!(bytes, std::fs::read(&heap).unwrap());
        let meta = parquet::file::reader::SerializedFileReader::new(bytes::Bytes::from(bytes)).unwrap();
        let meta = parquet::file::reader::FileReader::metadata(&meta);
        assert_eq!(meta.num_row_groups(), 4);
        // More than one page per column chunk (pages hold at most PAGE_BYTES before compression).
        assert!(meta.row_group(0).column(0).uncompressed_size() > 2 * super::super::parquet_out::PAGE_BYTES as i64);
        assert_eq!(std::fs::read_dir(spill.path()).unwrap().count(), 0, "spill files are unnamed");
    }
}
