//! `mmsim detect` and `mmsim surveil-bench`: the surveillance subcommands.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;

use mmsim::detect::{self, Thresholds};

/// Arguments of `mmsim detect`.
#[derive(Debug, Args)]
pub struct DetectArgs {
    /// A run directory (trades.csv, orders.csv) or a directory holding an external trades.csv.
    #[arg(value_name = "RUN_DIR")]
    pub run_dir: PathBuf,
    /// Output directory (default: RUN_DIR).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The wash-share model to use (a `share_model.txt` written by `mmsim surveil-bench`; default:
    /// the one fitted on the benchmark market at `--runs 200 --seed 7`).
    #[arg(long, value_name = "FILE")]
    pub share_model: Option<PathBuf>,
}

/// Arguments of `mmsim surveil-bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Number of generated runs.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub runs: u32,
    /// Master seed of the benchmark.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Threads to run on (default: all cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub jobs: Option<u32>,
    /// Output directory.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Arguments of `mmsim share-model`.
#[derive(Debug, Args)]
pub struct ShareModelArgs {
    /// Run directories (or directories holding a trades.csv) of the market without wash trading.
    #[arg(value_name = "RUN_DIR", required = true)]
    pub run_dirs: Vec<PathBuf>,
    /// The model file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Likelihood ratio above which the estimate is reported (default: what `surveil-bench --runs 200
    /// --seed 7` fits; without wash-traded logs it cannot be fitted here).
    #[arg(long, value_name = "T", default_value_t = 8.0)]
    pub threshold: f64,
}

/// Runs `mmsim share-model`.
pub fn share_model(args: &ShareModelArgs) -> Result<()> {
    if !(args.threshold.is_finite() && args.threshold >= 0.0) {
        anyhow::bail!("--threshold {}: must be a number ≥ 0", args.threshold);
    }
    let mut genuine = Vec::new();
    for dir in &args.run_dirs {
        let data = detect::load(dir).with_context(|| format!("reading {}", dir.display()))?;
        let wash = detect::score::true_share(&data);
        if data.labelled && wash >= 0.01 {
            anyhow::bail!(
                "{}: {:.1}% of its value is labelled wash; the model's shapes must be logs without wash (below 1%)",
                dir.display(),
                wash * 100.0
            );
        }
        genuine.push(detect::share::histogram(&data.trades));
    }
    let model = detect::share::ShareModel::new(&genuine, args.threshold);
    let Some((lo, hi)) = model.genuine_medians() else {
        anyhow::bail!("no trades in the given logs: nothing to fit");
    };
    let tmp = args.out.with_extension("tmp");
    std::fs::write(&tmp, model.to_text()).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &args.out).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "{} genuine shapes (median trades {lo:.0}–{hi:.0} tokens), threshold {}; wrote {}",
        model.shapes(),
        args.threshold,
        args.out.display()
    );
    Ok(())
}

/// Runs `mmsim detect`.
pub fn detect(args: &DetectArgs) -> Result<()> {
    let started = Instant::now();
    let out = args.out.clone().unwrap_or_else(|| args.run_dir.clone());
    let mut th = Thresholds::default();
    if let Some(path) = &args.share_model {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        th.share_model =
            detect::share::ShareModel::parse(&text).map_err(|e| anyhow::anyhow!("{}, {e}", path.display()))?;
    }
    let (f, scores) = detect::run_dir(&args.run_dir, &out, &th)
        .with_context(|| format!("detecting on {}", args.run_dir.display()))?;
    println!("{} alerts", f.alerts.len());
    for s in &scores {
        let p = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.3}"));
        println!(
            "  {:<22} {:<6} precision {} recall {} F1 {} (true {}, alerted {})",
            s.detector,
            s.unit,
            p(s.precision),
            p(s.recall),
            p(s.f1),
            s.n_true,
            s.n_alerts
        );
    }
    if scores.is_empty() {
        println!("no labels in the logs: alerts only, nothing scored");
    }
    println!("wrote {} in {:.2} s", out.display(), started.elapsed().as_secs_f64());
    Ok(())
}

/// Runs `mmsim surveil-bench`.
pub fn bench(args: &BenchArgs) -> Result<()> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(args.jobs.unwrap_or(0) as usize).build()?;
    let started = Instant::now();
    let table = pool.install(|| detect::bench::run(args.runs, args.seed, &args.out))?;
    print!("{table}");
    println!("{} runs in {:.1} s; wrote {}", args.runs, started.elapsed().as_secs_f64(), args.out.display());
    Ok(())
}
