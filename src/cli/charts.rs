//! `mmsim charts RUN_DIR [--window START..END] [--out DIR]`: a run's static charts redrawn from its
//! own files (see `mmsim::report::RunDirCharts`), optionally zoomed into a time window.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use mmsim::report::{RunDirCharts, Window};

/// Arguments of `mmsim charts`.
#[derive(Debug, Args)]
pub struct ChartsArgs {
    /// A run directory written by `mmsim run` (CSV or Parquet tables).
    #[arg(value_name = "RUN_DIR")]
    pub run_dir: PathBuf,
    /// Zoom into START..END, times since the start as seconds (`7200..9600`) or durations as the
    /// scenario files write them (`2h..160m`, `90s..5m`, `1.5h..2d`).
    #[arg(long, value_name = "START..END", value_parser = parse_window)]
    pub window: Option<Window>,
    /// Where to write the charts (default: RUN_DIR itself, or RUN_DIR/window_START_END/ with --window).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Parses `--window` (also used by `mmsim run`).
pub fn parse_window(s: &str) -> Result<Window, String> {
    s.parse()
}

/// Runs `mmsim charts`.
///
/// # Errors
/// A missing or unreadable run file, or a window outside the run, located.
pub fn run(args: &ChartsArgs) -> Result<()> {
    let data = RunDirCharts::read(&args.run_dir).map_err(anyhow::Error::msg)?;
    let out = args.out.clone().unwrap_or_else(|| match args.window {
        Some(w) => args.run_dir.join(format!("window_{}_{}", w.start, w.end)),
        None => args.run_dir.clone(),
    });
    let dir = data.write_charts(args.window, &out).map_err(anyhow::Error::msg)?;
    super::say(&format!("wrote the charts to {}\n", dir.display()));
    Ok(())
}
