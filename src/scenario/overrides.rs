//! `--set KEY=VALUE` overrides, applied to the parsed file before it is deserialized and validated.
//!
//! KEY is a dot-separated path: `market.seed`, `project.cash`, `agents.retail.count`,
//! `accounts.lender.tokens`, `agents.mm.passive_mm.spread_bps`, `contracts.loan.tenor`,
//! `contracts.loan.options.0.strike`. Elements of `agents`, `accounts` and `contracts` are addressed
//! by their `name` (a numeric index also works); missing tables on the way are created
//! (so an override can set a kind parameter the file leaves at its default). VALUE is read as a TOML
//! value (`30`, `0.05`, `true`, `"text"`, `[1, 2]`) and, when it is not one, as a plain string, so
//! `--set market.duration=2h` works without quotes.

use std::fmt;
use std::str::FromStr;

use toml::{Table, Value};

use super::error::ScenarioError;
use super::source::{display_path, Seg};

/// Arrays of tables whose elements overrides address by name.
const ARRAYS: [&str; 3] = ["agents", "accounts", "contracts"];

/// One `--set KEY=VALUE` override.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    /// Dot-separated key path, e.g. `agents.retail.count`.
    pub key: String,
    /// The value as written on the command line.
    pub value: String,
}

impl FromStr for Override {
    type Err = ScenarioError;

    /// Parses `KEY=VALUE` (split at the first `=`).
    ///
    /// # Errors
    /// [`ScenarioError::BadOverride`] when there is no `=` or the key is not a dotted path of names.
    fn from_str(s: &str) -> Result<Self, ScenarioError> {
        let bad = |message: &str| ScenarioError::BadOverride { arg: s.to_string(), message: message.to_string() };
        let (key, value) = s.split_once('=').ok_or_else(|| bad("expected KEY=VALUE, e.g. agents.retail.count=50"))?;
        let key = key.trim();
        if key.is_empty() || key.split('.').any(|part| part.trim().is_empty()) {
            return Err(bad("the key must be a dot-separated path, e.g. market.seed or agents.retail.count"));
        }
        Ok(Override { key: key.to_string(), value: value.trim().to_string() })
    }
}

impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.key, self.value)
    }
}

/// An override that was applied: the path it set (array elements by index) and its text.
#[derive(Clone, Debug)]
pub(crate) struct Applied {
    /// Where the value went.
    pub(crate) path: Vec<Seg>,
    /// `KEY=VALUE`, for messages.
    pub(crate) text: String,
}

/// The override's VALUE as a TOML value, or as a string when it does not parse as one.
pub(crate) fn parse_value(value: &str) -> Value {
    match toml::from_str::<Table>(&format!("v = {value}")) {
        Ok(mut t) if t.len() == 1 => t.remove("v").unwrap_or_else(|| Value::String(value.to_string())),
        _ => Value::String(value.to_string()),
    }
}

/// Sets one override in `table`.
///
/// # Errors
/// A message when the path cannot be followed (an unknown group or account, a value where a table is
/// needed, or a path that ends at a whole array element).
pub(crate) fn apply(table: &mut Table, ov: &Override) -> Result<Applied, String> {
    let mut root = Value::Table(std::mem::take(table));
    let result = apply_in(&mut root, ov);
    if let Value::Table(t) = root {
        *table = t;
    }
    result.map(|path| Applied { path, text: ov.to_string() })
}

fn apply_in(root: &mut Value, ov: &Override) -> Result<Vec<Seg>, String> {
    let parts: Vec<&str> = ov.key.split('.').map(str::trim).collect();
    let mut path = Vec::new();
    let mut cur = root;
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        cur = match cur {
            Value::Table(t) => {
                path.push(Seg::key(part));
                if last {
                    t.insert(part.to_string(), parse_value(&ov.value));
                    return Ok(path);
                }
                if ARRAYS.contains(part) && !t.contains_key(*part) {
                    return Err(unknown_element(&path, &[], parts[i + 1]));
                }
                t.entry(part.to_string()).or_insert_with(|| Value::Table(Table::new()))
            }
            Value::Array(items) => {
                let Some(index) = find_element(items, part) else {
                    return Err(unknown_element(&path, items, part));
                };
                path.push(Seg::Elem { index, name: element_name(&items[index]) });
                if last {
                    return Err(format!("`{}` is a whole entry; set one of its fields, e.g. {}.count", ov.key, ov.key));
                }
                &mut items[index]
            }
            _ => {
                return Err(format!(
                    "`{}` is a single value, not a table, so it has no field `{part}`",
                    display_path(&path)
                ))
            }
        };
    }
    Err(format!("`{}` does not name a value", ov.key))
}

fn element_name(v: &Value) -> Option<String> {
    v.get("name").and_then(Value::as_str).map(str::to_string)
}

fn find_element(items: &[Value], part: &str) -> Option<usize> {
    items
        .iter()
        .position(|v| element_name(v).as_deref() == Some(part))
        .or_else(|| part.parse::<usize>().ok().filter(|&i| i < items.len()))
}

fn unknown_element(path: &[Seg], items: &[Value], part: &str) -> String {
    let array = display_path(path);
    let what = if array == "agents" { "group" } else { "entry" };
    let names: Vec<String> = items.iter().enumerate().map(|(i, v)| element_name(v).unwrap_or(i.to_string())).collect();
    if names.is_empty() {
        format!("no {what} named `{part}`: the file has no [[{array}]] entries")
    } else {
        format!("no {what} named `{part}` in {array}; the names are: {}", names.join(", "))
    }
}
