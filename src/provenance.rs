//! Where an output came from: the mmsim version and git commit, the scenario file and a hash of its
//! text, the seed, the `--set` overrides and the command line; and the effective scenario
//! (`scenario.toml`) every output directory carries.
//!
//! `summary.json` and `sweep.json` hold a [`Provenance`] under `provenance`. It describes the
//! invocation, so it is the one part of those files (with `wall_seconds`) that differs between two
//! invocations giving the same results (another path, `--jobs`, a rerun from `scenario.toml`).
//! The scenario hash is FNV-1a (64 bits) over the file's bytes, written as 16 hex digits.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::scenario::Override;

/// The git commit mmsim was built from (`git rev-parse HEAD` at build time), when known.
pub const GIT_COMMIT: Option<&str> = option_env!("MMSIM_GIT_COMMIT");

/// The name of the effective scenario in an output directory.
pub const SCENARIO_FILE: &str = "scenario.toml";

/// What produced an output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// mmsim's version.
    pub mmsim_version: String,
    /// The git commit mmsim was built from (absent when built outside a git checkout).
    pub git_commit: Option<String>,
    /// The scenario file as given (absent when the scenario did not come from a file).
    pub scenario_path: Option<String>,
    /// FNV-1a 64 of the scenario file's text, as 16 hex digits.
    pub scenario_hash: String,
    /// The master seed (of the run, or of the sweep).
    pub seed: u64,
    /// The `--set` overrides, as `KEY=VALUE`, in order.
    pub overrides: Vec<String>,
    /// The command line (program arguments) of the invocation.
    pub command_line: Vec<String>,
}

impl Provenance {
    /// The provenance of an output of scenario text `src` (read from `path`, if any) with
    /// `overrides`, for the current process's command line.
    pub fn new(path: Option<&Path>, src: &str, overrides: &[Override], seed: u64) -> Self {
        Provenance {
            mmsim_version: env!("CARGO_PKG_VERSION").to_string(),
            git_commit: GIT_COMMIT.map(str::to_string),
            scenario_path: path.map(|p| p.display().to_string()),
            scenario_hash: format!("{:016x}", fnv1a64(src.as_bytes())),
            seed,
            overrides: overrides.iter().map(Override::to_string).collect(),
            command_line: std::env::args().collect(),
        }
    }
}

/// A scenario's origin, for an output directory: its provenance and its effective text.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    /// Recorded in `summary.json`.
    pub provenance: Provenance,
    /// Written as `scenario.toml`.
    pub scenario_toml: String,
}

impl Origin {
    /// The origin of scenario text `src` from `path` with `overrides` (a seed override included).
    ///
    /// # Errors
    /// When the text or an override is invalid (as loading it would report).
    pub fn of(
        path: Option<&Path>,
        src: &str,
        overrides: &[Override],
        seed: u64,
    ) -> Result<Self, crate::scenario::ScenarioError> {
        let file = path.map_or("scenario".to_string(), |p| p.display().to_string());
        let text = crate::scenario::effective_toml(src, &file, overrides, false)?;
        Ok(Origin { provenance: Provenance::new(path, src, overrides, seed), scenario_toml: with_header(&text) })
    }
}

/// The effective scenario with a comment saying what it is.
pub fn with_header(toml: &str) -> String {
    format!(
        "# The effective scenario of this output: the scenario file with its --set overrides applied,\n\
         # written by mmsim. `mmsim run scenario.toml` (or `mmsim sweep scenario.toml`) reruns it.\n\n{toml}"
    )
}

/// FNV-1a, 64 bits.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_the_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
