//! `mmsim calibrate DATA... --out REPLICA.toml`: arguments and handler.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use mmsim::calibrate::{calibrate_files, page, CalibrateOptions};

/// Arguments of `mmsim calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Recorded market data with trades and book diffs (Binance raw stream, Tardis CSV; gzip or plain).
    #[arg(value_name = "DATA", required = true)]
    pub data: Vec<PathBuf>,
    /// Where to write the replica scenario; calibration.html and calibration.json go next to it.
    #[arg(long, value_name = "REPLICA.toml")]
    pub out: PathBuf,
    /// Seed of the replica and of the search's simulations.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Rounds of the search by simulation at most.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub rounds: u32,
}

/// Calibrates, writes the three files and prints the headline comparisons.
pub fn run(args: &CalibrateArgs) -> Result<()> {
    let options = CalibrateOptions { seed: args.seed, rounds: args.rounds as usize, ..CalibrateOptions::default() };
    let c = calibrate_files(&args.data, &options)?;
    let dir = match args.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create the directory", dir.display()))?;
    let write = |path: PathBuf, text: String| -> Result<()> {
        let tmp = path.with_extension("tmp-calibrate");
        std::fs::write(&tmp, text).with_context(|| format!("{}: cannot write", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("{}: cannot write", path.display()))
    };
    write(args.out.clone(), c.replica.toml())?;
    let json = serde_json::to_string_pretty(&page::json(&c)).context("serialising calibration.json")?;
    write(dir.join("calibration.json"), json + "\n")?;
    write(dir.join("calibration.html"), page::html(&c))?;
    let mut text = String::new();
    for line in page::terminal_lines(&c) {
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str(&format!(
        "wrote {} (run it with: mmsim run {}), {} and {}\n",
        args.out.display(),
        args.out.display(),
        dir.join("calibration.html").display(),
        dir.join("calibration.json").display()
    ));
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(())
}
