//! Scenario errors: every problem found in a file, each with its place and key path.
//!
//! A [`Problem`] prints as `{file}:{line}:{col}: {key.path}: {message}`. A value that came from a
//! `--set` override has no place in the file, so it prints `{file}: {key.path}: {message} (set by
//! --set KEY=VALUE)` instead. TOML syntax and type errors found by the parser add the offending line
//! with carets under it. [`ScenarioError::Invalid`] prints its problems one after another and ends
//! with a count (`3 problems in scenarios/x.toml`).

use std::fmt;
use std::path::PathBuf;

use super::source::Position;

/// One thing wrong with a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file (as given on the command line, or the display name passed to `load_str`).
    pub file: String,
    /// Where in the file, when known.
    pub position: Option<Position>,
    /// The dotted key path (`agents.retail.count`), when known.
    pub key: Option<String>,
    /// What is wrong and what is allowed.
    pub message: String,
    /// The `--set` override (`KEY=VALUE`) that supplied the value, when one did.
    pub set_by: Option<String>,
    /// The offending source line with carets, for parser errors.
    pub snippet: Option<String>,
}

impl Problem {
    /// A problem with no place in the file yet; a message or key longer than 1,000 characters (say,
    /// one quoting a huge value) is cut.
    pub fn new(file: &str, key: Option<String>, message: impl Into<String>) -> Self {
        let message = super::messages::cap(&message.into());
        let key = key.map(|k| super::messages::cap(&k));
        Problem { file: file.to_string(), position: None, key, message, set_by: None, snippet: None }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(pos) => write!(f, "{}:{pos}: ", self.file)?,
            None => write!(f, "{}: ", self.file)?,
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(set_by) = &self.set_by {
            write!(f, " (set by --set {set_by})")?;
        }
        if let Some(snippet) = &self.snippet {
            write!(f, "\n{snippet}")?;
        }
        Ok(())
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario file {}: {source}", path.display())]
    Read {
        /// The path as given.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file was read but has problems (syntax, types, unknown keys, invalid values).
    #[error("{}", render(file, problems))]
    Invalid {
        /// The file's display name.
        file: String,
        /// Every problem found, in file order where possible.
        problems: Vec<Problem>,
    },
    /// A `--set` argument is not of the form `KEY=VALUE`.
    #[error("--set {arg:?}: {message}")]
    BadOverride {
        /// The argument as given.
        arg: String,
        /// What is wrong.
        message: String,
    },
}

impl ScenarioError {
    /// The problems, if the file was read (empty otherwise).
    pub fn problems(&self) -> &[Problem] {
        match self {
            ScenarioError::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

fn render(file: &str, problems: &[Problem]) -> String {
    let mut out = String::new();
    for p in problems {
        out.push_str(&p.to_string());
        out.push('\n');
    }
    let n = problems.len();
    out.push_str(&format!("{n} problem{} in {file}", if n == 1 { "" } else { "s" }));
    out
}
