//! Loading a scenario: read, parse, apply `--set` overrides, validate.
//!
//! The file text is deserialized first on its own, so syntax, type and unknown-key errors keep their
//! line and column. With overrides, the file is then parsed to a [`toml::Table`], the overrides are
//! set in it, and it is deserialized again; an error at that stage names the override that caused it.
//! Finally [`validate`](super::validate) checks every rule and reports every problem at once.

use std::path::Path;

use serde::Deserialize;

use super::error::{Problem, ScenarioError};
use super::overrides::{self, Applied, Override};
use super::raw::RawScenario;
use super::source::{display_path, SourceMap};
use super::validate::{self, Ctx};
use super::Scenario;

/// Loads and validates the scenario at `path`, with `overrides` applied.
///
/// # Errors
/// [`ScenarioError::Read`] if the file cannot be read; [`ScenarioError::Invalid`] with every problem
/// found otherwise.
pub fn load(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let src =
        std::fs::read_to_string(path).map_err(|source| ScenarioError::Read { path: path.to_path_buf(), source })?;
    load_str(&src, &path.display().to_string(), overrides)
}

/// Loads and validates a scenario from its text; `file` names it in messages.
///
/// # Errors
/// [`ScenarioError::Invalid`] with every problem found.
pub fn load_str(src: &str, file: &str, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let map = SourceMap::new(src);
    let invalid = |problems: Vec<Problem>| ScenarioError::Invalid { file: file.to_string(), problems };
    let raw: RawScenario = toml::from_str(src).map_err(|e| invalid(vec![parse_problem(file, &map, &e)]))?;
    let (raw, applied) =
        if overrides.is_empty() { (raw, Vec::new()) } else { with_overrides(src, file, overrides).map_err(invalid)? };
    let mut ctx = Ctx::new(file, &map, &applied);
    match validate::validate(raw, &mut ctx) {
        Some(scenario) if ctx.problems.is_empty() => Ok(scenario),
        _ => Err(invalid(ctx.problems)),
    }
}

/// A problem from toml's parser or deserializer, placed by its span.
fn parse_problem(file: &str, map: &SourceMap<'_>, e: &toml::de::Error) -> Problem {
    let Some(span) = e.span() else {
        return Problem::new(file, None, e.to_string().trim_end());
    };
    let segs = map.path_at(span.start);
    let key = (!segs.is_empty()).then(|| display_path(&segs));
    let mut p = Problem::new(file, key, e.message().trim_end());
    p.position = Some(map.position(span.start));
    p.snippet = Some(map.snippet(span));
    p
}

/// Applies the overrides and deserializes again, naming the override behind any error.
fn with_overrides(src: &str, file: &str, overrides: &[Override]) -> Result<(RawScenario, Vec<Applied>), Vec<Problem>> {
    let base: toml::Table = toml::from_str(src).map_err(|e| vec![Problem::new(file, None, e.to_string())])?;
    let mut table = base.clone();
    let mut applied = Vec::new();
    let mut problems = Vec::new();
    for ov in overrides {
        match overrides::apply(&mut table, ov) {
            Ok(a) => applied.push(a),
            Err(message) => problems.push(override_problem(file, ov, message)),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let err = match RawScenario::deserialize(table) {
        Ok(raw) => return Ok((raw, applied)),
        Err(e) => e,
    };
    // Find the culprits: each override alone on the file as written.
    for ov in overrides {
        let mut alone = base.clone();
        if overrides::apply(&mut alone, ov).is_ok() {
            if let Err(e) = RawScenario::deserialize(alone) {
                problems.push(override_problem(file, ov, first_line(e.message())));
            }
        }
    }
    if problems.is_empty() {
        let mut p = Problem::new(file, None, first_line(&err.to_string()));
        p.set_by = Some(overrides.iter().map(Override::to_string).collect::<Vec<_>>().join(" --set "));
        problems.push(p);
    }
    Err(problems)
}

fn override_problem(file: &str, ov: &Override, message: impl Into<String>) -> Problem {
    let mut p = Problem::new(file, Some(ov.key.clone()), message);
    p.set_by = Some(ov.to_string());
    p
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}
