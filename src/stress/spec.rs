//! The `[stress]` table of a scenario and the checks of `--mm`: which playbooks, how many seeds,
//! the search budget, the horizon and any box overrides. Every problem is a located
//! [`ScenarioError`] (file, line and column, key path, what is allowed).
//!
//! ```toml
//! [stress]
//! playbooks = ["passive", "delta_hedge", "lend_and_dump"]   # default: every playbook
//! seeds = 8              # default 8: seeds first_seed .. first_seed + seeds − 1 (--seeds wins)
//! first_seed = 1         # default 1
//! budget = 30            # default 30 evaluations per playbook (--budget wins)
//! horizon = "14h"        # default: the scenario's duration (at most that)
//! [stress.box.lend_and_dump]
//! pump_target_multiple = [2, 10]   # narrow (or widen) one free parameter's box
//! [stress.grid]                    # optional: the verdict at every point (see `grid.rs`)
//! "contracts.loan.penalty_per_breach" = [0, 5000000]
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::playbook::{self, Dim, Playbook};
use crate::agents::AgentKind;
use crate::scenario::{Position, Problem, Scenario, ScenarioError};
use crate::units::Dur;

/// `[stress]` as written.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStress {
    playbooks: Option<Vec<Spanned<String>>>,
    seeds: Option<Spanned<u32>>,
    first_seed: Option<u64>,
    budget: Option<Spanned<u32>>,
    horizon: Option<Spanned<Dur>>,
    #[serde(rename = "box", default)]
    boxes: BTreeMap<String, BTreeMap<String, Spanned<[f64; 2]>>>,
    grid: Option<super::grid::RawGrid>,
}

#[derive(Debug, Default, Deserialize)]
struct File {
    #[serde(default)]
    stress: Option<Spanned<RawStress>>,
}

/// A validated stress test: playbooks with their boxes, seeds, budget, horizon.
#[derive(Clone, Debug, PartialEq)]
pub struct StressSpec {
    /// The playbooks to play, in [`playbook::PLAYBOOKS`] order, each with its (possibly narrowed) box.
    pub playbooks: Vec<(&'static Playbook, Vec<Dim>)>,
    /// The seeds every candidate runs on (common random numbers).
    pub seeds: Vec<u64>,
    /// Evaluations per playbook with free parameters.
    pub budget: u32,
    /// Simulated length of each run, in nanoseconds.
    pub horizon_ns: u64,
    /// `[stress.grid]`: the stress test at every point of a grid over scenario keys.
    pub grid: Option<super::grid::Grid>,
}

/// Most seeds and evaluations accepted (a stress test of 1,000 × 1,000 runs would never end).
pub const MAX_SEEDS: u32 = 1_000;
/// See [`MAX_SEEDS`].
pub const MAX_BUDGET: u32 = 1_000;

fn position(src: &str, offset: usize) -> Position {
    let before = &src[..offset.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Position { line, column }
}

/// Parses `[stress]` from the scenario text `src` (`file` names it; `overrides` are the command
/// line's, applied under every grid point), with the command line's `--seeds` and `--budget`
/// taking precedence.
///
/// # Errors
/// A located problem for each bad key, unknown playbook or box.
pub fn parse(
    src: &str,
    file: &str,
    scenario: &Scenario,
    overrides: &[crate::scenario::Override],
    seeds: Option<u32>,
    budget: Option<u32>,
) -> Result<StressSpec, ScenarioError> {
    let invalid = |problems: Vec<Problem>| ScenarioError::Invalid { file: file.to_string(), problems };
    let parsed: File = toml::from_str(src).map_err(|e| {
        let mut p = Problem::new(file, Some("stress".into()), e.message().to_string());
        p.position = e.span().map(|s| position(src, s.start));
        invalid(vec![p])
    })?;
    let raw = parsed.stress.map(Spanned::into_inner).unwrap_or_default();
    let mut problems = Vec::new();
    let mut at = |key: &str, offset: Option<usize>, message: String| {
        let mut p = Problem::new(file, Some(key.to_string()), message);
        p.position = offset.map(|o| position(src, o));
        problems.push(p);
    };
    let mut chosen: Vec<&'static Playbook> = Vec::new();
    match &raw.playbooks {
        None => chosen.extend(playbook::PLAYBOOKS.iter()),
        Some(list) => {
            for name in list {
                match playbook::find(name.get_ref()) {
                    Some(p) if chosen.contains(&p) => {
                        at("stress.playbooks", Some(name.span().start), format!("{:?} is listed twice", p.name))
                    }
                    Some(p) => chosen.push(p),
                    None => at(
                        "stress.playbooks",
                        Some(name.span().start),
                        format!("unknown playbook {:?}; the playbooks are: {}", name.get_ref(), playbook::names()),
                    ),
                }
            }
            if list.is_empty() {
                at(
                    "stress.playbooks",
                    None,
                    "is empty: list at least one playbook, or leave the key out for all".into(),
                );
            }
        }
    }
    chosen.sort_by_key(|p| playbook::PLAYBOOKS.iter().position(|q| q == *p));
    let n_seeds = seeds.or(raw.seeds.as_ref().map(|s| *s.get_ref())).unwrap_or(8);
    if !(1..=MAX_SEEDS).contains(&n_seeds) {
        let offset = raw.seeds.as_ref().filter(|_| seeds.is_none()).map(|s| s.span().start);
        at("stress.seeds", offset, format!("{n_seeds} seeds: allowed 1 to {MAX_SEEDS}"));
    }
    let budget = budget.or(raw.budget.as_ref().map(|b| *b.get_ref())).unwrap_or(30);
    if !(1..=MAX_BUDGET).contains(&budget) {
        at(
            "stress.budget",
            raw.budget.as_ref().map(|b| b.span().start),
            format!("{budget}: allowed 1 to {MAX_BUDGET}"),
        );
    }
    let duration = scenario.market.duration.nanos();
    let horizon_ns = raw.horizon.as_ref().map_or(duration, |h| h.get_ref().nanos());
    if horizon_ns == 0 || horizon_ns > duration {
        let offset = raw.horizon.as_ref().map(|h| h.span().start);
        at("stress.horizon", offset, "must be > 0 and at most the scenario's duration (market.duration)".into());
    }
    let mut playbooks: Vec<(&'static Playbook, Vec<Dim>)> = chosen.iter().map(|p| (*p, p.dims.to_vec())).collect();
    for (name, keys) in &raw.boxes {
        let Some(entry) = playbooks.iter_mut().find(|(p, _)| p.name == name) else {
            let offset = keys.values().next().map(|v| v.span().start);
            at(
                &format!("stress.box.{name}"),
                offset,
                format!("no playbook {name:?} is played; played: {}", list(&chosen)),
            );
            continue;
        };
        for (key, range) in keys {
            let offset = Some(range.span().start);
            let path = format!("stress.box.{name}.{key}");
            let Some(d) = entry.1.iter_mut().find(|d| d.key == key) else {
                let allowed: Vec<&str> = entry.0.dims.iter().map(|d| d.key).collect();
                let allowed = if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") };
                at(&path, offset, format!("{name} has no free parameter {key:?}; its parameters are: {allowed}"));
                continue;
            };
            let [lo, hi] = *range.get_ref();
            if !(lo.is_finite() && hi.is_finite() && lo <= hi) || (d.log && lo <= 0.0) {
                at(
                    &path,
                    offset,
                    format!(
                        "[{lo}, {hi}] is not a box: write [low, high] with low ≤ high{}",
                        if d.log { " and low > 0" } else { "" }
                    ),
                );
                continue;
            }
            d.lo = lo;
            d.hi = hi;
        }
    }
    let grid = raw
        .grid
        .as_ref()
        .and_then(|g| super::grid::parse(g, src, file, overrides, &|o| position(src, o), &mut problems));
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let first = raw.first_seed.unwrap_or(1);
    let seeds = (0..u64::from(n_seeds)).map(|k| first.saturating_add(k)).collect();
    Ok(StressSpec { playbooks, seeds, budget, horizon_ns, grid })
}

fn list(chosen: &[&Playbook]) -> String {
    chosen.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
}

/// Kinds whose groups are market makers.
const MM_KINDS: [AgentKind; 4] =
    [AgentKind::PassiveMm, AgentKind::LendAndDump, AgentKind::PumpDump, AgentKind::DeltaHedge];

/// True when group `name` of `scenario` is a market maker: its kind is one, or a token loan or a
/// subscription names it as the MM.
pub fn is_mm(scenario: &Scenario, name: &str) -> bool {
    let kind = scenario.groups.iter().find(|g| g.name == name).map(|g| g.behaviour.kind());
    kind.is_some_and(|k| MM_KINDS.contains(&k)) || scenario.contracts.iter().any(|c| c.terms.mm() == Some(name))
}

/// Checks that `--mm GROUP` names a market-maker group.
///
/// # Errors
/// A located problem naming the group's kind and the groups that are market makers.
pub fn check_mm(src: &str, file: &str, scenario: &Scenario, mm: &str) -> Result<(), ScenarioError> {
    if is_mm(scenario, mm) {
        return Ok(());
    }
    let mms: Vec<&str> = scenario.groups.iter().map(|g| g.name.as_str()).filter(|g| is_mm(scenario, g)).collect();
    let mms = if mms.is_empty() { "none".to_string() } else { mms.join(", ") };
    let group = scenario.groups.iter().find(|g| g.name == mm);
    let message = match group {
        Some(g) => format!(
            "--mm {mm}: the group is kind {}, not a market maker (no contract names it as mm); the market-maker groups are: {mms}",
            g.behaviour.kind()
        ),
        None => format!("--mm {mm}: no group of that name; the market-maker groups are: {mms}"),
    };
    let mut p = Problem::new(file, Some(format!("agents.{mm}")), message);
    // The group's `name = "…"` line, when there is one.
    let needle = format!("\"{mm}\"");
    p.position = src
        .match_indices(&needle)
        .map(|(i, _)| i)
        .find(|&i| src[..i].rsplit('\n').next().is_some_and(|l| l.trim_start().starts_with("name")))
        .map(|i| position(src, i));
    Err(ScenarioError::Invalid { file: file.to_string(), problems: vec![p] })
}
