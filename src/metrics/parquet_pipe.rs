//! A Parquet file encoded on a thread of its own, so the simulation does not wait for arrow and
//! zstd: the simulation thread only copies each row into a batch ([`ParquetPipe::push`]); a full
//! batch goes over a bounded channel to the writer thread, which turns it into Arrow columns,
//! encodes and compresses them and writes them out.
//!
//! Deterministic: the thread receives the batches in the order they were filled and writes them
//! in that order, every batch the same number of rows (but the last), so the file's bytes do not
//! depend on thread timing.
//!
//! Memory is bounded: at most four batches of rows exist at once (one filling, one queued, one
//! being encoded, one spare handed back for reuse), plus what the Parquet writer holds (see
//! [`super::parquet_out`]; the row group in progress is spilled to disk, [`super::parquet_spill`]).

use std::fs::File;
use std::io;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use arrow_array::ArrayRef;
use arrow_schema::SchemaRef;
use parquet::arrow::ArrowWriter;

use super::parquet_out::{io_err, write_batch};

/// Rows a writer thread's batch holds.
pub const PIPE_BATCH: usize = 1_024;

/// A Parquet file whose encoding runs on a writer thread (see the module doc).
pub struct ParquetPipe<R: Send + 'static> {
    rows: Vec<R>,
    batch: usize,
    to_thread: Option<SyncSender<Vec<R>>>,
    spares: Receiver<Vec<R>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl<R: Send + 'static> std::fmt::Debug for ParquetPipe<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetPipe").field("buffered", &self.rows.len()).field("batch", &self.batch).finish()
    }
}

impl<R: Send + 'static> ParquetPipe<R> {
    /// Starts a writer thread named `name` that writes batches of `batch` rows through `writer`
    /// (whose schema is `schema`); `encode` turns a batch into the schema's columns.
    ///
    /// # Errors
    /// When the thread cannot be started.
    pub fn spawn<E>(
        name: &str,
        writer: ArrowWriter<File>,
        schema: SchemaRef,
        batch: usize,
        encode: E,
    ) -> io::Result<Self>
    where
        E: FnMut(&[R]) -> io::Result<Vec<ArrayRef>> + Send + 'static,
    {
        let batch = batch.max(1);
        let (to_thread, batches) = sync_channel::<Vec<R>>(1);
        let (give_back, spares) = sync_channel::<Vec<R>>(1);
        let thread = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || write_batches(writer, &schema, &batches, &give_back, encode))?;
        Ok(ParquetPipe {
            rows: Vec::with_capacity(batch),
            batch,
            to_thread: Some(to_thread),
            spares,
            thread: Some(thread),
        })
    }

    /// Appends one row (a full batch is handed to the writer thread, waiting while it is busy with
    /// the one before).
    ///
    /// # Errors
    /// The writer thread's error, when it has stopped on one.
    pub fn push(&mut self, row: R) -> io::Result<()> {
        self.rows.push(row);
        if self.rows.len() >= self.batch {
            self.send()?;
        }
        Ok(())
    }

    fn send(&mut self) -> io::Result<()> {
        let next = self.spares.try_recv().unwrap_or_else(|_| Vec::with_capacity(self.batch));
        let full = std::mem::replace(&mut self.rows, next);
        let sent = self.to_thread.as_ref().map(|tx| tx.send(full).is_ok());
        if sent == Some(true) {
            return Ok(());
        }
        // The thread has stopped: it returned an error (or panicked).
        self.to_thread = None;
        match self.join() {
            Err(e) => Err(e),
            Ok(()) => Err(io::Error::other("the Parquet writer thread stopped early")),
        }
    }

    /// Writes the last rows and the footer, and waits for the writer thread.
    ///
    /// # Errors
    /// The first encoding or I/O error the writer thread met.
    pub fn finish(mut self) -> io::Result<()> {
        if !self.rows.is_empty() {
            self.send()?;
        }
        self.to_thread = None;
        self.join()
    }

    fn join(&mut self) -> io::Result<()> {
        match self.thread.take() {
            Some(handle) => handle.join().map_err(|_| io::Error::other("the Parquet writer thread panicked"))?,
            None => Ok(()),
        }
    }
}

impl<R: Send + 'static> Drop for ParquetPipe<R> {
    /// Dropped without [`ParquetPipe::finish`] (a run that failed): the thread closes the file and
    /// is waited for, so it never outlives its output directory.
    fn drop(&mut self) {
        self.to_thread = None;
        let _ = self.join();
    }
}

/// The writer thread: encodes and writes each batch in turn, hands the emptied buffer back, then
/// writes the footer once the sending side is gone.
fn write_batches<R, E>(
    mut writer: ArrowWriter<File>,
    schema: &SchemaRef,
    batches: &Receiver<Vec<R>>,
    give_back: &SyncSender<Vec<R>>,
    mut encode: E,
) -> io::Result<()>
where
    E: FnMut(&[R]) -> io::Result<Vec<ArrayRef>>,
{
    for mut rows in batches {
        write_batch(&mut writer, schema, encode(&rows)?)?;
        rows.clear();
        // Dropped when a spare is already waiting: at most one spare exists.
        let _ = give_back.try_send(rows);
    }
    writer.close().map_err(io_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Array, UInt64Array};
    use arrow_schema::{DataType, Field, Schema};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    use super::*;

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![Field::new("n", DataType::UInt64, false)]))
    }

    fn encode(rows: &[u64]) -> io::Result<Vec<ArrayRef>> {
        Ok(vec![Arc::new(UInt64Array::from(rows.to_vec()))])
    }

    fn write(path: &std::path::Path, n: u64) -> io::Result<()> {
        let writer = super::super::parquet_out::writer(File::create(path)?, schema())?;
        let mut pipe = ParquetPipe::spawn("test-pipe", writer, schema(), 7, encode)?;
        for i in 0..n {
            pipe.push(i)?;
        }
        pipe.finish()
    }

    #[test]
    fn rows_arrive_in_order_and_the_bytes_repeat() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.parquet"), dir.path().join("b.parquet"));
        write(&a, 1_000).unwrap();
        write(&b, 1_000).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&a).unwrap()).unwrap().build().unwrap();
        let mut seen = Vec::new();
        for batch in reader {
            let batch = batch.unwrap();
            let col = batch.column(0).as_any().downcast_ref::<UInt64Array>().unwrap();
            seen.extend((0..col.len()).map(|i| col.value(i)));
        }
        assert_eq!(seen, (0..1_000).collect::<Vec<u64>>());
    }

    #[test]
    fn an_encoding_error_reaches_the_caller() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.parquet");
        let writer = super::super::parquet_out::writer(File::create(&path).unwrap(), schema()).unwrap();
        let failing = |_: &[u64]| -> io::Result<Vec<ArrayRef>> { Err(io::Error::other("bad row")) };
        let mut pipe = ParquetPipe::spawn("test-pipe", writer, schema(), 2, failing).unwrap();
        let mut result = Ok(());
        for i in 0..10 {
            result = result.and_then(|()| pipe.push(i));
        }
        let err = result.and_then(|()| pipe.finish()).unwrap_err();
        assert!(err.to_string().contains("bad row"), "{err}");
    }
}
