//! `mmsim surveil-bench`: a labelled benchmark of the detectors.
//!
//! Generates `N` short runs of one market (a passive market maker and a retail crowd of drawn
//! size) with a manipulation drawn per run: none (a quarter of the runs), a spoofer (drawn spoof
//! size, wave size, flip period), a wash trader (drawn target share and clip), or a lend-and-dump
//! pump (drawn pump target and step). Each run's `orders.csv` and `trades.csv` (the labels are their
//! intent and wash columns) go to `DIR/runs/NNN/` with a `label.txt`. Every detector runs on every
//! run; scores are pooled over the **held-out** odd-numbered runs, after the spoofing and pump
//! thresholds were chosen on a small grid by F1 over the even-numbered (tuning) runs. Writes
//! `DIR/scores.csv` (the score table), `DIR/share.csv` (wash share: estimate vs truth per run) and
//! `DIR/runs.csv` (what was drawn).

use std::fmt::Write as _;
use std::path::Path;

use rand::RngExt;
use rayon::prelude::*;

use super::data::Dataset;
use super::score::{counts, true_share, Counts};
use super::{detect, load, write_scores, Thresholds};
use crate::rng::AgentRng;
use crate::run::{run as run_scenario, RunOptions};
use crate::scenario::load_str;

/// One generated run.
#[derive(Clone, Debug)]
struct Spec {
    index: u32,
    kind: &'static str,
    toml: String,
    label: String,
}

fn spec(index: u32, seed: u64) -> Spec {
    let mut rng = AgentRng::new(seed, &format!("surveil-bench:{index}"));
    let retail = rng.random_range(150..400);
    let draw = rng.random_range(0.0..1.0);
    let kind = if draw < 0.2 {
        "none"
    } else if draw < 0.4 {
        "spoof"
    } else if draw < 0.6 {
        "wash"
    } else if draw < 0.8 {
        "ring"
    } else {
        "pump"
    };
    let mut toml = format!(
        r#"[market]
name = "bench_{index:03}"
seed = {run_seed}
tick = "0.0001"
lot = "1"
open_price = 1.0
maker_fee_bps = 0
taker_fee_bps = 10
duration = "40m"
sample_every = "1m"
latency = "50ms"
latency_jitter = "20ms"

[[agents]]
name = "mm"
kind = "passive_mm"
cash = 500000
tokens = 500000
latency = "5ms"
[agents.passive_mm]
spread_bps = 20
levels = 5
level_spacing_bps = 10
level_size = 1000
requote_every = "2s"
max_inventory = 100000

[[agents]]
name = "retail"
kind = "retail"
count = {retail}
cash = {{ dist = "lognormal", median = 1000, sigma = 0.8 }}
tokens = {{ dist = "lognormal", median = 1000, sigma = 0.8 }}
[agents.retail]
book_reader_weight = 0.3
noise_weight = 0.25
fundamentalist_weight = 0.41
fundamental_threshold_bps = 60
fundamental_vol_pct_per_day = 0
"#,
        run_seed = seed.wrapping_mul(1_000_003).wrapping_add(u64::from(index)),
    );
    let label = match kind {
        "spoof" => {
            let size = rng.random_range(8..40) * 1000;
            let orders = rng.random_range(1..5);
            let flip = rng.random_range(5..20);
            let _ = write!(
                toml,
                "\n[[agents]]\nname = \"spoofer\"\nkind = \"spoofer\"\ncash = 100000\ntokens = 100000\nlatency = \"5ms\"\n\
                 latency_jitter = \"0ms\"\n[agents.spoofer]\nside = \"alternate\"\nflip_every = \"{flip}m\"\n\
                 spoof_tokens = {size}\nspoof_orders = {orders}\nmin_cover_tokens = 2000\ncancel_cover_tokens = 1000\n\
                 trade_tokens = 200\nmax_inventory_tokens = 5000\n"
            );
            format!("spoof size={size} orders={orders} flip={flip}m")
        }
        "wash" => {
            let share = rng.random_range(0.1..0.9);
            let clip = rng.random_range(5..50) * 1000;
            let _ = write!(
                toml,
                "\n[[agents]]\nname = \"washer\"\nkind = \"wash\"\ncash = 2000000\ntokens = 2000000\nlatency = \"5ms\"\n\
                 latency_jitter = \"0ms\"\n[agents.wash]\ntarget_wash_share = {share:.3}\nwindow = \"10m\"\n\
                 interval = \"30s\"\nmax_clip_tokens = {clip}\n"
            );
            format!("wash target={share:.3} clip={clip}")
        }
        "ring" => {
            let accounts = rng.random_range(2..7);
            let interval = rng.random_range(10..60);
            let clip = rng.random_range(2..20) * 1000;
            let _ = write!(
                toml,
                "\n[[agents]]\nname = \"ring\"\nkind = \"wash_ring\"\ncash = 1000000\ntokens = 1000000\nlatency = \"5ms\"\n\
                 latency_jitter = \"0ms\"\n[agents.wash_ring]\naccounts = {accounts}\ninterval = \"{interval}s\"\n\
                 clip_tokens = {clip}\n"
            );
            format!("ring accounts={accounts} interval={interval}s clip={clip}")
        }
        "pump" => {
            let target = rng.random_range(1.2..1.8);
            let step = rng.random_range(40..120);
            let ceiling = rng.random_range(0.7..1.0);
            let repay = rng.random_range(28..36);
            let _ = write!(
                toml,
                "\n[[agents]]\nname = \"pumper\"\nkind = \"lend_and_dump\"\ncash = 200000\ntokens = 200000\n\
                 latency = \"5ms\"\n[agents.lend_and_dump]\ninterval = \"20s\"\npump_target_price = {target:.3}\n\
                 pump_step_bps = {step}\nbuyback_below_multiple = {ceiling:.3}\nrepay_by = \"{repay}m\"\n"
            );
            format!("pump target={target:.3} step={step}bps buyback_below={ceiling:.3} repay_by={repay}m")
        }
        _ => "none".to_string(),
    };
    Spec { index, kind, toml, label }
}

/// The thresholds grid tuned on the tuning half.
fn grid() -> Vec<Thresholds> {
    let mut out = Vec::new();
    for spoof_size_x in [3.0, 10.0] {
        for spoof_imbalance in [2.0, 20.0] {
            for spoof_life_s in [300.0, 3600.0] {
                for spoof_window_s in [120.0, 900.0] {
                    for rush_min in [3.0, 5.0] {
                        for rush_rise in [0.003, 0.005] {
                            out.push(Thresholds {
                                spoof_size_x,
                                spoof_imbalance,
                                spoof_life_s,
                                spoof_window_s,
                                rush_min,
                                rush_rise,
                                ..Thresholds::default()
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

type RunCounts = Vec<(&'static str, &'static str, Counts)>;

fn pooled(per_run: &[&RunCounts]) -> Vec<(&'static str, &'static str, Counts)> {
    let mut out: RunCounts = Vec::new();
    for rc in per_run {
        for (d, u, c) in rc.iter() {
            match out.iter_mut().find(|(d2, _, _)| d2 == d) {
                Some((_, _, acc)) => acc.add(c),
                None => out.push((d, u, c.clone())),
            }
        }
    }
    out
}

fn f1_of(p: &RunCounts, detector: &str) -> f64 {
    p.iter().find(|(d, _, _)| *d == detector).and_then(|(d, u, c)| c.row(d, u).f1).unwrap_or(0.0)
}

/// Runs the benchmark and returns the score table as text.
///
/// # Errors
/// A run that fails, or an output file that cannot be written.
pub fn run(n: u32, seed: u64, out: &Path) -> anyhow::Result<String> {
    use anyhow::Context as _;
    std::fs::create_dir_all(out.join("runs")).with_context(|| format!("creating {}", out.display()))?;
    let specs: Vec<Spec> = (0..n).map(|i| spec(i, seed)).collect();
    let datasets: Vec<anyhow::Result<Dataset>> = specs
        .par_iter()
        .map(|s| {
            let dir = out.join("runs").join(format!("{:03}", s.index));
            let scenario = load_str(&s.toml, &format!("bench_{:03}.toml", s.index), &[])?;
            let opts = RunOptions { out_dir: Some(dir.clone()), ..RunOptions::default() };
            run_scenario(&scenario, &opts).with_context(|| format!("run {}", s.index))?;
            for f in ["timeseries.csv", "agents.csv", "contracts.csv", "summary.json", "report.html"] {
                let _ = std::fs::remove_file(dir.join(f));
            }
            std::fs::write(dir.join("label.txt"), format!("{}\n", s.label))?;
            Ok(load(&dir)?)
        })
        .collect();
    let datasets: Vec<Dataset> = datasets.into_iter().collect::<anyhow::Result<_>>()?;
    let grid = grid();
    // Counts of every run under every grid point (the tuning needs the even runs; scores the odd).
    let all: Vec<Vec<RunCounts>> =
        datasets.par_iter().map(|d| grid.iter().map(|th| counts(d, &detect(d, th))).collect()).collect();
    let tune: Vec<usize> = (0..datasets.len()).filter(|i| i % 2 == 0).collect();
    let test: Vec<usize> = (0..datasets.len()).filter(|i| i % 2 == 1).collect();
    let pick = |detector: &str| -> usize {
        (0..grid.len())
            .max_by(|&a, &b| {
                let fa = f1_of(&pooled(&tune.iter().map(|&i| &all[i][a]).collect::<Vec<_>>()), detector);
                let fb = f1_of(&pooled(&tune.iter().map(|&i| &all[i][b]).collect::<Vec<_>>()), detector);
                fa.total_cmp(&fb).then(b.cmp(&a))
            })
            .unwrap_or(0)
    };
    let best_spoof = pick("spoofing");
    let best_pump = pick("pump_rush_orders");
    let held_out = |g: usize| pooled(&test.iter().map(|&i| &all[i][g]).collect::<Vec<_>>());
    let (hs, hp) = (held_out(best_spoof), held_out(best_pump));
    let rows: Vec<_> = hs
        .iter()
        .map(|(d, u, c)| {
            let src = if d.starts_with("pump") { &hp } else { &hs };
            let c = src.iter().find(|(d2, _, _)| d2 == d).map_or(c, |x| &x.2);
            c.row(d, u)
        })
        .collect();
    let mut f = std::fs::File::create(out.join("scores.csv"))?;
    write_scores(&mut f, &rows)?;
    // Wash share, and what was drawn.
    let mut share = String::from("run,kind,true_share,estimated_share,error_pp\n");
    let mut within = 0;
    for (s, d) in specs.iter().zip(&datasets) {
        let est = super::wash::size_share(&d.trades, &grid[best_spoof]).share;
        let truth = true_share(d);
        within += usize::from((est - truth).abs() <= 0.10);
        let _ = writeln!(share, "{},{},{truth:.4},{est:.4},{:.2}", s.index, s.kind, (est - truth) * 100.0);
    }
    std::fs::write(out.join("share.csv"), share)?;
    let mut runs = String::from("run,kind,label,trades,orders\n");
    for (s, d) in specs.iter().zip(&datasets) {
        let _ = writeln!(runs, "{},{},{},{},{}", s.index, s.kind, s.label, d.trades.len(), d.orders.len());
    }
    std::fs::write(out.join("runs.csv"), runs)?;
    let mut table = format!(
        "held-out runs: {} of {n} (thresholds tuned on the other {})\n\
         {:<22} {:<6} {:>9} {:>7} {:>6} {:>10} {:>7} {:>8}\n",
        test.len(),
        tune.len(),
        "detector",
        "unit",
        "precision",
        "recall",
        "F1",
        "latency_s",
        "n_true",
        "n_alerts"
    );
    let p = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.3}"));
    for r in &rows {
        let _ = writeln!(
            table,
            "{:<22} {:<6} {:>9} {:>7} {:>6} {:>10} {:>7} {:>8}",
            r.detector,
            r.unit,
            p(r.precision),
            p(r.recall),
            p(r.f1),
            p(r.median_latency_s),
            r.n_true,
            r.n_alerts
        );
    }
    let (ts, tp) = (&grid[best_spoof], &grid[best_pump]);
    let _ = writeln!(
        table,
        "tuned: spoofing size_x={} imbalance={} life_s={} window_s={}; rush orders min={} rise={}",
        ts.spoof_size_x, ts.spoof_imbalance, ts.spoof_life_s, ts.spoof_window_s, tp.rush_min, tp.rush_rise
    );
    let _ = writeln!(
        table,
        "wash share from sizes within ±10 pp of the truth on {within} of {n} runs ({:.0}%)",
        100.0 * within as f64 / n.max(1) as f64
    );
    std::fs::write(out.join("scores.txt"), &table)?;
    Ok(table)
}
