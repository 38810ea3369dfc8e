//! `mmsim stress`: the deal stress test (see `mmsim::stress`).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use mmsim::scenario::Override;
use mmsim::stress::{self, StressOptions, StressPlan};

use super::TerminalProgress;

/// Arguments of `mmsim stress`.
#[derive(Debug, Args)]
pub struct StressArgs {
    /// The scenario file (TOML); an optional `[stress]` table picks playbooks, seeds, budget, horizon.
    #[arg(value_name = "SCENARIO.toml")]
    pub scenario: PathBuf,
    /// The market-maker group whose seat the playbooks take.
    #[arg(long, value_name = "GROUP")]
    pub mm: String,
    /// Seeds per candidate (common to every candidate; default: [stress] seeds, else 8).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub seeds: Option<u32>,
    /// Evaluations per playbook in the best-response search (default: [stress] budget, else 30).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub budget: Option<u32>,
    /// Threads to run on (default: all cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub jobs: Option<u32>,
    /// Override a scenario key in every run, e.g. --set contracts.loan.tokens=5000000.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<Override>,
    /// Output directory (default: output/<scenario name>_stress/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress display (a bar on a terminal, else a line every 5 s).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `mmsim stress`.
pub fn run(args: &StressArgs) -> Result<()> {
    let plan = StressPlan::load(&args.scenario, &args.overrides, &args.mm, args.seeds, args.budget)?;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let jobs = args.jobs.map(|j| (j as usize).min(cores));
    let s = &plan.spec;
    println!(
        "{}: {} playbook(s) in the seat of {}, {} seed(s), budget {} evaluations each, horizon {:.1} h",
        plan.scenario.name,
        s.playbooks.len(),
        plan.mm,
        s.seeds.len(),
        s.budget,
        s.horizon_ns as f64 / 3.6e12
    );
    let options = StressOptions { jobs, progress: TerminalProgress::sink("runs", args.quiet) };
    let result = stress::run_stress(&plan, &options)?;
    let out = args.out.clone().unwrap_or_else(|| stress::default_out_dir(&plan.scenario));
    let files = stress::write(&result, &out)?;
    println!("{} runs in {:.1} s on {} thread(s)", result.runs, result.wall.as_secs_f64(), result.threads);
    println!("{}", stress::html::verdict_words(&result));
    println!("wrote {}: {}", out.display(), files.join(", "));
    Ok(())
}
