//! [`EventReader`]: one event stream over several files, merged in local-timestamp order.
//!
//! Each file is read lazily by its own reader (memory is flat in the files' lengths: one line and
//! one line's events per file). The merge keeps each file's next event in a binary heap keyed by
//! `(local_ns, file index)`: equal times come from the file given first, and since the events of one
//! message share their local time, a message's header and levels are never interleaved with another
//! file's events. Within a file the order is the file's own (local times never decrease: see
//! [`FeedError::TimeWentBackwards`]).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use super::error::FeedError;
use super::event::Event;
use super::format::Format;
use super::grid::ExactUnits;
use super::infer::{choose_grid, ChosenGrid, ReadOptions};
use super::reader::FileReader;
use super::stats::ReplayStats;

/// Market-data events from one or more files, in local-time order; an iterator of
/// `Result<Event, FeedError>` that stops after the first error.
#[derive(Debug)]
pub struct EventReader {
    files: Vec<FileReader<ExactUnits>>,
    /// Each file's next event, taken when it is the smallest.
    heads: Vec<Option<Event>>,
    heap: BinaryHeap<Reverse<(u64, usize)>>,
    /// The file whose head was handed out last and must be refilled first.
    refill: Option<usize>,
    grid: ChosenGrid,
    failed: bool,
}

impl EventReader {
    /// Opens `paths` (at least one), choosing the tick and lot (given or inferred, see `infer.rs`).
    ///
    /// # Errors
    /// [`FeedError::NoFiles`], a bad option, or any error of the first line of a file or of the
    /// lines probed for inference.
    pub fn open<P: AsRef<Path>>(paths: &[P], options: &ReadOptions) -> Result<EventReader, FeedError> {
        if paths.is_empty() {
            return Err(FeedError::NoFiles);
        }
        let grid = choose_grid(paths, options)?;
        let units = ExactUnits { tick: grid.tick, lot: grid.lot };
        let files = paths
            .iter()
            .map(|p| FileReader::open(p.as_ref(), units, options.strict, options.assumed_latency_ns))
            .collect::<Result<Vec<_>, _>>()?;
        let mut reader = EventReader {
            heads: vec![None; files.len()],
            files,
            heap: BinaryHeap::new(),
            refill: None,
            grid,
            failed: false,
        };
        for i in 0..reader.files.len() {
            reader.fill(i)?;
        }
        Ok(reader)
    }

    /// Reads file `i`'s next event into its head slot and the heap.
    fn fill(&mut self, i: usize) -> Result<(), FeedError> {
        if let Some(event) = self.files[i].next_event()? {
            self.heads[i] = Some(event);
            self.heap.push(Reverse((event.local_ns, i)));
        }
        Ok(())
    }

    /// The next event in local-time order, `None` when every file is done.
    ///
    /// # Errors
    /// The first located error of any file; after it, the reader is finished.
    pub fn next_event(&mut self) -> Result<Option<Event>, FeedError> {
        if self.failed {
            return Ok(None);
        }
        if let Some(i) = self.refill.take() {
            if let Err(e) = self.fill(i) {
                self.failed = true;
                return Err(e);
            }
        }
        let Some(Reverse((_, i))) = self.heap.pop() else {
            return Ok(None);
        };
        self.refill = Some(i);
        Ok(self.heads[i].take())
    }

    /// The tick size in use.
    pub fn tick_size(&self) -> Decimal {
        self.grid.tick.decimal()
    }

    /// The lot size in use.
    pub fn lot_size(&self) -> Decimal {
        self.grid.lot.decimal()
    }

    /// Whether the tick and the lot size were inferred (not given).
    pub fn inferred(&self) -> (bool, bool) {
        (self.grid.tick_inferred, self.grid.lot_inferred)
    }

    /// Each file with its detected format, in the order given.
    pub fn formats(&self) -> Vec<(PathBuf, Format)> {
        self.files.iter().map(|f| (f.path().to_path_buf(), f.format())).collect()
    }

    /// What the readers read and skipped so far, all files together.
    pub fn stats(&self) -> ReplayStats {
        let mut total = ReplayStats::default();
        for file in &self.files {
            total.absorb(file.stats());
        }
        total
    }
}

impl Iterator for EventReader {
    type Item = Result<Event, FeedError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_event().transpose()
    }
}
