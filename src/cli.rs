//! The command line (binary only): argument definitions (clap derive), dispatch to the library,
//! progress display and printing.
//!
//! [`run`] is everything `main` calls after parsing; each subcommand has its own `Args` struct and
//! handler here, so adding `run`, `check` or `sweep` means one enum variant and one function.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use rust_decimal::Decimal;

use mmsim::replay::{self, MatchConfig};
use mmsim::scenario::{self, Override, Scenario};

mod backtest;
mod calibrate;
mod charts;
mod progress;
mod stress;
mod surveil;
use progress::TerminalProgress;

/// mmsim: market-maker simulator.
#[derive(Debug, Parser)]
#[command(name = "mmsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario (or an experiment file); write summary.json, the CSVs, the charts and report.html (default dir output/<name>/).
    Run(RunArgs),
    /// Redraw a run's charts from its own files, optionally zoomed into --window START..END.
    Charts(charts::ChartsArgs),
    /// Validate a scenario (or an experiment file) without running it (exit 0 when valid, 1 otherwise).
    Check(CheckArgs),
    /// Replay an order stream (CSV) through the book; write trades.csv, book.csv and rejects.csv.
    Match(MatchArgs),
    /// Run a scenario's sweep table on all cores; write runs.csv, points.csv, sweep.json and a chart.
    Sweep(SweepArgs),
    /// Stress-test a deal: play every playbook in an MM group's seat, search its best responses, write stress.csv, verdict.json, report.html.
    Stress(stress::StressArgs),
    /// Backtest a scenario's market makers on recorded market data; write the run files and report.html.
    Backtest(backtest::BacktestArgs),
    /// Fit a replica of a real market's order flow (a `flow` crowd); write REPLICA.toml, calibration.html and calibration.json.
    Calibrate(calibrate::CalibrateArgs),
    /// Run the manipulation detectors on a run's logs (or an external trade log); write alerts.csv, scores.csv, detect.html.
    Detect(surveil::DetectArgs),
    /// Generate labelled runs with random manipulations, run every detector, write the dataset and scores.
    SurveilBench(surveil::BenchArgs),
    /// Fit a wash-share model on a market's genuine logs (run directories without wash); write it for `detect --share-model`.
    ShareModel(surveil::ShareModelArgs),
}

/// Arguments of `mmsim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file (TOML) with a `[sweep]` table (optional with --merge).
    #[arg(value_name = "SCENARIO.toml", required_unless_present = "merge")]
    pub scenario: Option<PathBuf>,
    /// Output directory (default: output/NAME_sweep/, a shard: output/NAME_sweep/shard-K-of-N/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Threads to run on (default: all cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub jobs: Option<u32>,
    /// Run only the K-th of N disjoint slices of the runs (1 ≤ K ≤ N); merge them with --merge.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<mmsim::sweep::Shard>,
    /// Combine shard output directories into the files an unsharded sweep writes.
    #[arg(long, value_name = "DIR", num_args = 1.., conflicts_with = "shard")]
    pub merge: Vec<PathBuf>,
    /// Also write full run reports (replicate 0) for the best or worst point by the chart metric, or all.
    #[arg(long, value_name = "BEST|WORST|ALL", conflicts_with = "shard")]
    pub charts_for: Option<mmsim::sweep::ChartsFor>,
    /// parquet also writes runs.parquet (zstd, typed figures); runs.csv is always written.
    #[arg(long, value_name = "csv|parquet", default_value = "csv")]
    pub format: mmsim::run::OutputFormat,
    /// Override a scenario key in every run, e.g. --set market.duration=1h.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<Override>,
    /// No progress display (a bar on a terminal, else a line every 5 s).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `mmsim match`.
#[derive(Debug, Args)]
pub struct MatchArgs {
    /// The order stream: header `ts,trader,action,order_id,side,type,price,qty`.
    #[arg(value_name = "ORDERS.csv")]
    pub orders: PathBuf,
    /// Tick size: every price must be a whole multiple of it (a decimal > 0, e.g. 0.01).
    #[arg(long, value_name = "T")]
    pub tick: Decimal,
    /// Lot size: every quantity must be a whole multiple of it (a decimal > 0, e.g. 1).
    #[arg(long, value_name = "L")]
    pub lot: Decimal,
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Arguments of `mmsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    #[arg(value_name = "SCENARIO.toml")]
    pub scenario: PathBuf,
    /// Output directory (default: output/<scenario name>/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Seed override (same as --set market.seed=N).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// Override any scenario key, validated like the file: e.g. --set agents.retail.count=5000.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<Override>,
    /// Skip the charts (report.html is still written, without them).
    #[arg(long)]
    pub no_charts: bool,
    /// No progress display (a bar on a terminal, else a line every 5 s).
    #[arg(long, short)]
    pub quiet: bool,
    /// Format of the streamed tables: csv (trades.csv, orders.csv, timeseries.csv) or parquet
    /// (trades.parquet, orders.parquet, timeseries.parquet: zstd, typed; for long runs).
    #[arg(long, value_name = "csv|parquet", default_value = "csv")]
    pub format: mmsim::run::OutputFormat,
    /// Write no trade log.
    #[arg(long)]
    pub no_trades: bool,
    /// Write no replay.html (the step-through teaching page; also skipped with --no-charts).
    #[arg(long)]
    pub no_replay: bool,
    /// Write no order log (orders.csv).
    #[arg(long)]
    pub no_orders: bool,
    /// Zoom the static charts into START..END: times since the start as seconds (`7200..9600`) or
    /// durations as scenario files write them (`2h..160m`, `90s..5m`); must lie inside the run.
    #[arg(long, value_name = "START..END", value_parser = charts::parse_window)]
    pub window: Option<mmsim::report::Window>,
    /// Also run the same scenario and seed with group GROUP replaced by kind KIND (with the
    /// parameters the group's `alternatives` give KIND, else its defaults; `idle` never trades),
    /// and compare: DIR/actual/, DIR/counterfactual/, DIR/comparison.csv,
    /// DIR/price_comparison.png|svg (not with --no-charts), DIR/report.html.
    #[arg(long, value_name = "GROUP=KIND")]
    pub counterfactual: Option<mmsim::counterfactual::Replacement>,
    /// Resource limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Arguments of `mmsim check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The scenario file (TOML).
    #[arg(value_name = "SCENARIO.toml")]
    pub scenario: PathBuf,
    /// Overrides to validate with the file.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<Override>,
    /// Resource limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Runs the parsed command line.
///
/// # Errors
/// Any user or I/O error, with the file and line where one applies; the caller prints it and exits 1.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Match(args) => run_match(&args),
        Command::Run(args) => run_scenario(&args),
        Command::Check(args) => check_scenario(&args),
        Command::Charts(args) => charts::run(&args),
        Command::Sweep(args) => run_sweep(&args),
        Command::Stress(args) => stress::run(&args),
        Command::Backtest(args) => backtest::run(&args),
        Command::Calibrate(args) => calibrate::run(&args),
        Command::Detect(args) => surveil::detect(&args),
        Command::SurveilBench(args) => surveil::bench(&args),
        Command::ShareModel(args) => surveil::share_model(&args),
    }
}

fn load(path: &std::path::Path, overrides: &[Override], seed: Option<u64>, limits: &LimitArgs) -> Result<Scenario> {
    let mut scenario = scenario::load_with(path, overrides, &limits.limits())?;
    // Set after loading: a seed above i64::MAX is valid but not a TOML integer an override could carry.
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    Ok(scenario)
}

/// The resource limits `check` and `run` refuse a scenario past (estimated memory and events).
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Refuse a scenario whose estimated memory is above this (bytes, or with K/M/G/T = 10^3…10^12: 8G).
    #[arg(long, value_name = "SIZE", default_value = "4G", value_parser = parse_size)]
    pub max_memory: u64,
    /// Refuse a scenario whose estimated number of events is above this (e.g. 1e11).
    #[arg(long, value_name = "N", default_value = "1e10", value_parser = parse_count)]
    pub max_events: u64,
}

impl LimitArgs {
    fn limits(&self) -> scenario::Limits {
        scenario::Limits { max_memory: self.max_memory, max_events: self.max_events }
    }
}

/// `8G`, `512M`, `100K`, `1T` (powers of 1000, as the limits' messages print them) or a plain
/// number of bytes.
fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let (num, mult) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&t[..t.len() - 1], 1_000u64),
        Some('M') => (&t[..t.len() - 1], 1_000_000),
        Some('G') => (&t[..t.len() - 1], 1_000_000_000),
        Some('T') => (&t[..t.len() - 1], 1_000_000_000_000),
        _ => (t, 1),
    };
    let n: f64 = num.trim().parse().map_err(|_| format!("expected a size like 4G, 512M or 1000000, got {s:?}"))?;
    let bytes = n * mult as f64;
    if !(bytes.is_finite() && (1.0..1.8e19).contains(&bytes)) {
        return Err(format!("expected a size between 1 byte and 16E, got {s:?}"));
    }
    Ok(bytes as u64)
}

/// A seed: a whole number from 0 to 2^64 − 1, as in a scenario file.
fn parse_seed(s: &str) -> std::result::Result<u64, String> {
    s.trim().parse().map_err(|_| format!("must be a whole number from 0 to {}, got {s:?}", u64::MAX))
}

/// A count such as `1e10` or `20000000000`.
fn parse_count(s: &str) -> std::result::Result<u64, String> {
    let n: f64 = s.trim().parse().map_err(|_| format!("expected a count like 1e10, got {s:?}"))?;
    if !(n.is_finite() && (1.0..1.8e19).contains(&n)) {
        return Err(format!("expected a count between 1 and 1.8e19, got {s:?}"));
    }
    Ok(n as u64)
}

/// The overrides with `--seed N` as `market.seed=N` (for the provenance record).
fn with_seed(overrides: &[Override], seed: Option<u64>) -> Vec<Override> {
    let mut all = overrides.to_vec();
    if let Some(seed) = seed {
        all.push(Override { key: "market.seed".into(), value: seed.to_string() });
    }
    all
}

/// The run's origin for `scenario.toml` and `summary.json`'s provenance.
fn origin(path: &std::path::Path, overrides: &[Override], seed: u64) -> Result<mmsim::provenance::Origin> {
    let src = std::fs::read_to_string(path)?;
    Ok(mmsim::provenance::Origin::of(Some(path), &src, overrides, seed)?)
}

/// True when the file at `path` is an experiment (an `[experiment]` table) rather than a scenario.
fn is_experiment_file(path: &std::path::Path) -> Result<bool> {
    // Bytes, not text: a file that is not UTF-8 goes on to the loader, which says where.
    let bytes =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read scenario file {}: {e}", path.display()))?;
    Ok(mmsim::experiments::is_experiment(&String::from_utf8_lossy(&bytes)))
}

fn run_scenario(args: &RunArgs) -> Result<()> {
    if is_experiment_file(&args.scenario)? {
        let stem = args.scenario.file_stem().map_or("experiment".into(), |s| s.to_string_lossy().into_owned());
        let out = args.out.clone().unwrap_or_else(|| std::path::Path::new("output").join(stem));
        let sets: Vec<(String, String)> = args.overrides.iter().map(|o| (o.key.clone(), o.value.clone())).collect();
        say(&mmsim::experiments::run_file_with(&args.scenario, &sets, args.seed, &out)?);
        say(&format!("wrote {}\n", out.display()));
        return Ok(());
    }
    let scenario = load(&args.scenario, &args.overrides, args.seed, &args.limits)?;
    let out = args.out.clone().unwrap_or_else(|| mmsim::run::default_out_dir(&scenario));
    let origin = origin(&args.scenario, &with_seed(&args.overrides, args.seed), scenario.seed)?;
    if let Some(r) = &args.counterfactual {
        let progress = TerminalProgress::sink("simulated", args.quiet);
        let (actual, alt, rows) =
            mmsim::counterfactual::run_pair_with(&scenario, r, &out, !args.no_charts, &progress, Some(&origin))?;
        say(&format!("── actual ──\n{}", mmsim::report::terminal_summary(&actual.summary)));
        say(&format!(
            "── counterfactual: {} as {} ──\n{}",
            r.group,
            r.kind,
            mmsim::report::terminal_summary(&alt.summary)
        ));
        let mut table = format!("{:<40} {:>18} {:>18} {:>18}\n", "metric", "actual", "counterfactual", "difference");
        for row in rows {
            let diff = row.actual - row.counterfactual;
            let exact = row.metric.starts_with("price_");
            let t = if exact { mmsim::report::exact_thousands } else { mmsim::report::thousands };
            table +=
                &format!("{:<40} {:>18} {:>18} {:>18}\n", row.metric, t(row.actual), t(row.counterfactual), t(diff));
        }
        say(&table);
        say(&format!("wrote {}\n", out.display()));
        return Ok(());
    }
    if let Some(w) = &args.window {
        w.check_within(scenario.market.duration.as_secs_f64())
            .map_err(|e| anyhow::anyhow!("{e} (scenario {})", args.scenario.display()))?;
    }
    let progress = TerminalProgress::sink("simulated", args.quiet);
    let options = mmsim::run::RunOptions { out_dir: Some(out), progress, charts: !args.no_charts };
    let extras = mmsim::run::RunExtras {
        origin: Some(origin),
        format: args.format,
        no_trades: args.no_trades,
        no_replay: args.no_replay,
        no_orders: args.no_orders,
        window: args.window,
    };
    let outcome = mmsim::run::run_with(&scenario, &options, &extras)?;
    say(&mmsim::report::terminal_summary(&outcome.summary));
    if let Some(dir) = &outcome.out_dir {
        say(&format!("wrote {} — open {} in a browser\n", dir.display(), dir.join("report.html").display()));
    }
    Ok(())
}

fn check_scenario(args: &CheckArgs) -> Result<()> {
    if is_experiment_file(&args.scenario)? {
        anyhow::ensure!(
            args.overrides.is_empty(),
            "{}: --set does not apply to experiment files; edit the [experiment] table",
            args.scenario.display()
        );
        say(&mmsim::experiments::check_file(&args.scenario)?);
        return Ok(());
    }
    let s = load(&args.scenario, &args.overrides, None, &args.limits)?;
    let text = std::fs::read_to_string(&args.scenario)?;
    let sweep = if mmsim::sweep::has_sweep_table(&text) {
        let plan = mmsim::sweep::Plan::load(&args.scenario, &args.overrides)?;
        plan.check_points()?;
        format!("; [sweep]: {} point(s) × {} replicate(s), every point valid", plan.points.len(), plan.spec.replicates)
    } else {
        String::new()
    };
    let agents: u64 = s.groups.iter().map(|g| g.count as u64).sum();
    say(&format!(
        "{}: ok — scenario {:?}, {} group(s), {} agent(s), {} contract(s), {} simulated, seed {}{sweep}\n",
        args.scenario.display(),
        s.name,
        s.groups.len(),
        agents,
        s.contracts.len(),
        mmsim::units::Dur(s.market.duration.nanos()),
        s.seed
    ));
    Ok(())
}

fn run_match(args: &MatchArgs) -> Result<()> {
    let config = MatchConfig::try_new(args.tick, args.lot)?;
    let summary = replay::replay_file(&config, &args.orders, &args.out)?;
    say(&format!("{summary}; wrote trades.csv, book.csv and rejects.csv to {}\n", args.out.display()));
    Ok(())
}

/// Like `println!`, through [`say`]: a closed stdout (`mmsim sweep … | head`) is not an error.
macro_rules! say_line {
    ($($arg:tt)*) => { say(&format!("{}\n", format_args!($($arg)*))) };
}

/// Writes to stdout, ignoring a closed pipe (`mmsim run … | head` must not panic).
fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

fn run_sweep(args: &SweepArgs) -> Result<()> {
    use mmsim::sweep::{self, Plan, SweepOptions};
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let jobs = args.jobs.map(|j| {
        let j = j as usize;
        if j > cores {
            eprintln!("note: --jobs {j} is more than the {cores} cores here; running {cores} threads");
        }
        j.min(cores)
    });
    let plan = args.scenario.as_deref().map(|p| Plan::load(p, &args.overrides)).transpose()?;
    let report = if args.merge.is_empty() {
        let plan = plan.as_ref().ok_or_else(|| anyhow::anyhow!("a scenario file is required"))?;
        let base = std::path::Path::new("output").join(format!("{}_sweep", plan.scenario.name));
        let out = match (&args.out, args.shard) {
            (Some(out), _) => out.clone(),
            (None, Some(s)) if s.n > 1 => base.join(format!("shard-{}-of-{}", s.k, s.n)),
            (None, _) => base,
        };
        let shard = args.shard.map_or(String::new(), |s| format!(", shard {s}: {} runs", plan.runs(s).len()));
        say_line!(
            "{}: {} point(s) × {} replicate(s) = {} runs{shard}",
            plan.scenario.name,
            plan.points.len(),
            plan.spec.replicates,
            plan.runs_total()
        );
        if plan.spec.replicates < sweep::output::MIN_REPLICATES {
            eprintln!(
                "warning: {} replicate(s) per point: with fewer than {} the 95% confidence intervals in points.csv \
                 are wide (or empty with one); set [sweep] replicates = {} or more",
                plan.spec.replicates,
                sweep::output::MIN_REPLICATES,
                sweep::output::MIN_REPLICATES
            );
        }
        let progress = TerminalProgress::sink("runs", args.quiet);
        let provenance = Some(plan.provenance(args.scenario.as_deref()));
        let options = SweepOptions {
            out_dir: out,
            jobs,
            shard: args.shard,
            charts_for: args.charts_for,
            progress,
            provenance,
            format: args.format,
        };
        sweep::run_sweep(plan, &options)?
    } else {
        anyhow::ensure!(
            args.charts_for.is_none() || plan.is_some(),
            "--charts-for with --merge needs the scenario file too: mmsim sweep SCENARIO.toml --merge DIR... --charts-for BEST"
        );
        let out = match &args.out {
            Some(out) => out.clone(),
            None => {
                let (m, _) = sweep::output::read_dir(&args.merge[0])?;
                std::path::Path::new("output").join(format!("{}_sweep", m.scenario))
            }
        };
        let rerun = plan.as_ref().zip(args.charts_for);
        sweep::merge(&args.merge, &out, rerun, jobs, args.format)?
    };
    if args.merge.is_empty() {
        let resumed = if report.resumed > 0 { format!(" ({} resumed)", report.resumed) } else { String::new() };
        say_line!(
            "{} runs in {:.1} s on {} thread(s): {:.2} runs/s{resumed}",
            report.runs,
            report.wall.as_secs_f64(),
            report.threads,
            report.runs_per_sec()
        );
    } else {
        say_line!("merged {} director{}", args.merge.len(), if args.merge.len() == 1 { "y" } else { "ies" });
    }
    for (what, point, dir) in &report.reports {
        say_line!("{what} point {point}: {}", dir.display());
    }
    say_line!("wrote {}: {}", report.out_dir.display(), report.files.join(", "));
    Ok(())
}
