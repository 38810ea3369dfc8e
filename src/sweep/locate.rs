//! Where the `[sweep]` table's keys and values sit in the scenario file, and the list of problems placed there.
//!
//! The file is parsed once more with toml's span-preserving parser and the `[sweep]` subtree is
//! copied into a small owned tree of byte spans ([`Loc`]): table entries in file order (whatever
//! order toml's map iterates in), array elements by index. Spec checks walk it next to the parsed
//! values, so each problem can name `file:line:col`. Positions are 1-based; columns count
//! characters, as the scenario loader's do.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::scenario::{Position, Problem};

/// The spans of one key and its value, with its children.
#[derive(Clone, Debug, Default)]
pub(crate) struct Loc {
    /// The key's span (absent for the root).
    pub(crate) key: Option<Range<usize>>,
    /// The value's span (for a table, often just its header).
    pub(crate) value: Option<Range<usize>>,
    /// A table's entries, in file order.
    pub(crate) children: Vec<(String, Loc)>,
    /// An array's elements.
    pub(crate) elems: Vec<Loc>,
}

impl Loc {
    /// The `[sweep]` table of `src` (an empty tree when there is none or the file does not parse).
    pub(crate) fn of_sweep(src: &str) -> Loc {
        let Ok(root) = DeTable::parse(src) else { return Loc::default() };
        let root = root.get_ref();
        match root.get_key_value("sweep") {
            Some((key, value)) => from_value(Some(key.span()), value),
            None => Loc::default(),
        }
    }

    /// The entry `key` of a table.
    pub(crate) fn child(&self, key: &str) -> Option<&Loc> {
        self.children.iter().find(|(k, _)| k == key).map(|(_, l)| l)
    }

    /// Element `i` of an array.
    pub(crate) fn elem(&self, i: usize) -> Option<&Loc> {
        self.elems.get(i)
    }

    /// Where to point for this value: a table at its key, anything else at its value.
    pub(crate) fn offset(&self) -> Option<usize> {
        let table = !self.children.is_empty() || self.value.as_ref().is_some_and(|v| v.is_empty());
        if table {
            self.key.as_ref().or(self.value.as_ref()).map(|r| r.start)
        } else {
            self.value.as_ref().or(self.key.as_ref()).map(|r| r.start)
        }
    }

    /// Where to point for the key itself.
    pub(crate) fn key_offset(&self) -> Option<usize> {
        self.key.as_ref().or(self.value.as_ref()).map(|r| r.start)
    }

    /// The position of the file order of an entry, for sorting (unknown entries last).
    pub(crate) fn order(&self) -> usize {
        self.key_offset().unwrap_or(usize::MAX)
    }
}

fn from_value(key: Option<Range<usize>>, value: &Spanned<DeValue<'_>>) -> Loc {
    let mut loc = Loc { key, value: Some(value.span()), ..Loc::default() };
    match value.get_ref() {
        DeValue::Table(t) => {
            loc.children = t.iter().map(|(k, v)| (k.get_ref().to_string(), from_value(Some(k.span()), v))).collect();
            loc.children.sort_by_key(|(_, l)| l.order());
        }
        DeValue::Array(items) => loc.elems = items.iter().map(|v| from_value(None, v)).collect(),
        _ => {}
    }
    loc
}

/// The 1-based line and column of byte `offset` in `src`.
pub(crate) fn position(src: &str, offset: usize) -> Position {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position { line, column: before[line_start..].chars().count() + 1 }
}

/// Collects problems with their places in the file.
pub(crate) struct Problems<'a> {
    /// The file's display name.
    pub(crate) file: &'a str,
    /// The file's text.
    pub(crate) src: &'a str,
    /// The problems so far.
    pub(crate) list: Vec<Problem>,
}

impl<'a> Problems<'a> {
    /// An empty list for `file`.
    pub(crate) fn new(file: &'a str, src: &'a str) -> Self {
        Problems { file, src, list: Vec::new() }
    }

    /// The position of a byte offset.
    pub(crate) fn pos(&self, offset: Option<usize>) -> Option<Position> {
        offset.map(|o| position(self.src, o))
    }

    /// Records a problem at `key` (a display path), placed at `at`.
    pub(crate) fn add(&mut self, key: &str, at: Option<Position>, message: impl Into<String>) {
        let mut p = Problem::new(self.file, Some(key.to_string()), message);
        p.position = at;
        self.list.push(p);
    }

    /// Records a problem at `key`, placed at `loc`.
    pub(crate) fn at(&mut self, key: &str, loc: Option<&Loc>, message: impl Into<String>) {
        let at = self.pos(loc.and_then(Loc::offset));
        self.add(key, at, message);
    }
}
