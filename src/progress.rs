//! Progress of long work (a run, a sweep), reported to whatever the caller shows it with.
//!
//! The library never draws: it calls a [`Progress`] the caller passes in. The `mmsim` binary
//! shows a bar with an ETA on a terminal and a line every few seconds otherwise; a Python binding
//! or a test passes nothing, or its own sink.

use std::fmt::Debug;
use std::sync::Arc;

/// Receives progress reports; called from any thread (sweeps run on several).
pub trait Progress: Send + Sync + Debug {
    /// `done` of `total` units of work are finished (simulated nanoseconds of a run, runs of a
    /// sweep); `status` is a short figure such as `"6.5M events/s"`.
    fn update(&self, done: u64, total: u64, status: &str);
    /// The work is over (the display can clear itself).
    fn finish(&self) {}
}

/// An optional, shareable progress sink.
pub type ProgressSink = Option<Arc<dyn Progress>>;
