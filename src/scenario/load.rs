//! Loading a scenario: read, parse, apply `--set` overrides, validate.
//!
//! The file text is deserialized first on its own, so syntax, type and unknown-key errors keep their
//! line and column. With overrides, the file is then parsed to a [`toml::Table`], the overrides are
//! set in it, and it is deserialized again; an error at that stage names the override that caused it.
//! Finally [`validate`](super::validate) checks every rule and reports every problem at once.

use std::path::Path;

use serde::Deserialize;

use super::error::{Problem, ScenarioError};
use super::limits::Limits;
use super::messages;
use super::overrides::{self, Applied, Override};
use super::raw::RawScenario;
use super::source::{display_path, Position, SourceMap};
use super::validate::{self, Ctx};
use super::Scenario;

/// Loads and validates the scenario at `path`, with `overrides` applied, under the default
/// [`Limits`].
///
/// # Errors
/// [`ScenarioError::Read`] if the file cannot be read; [`ScenarioError::Invalid`] with every problem
/// found otherwise (a file that is not UTF-8 is placed at its first bad byte).
pub fn load(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    load_with(path, overrides, &Limits::default())
}

/// [`load`] under the given resource `limits`.
///
/// # Errors
/// As [`load`].
pub fn load_with(path: &Path, overrides: &[Override], limits: &Limits) -> Result<Scenario, ScenarioError> {
    let bytes = std::fs::read(path).map_err(|source| ScenarioError::Read { path: path.to_path_buf(), source })?;
    let file = path.display().to_string();
    let src = String::from_utf8(bytes).map_err(|e| {
        let (line, column) = messages::utf8_position(e.as_bytes(), e.utf8_error().valid_up_to());
        let mut p = Problem::new(&file, None, "the file is not UTF-8 text: save it as UTF-8 (plain text)");
        p.position = Some(Position { line, column });
        ScenarioError::Invalid { file: file.clone(), problems: vec![p] }
    })?;
    load_str_with(&src, &file, overrides, limits)
}

/// Loads and validates a scenario from its text under the default [`Limits`]; `file` names it in
/// messages.
///
/// # Errors
/// [`ScenarioError::Invalid`] with every problem found.
pub fn load_str(src: &str, file: &str, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    load_str_with(src, file, overrides, &Limits::default())
}

/// [`load_str`] under the given resource `limits`.
///
/// # Errors
/// As [`load_str`].
pub fn load_str_with(
    src: &str,
    file: &str,
    overrides: &[Override],
    limits: &Limits,
) -> Result<Scenario, ScenarioError> {
    let map = SourceMap::new(src);
    let invalid = |problems: Vec<Problem>| ScenarioError::Invalid { file: file.to_string(), problems };
    let raw: RawScenario = toml::from_str(src).map_err(|e| invalid(vec![parse_problem(file, &map, &e)]))?;
    let (raw, applied) =
        if overrides.is_empty() { (raw, Vec::new()) } else { with_overrides(src, file, overrides).map_err(invalid)? };
    let mut ctx = Ctx::new(file, &map, &applied);
    match validate::validate(raw, &mut ctx, limits) {
        Some(scenario) if ctx.problems.is_empty() => Ok(scenario),
        _ => Err(invalid(ctx.problems)),
    }
}

/// A problem from toml's parser or deserializer, placed by its span.
fn parse_problem(file: &str, map: &SourceMap<'_>, e: &toml::de::Error) -> Problem {
    let Some(span) = e.span() else {
        let mut p = Problem::new(file, None, messages::plain(e.message()));
        p.position = Some(map.position(messages::deepest_offset(map.text())));
        return p;
    };
    let segs = map.path_at(span.start);
    let key = (!segs.is_empty()).then(|| display_path(&segs));
    let mut p = Problem::new(file, key, messages::plain(e.message()));
    p.position = Some(map.position(span.start));
    p.snippet = Some(map.snippet(span));
    p
}

/// Applies the overrides and deserializes again, naming the override behind any error.
fn with_overrides(src: &str, file: &str, overrides: &[Override]) -> Result<(RawScenario, Vec<Applied>), Vec<Problem>> {
    let base: toml::Table =
        toml::from_str(src).map_err(|e| vec![Problem::new(file, None, messages::plain(e.message()))])?;
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
                problems.push(override_problem(file, ov, messages::plain(&first_line(e.message()))));
            }
        }
    }
    if problems.is_empty() {
        let mut p = Problem::new(file, None, messages::plain(&first_line(err.message())));
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
