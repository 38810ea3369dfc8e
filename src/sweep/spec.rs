//! The `[sweep]` table as written, checked and turned into a [`SweepSpec`].
//!
//! Every problem is collected with its file position (see the `locate` module), so one
//! `mmsim sweep` lists them all before anything runs. This module checks the table's own shape
//! (known keys, types, non-empty lists, ranges); whether each value suits the scenario key it is
//! for is checked in [`super::plan`] by loading the scenario with it.

use toml::Value;

use super::locate::{Loc, Problems};
use super::metrics::{self, MetricColumn};
use crate::scenario::{Position, Scenario};

/// At most this many replicates per point.
pub const MAX_REPLICATES: u32 = 10_000;

/// Keys the `[sweep]` table accepts.
const KEYS: [&str; 7] = ["seed", "replicates", "grid", "random", "metrics", "heatmap_metric", "best"];

/// Which end of the chart metric `--charts-for BEST` picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Best {
    /// The highest mean is best (the default).
    Max,
    /// The lowest mean is best (e.g. for `max_drawdown`).
    Min,
}

impl Best {
    /// `"max"` or `"min"`, as written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Best::Max => "max",
            Best::Min => "min",
        }
    }
}

/// One grid parameter: a scenario key path and the values it takes, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The `--set` key path, e.g. `agents.retail.count`.
    pub key: String,
    /// Its values.
    pub values: Vec<Value>,
    /// Where each value is in the file.
    pub(crate) value_at: Vec<Option<Position>>,
}

/// A parameter sampled uniformly between two bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeSpec {
    /// The `--set` key path.
    pub key: String,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// Log-uniform instead of uniform.
    pub log: bool,
    /// Both bounds are integers: samples are whole numbers.
    pub integer: bool,
    /// Where the range is in the file.
    pub(crate) at: Option<Position>,
}

/// `[sweep.random]`: `n` points with every range sampled, from their own seed.
#[derive(Clone, Debug, PartialEq)]
pub struct RandomSpec {
    /// Number of points.
    pub n: u32,
    /// Seed of the sampling (default: the sweep's seed).
    pub seed: u64,
    /// The ranges, in file order.
    pub ranges: Vec<RangeSpec>,
}

/// A checked `[sweep]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSpec {
    /// Seed every run's seed derives from (default: the scenario's `market.seed`).
    pub seed: u64,
    /// Runs per point, each with its own seed.
    pub replicates: u32,
    /// Grid parameters (the points are their cartesian product), in file order.
    pub grid: Vec<Param>,
    /// Randomly sampled parameters, crossed with the grid.
    pub random: Option<RandomSpec>,
    /// The metric columns recorded for every run.
    pub columns: Vec<MetricColumn>,
    /// The column the heatmap, the band chart and `--charts-for` use.
    pub chart_metric: String,
    /// Which end of `chart_metric` is best.
    pub best: Best,
}

/// Checks `[sweep]` (absent: one point, one replicate, the default metrics) for `base`.
pub(crate) fn parse(table: Option<&toml::Table>, loc: &Loc, base: &Scenario, p: &mut Problems<'_>) -> SweepSpec {
    let empty = toml::Table::new();
    let t = table.unwrap_or(&empty);
    for key in ordered_keys(t, Some(loc)) {
        if !KEYS.contains(&key.as_str()) {
            let at = p.pos(loc.child(&key).and_then(Loc::key_offset));
            p.add(&format!("sweep.{key}"), at, format!("unknown key; the [sweep] keys are: {}", KEYS.join(", ")));
        }
    }
    let seed = t.get("seed").map_or(Some(base.seed), |v| seed(v, "sweep.seed", loc.child("seed"), p));
    let seed = seed.unwrap_or(base.seed);
    let replicates = match t.get("replicates") {
        None => 1,
        Some(v) => match v.as_integer() {
            Some(n) if (1..=i64::from(MAX_REPLICATES)).contains(&n) => n as u32,
            _ => {
                p.at(
                    "sweep.replicates",
                    loc.child("replicates"),
                    format!("expected an integer in 1..={MAX_REPLICATES}, got {v}"),
                );
                1
            }
        },
    };
    let mut grid = Vec::new();
    if let Some(v) = t.get("grid") {
        let mut path = Vec::new();
        flatten_grid(v, loc.child("grid"), &mut path, &mut grid, p);
        if grid.is_empty() && v.as_table().is_some() {
            p.at(
                "sweep.grid",
                loc.child("grid"),
                "no parameters: add `KEY = [values]`, e.g. \"agents.retail.count\" = [50, 100]",
            );
        }
    }
    let random = t.get("random").and_then(|v| random(v, loc.child("random"), seed, p));
    check_keys(&grid, random.as_ref(), p);
    let (columns, chart_metric) = metric_columns(t, loc, base, p);
    let best = match t.get("best") {
        None => Best::Max,
        Some(v) => match v.as_str() {
            Some("max") => Best::Max,
            Some("min") => Best::Min,
            _ => {
                p.at("sweep.best", loc.child("best"), format!("expected \"max\" or \"min\", got {v}"));
                Best::Max
            }
        },
    };
    SweepSpec { seed, replicates, grid, random, columns, chart_metric, best }
}

/// A table's keys in file order (keys the file does not place go last, by name).
fn ordered_keys(t: &toml::Table, loc: Option<&Loc>) -> Vec<String> {
    let mut keys: Vec<String> = t.keys().cloned().collect();
    keys.sort_by_key(|k| (loc.and_then(|l| l.child(k)).map_or(usize::MAX, Loc::order), k.clone()));
    keys
}

fn seed(v: &Value, key: &str, loc: Option<&Loc>, p: &mut Problems<'_>) -> Option<u64> {
    match v.as_integer() {
        Some(n) if n >= 0 => Some(n as u64),
        _ => {
            p.at(key, loc, format!("expected an integer ≥ 0, got {v}"));
            None
        }
    }
}

/// Walks `[sweep.grid]`: nested tables are dotted key paths, arrays are parameters.
fn flatten_grid(v: &Value, loc: Option<&Loc>, path: &mut Vec<String>, out: &mut Vec<Param>, p: &mut Problems<'_>) {
    let shown = if path.is_empty() { "sweep.grid".to_string() } else { format!("sweep.grid.{}", path.join(".")) };
    match v {
        Value::Table(t) => {
            for k in ordered_keys(t, loc) {
                path.push(k.clone());
                flatten_grid(&t[&k], loc.and_then(|l| l.child(&k)), path, out, p);
                path.pop();
            }
        }
        Value::Array(_) if path.is_empty() => {
            p.at(&shown, loc, "expected a table of `KEY = [values]`, e.g. \"agents.retail.count\" = [50, 100]");
        }
        Value::Array(items) if items.is_empty() => {
            p.at(&shown, loc, "empty list: give at least one value");
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if let Some(j) = items[..i].iter().position(|x| x == item) {
                    let at = loc.and_then(|l| l.elem(i));
                    p.at(&shown, at, format!("value {item} appears twice (values {} and {})", j + 1, i + 1));
                }
            }
            let value_at = (0..items.len()).map(|i| p.pos(loc.and_then(|l| l.elem(i)).and_then(Loc::offset))).collect();
            out.push(Param { key: path.join("."), values: items.clone(), value_at });
        }
        other => p.at(&shown, loc, format!("expected a list of values, e.g. [1, 2, 3], got {other}")),
    }
}

/// `[sweep.random]`: `n`, `seed` and `[sweep.random.ranges]`.
fn random(v: &Value, loc: Option<&Loc>, sweep_seed: u64, p: &mut Problems<'_>) -> Option<RandomSpec> {
    let Some(t) = v.as_table() else {
        p.at("sweep.random", loc, "expected a table with n, seed and [sweep.random.ranges]");
        return None;
    };
    let child = |k: &str| loc.and_then(|l| l.child(k));
    for key in ordered_keys(t, loc) {
        if !["n", "seed", "ranges"].contains(&key.as_str()) {
            let at = p.pos(child(&key).and_then(Loc::key_offset));
            p.add(&format!("sweep.random.{key}"), at, "unknown key; [sweep.random] takes n, seed and ranges");
        }
    }
    let n = match t.get("n").map(|v| (v, v.as_integer())) {
        Some((_, Some(n))) if n >= 1 && n <= i64::from(u32::MAX) => n as u32,
        Some((v, _)) => {
            p.at("sweep.random.n", child("n"), format!("expected an integer ≥ 1, got {v}"));
            return None;
        }
        None => {
            p.at("sweep.random", loc, "missing `n`: the number of points to sample");
            return None;
        }
    };
    let seed = t.get("seed").map_or(Some(sweep_seed), |v| seed(v, "sweep.random.seed", child("seed"), p))?;
    let mut ranges = Vec::new();
    let before = p.list.len();
    match t.get("ranges") {
        Some(v @ Value::Table(_)) => flatten_ranges(v, child("ranges"), &mut Vec::new(), &mut ranges, p),
        Some(other) => p.at("sweep.random.ranges", child("ranges"), format!("expected a table, got {other}")),
        None => {}
    }
    if ranges.is_empty() && p.list.len() == before {
        p.at("sweep.random", loc, "no ranges: add [sweep.random.ranges] \"KEY\" = { low = 1, high = 10 }");
    }
    if ranges.is_empty() {
        return None;
    }
    Some(RandomSpec { n, seed, ranges })
}

fn flatten_ranges(
    v: &Value,
    loc: Option<&Loc>,
    path: &mut Vec<String>,
    out: &mut Vec<RangeSpec>,
    p: &mut Problems<'_>,
) {
    let shown = format!("sweep.random.ranges.{}", path.join("."));
    let Some(t) = v.as_table() else {
        p.at(&shown, loc, format!("expected {{ low = …, high = …, scale = \"linear\" | \"log\" }}, got {v}"));
        return;
    };
    if !(t.contains_key("low") || t.contains_key("high")) {
        for k in ordered_keys(t, loc) {
            path.push(k.clone());
            flatten_ranges(&t[&k], loc.and_then(|l| l.child(&k)), path, out, p);
            path.pop();
        }
        return;
    }
    let before = p.list.len();
    for k in ordered_keys(t, loc) {
        if !["low", "high", "scale"].contains(&k.as_str()) {
            p.at(
                &format!("{shown}.{k}"),
                loc.and_then(|l| l.child(&k)),
                "unknown key; a range takes low, high and scale",
            );
        }
    }
    let mut bound = |name: &str| -> Option<(f64, bool)> {
        let found = match t.get(name) {
            Some(Value::Integer(i)) => Some((*i as f64, true)),
            Some(Value::Float(f)) if f.is_finite() => Some((*f, false)),
            _ => None,
        };
        if found.is_none() {
            p.at(&format!("{shown}.{name}"), loc.and_then(|l| l.child(name)).or(loc), "expected a number");
        }
        found
    };
    let (low, high) = (bound("low"), bound("high"));
    let log = match t.get("scale").map(Value::as_str) {
        None | Some(Some("linear")) => false,
        Some(Some("log")) => true,
        Some(_) => {
            p.at(&format!("{shown}.scale"), loc.and_then(|l| l.child("scale")), "expected \"linear\" or \"log\"");
            false
        }
    };
    let (Some((low, li)), Some((high, hi))) = (low, high) else { return };
    if low > high {
        p.at(&shown, loc, format!("low ({low}) is above high ({high})"));
    }
    if log && low <= 0.0 {
        p.at(&shown, loc, format!("a log scale needs low > 0, got {low}"));
    }
    if p.list.len() == before {
        let at = p.pos(loc.and_then(Loc::offset));
        out.push(RangeSpec { key: path.join("."), low, high, log, integer: li && hi, at });
    }
}

/// Grid and random keys are distinct, and none is the seed (set per run) or the sweep itself.
fn check_keys(grid: &[Param], random: Option<&RandomSpec>, p: &mut Problems<'_>) {
    let ranges = random.map_or(&[][..], |r| &r.ranges[..]);
    let keys = grid.iter().map(|g| (g.key.as_str(), "grid", g.value_at.first().copied().flatten()));
    let keys = keys.chain(ranges.iter().map(|r| (r.key.as_str(), "random.ranges", r.at)));
    let mut seen: Vec<&str> = Vec::new();
    for (key, table, at) in keys {
        let shown = format!("sweep.{table}.{key}");
        if key == "market.seed" {
            p.add(&shown, at, "each run's seed is derived from the sweep's seed; use [sweep] seed and replicates");
        } else if key.starts_with("sweep.") || key == "sweep" {
            p.add(&shown, at, "a sweep cannot vary its own [sweep] table");
        } else if seen.contains(&key) {
            p.add(&shown, at, "this key is also varied elsewhere in [sweep]; give each key once");
        }
        seen.push(key);
    }
}

/// The metric columns and the chart metric.
fn metric_columns(t: &toml::Table, loc: &Loc, base: &Scenario, p: &mut Problems<'_>) -> (Vec<MetricColumn>, String) {
    let mut names: Vec<(String, Option<&Loc>)> = Vec::new();
    match t.get("metrics") {
        None => names = metrics::DEFAULT_METRICS.iter().map(|m| (m.to_string(), None)).collect(),
        Some(Value::Array(items)) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                let at = loc.child("metrics").and_then(|l| l.elem(i));
                match item.as_str() {
                    Some(s) if names.iter().any(|(n, _)| n == s) => {
                        p.at("sweep.metrics", at, format!("{s:?} is listed twice"))
                    }
                    Some(s) => names.push((s.to_string(), at)),
                    None => p.at("sweep.metrics", at, format!("expected a metric name (a string), got {item}")),
                }
            }
        }
        Some(other) => p.at(
            "sweep.metrics",
            loc.child("metrics"),
            format!("expected a non-empty list of metric names, got {other}"),
        ),
    }
    let mut columns = Vec::new();
    for (name, at) in &names {
        match metrics::expand(name, base) {
            Ok(cols) => columns.extend(cols),
            Err(message) => p.at("sweep.metrics", at.or(loc.child("metrics")), message),
        }
    }
    if columns.is_empty() && !names.is_empty() && p.list.is_empty() {
        let message = "these metrics give no column (mm_pnl needs a passive_mm, pump_dump or lend_and_dump group)";
        p.at("sweep.metrics", loc.child("metrics"), message);
    }
    let chart = match t.get("heatmap_metric") {
        None => columns.first().map(|c| c.name.clone()).unwrap_or_default(),
        Some(v) => {
            let wanted = v.as_str().unwrap_or_default();
            let found = columns.iter().find(|c| c.name == wanted);
            match found {
                Some(c) => c.name.clone(),
                None => {
                    let list: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
                    let message = format!("{v} is not a recorded metric; the columns are: {}", list.join(", "));
                    p.at("sweep.heatmap_metric", loc.child("heatmap_metric"), message);
                    String::new()
                }
            }
        }
    };
    (columns, chart)
}
