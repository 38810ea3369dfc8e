//! Writing a run's files: `summary.json`, `timeseries.csv`, `agents.csv` (and the trade log streamed
//! by the recorder), each written under a temporary name and renamed into place only when the whole
//! run succeeded, so a killed or failed run never leaves a half-written file behind.

mod files;
mod terminal;

pub use files::{write_agents_csv, write_summary_json, write_timeseries_csv, OutputDir};
pub use terminal::{terminal_summary, thousands};
