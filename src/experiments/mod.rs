//! Experiments: reproductions of published results that drive the exchange directly instead of
//! simulating a whole market.
//!
//! An experiment is a TOML file with an `[experiment]` table whose `kind` names it (and optional
//! top-level `name` and `description`); it has no `[market]` or `[[agents]]`. [`is_experiment`]
//! tells such a file from a scenario, [`run_file`] runs it and returns the table it printed.
//!
//! | kind | what | output |
//! |---|---|---|
//! | `avellaneda_stoikov` | Avellaneda & Stoikov (2008) §3.3, Tables 1–3 | `as_table.csv` |

pub mod avellaneda_stoikov;

use std::path::Path;

use anyhow::{bail, Context, Result};

/// The experiment kinds a file may name.
pub const KINDS: [&str; 1] = ["avellaneda_stoikov"];

/// True when `text` is a TOML document with an `[experiment]` table (false for scenarios and for
/// text that is not TOML at all, which the scenario loader then reports).
pub fn is_experiment(text: &str) -> bool {
    text.parse::<toml::Table>().is_ok_and(|t| t.contains_key("experiment"))
}

/// Runs the experiment in the file at `path`, writing its outputs into `out_dir` (created if
/// missing), and returns the result table as printed text.
///
/// # Errors
/// The file cannot be read or parsed, its `kind` is unknown, a parameter is out of range, or an
/// output cannot be written; messages name the file.
pub fn run_file(path: &Path, out_dir: &Path) -> Result<String> {
    run_file_with(path, &[], None, out_dir)
}

/// Like [`run_file`] with `--set KEY=VALUE` overrides of the file's keys (`experiment.sigma=2`; a key
/// without a table is taken in `[experiment]`) and a `--seed` (`experiment.seed`).
///
/// # Errors
/// As [`run_file`]; an override whose key is not in the file, or whose value is not a TOML value.
pub fn run_file_with(path: &Path, overrides: &[(String, String)], seed: Option<u64>, out_dir: &Path) -> Result<String> {
    let (text, kind) = read(path)?;
    let text = with_overrides(&text, overrides, seed).with_context(|| format!("in {}", path.display()))?;
    match kind {
        "avellaneda_stoikov" => {
            let config = avellaneda_stoikov::parse(&text).with_context(|| format!("in {}", path.display()))?;
            let rows = avellaneda_stoikov::run(&config, out_dir)?;
            Ok(avellaneda_stoikov::format_table(&config, &rows))
        }
        kind => unreachable!("read returns known kinds only, not {kind}"),
    }
}

/// The experiment file's text with `overrides` and `seed` applied to its `[experiment]` table.
fn with_overrides(text: &str, overrides: &[(String, String)], seed: Option<u64>) -> Result<String> {
    let mut table: toml::Table = text.parse()?;
    let experiment = table
        .get_mut("experiment")
        .and_then(|e| e.as_table_mut())
        .ok_or_else(|| anyhow::anyhow!("no [experiment] table"))?;
    for (key, value) in overrides {
        let name = key.strip_prefix("experiment.").unwrap_or(key);
        if !experiment.contains_key(name) && name != "seed" {
            let keys: Vec<&str> = experiment.keys().map(String::as_str).collect();
            bail!("--set {key}: the [experiment] table has no key `{name}`; its keys are: {}", keys.join(", "));
        }
        let parsed: toml::Table = format!("v = {value}")
            .parse()
            .map_err(|_| anyhow::anyhow!("--set {key}={value}: not a TOML value (quote strings: \"x\")"))?;
        experiment.insert(name.to_string(), parsed["v"].clone());
    }
    if let Some(seed) = seed {
        let seed = i64::try_from(seed)
            .map_err(|_| anyhow::anyhow!("--seed {seed}: an experiment seed is at most {}", i64::MAX))?;
        experiment.insert("seed".into(), toml::Value::Integer(seed));
    }
    Ok(toml::to_string(&table)?)
}

/// Checks the experiment file at `path` without running it; returns a one-line summary.
///
/// # Errors
/// As [`run_file`], short of running.
pub fn check_file(path: &Path) -> Result<String> {
    match read(path)? {
        (text, "avellaneda_stoikov") => {
            let c = avellaneda_stoikov::parse(&text).with_context(|| format!("in {}", path.display()))?;
            Ok(format!("{}: ok — experiment avellaneda_stoikov, seed {}\n", path.display(), c.seed))
        }
        (_, kind) => unreachable!("read returns known kinds only, not {kind}"),
    }
}

/// The file's text and its experiment kind, one of [`KINDS`].
fn read(path: &Path) -> Result<(String, &'static str)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let table: toml::Table = text.parse().map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let kind = table.get("experiment").and_then(|e| e.get("kind")).and_then(|k| k.as_str());
    match kind {
        Some(k) => match KINDS.iter().find(|known| **known == k) {
            Some(known) => Ok((text, known)),
            None => bail!("{}: unknown experiment kind {k:?}; expected one of {KINDS:?}", path.display()),
        },
        None => bail!("{}: the [experiment] table needs a `kind`, one of {KINDS:?}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn experiments_are_told_from_scenarios() {
        assert!(is_experiment("name = \"x\"\n[experiment]\nkind = \"avellaneda_stoikov\"\n"));
        assert!(!is_experiment("name = \"x\"\n[market]\ntick_size = \"0.01\"\n"));
        assert!(!is_experiment("not toml ["));
    }

    #[test]
    fn an_unknown_kind_lists_the_known_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.toml");
        std::fs::write(&path, "[experiment]\nkind = \"nope\"\n").unwrap();
        let err = run_file(&path, dir.path()).unwrap_err().to_string();
        assert!(err.contains("avellaneda_stoikov") && err.contains("x.toml"), "{err}");
    }
}
