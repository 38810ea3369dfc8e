//! Order id → slab slot, dense where ids are sequential.
//!
//! The engine, `mmsim match` and the benches all number orders sequentially, so the live ids sit in
//! a moving window. The window is a `VecDeque<u32>` indexed by `id − base` (4 bytes per id, no
//! hashing, cache-friendly); ids outside it (arbitrary or very old ones) go to a hash map. The window
//! drops dead entries from its front as they appear, and moves a long-lived entry to the hash map
//! when the window grows much larger than the number of live ids in it, so memory follows the live
//! orders, not every order ever placed.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use super::slab::NIL;
use crate::types::OrderId;

/// The largest jump past the window's end that still extends the window (larger jumps go to the map).
const MAX_GAP: u64 = 1 << 16;
/// The window may hold this many slots beyond 4 × its live ids before its front is evicted.
const SLACK: usize = 1 << 16;

/// The id index of one book.
#[derive(Debug, Default)]
pub(super) struct OrderIndex {
    base: u64,
    window: VecDeque<u32>,
    live_in_window: usize,
    overflow: FxHashMap<u64, u32>,
}

impl OrderIndex {
    pub fn with_capacity(n: usize) -> Self {
        OrderIndex { window: VecDeque::with_capacity(n), ..Self::default() }
    }

    #[inline]
    fn offset(&self, id: u64) -> Option<usize> {
        let off = id.checked_sub(self.base)?;
        (off < self.window.len() as u64).then_some(off as usize)
    }

    /// The slot of `id`, if it is live.
    #[inline]
    pub fn get(&self, id: OrderId) -> Option<u32> {
        if let Some(off) = self.offset(id.0) {
            let slot = self.window[off];
            if slot != NIL {
                return Some(slot);
            }
        }
        // An id may sit in the map while the window covers it (it went there when it was out of
        // reach, and the window grew over it later).
        if self.overflow.is_empty() {
            None
        } else {
            self.overflow.get(&id.0).copied()
        }
    }

    /// True when `id` is live.
    #[inline]
    pub fn contains(&self, id: OrderId) -> bool {
        self.get(id).is_some()
    }

    /// Records `id` at `slot`; `id` must not be live.
    #[inline]
    pub fn insert(&mut self, id: OrderId, slot: u32) {
        let id = id.0;
        if self.window.is_empty() && self.live_in_window == 0 {
            self.base = id;
        }
        if let Some(off) = self.offset(id) {
            debug_assert_eq!(self.window[off], NIL);
            self.window[off] = slot;
            self.live_in_window += 1;
            return;
        }
        let end = self.base + self.window.len() as u64;
        if id >= end && id - end < MAX_GAP {
            if id > end {
                self.window.extend(std::iter::repeat_n(NIL, (id - end) as usize));
            }
            self.window.push_back(slot);
            self.live_in_window += 1;
            if self.window.len() > 4 * self.live_in_window + SLACK {
                self.evict_front();
            }
        } else {
            self.overflow.insert(id, slot);
        }
    }

    /// Forgets `id` and returns its slot, if it was live.
    #[inline]
    pub fn remove(&mut self, id: OrderId) -> Option<u32> {
        if let Some(off) = self.offset(id.0) {
            let slot = std::mem::replace(&mut self.window[off], NIL);
            if slot != NIL {
                self.live_in_window -= 1;
                if off == 0 {
                    self.evict_front();
                }
                return Some(slot);
            }
        }
        if self.overflow.is_empty() {
            None
        } else {
            self.overflow.remove(&id.0)
        }
    }

    /// Drops dead entries from the front, and moves live ones to the map while the window is much
    /// larger than what it holds.
    fn evict_front(&mut self) {
        while let Some(&front) = self.window.front() {
            if front != NIL {
                if self.window.len() <= 4 * self.live_in_window + SLACK {
                    break;
                }
                self.overflow.insert(self.base, front);
                self.live_in_window -= 1;
            }
            self.window.pop_front();
            self.base += 1;
        }
        if self.window.is_empty() {
            self.live_in_window = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_arbitrary_and_old_ids() {
        let mut ix = OrderIndex::default();
        for i in 1..=1000u64 {
            ix.insert(OrderId(i), i as u32);
        }
        ix.insert(OrderId(u64::MAX - 3), 7);
        assert_eq!(ix.get(OrderId(500)), Some(500));
        assert_eq!(ix.get(OrderId(u64::MAX - 3)), Some(7));
        assert_eq!(ix.remove(OrderId(500)), Some(500));
        assert_eq!(ix.remove(OrderId(500)), None);
        assert!(!ix.contains(OrderId(500)));
        assert_eq!(ix.get(OrderId(1001)), None);
        assert_eq!(ix.get(OrderId(0)), None);
        for i in 1..=1000u64 {
            ix.remove(OrderId(i));
        }
        assert!(ix.window.is_empty(), "dead front entries are dropped");
        assert_eq!(ix.remove(OrderId(u64::MAX - 3)), Some(7));
    }

    #[test]
    fn an_id_parked_in_the_map_stays_found_when_the_window_grows_over_it() {
        let mut ix = OrderIndex::default();
        ix.insert(OrderId(1), 1);
        ix.insert(OrderId(1 + 2 * MAX_GAP), 2); // too far: goes to the map
        for i in 2..=(3 * MAX_GAP) {
            if i != 1 + 2 * MAX_GAP {
                ix.insert(OrderId(i), 3);
            }
        }
        assert_eq!(ix.get(OrderId(1 + 2 * MAX_GAP)), Some(2));
        assert!(ix.contains(OrderId(1 + 2 * MAX_GAP)));
        assert_eq!(ix.remove(OrderId(1 + 2 * MAX_GAP)), Some(2));
        assert_eq!(ix.get(OrderId(1 + 2 * MAX_GAP)), None);
    }

    #[test]
    fn a_long_lived_order_does_not_pin_the_window() {
        let mut ix = OrderIndex::default();
        ix.insert(OrderId(1), 0);
        for i in 2..1_000_000u64 {
            ix.insert(OrderId(i), 1);
            ix.remove(OrderId(i));
        }
        assert!(ix.window.len() <= 4 + SLACK + 1, "window {}", ix.window.len());
        assert_eq!(ix.get(OrderId(1)), Some(0), "the old order moved to the map");
        assert_eq!(ix.remove(OrderId(1)), Some(0));
    }
}
