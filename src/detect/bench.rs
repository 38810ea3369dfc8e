//! `mmsim surveil-bench`: a labelled benchmark of the detectors.
//!
//! Generates 40-minute runs of one market (a passive market maker and a retail crowd of drawn
//! size) with a manipulation drawn per run ([`KINDS`], a sixth of the runs each): none; a spoofer
//! (drawn spoof size, wave size, flip period); a wash trader (drawn target share and clip, its
//! sizes drawn uniform, log-uniform or round: `clip_dist`); a wash ring (`wash_ring`: 2–6 accounts
//! of one owner, drawn interval and clip); a lend-and-dump (drawn start, pump target and step,
//! buy-back ceiling and deadline); or a KPI gamer (`kpi_gamer`: flickering around the 10-s
//! snapshots, parking at the band edge, or both; drawn lead, hold, distance inside the edge,
//! spread and depth). Each run's `orders.csv` and `trades.csv` (the labels are their intent and
//! wash columns) go to `DIR/runs/NNN/` with a `label.txt`.
//!
//! **Train and test.** Runs `0..N` are the held-out *test* runs; runs `N..2N` (other run
//! seeds: run `i` has seed `S × 1000003 + i`) are the *training* runs. On the training runs only:
//! the spoofing and KPI-gaming thresholds are searched on small grids (best F1), the rush-order
//! classifier is fitted and its threshold chosen (best event F1), and the wash-share model is
//! fitted (genuine shapes from the runs without wash, its likelihood-ratio threshold chosen with
//! each genuine run left out of its own fit). Every detector then runs
//! on the test runs and the scores are pooled over them. Writes `DIR/scores.csv` (the score
//! table), `DIR/scores.txt` (the same, with the fitted values), `DIR/share.csv` (wash share:
//! estimate vs truth per test run), `DIR/share_model.txt` (the fitted wash-share model, for
//! `mmsim detect --share-model`) and `DIR/runs.csv` (what was drawn, per run, with its split and
//! seed).

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

use rand::RngExt;
use rayon::prelude::*;

use super::data::Dataset;
use super::rush::{self, RushModel, FEATURES};
use super::score::{counts, event_counts, pump_events, true_share, Counts, SLACK_S};
use super::share::{self, ShareModel};
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

/// The manipulations drawn, each for an equal share of the runs (`none`: no manipulation).
pub const KINDS: [&str; 6] = ["none", "spoof", "wash", "ring", "pump", "kpi"];

/// The scenario seed of run `index`.
fn run_seed(seed: u64, index: u32) -> u64 {
    seed.wrapping_mul(1_000_003).wrapping_add(u64::from(index))
}

fn spec(index: u32, seed: u64) -> Spec {
    let mut rng = AgentRng::new(seed, &format!("surveil-bench:{index}"));
    let retail = rng.random_range(150..400);
    let kind = KINDS[rng.random_range(0..KINDS.len())];
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
        run_seed = run_seed(seed, index),
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
            let dist = ["uniform", "log_uniform", "round"][rng.random_range(0..3)];
            let _ = write!(
                toml,
                "\n[[agents]]\nname = \"washer\"\nkind = \"wash\"\ncash = 2000000\ntokens = 2000000\nlatency = \"5ms\"\n\
                 latency_jitter = \"0ms\"\n[agents.wash]\ntarget_wash_share = {share:.3}\nwindow = \"10m\"\n\
                 interval = \"30s\"\nmax_clip_tokens = {clip}\nclip_dist = \"{dist}\"\n"
            );
            format!("wash target={share:.3} clip={clip} sizes={dist}")
        }
        "kpi" => {
            let variant = rng.random_range(0..3);
            let (flicker, park) = (variant != 1, variant != 0);
            let lead = rng.random_range(300..3000);
            let hold = rng.random_range(300..3000);
            let inside = rng.random_range(1.0..20.0);
            let spread = rng.random_range(20..100);
            let depth = rng.random_range(1..6) * 1000;
            let _ = write!(
                toml,
                "\n[[agents]]\nname = \"gamer\"\nkind = \"kpi_gamer\"\ncash = 100000\ntokens = 100000\nlatency = \"5ms\"\n\
                 latency_jitter = \"0ms\"\n[agents.kpi_gamer]\nsnapshot_every = \"10s\"\nflicker = {flicker}\n\
                 lead = \"{lead}ms\"\nhold = \"{hold}ms\"\npark_at_band = {park}\npark_inside_bps = {inside:.1}\n\
                 spread_bps = {spread}\ndepth_tokens = {depth}\n"
            );
            format!("kpi flicker={flicker} lead={lead}ms hold={hold}ms park={park} inside={inside:.1}bps spread={spread}bps depth={depth}")
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
            let start = rng.random_range(2..12);
            let repay = start + rng.random_range(18..25);
            let _ = write!(
                toml,
                "\n[[agents]]\nname = \"pumper\"\nkind = \"lend_and_dump\"\ncash = 200000\ntokens = 200000\n\
                 latency = \"5ms\"\n[agents.lend_and_dump]\ninterval = \"20s\"\nstart_after = \"{start}m\"\npump_target_price = {target:.3}\n\
                 pump_step_bps = {step}\nbuyback_below_multiple = {ceiling:.3}\nrepay_by = \"{repay}m\"\n"
            );
            format!(
                "pump start={start}m target={target:.3} step={step}bps buyback_below={ceiling:.3} repay_by={repay}m"
            )
        }
        _ => "none".to_string(),
    };
    Spec { index, kind, toml, label }
}

/// The spoofing thresholds searched on the training runs.
fn spoof_grid() -> Vec<Thresholds> {
    let mut out = Vec::new();
    for spoof_size_x in [3.0, 10.0] {
        for spoof_imbalance in [2.0, 20.0] {
            for spoof_life_s in [300.0, 3600.0] {
                for spoof_window_s in [120.0, 900.0] {
                    out.push(Thresholds {
                        spoof_size_x,
                        spoof_imbalance,
                        spoof_life_s,
                        spoof_window_s,
                        ..Thresholds::default()
                    });
                }
            }
        }
    }
    out
}

type RunCounts = Vec<(&'static str, &'static str, Counts)>;

fn pooled<'a>(per_run: impl Iterator<Item = &'a RunCounts>) -> RunCounts {
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

/// Spoofing thresholds with the best pooled order-level F1 on `train`.
fn tune_spoofing(train: &[Dataset]) -> Thresholds {
    let grid = spoof_grid();
    let f1 = |th: &Thresholds| {
        let mut c = Counts::default();
        for d in train {
            let truth: HashSet<u64> =
                d.orders.iter().filter(|o| o.event == "new" && o.intent == "spoof").map(|o| o.id).collect();
            let flagged: HashSet<u64> = super::spoof::detect(&d.orders, th).0.into_iter().collect();
            c.add(&super::score::sets(&truth, &flagged));
        }
        c.row("spoofing", "order").f1.unwrap_or(0.0)
    };
    let scores: Vec<f64> = grid.par_iter().map(f1).collect();
    best_of(&grid, &scores)
}

/// Labelled chunks of one run: a chunk with a pump taker trade is a pump; a chunk inside a pump
/// event without one is left out; any other chunk is not a pump.
fn chunk_samples(d: &Dataset, th: &Thresholds) -> Vec<([f64; FEATURES], bool)> {
    let events = pump_events(d);
    let w = th.rush_chunk_s;
    rush::features(&d.trades, th)
        .into_iter()
        .filter_map(|(t0, x)| {
            let pump = d.trades.iter().any(|t| t.taker_intent == "pump" && t.t >= t0 && t.t < t0 + w);
            let inside = events.iter().any(|e| t0 + w >= e.0 - SLACK_S && t0 <= e.1);
            (pump || !inside).then_some((x, pump))
        })
        .collect()
}

/// The latency the rush-order threshold must keep (s; La Morgia et al.'s 25-s horizon).
pub const MAX_LATENCY_S: f64 = 25.0;

/// The rush-order model fitted on `train`, its threshold chosen by pooled event F1 there among
/// those whose median latency is at most [`MAX_LATENCY_S`] (if any).
fn train_rush(train: &[Dataset], base: &Thresholds) -> RushModel {
    let samples: Vec<([f64; FEATURES], bool)> = train.iter().flat_map(|d| chunk_samples(d, base)).collect();
    let model = rush::train(&samples);
    let candidates: Vec<f64> =
        (1..20).map(|k| k as f64 * 0.05).chain((0..10).map(|k| 0.955 + k as f64 * 0.005)).collect();
    let f1: Vec<(f64, f64)> = candidates
        .par_iter()
        .map(|&threshold| {
            let mut th = base.clone();
            th.rush = model;
            th.rush.threshold = threshold;
            let mut c = Counts::default();
            for d in train {
                let alerts: Vec<(f64, f64)> =
                    rush::alerts(&d.trades, &th).iter().map(|a| (a.t_start, a.t_end)).collect();
                c.add(&event_counts(&pump_events(d), &alerts));
            }
            let row = c.row("pump_rush_orders", "event");
            // The target is a median latency within 25 s: thresholds that meet it come first.
            let late = row.median_latency_s.unwrap_or(f64::INFINITY) > MAX_LATENCY_S;
            (if late { -1.0 } else { 0.0 } + row.f1.unwrap_or(0.0), -row.median_latency_s.unwrap_or(0.0))
        })
        .collect();
    let best = (0..candidates.len())
        .max_by(|&a, &b| f1[a].0.total_cmp(&f1[b].0).then(f1[a].1.total_cmp(&f1[b].1)).then(b.cmp(&a)))
        .unwrap_or(9);
    let mut model = model;
    model.threshold = candidates[best];
    model
}

/// The KPI-gaming thresholds searched on the training runs.
fn kpi_grid(base: &Thresholds) -> Vec<Thresholds> {
    let mut out = Vec::new();
    for kpi_presence in [0.4, 0.6, 0.8] {
        for kpi_peak_x in [1.5, 2.0, 3.0] {
            for kpi_park_share in [0.3, 0.5, 0.7] {
                out.push(Thresholds { kpi_presence, kpi_peak_x, kpi_park_share, ..base.clone() });
            }
        }
    }
    out
}

/// KPI-gaming thresholds with the best pooled owner-level F1 on `train`.
fn tune_kpi(train: &[Dataset], base: &Thresholds) -> Thresholds {
    let grid = kpi_grid(base);
    // The per-owner measures do not depend on the searched thresholds: measure once.
    let measured: Vec<_> = train.par_iter().map(|d| super::kpi::measure(&d.orders, &d.trades, base)).collect();
    let f1 = |th: &Thresholds| {
        let mut c = Counts::default();
        for (d, m) in train.iter().zip(&measured) {
            let truth: HashSet<&str> =
                d.orders.iter().filter(|o| o.intent == "kpi_gaming").map(|o| o.agent.as_str()).collect();
            let flagged: HashSet<&str> =
                m.iter().filter(|(_, k)| super::kpi::verdict(k, th).is_some()).map(|(o, _)| o.as_str()).collect();
            c.add(&super::score::sets(&truth, &flagged));
        }
        c.row("kpi_gaming", "owner").f1.unwrap_or(0.0)
    };
    let scores: Vec<f64> = grid.iter().map(f1).collect();
    best_of(&grid, &scores)
}

/// The grid point with the highest score (the first of equals).
fn best_of(grid: &[Thresholds], scores: &[f64]) -> Thresholds {
    let best = (0..grid.len()).max_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(b.cmp(&a))).unwrap_or(0);
    grid[best].clone()
}

/// Share of `pairs` (estimate, truth) within ±10 percentage points.
fn within_10pp(pairs: impl Iterator<Item = (f64, f64)>) -> f64 {
    let (mut n, mut ok) = (0usize, 0usize);
    for (e, t) in pairs {
        n += 1;
        ok += usize::from((e - t).abs() <= 0.10);
    }
    ok as f64 / n.max(1) as f64
}

/// Training runs whose labelled wash is below this share of value are genuine shapes.
const GENUINE_BELOW: f64 = 0.01;
/// The likelihood-ratio thresholds searched.
const SHARE_THRESHOLDS: [f64; 10] = [2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 16.0, 20.0, 25.0, 30.0];

/// The wash-share model fitted on `train`: the genuine shapes of its runs without wash, and the
/// likelihood-ratio threshold that puts most training runs within ±10 pp, judged together with
/// its two neighbours on the grid (ties: the highest). A genuine run is judged without its own
/// shape (leave-one-out).
fn train_share(train: &[Dataset]) -> ShareModel {
    let runs: Vec<(share::Histogram, f64)> =
        train.par_iter().map(|d| (share::histogram(&d.trades), true_share(d))).collect();
    let genuine: Vec<usize> =
        (0..runs.len()).filter(|&i| runs[i].1 < GENUINE_BELOW && runs[i].0.count.iter().sum::<f64>() > 0.0).collect();
    let mut model = ShareModel::new(&genuine.iter().map(|&i| runs[i].0).collect::<Vec<_>>(), 0.0);
    let fits: Vec<(share::Fit, f64)> = runs
        .par_iter()
        .enumerate()
        .map(|(i, (h, truth))| {
            let own = genuine.iter().position(|&g| g == i);
            (own.map_or_else(|| model.clone(), |k| model.without(k)).fit(h), *truth)
        })
        .collect();
    let score = |t: f64| within_10pp(fits.iter().map(|(f, truth)| (if f.lr > t { f.share } else { 0.0 }, *truth)));
    let scores: Vec<f64> = SHARE_THRESHOLDS.iter().map(|&t| score(t)).collect();
    // Each threshold is judged with its neighbours (the middle of a plateau, not its edge).
    let last = scores.len() - 1;
    let smoothed = |i: usize| scores[i.saturating_sub(1)] + 2.0 * scores[i] + scores[(i + 1).min(last)];
    let best = (0..scores.len()).max_by(|&a, &b| smoothed(a).total_cmp(&smoothed(b))).unwrap_or(0);
    model.threshold = SHARE_THRESHOLDS[best];
    model
}

fn generate(specs: &[Spec], out: &Path) -> anyhow::Result<Vec<Dataset>> {
    use anyhow::Context as _;
    specs
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
        .collect()
}

/// Runs the benchmark and returns the score table as text.
///
/// # Errors
/// A run that fails, or an output file that cannot be written.
pub fn run(n: u32, seed: u64, out: &Path) -> anyhow::Result<String> {
    use anyhow::Context as _;
    std::fs::create_dir_all(out.join("runs")).with_context(|| format!("creating {}", out.display()))?;
    let n_train = n.max(1);
    let test_specs: Vec<Spec> = (0..n).map(|i| spec(i, seed)).collect();
    let train_specs: Vec<Spec> = (n..n + n_train).map(|i| spec(i, seed)).collect();
    let train = generate(&train_specs, out)?;
    let test = generate(&test_specs, out)?;
    // Fit on the training runs only.
    let mut th = tune_spoofing(&train);
    th.rush = train_rush(&train, &th);
    th = tune_kpi(&train, &th);
    th.share_model = train_share(&train);
    // Score on the held-out test runs.
    let per_run: Vec<(RunCounts, super::wash::ShareEstimate)> = test_specs
        .par_iter()
        .zip(&test)
        .map(|(s, d)| {
            let f = detect(d, &th);
            let path = out.join("runs").join(format!("{:03}", s.index)).join("alerts.csv");
            let mut w = std::io::BufWriter::new(std::fs::File::create(&path)?);
            super::write_alerts(&mut w, &f.alerts)?;
            Ok((counts(d, &f), f.share))
        })
        .collect::<std::io::Result<_>>()?;
    let rows: Vec<_> = pooled(per_run.iter().map(|r| &r.0)).iter().map(|(d, u, c)| c.row(d, u)).collect();
    let mut f = std::fs::File::create(out.join("scores.csv"))?;
    write_scores(&mut f, &rows)?;
    // Wash share, and what was drawn.
    let mut share =
        String::from("run,kind,label,true_share,estimated_share,error_pp,benford_raw,likelihood_ratio,mixture_share\n");
    let mut within = 0;
    for ((s, d), (_, est)) in test_specs.iter().zip(&test).zip(&per_run) {
        let truth = true_share(d);
        within += usize::from((est.share - truth).abs() <= 0.10);
        let _ = writeln!(
            share,
            "{},{},{},{truth:.4},{:.4},{:.2},{:.4},{:.2},{:.4}",
            s.index,
            s.kind,
            s.label,
            est.share,
            (est.share - truth) * 100.0,
            est.benford,
            est.fit.lr,
            est.fit.share
        );
    }
    std::fs::write(out.join("share.csv"), share)?;
    std::fs::write(out.join("share_model.txt"), th.share_model.to_text())?;
    let mut runs = String::from("run,split,run_seed,kind,label,trades,orders\n");
    for (split, specs, data) in [("test", &test_specs, &test), ("train", &train_specs, &train)] {
        for (s, d) in specs.iter().zip(data) {
            let _ = writeln!(
                runs,
                "{},{split},{},{},{},{},{}",
                s.index,
                run_seed(seed, s.index),
                s.kind,
                s.label,
                d.trades.len(),
                d.orders.len()
            );
        }
    }
    std::fs::write(out.join("runs.csv"), runs)?;
    let mut table = format!(
        "held-out test runs 0..{} (run seeds {seed}×1000003 + index); fitted on training runs {}..{}\n\
         {:<22} {:<6} {:>9} {:>7} {:>6} {:>10} {:>7} {:>8}\n",
        n - 1,
        n,
        n + n_train - 1,
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
    let _ = writeln!(
        table,
        "fitted: spoofing size_x={} imbalance={} life_s={} window_s={}",
        th.spoof_size_x, th.spoof_imbalance, th.spoof_life_s, th.spoof_window_s
    );
    let _ = writeln!(table, "fitted: {:?}", th.rush);
    let _ = writeln!(
        table,
        "fitted: kpi_gaming presence={} peak_x={} park_share={}",
        th.kpi_presence, th.kpi_peak_x, th.kpi_park_share
    );
    let _ = writeln!(table, "fitted: wash share {:?}", th.share_model);
    let _ = writeln!(
        table,
        "wash share from sizes within ±10 pp of the truth on {within} of {n} test runs ({:.0}%)",
        100.0 * within as f64 / n.max(1) as f64
    );
    std::fs::write(out.join("scores.txt"), &table)?;
    Ok(table)
}
