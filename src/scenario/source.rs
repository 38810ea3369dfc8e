//! Where keys are in a scenario file, for error messages.
//!
//! The file is parsed a second time with toml's span-preserving parser ([`toml::de::DeTable`]), so a
//! key path such as `agents.retail.count` (array elements by index) maps back to a byte range and from
//! there to a 1-based line and column (columns count characters, not bytes). Table spans cover only
//! the `[header]`, so looking up the key path at an offset searches the whole tree for the deepest key
//! or value containing it.

use std::fmt;
use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// One step of a key path: a table key, or an element of an array of tables (`[[agents]]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    /// A key inside a table.
    Key(String),
    /// An array element; `name` is its `name` field, used when displaying the path.
    Elem {
        /// Position in the array.
        index: usize,
        /// The element's `name`, if it has one.
        name: Option<String>,
    },
}

impl Seg {
    /// A key segment.
    pub(crate) fn key(k: &str) -> Seg {
        Seg::Key(k.to_string())
    }

    /// Same step, ignoring the display name of array elements.
    pub(crate) fn same(&self, other: &Seg) -> bool {
        match (self, other) {
            (Seg::Key(a), Seg::Key(b)) => a == b,
            (Seg::Elem { index: a, .. }, Seg::Elem { index: b, .. }) => a == b,
            _ => false,
        }
    }
}

/// True when `prefix` is a prefix of (or equal to) `path`.
pub(crate) fn starts_with(path: &[Seg], prefix: &[Seg]) -> bool {
    prefix.len() <= path.len() && prefix.iter().zip(path).all(|(a, b)| a.same(b))
}

/// A key path as written in messages: `agents.retail.count` (elements by name, else by index).
pub(crate) fn display_path(segs: &[Seg]) -> String {
    let parts: Vec<String> = segs
        .iter()
        .map(|s| match s {
            Seg::Key(k) => k.clone(),
            Seg::Elem { name: Some(n), .. } if !n.is_empty() => n.clone(),
            Seg::Elem { index, .. } => index.to_string(),
        })
        .collect();
    parts.join(".")
}

/// A 1-based line and column in a scenario file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A scenario file's text and its span-preserving parse (absent when the file does not parse).
pub(crate) struct SourceMap<'a> {
    src: &'a str,
    root: Option<Spanned<DeTable<'a>>>,
}

impl<'a> SourceMap<'a> {
    /// Parses `src` for spans (recovering what it can from a file with syntax errors).
    pub(crate) fn new(src: &'a str) -> Self {
        SourceMap { src, root: Some(DeTable::parse_recoverable(src).0) }
    }

    /// The file's text.
    pub(crate) fn text(&self) -> &'a str {
        self.src
    }

    /// The line and column of a byte offset.
    pub(crate) fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.src.len());
        let before = self.src.get(..offset).unwrap_or(self.src);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position { line, column: before[line_start..].chars().count() + 1 }
    }

    /// The span of the deepest part of `segs` present in the file, and whether all of it is there.
    /// Leaf values point at the value, tables at their key or header; with `key`, the last step
    /// points at its key whatever its value.
    pub(crate) fn find(&self, segs: &[Seg], key: bool) -> Option<(Range<usize>, bool)> {
        let root = self.root.as_ref()?;
        let mut table: Option<&DeTable<'a>> = Some(root.get_ref());
        let mut array: Option<&[Spanned<DeValue<'a>>]> = None;
        let mut best: Option<Range<usize>> = None;
        for (i, seg) in segs.iter().enumerate() {
            let at_key = key && i + 1 == segs.len();
            let next = match (seg, table, array) {
                (Seg::Key(k), Some(t), _) => t.get_key_value(k.as_str()).map(|(name, v)| {
                    let span = if at_key || matches!(v.get_ref(), DeValue::Table(_)) { name.span() } else { v.span() };
                    (span, v.get_ref())
                }),
                (Seg::Elem { index, .. }, _, Some(a)) => a.get(*index).map(|v| (v.span(), v.get_ref())),
                _ => None,
            };
            let Some((span, value)) = next else { return best.map(|b| (b, false)) };
            best = Some(span);
            (table, array) = match value {
                DeValue::Table(t) => (Some(t), None),
                DeValue::Array(a) => (None, Some(&a[..])),
                _ => (None, None),
            };
        }
        best.map(|b| (b, true))
    }

    /// The key path of the deepest key or value whose span contains `offset` (empty if none).
    pub(crate) fn path_at(&self, offset: usize) -> Vec<Seg> {
        let mut best = Vec::new();
        if let Some(root) = &self.root {
            search_table(root.get_ref(), offset, &mut Vec::new(), &mut best);
        }
        best
    }

    /// The source line holding `span.start`, with carets under the span, in toml's layout. A long
    /// line shows only [`SNIPPET_CHARS`] characters around the span (cut ends marked `…`), and the
    /// carets at most that many, so a message stays readable whatever the file.
    pub(crate) fn snippet(&self, span: Range<usize>) -> String {
        let pos = self.position(span.start);
        let line_text = self.src.lines().nth(pos.line - 1).unwrap_or("");
        let rest = line_text.chars().count().saturating_sub(pos.column - 1);
        let width = self.src.get(span.clone()).map_or(1, |s| s.chars().count()).clamp(1, rest.max(1));
        // Show a window of the line that starts a little before the span.
        let skip = (pos.column - 1).saturating_sub(SNIPPET_CHARS / 4);
        let shown: String = line_text.chars().skip(skip).take(SNIPPET_CHARS).collect();
        let cut_end = line_text.chars().count() > skip + SNIPPET_CHARS;
        let (lead, pad_len) = if skip > 0 { ("…", pos.column - 1 - skip + 1) } else { ("", pos.column - 1) };
        let tail = if cut_end { "…" } else { "" };
        let width = width.min(SNIPPET_CHARS.saturating_sub(pad_len).max(1));
        let gutter = " ".repeat(pos.line.to_string().len());
        let pad = " ".repeat(pad_len);
        format!("{gutter} |\n{} | {lead}{shown}{tail}\n{gutter} | {pad}{}", pos.line, "^".repeat(width))
    }
}

/// Most characters of a source line a snippet shows.
pub(crate) const SNIPPET_CHARS: usize = 120;

fn contains(span: &Range<usize>, offset: usize) -> bool {
    span.contains(&offset) || (span.is_empty() && span.start == offset)
}

fn search_table(table: &DeTable<'_>, offset: usize, path: &mut Vec<Seg>, best: &mut Vec<Seg>) {
    for (key, value) in table.iter() {
        path.push(Seg::Key(key.get_ref().to_string()));
        if contains(&key.span(), offset) || contains(&value.span(), offset) {
            keep_deepest(path, best);
        }
        search_value(value.get_ref(), offset, path, best);
        path.pop();
    }
}

fn search_value(value: &DeValue<'_>, offset: usize, path: &mut Vec<Seg>, best: &mut Vec<Seg>) {
    match value {
        DeValue::Table(t) => search_table(t, offset, path, best),
        DeValue::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let name = item.get_ref().as_table().and_then(|t| t.get("name")).and_then(|n| n.get_ref().as_str());
                path.push(Seg::Elem { index, name: name.map(str::to_string) });
                if contains(&item.span(), offset) {
                    keep_deepest(path, best);
                }
                search_value(item.get_ref(), offset, path, best);
                path.pop();
            }
        }
        _ => {}
    }
}

fn keep_deepest(path: &[Seg], best: &mut Vec<Seg>) {
    if path.len() > best.len() {
        *best = path.to_vec();
    }
}
