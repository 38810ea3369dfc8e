//! A sweep expanded into runs: the points (grid product crossed with random samples), each run's
//! seed, the shards, and the check that every value suits the scenario before anything runs.
//!
//! Points are numbered from 0: the grid's cartesian product with its first key varying slowest and
//! its last fastest (file order), each grid point crossed with the `n` random samples. Run `r` is
//! replicate `r % replicates` of point `r / replicates`; shard `K/N` (1-based) runs every `r` with
//! `r % N == K − 1`, so costly corners of a grid spread over the shards. A run's seed depends only
//! on the sweep's seed, its point number and its replicate ([`run_seed`]), never on the jobs or
//! shards that ran it.

use std::path::Path;

use rand::RngExt;
use toml::Value;

use super::locate::{Loc, Problems};
pub use super::shard::Shard;
use super::spec::{self, RangeSpec, SweepSpec};
use crate::rng::{stream_id, AgentRng};
use crate::scenario::{self, Override, Position, Problem, Scenario, ScenarioError};

/// At most this many points per sweep.
pub const MAX_POINTS: u64 = 100_000;
/// At most this many runs (points × replicates) per sweep.
pub const MAX_RUNS: u64 = 1_000_000;
/// At most this many problems are listed.
const MAX_PROBLEMS: usize = 50;

/// One point: a value per parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Values aligned with [`Plan::params`].
    pub values: Vec<Value>,
    /// A stable hash of the parameters and values (16 hex digits), naming its report directory.
    pub id: String,
}

/// A loaded, checked and expanded sweep.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The scenario file's display name.
    pub file: String,
    src: String,
    base: Vec<Override>,
    /// The base scenario (with the `--set` overrides, without sweep values).
    pub scenario: Scenario,
    /// The checked `[sweep]` table.
    pub spec: SweepSpec,
    /// Parameter keys: the grid's, then the random ranges'.
    pub params: Vec<String>,
    /// How many of `params` are grid parameters.
    pub grid_params: usize,
    /// The points, in order.
    pub points: Vec<Point>,
    /// Identifies the file text, the overrides and the mmsim version (shards must agree on it).
    pub fingerprint: String,
    /// Where each parameter's values are (grid: per value; random: the range), for messages.
    value_at: Vec<Vec<Option<Position>>>,
    /// Grid parameters that set a group's `kind`.
    kind_axes: Vec<KindAxis>,
}

/// A grid parameter `agents.<group>.kind`: at each point the group's tables of the axis's other
/// kinds stay in the file, so they are given to the loader as `alternatives` (which only
/// `--counterfactual` reads; the run is that of the point's kind).
#[derive(Clone, Debug)]
struct KindAxis {
    /// Index of the parameter.
    param: usize,
    /// `agents.<group>.alternatives`.
    key: String,
    /// The group's own `alternatives` and kind tables in the file.
    listed: Vec<String>,
}

/// For each grid key `agents.<group>.kind`, the group's `alternatives` with every kind table it
/// has (its file kind's excepted), so the base scenario loads with them.
fn base_kind_overrides(table: &toml::Table) -> Vec<Override> {
    fn keys(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        match v {
            Value::Table(t) => {
                for (k, v) in t {
                    path.extend(k.split('.').map(|s| s.trim().to_string()));
                    keys(v, path, out);
                    path.truncate(path.len() - k.split('.').count());
                }
            }
            Value::Array(_) => out.push(path.clone()),
            _ => {}
        }
    }
    let mut found = Vec::new();
    if let Some(grid) = table.get("sweep").and_then(|s| s.get("grid")) {
        keys(grid, &mut Vec::new(), &mut found);
    }
    let mut out = Vec::new();
    for path in found {
        let [agents, group, kind] = &path[..] else { continue };
        if agents != "agents" || kind != "kind" {
            continue;
        }
        let entry = table
            .get("agents")
            .and_then(Value::as_array)
            .and_then(|items| items.iter().find(|v| v.get("name").and_then(Value::as_str) == Some(group.as_str())));
        let Some(entry) = entry.and_then(Value::as_table) else { continue };
        let own = entry.get("kind").and_then(Value::as_str).unwrap_or_default();
        let mut list: Vec<Value> = entry.get("alternatives").and_then(Value::as_array).cloned().unwrap_or_default();
        for k in entry.keys() {
            let v = Value::String(k.clone());
            if k != own && k.parse::<crate::agents::AgentKind>().is_ok() && !list.contains(&v) {
                list.push(v);
            }
        }
        out.push(Override { key: format!("agents.{group}.alternatives"), value: Value::Array(list).to_string() });
    }
    out
}

/// Same key path, ignoring blanks around the dots.
fn same_key(a: &str, b: &str) -> bool {
    a.split('.').map(str::trim).eq(b.split('.').map(str::trim))
}

/// A `--set` on a key the sweep varies is an error: the sweep would silently override it.
fn check_set_conflicts(
    params: &[String],
    value_at: &[Vec<Option<Position>>],
    overrides: &[Override],
    grid_params: usize,
    p: &mut Problems<'_>,
) {
    for ov in overrides {
        if let Some(i) = params.iter().position(|k| same_key(k, &ov.key)) {
            let table = if i < grid_params { "grid" } else { "random.ranges" };
            let at = value_at[i].first().copied().flatten();
            p.add(
                &format!("sweep.{table}.{}", params[i]),
                at,
                format!("also set by --set {ov}: a key is either varied by the sweep or set; drop one of them"),
            );
        }
    }
}

/// Finds the grid parameters `agents.<group>.kind` and checks that the group has the parameter
/// table of every kind the axis takes (`idle` has none), so no point runs on silent defaults.
fn kind_axes(table: &toml::Table, spec: &SweepSpec, p: &mut Problems<'_>) -> Vec<KindAxis> {
    let mut axes = Vec::new();
    for (i, g) in spec.grid.iter().enumerate() {
        let parts: Vec<&str> = g.key.split('.').map(str::trim).collect();
        let [agents, group, kind] = parts[..] else { continue };
        if agents != "agents" || kind != "kind" {
            continue;
        }
        let entry = table
            .get("agents")
            .and_then(Value::as_array)
            .and_then(|items| items.iter().find(|v| v.get("name").and_then(Value::as_str) == Some(group)));
        let Some(entry) = entry else { continue }; // the loader names the unknown group
        for (k, v) in g.values.iter().enumerate() {
            let Some(name) = v.as_str() else { continue }; // the loader reports the type
            if name != "idle" && name.parse::<crate::agents::AgentKind>().is_ok() && entry.get(name).is_none() {
                p.add(
                    &format!("sweep.grid.{}", g.key),
                    g.value_at.get(k).copied().flatten(),
                    format!(
                        "value \"{name}\": group `{group}` has no [agents.{name}] table; add it under the group \
                         (even empty, to run on the defaults) so every point's parameters are in the file"
                    ),
                );
            }
        }
        let mut listed: Vec<String> = entry
            .get("alternatives")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        // The group's kind tables in the file (the file's own kind's included).
        let tables = entry.as_table().into_iter().flat_map(|t| t.keys());
        listed.extend(tables.filter(|k| k.parse::<crate::agents::AgentKind>().is_ok()).cloned());
        axes.push(KindAxis { param: i, key: format!("agents.{group}.alternatives"), listed });
    }
    axes
}

/// A parameter value as an override's VALUE (TOML syntax: strings quoted).
pub fn value_text(v: &Value) -> String {
    v.to_string()
}

/// A parameter value as shown in CSV files and messages (strings without quotes).
pub fn value_display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// SplitMix64's output function applied to `x + γ`.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The seed of replicate `replicate` of point `point`: SplitMix64 chained over the sweep's seed,
/// the point number and the replicate, cut to 63 bits (TOML integers are signed).
pub fn run_seed(sweep_seed: u64, point: usize, replicate: u32) -> u64 {
    let h = splitmix64(splitmix64(sweep_seed) ^ point as u64);
    splitmix64(h ^ u64::from(replicate)) >> 1
}

impl Plan {
    /// Loads the scenario at `path` with `overrides`, checks its `[sweep]` table and every value
    /// against the scenario, and expands the points.
    ///
    /// # Errors
    /// [`ScenarioError`] with every problem found, placed at its key in the file.
    pub fn load(path: &Path, overrides: &[Override]) -> Result<Plan, ScenarioError> {
        let src =
            std::fs::read_to_string(path).map_err(|source| ScenarioError::Read { path: path.to_path_buf(), source })?;
        Plan::load_str(&src, &path.display().to_string(), overrides)
    }

    /// [`Plan::load`] from the file's text; `file` names it in messages.
    ///
    /// # Errors
    /// As [`Plan::load`].
    pub fn load_str(src: &str, file: &str, overrides: &[Override]) -> Result<Plan, ScenarioError> {
        let invalid = |problems: Vec<Problem>| ScenarioError::Invalid { file: file.to_string(), problems };
        if let Some(ov) = overrides.iter().find(|o| o.key == "sweep" || o.key.starts_with("sweep.")) {
            let mut p = Problem::new(file, Some(ov.key.clone()), "edit the [sweep] table in the file instead");
            p.set_by = Some(ov.to_string());
            return Err(invalid(vec![p]));
        }
        let table: toml::Table =
            toml::from_str(src).map_err(|e| invalid(vec![Problem::new(file, None, e.to_string())]))?;
        // A group whose kind is swept keeps the other kinds' tables: the base accepts them too.
        let mut base_all = overrides.to_vec();
        base_all.extend(base_kind_overrides(&table));
        let scenario = scenario::load_str(src, file, &base_all)?;
        if !table.contains_key("sweep") {
            let message = "no [sweep] table: add one (e.g. [sweep.grid] \"agents.retail.count\" = [50, 100]), \
                           or use `mmsim run` for a single run";
            return Err(invalid(vec![Problem::new(file, Some("sweep".into()), message)]));
        }
        let loc = Loc::of_sweep(src);
        let mut problems = Problems::new(file, src);
        let spec = spec::parse(table.get("sweep").and_then(Value::as_table), &loc, &scenario, &mut problems);
        let mut params: Vec<String> = spec.grid.iter().map(|g| g.key.clone()).collect();
        let mut value_at: Vec<Vec<Option<Position>>> = spec.grid.iter().map(|g| g.value_at.clone()).collect();
        let ranges: &[RangeSpec] = spec.random.as_ref().map_or(&[], |r| &r.ranges);
        params.extend(ranges.iter().map(|r| r.key.clone()));
        value_at.extend(ranges.iter().map(|r| vec![r.at]));
        check_set_conflicts(&params, &value_at, overrides, spec.grid.len(), &mut problems);
        let kind_axes = kind_axes(&table, &spec, &mut problems);
        let fingerprint = format!("{:016x}", fingerprint(src, overrides));
        let mut plan = Plan {
            file: file.to_string(),
            src: src.to_string(),
            base: overrides.to_vec(),
            scenario,
            grid_params: spec.grid.len(),
            spec,
            params,
            points: Vec::new(),
            fingerprint,
            value_at,
            kind_axes,
        };
        plan.check_size(&loc, &mut problems);
        plan.check_values(&mut problems.list);
        if !problems.list.is_empty() {
            let mut list = problems.list;
            list.sort_by_key(|p| p.position.map_or((usize::MAX, 0), |at| (at.line, at.column)));
            return Err(invalid(list));
        }
        plan.points = plan.expand();
        Ok(plan)
    }

    fn check_size(&self, loc: &Loc, p: &mut Problems<'_>) {
        let grid = self.spec.grid.iter().try_fold(1u64, |a, g| a.checked_mul(g.values.len() as u64));
        let n = self.spec.random.as_ref().map_or(1, |r| u64::from(r.n));
        let points = grid.and_then(|g| g.checked_mul(n)).unwrap_or(u64::MAX);
        let runs = points.saturating_mul(u64::from(self.spec.replicates));
        if points > MAX_POINTS || runs > MAX_RUNS {
            let at = p.pos(loc.key_offset());
            p.add(
                "sweep",
                at,
                format!(
                    "{points} points × {} replicates is too large: at most {MAX_POINTS} points and {MAX_RUNS} runs",
                    self.spec.replicates
                ),
            );
        }
    }

    /// Loads the scenario once per grid value and per range end, so a bad value is reported at
    /// its place in the grid before any run.
    fn check_values(&self, out: &mut Vec<Problem>) {
        // A problem with the key itself (an unknown group, say) is the same for every value: once.
        let inner = |p: &Problem| p.message.split_once(": ").map_or(String::new(), |(_, m)| m.to_string());
        for (i, g) in self.spec.grid.iter().enumerate() {
            let mut found = Vec::new();
            for v in &g.values {
                self.check_point(&[(i, v.clone())], &mut found);
            }
            for (k, p) in found.iter().enumerate() {
                if !found[..k].iter().any(|q| q.key == p.key && inner(q) == inner(p)) && out.len() < MAX_PROBLEMS {
                    out.push(p.clone());
                }
            }
        }
        let ranges: &[RangeSpec] = self.spec.random.as_ref().map_or(&[], |r| &r.ranges);
        for (j, r) in ranges.iter().enumerate() {
            for end in [r.low, r.high] {
                self.check_point(&[(self.grid_params + j, sample_value(r, end))], out);
            }
        }
    }

    /// Loads the scenario with `values` (parameter index, value); problems caused by a value are
    /// placed at that value in `[sweep]`.
    pub(crate) fn check_point(&self, values: &[(usize, Value)], out: &mut Vec<Problem>) {
        let ovs: Vec<Override> =
            values.iter().map(|(i, v)| Override { key: self.params[*i].clone(), value: value_text(v) }).collect();
        let mut all = self.base.clone();
        all.extend(ovs.iter().cloned());
        all.extend(self.kind_overrides(values.iter().map(|(i, v)| (*i, v))));
        let Err(e) = scenario::load_str(&self.src, &self.file, &all) else { return };
        for mut p in e.problems().iter().cloned() {
            let culprit = ovs.iter().position(|o| p.set_by.as_deref() == Some(o.to_string().as_str()));
            match culprit {
                Some(c) => {
                    let (i, v) = &values[c];
                    let pos = self.value_position(*i, v);
                    let table = if *i < self.grid_params { "grid" } else { "random.ranges" };
                    let inner = match &p.key {
                        Some(k) if *k != self.params[*i] => format!("{k}: {}", p.message),
                        _ => p.message.clone(),
                    };
                    let others: Vec<String> =
                        ovs.iter().enumerate().filter(|(k, _)| *k != c).map(|(_, o)| o.to_string()).collect();
                    let with = if others.is_empty() {
                        String::new()
                    } else {
                        format!(" (at the point with {})", others.join(", "))
                    };
                    let message = format!("value {}: {inner}{with}", value_text(v));
                    p = Problem::new(&self.file, Some(format!("sweep.{table}.{}", self.params[*i])), message);
                    p.position = pos;
                }
                None => {
                    let shown: Vec<String> = ovs.iter().map(Override::to_string).collect();
                    p.message = format!("{} (with sweep values {})", p.message, shown.join(", "));
                }
            }
            if out.len() < MAX_PROBLEMS && !out.contains(&p) {
                out.push(p);
            }
        }
    }

    fn value_position(&self, param: usize, v: &Value) -> Option<Position> {
        let at = &self.value_at[param];
        match self.spec.grid.get(param) {
            Some(g) => g.values.iter().position(|x| x == v).and_then(|k| at.get(k).copied().flatten()),
            None => at.first().copied().flatten(),
        }
    }

    /// Loads every point with all its values together (values were checked one at a time when
    /// the plan was loaded; this finds combinations the scenario rejects). Call it inside the
    /// thread pool that will run the sweep: it loads the points in parallel.
    ///
    /// # Errors
    /// [`ScenarioError::Invalid`] with the problems of the first failing points.
    pub fn check_points(&self) -> Result<(), ScenarioError> {
        use rayon::prelude::*;
        if self.params.len() < 2 {
            return Ok(());
        }
        let problems: Vec<Problem> = (0..self.points.len())
            .into_par_iter()
            .flat_map_iter(|i| {
                let mut out = Vec::new();
                let values: Vec<(usize, Value)> = self.points[i].values.iter().cloned().enumerate().collect();
                self.check_point(&values, &mut out);
                out
            })
            .collect();
        let mut unique: Vec<Problem> = Vec::new();
        for p in problems {
            if unique.len() < MAX_PROBLEMS && !unique.contains(&p) {
                unique.push(p);
            }
        }
        if unique.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError::Invalid { file: self.file.clone(), problems: unique })
        }
    }

    fn expand(&self) -> Vec<Point> {
        let mut grid: Vec<Vec<Value>> = vec![Vec::new()];
        for g in &self.spec.grid {
            grid = grid
                .iter()
                .flat_map(|prefix| g.values.iter().map(move |v| [&prefix[..], std::slice::from_ref(v)].concat()))
                .collect();
        }
        let samples = match &self.spec.random {
            Some(r) => {
                let mut rng = AgentRng::new(r.seed, "sweep.random");
                (0..r.n)
                    .map(|_| r.ranges.iter().map(|range| sample_value(range, draw(range, &mut rng))).collect())
                    .collect()
            }
            None => vec![Vec::new()],
        };
        let mut points = Vec::with_capacity(grid.len() * samples.len());
        for g in &grid {
            for s in &samples {
                let values: Vec<Value> = g.iter().chain(s.iter()).cloned().collect();
                let canonical: String =
                    self.params.iter().zip(&values).map(|(k, v)| format!("{k}={}\n", value_text(v))).collect();
                points.push(Point { values, id: format!("{:016x}", stream_id(&canonical)) });
            }
        }
        points
    }

    /// The sweep's provenance (for `sweep.json`), the scenario read from `path`.
    pub fn provenance(&self, path: Option<&Path>) -> crate::provenance::Provenance {
        crate::provenance::Provenance::new(path, &self.src, &self.base, self.spec.seed)
    }

    /// The effective scenario (the file with the `--set` overrides, `[sweep]` kept) for the
    /// sweep's `scenario.toml`.
    ///
    /// # Errors
    /// Not expected once the plan loaded.
    pub fn effective_toml(&self) -> Result<String, ScenarioError> {
        scenario::effective_toml(&self.src, &self.file, &self.base, true).map(|t| crate::provenance::with_header(&t))
    }

    /// The origin of run (`point`, `replicate`): its effective scenario (the point's values and
    /// seed applied, no `[sweep]`) and the sweep's provenance with the run's seed.
    ///
    /// # Errors
    /// Not expected once the plan loaded.
    pub fn run_origin(
        &self,
        point: usize,
        replicate: u32,
        provenance: Option<&crate::provenance::Provenance>,
    ) -> Result<crate::provenance::Origin, ScenarioError> {
        let mut all = self.base.clone();
        for (k, v) in self.params.iter().zip(&self.points[point].values) {
            all.push(Override { key: k.clone(), value: value_text(v) });
        }
        all.extend(self.kind_overrides(self.points[point].values.iter().enumerate()));
        all.push(Override { key: "market.seed".into(), value: self.seed(point, replicate).to_string() });
        let text = scenario::effective_toml(&self.src, &self.file, &all, false)?;
        let mut provenance = provenance.cloned().unwrap_or_else(|| self.provenance(None));
        provenance.seed = self.seed(point, replicate);
        provenance.overrides = all.iter().map(Override::to_string).collect();
        Ok(crate::provenance::Origin { provenance, scenario_toml: crate::provenance::with_header(&text) })
    }

    /// Runs in the whole sweep.
    pub fn runs_total(&self) -> u64 {
        self.points.len() as u64 * u64::from(self.spec.replicates)
    }

    /// The (point, replicate) pairs of `shard`, in run order.
    pub fn runs(&self, shard: Shard) -> Vec<(usize, u32)> {
        let reps = u64::from(self.spec.replicates);
        (0..self.runs_total())
            .filter(|&r| shard.contains(r))
            .map(|r| ((r / reps) as usize, (r % reps) as u32))
            .collect()
    }

    /// The seed of a run.
    pub fn seed(&self, point: usize, replicate: u32) -> u64 {
        run_seed(self.spec.seed, point, replicate)
    }

    /// The scenario of one run: the base with the point's values and the run's seed.
    ///
    /// # Errors
    /// Not expected once the plan is checked; a scenario error otherwise.
    pub fn scenario(&self, point: usize, replicate: u32) -> Result<Scenario, ScenarioError> {
        let mut all = self.base.clone();
        for (k, v) in self.params.iter().zip(&self.points[point].values) {
            all.push(Override { key: k.clone(), value: value_text(v) });
        }
        all.extend(self.kind_overrides(self.points[point].values.iter().enumerate()));
        all.push(Override { key: "market.seed".into(), value: self.seed(point, replicate).to_string() });
        scenario::load_str(&self.src, &self.file, &all)
    }

    /// The overrides a point needs besides its values: for each kind axis, the group's
    /// `alternatives` with the axis's other kinds (their tables stay in the file).
    fn kind_overrides<'v>(&self, values: impl Iterator<Item = (usize, &'v Value)>) -> Vec<Override> {
        let mut out = Vec::new();
        for (i, v) in values {
            let Some(axis) = self.kind_axes.iter().find(|a| a.param == i) else { continue };
            let own = v.as_str().unwrap_or_default();
            let mut alternatives: Vec<&str> = Vec::new();
            for k in &axis.listed {
                if k != own && !alternatives.contains(&k.as_str()) {
                    alternatives.push(k);
                }
            }
            let list = Value::Array(alternatives.iter().map(|k| Value::String(k.to_string())).collect());
            out.push(Override { key: axis.key.clone(), value: list.to_string() });
        }
        out
    }

    /// The name of point `point`'s report directory: its parameters as `key=value`, joined by
    /// `,` (characters other than letters, digits, `.`, `_`, `-` and `=` become `_`; a name over
    /// 150 characters is cut and ends in `~<point>`).
    pub fn point_dir_name(&self, point: usize) -> String {
        let pairs: Vec<String> = self
            .params
            .iter()
            .zip(&self.points[point].values)
            .map(|(k, v)| format!("{k}={}", value_display(v)))
            .collect();
        let mut name: String = pairs
            .join(",")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || "._-=,".contains(c) { c } else { '_' })
            .collect();
        if name.is_empty() {
            name = format!("point-{point}");
        } else if name.len() > 150 {
            name.truncate(140);
            name = format!("{name}~{point}");
        }
        name
    }
}

/// A uniform draw in `[0, 1)` mapped onto the range (before rounding).
fn draw(r: &RangeSpec, rng: &mut AgentRng) -> f64 {
    let u: f64 = rng.random();
    if r.integer && !r.log {
        return (r.low + (u * (r.high - r.low + 1.0)).floor()).min(r.high);
    }
    if r.log {
        (r.low.ln() + u * (r.high.ln() - r.low.ln())).exp()
    } else {
        r.low + u * (r.high - r.low)
    }
}

/// A sampled number as a TOML value: a whole number for integer ranges, else rounded to six
/// significant digits (so it prints short and reads back exactly), within the bounds.
fn sample_value(r: &RangeSpec, x: f64) -> Value {
    if r.integer {
        return Value::Integer(x.round().clamp(r.low, r.high) as i64);
    }
    let rounded: f64 = format!("{x:.5e}").parse().unwrap_or(x);
    Value::Float(rounded.clamp(r.low, r.high))
}

/// FNV-1a over the mmsim version, the file text and the overrides.
fn fingerprint(src: &str, overrides: &[Override]) -> u64 {
    let shown: Vec<String> = overrides.iter().map(Override::to_string).collect();
    stream_id(&format!("mmsim {}\0{src}\0{}", env!("CARGO_PKG_VERSION"), shown.join("\0")))
}
