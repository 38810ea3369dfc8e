//! Errors writing (and reading back) output files.
//!
//! Each variant's message is its own context only (`writing trades.csv`); the underlying error is
//! its [`std::error::Error::source`], so a caller printing the chain (`{:#}` with anyhow, or a loop
//! over `source()`) reads `writing trades.csv: No space left on device`.

use std::io;

/// Why an output file could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file-system operation failed; `context` says which and on what path.
    #[error("{context}")]
    Io {
        /// What was being done (`creating output directory output/dio`).
        context: String,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// Writing one file failed.
    #[error("writing {file}")]
    Writing {
        /// The file's name.
        file: String,
        /// What went wrong.
        #[source]
        source: Box<OutputError>,
    },
    /// A CSV writer or reader failed.
    #[error(transparent)]
    Csv(#[from] csv::Error),
    /// JSON could not be written or read.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// An I/O error with no more context.
    #[error(transparent)]
    PlainIo(#[from] io::Error),
    /// A chart could not be drawn or encoded.
    #[error("{0}")]
    Chart(String),
}

impl OutputError {
    /// An I/O error while `context` (e.g. `creating output/x`).
    pub fn io(context: impl Into<String>) -> impl FnOnce(io::Error) -> OutputError {
        let context = context.into();
        move |source| OutputError::Io { context, source }
    }
}
