//! Resuming an interrupted sweep or shard: every finished run is appended to
//! `DIR/.runs.partial.csv` as it completes, and a rerun with the same scenario, overrides and shard
//! skips the runs found there.
//!
//! The file starts with a tag line (`# mmsim sweep <fingerprint> shard K/N`) and the `runs.csv`
//! header; a file with another tag or header is from another sweep and is started afresh. Each row
//! is appended with one write and flushed, so a kill leaves at most a cut-off last line, which is
//! ignored (as is any row whose ids or seed do not match the plan). Rows read back are the same
//! text that would have been written, so a resumed sweep's output is byte-identical to an
//! uninterrupted one. The file is removed once the outputs are in place.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::exec::RunRow;
use crate::report::OutputError;

/// The partial-results file's name inside the output directory.
pub const PARTIAL: &str = ".runs.partial.csv";

/// An open partial-results file.
#[derive(Debug)]
pub(crate) struct Checkpoint {
    path: PathBuf,
    file: Mutex<File>,
}

fn record(fields: &[String]) -> Result<Vec<u8>, OutputError> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(fields)?;
    csv.into_inner().map_err(|e| OutputError::PlainIo(e.into_error()))
}

impl Checkpoint {
    /// Opens the partial file in `dir` for `tag` and `header`, and returns the rows it already
    /// holds that `valid` accepts (at most one per point and replicate).
    ///
    /// # Errors
    /// I/O errors.
    pub(crate) fn open(
        dir: &Path,
        tag: &str,
        header: &[String],
        valid: impl Fn(&RunRow) -> bool,
    ) -> Result<(Checkpoint, Vec<RunRow>), OutputError> {
        let path = dir.join(PARTIAL);
        let mut rows: Vec<RunRow> = match fs::read_to_string(&path) {
            Ok(text) => read_rows(&text, tag, header, &valid),
            Err(_) => Vec::new(),
        };
        rows.sort_by_key(|r| (r.point, r.replicate));
        rows.dedup_by_key(|r| (r.point, r.replicate));
        // Rewrite the file with only the rows kept, then append to it.
        let tmp = dir.join(format!("{PARTIAL}.tmp"));
        let mut text = format!("{tag}\n").into_bytes();
        text.extend(record(header)?);
        for r in &rows {
            text.extend(record(&r.fields)?);
        }
        fs::write(&tmp, &text).map_err(OutputError::io(format!("writing {}", tmp.display())))?;
        fs::rename(&tmp, &path).map_err(OutputError::io(format!("writing {}", path.display())))?;
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(OutputError::io(format!("opening {}", path.display())))?;
        Ok((Checkpoint { path, file: Mutex::new(file) }, rows))
    }

    /// Appends a finished run.
    ///
    /// # Errors
    /// I/O errors.
    pub(crate) fn append(&self, row: &RunRow) -> Result<(), OutputError> {
        let bytes = record(&row.fields)?;
        let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
        f.write_all(&bytes)
            .and_then(|()| f.flush())
            .map_err(OutputError::io(format!("writing {}", self.path.display())))
    }

    /// Removes the file (the outputs are complete).
    ///
    /// # Errors
    /// I/O errors.
    pub(crate) fn remove(self) -> Result<(), OutputError> {
        drop(self.file);
        fs::remove_file(&self.path).map_err(OutputError::io(format!("removing {}", self.path.display())))
    }
}

/// The complete, valid rows of a partial file written for `tag` and `header` (none otherwise).
fn read_rows(text: &str, tag: &str, header: &[String], valid: &impl Fn(&RunRow) -> bool) -> Vec<RunRow> {
    let Some((first, rest)) = text.split_once('\n') else { return Vec::new() };
    if first != tag {
        return Vec::new();
    }
    // Only whole lines: a kill may have cut the last one.
    let complete = &rest[..rest.rfind('\n').map_or(0, |i| i + 1)];
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(complete.as_bytes());
    match csv.headers() {
        Ok(h) if h.iter().eq(header.iter().map(String::as_str)) => {}
        _ => return Vec::new(),
    }
    let mut rows = Vec::new();
    for rec in csv.records().map_while(Result::ok) {
        if rec.len() != header.len() {
            continue;
        }
        let fields: Vec<String> = rec.iter().map(str::to_string).collect();
        if let (Ok(point), Ok(replicate)) = (fields[0].parse(), fields[2].parse()) {
            let row = RunRow { point, replicate, fields };
            if valid(&row) {
                rows.push(row);
            }
        }
    }
    rows
}
