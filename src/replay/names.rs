//! Interning of the file's string identifiers (order ids, trader names) as dense integers.
//!
//! The book works with `OrderId(u64)` and `TraderId(u32)`; the file uses arbitrary strings. A
//! [`Names`] table maps each distinct byte string to the next free index and back. Names are kept
//! as raw bytes, so whatever was in the file (even non-UTF-8) is written back verbatim. Reverse
//! lookups read one shared byte arena, so only the hash map key allocates per new name.

use rustc_hash::FxHashMap;

/// A two-way table between byte strings and dense indices `0, 1, 2, …` in order of first insertion.
#[derive(Debug, Default)]
pub(super) struct Names {
    index: FxHashMap<Box<[u8]>, u64>,
    arena: Vec<u8>,
    /// `ends[i]` is where name `i` ends in `arena`; it starts where name `i − 1` ends.
    ends: Vec<usize>,
}

impl Names {
    /// The index of `name`, if it was inserted.
    #[inline]
    pub fn get(&self, name: &[u8]) -> Option<u64> {
        self.index.get(name).copied()
    }

    /// Inserts `name` and returns its new index, or `None` when it is already present.
    pub fn insert_new(&mut self, name: &[u8]) -> Option<u64> {
        if self.index.contains_key(name) {
            return None;
        }
        Some(self.push(name))
    }

    /// The index of `name`, inserting it first if needed.
    pub fn intern(&mut self, name: &[u8]) -> u64 {
        match self.get(name) {
            Some(i) => i,
            None => self.push(name),
        }
    }

    fn push(&mut self, name: &[u8]) -> u64 {
        let i = self.ends.len() as u64;
        self.index.insert(name.into(), i);
        self.arena.extend_from_slice(name);
        self.ends.push(self.arena.len());
        i
    }

    /// The name with index `i`.
    ///
    /// # Panics
    /// If `i` was never returned by this table.
    #[inline]
    pub fn name(&self, i: u64) -> &[u8] {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.arena[start..self.ends[i]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_way_and_dense() {
        let mut names = Names::default();
        assert_eq!(names.insert_new(b"a1"), Some(0));
        assert_eq!(names.insert_new(b""), Some(1));
        assert_eq!(names.insert_new(b"a1"), None);
        assert_eq!(names.intern(b"b"), 2);
        assert_eq!(names.intern(b"a1"), 0);
        assert_eq!(names.get(b"zz"), None);
        assert_eq!(names.name(0), b"a1");
        assert_eq!(names.name(1), b"");
        assert_eq!(names.name(2), b"b");
    }
}
