//! One side of the book: price levels on a paged dense ladder.
//!
//! Prices are grouped in pages of 64 consecutive ticks. A page holds its 64 levels inline plus a
//! bitmap of the non-empty ones, so finding the next non-empty level near the touch is a couple of
//! bit operations. Pages live in a slab and are found through a `BTreeMap` keyed by `price >> 6`
//! (with a one-entry cache), so any price range works and memory follows the prices actually used;
//! a page is released when its last level empties.
//!
//! Each level is a FIFO of order nodes linked through the order [`Slab`](super::slab::Slab), with its
//! total quantity kept up to date, so best price, depth at a level and depth over a band never walk
//! orders.

use std::collections::BTreeMap;

use super::slab::{Node, NIL};
use crate::types::{Price, Qty, Side};

const PAGE_BITS: u32 = 6;
const PAGE_LEN: usize = 1 << PAGE_BITS;
const PAGE_MASK: i64 = PAGE_LEN as i64 - 1;

/// A price level: the FIFO of its orders (slots) and their total quantity in lots.
#[derive(Clone, Copy, Debug)]
pub(super) struct Level {
    pub head: u32,
    pub tail: u32,
    pub qty: i64,
}

const EMPTY_LEVEL: Level = Level { head: NIL, tail: NIL, qty: 0 };

#[derive(Debug)]
struct Page {
    levels: [Level; PAGE_LEN],
    /// Bit `i` is set when `levels[i]` holds at least one order.
    bits: u64,
}

/// One side's levels. Bids are best at the highest price, asks at the lowest.
#[derive(Debug)]
pub(super) struct Ladder {
    side: Side,
    pages: Vec<Page>,
    free_pages: Vec<u32>,
    index: BTreeMap<i64, u32>,
    cache_key: i64,
    cache_slot: u32,
    best: Option<i64>,
    levels: usize,
}

fn split(price: i64) -> (i64, usize) {
    (price >> PAGE_BITS, (price & PAGE_MASK) as usize)
}

fn join(key: i64, offset: u32) -> i64 {
    (key << PAGE_BITS) | offset as i64
}

impl Ladder {
    pub fn new(side: Side) -> Self {
        Ladder {
            side,
            pages: Vec::new(),
            free_pages: Vec::new(),
            index: BTreeMap::new(),
            cache_key: i64::MIN,
            cache_slot: NIL,
            best: None,
            levels: 0,
        }
    }

    /// The best price with resting quantity.
    #[inline]
    pub fn best(&self) -> Option<Price> {
        self.best.map(Price)
    }

    /// The number of non-empty levels.
    pub fn level_count(&self) -> usize {
        self.levels
    }

    #[inline]
    fn page_slot(&self, key: i64) -> Option<u32> {
        if key == self.cache_key {
            return Some(self.cache_slot);
        }
        self.index.get(&key).copied()
    }

    #[inline]
    fn page_slot_or_insert(&mut self, key: i64) -> u32 {
        if key == self.cache_key {
            return self.cache_slot;
        }
        let slot = match self.index.get(&key) {
            Some(&slot) => slot,
            None => {
                let slot = match self.free_pages.pop() {
                    Some(slot) => slot,
                    None => {
                        self.pages.push(Page { levels: [EMPTY_LEVEL; PAGE_LEN], bits: 0 });
                        (self.pages.len() - 1) as u32
                    }
                };
                self.index.insert(key, slot);
                slot
            }
        };
        self.cache_key = key;
        self.cache_slot = slot;
        slot
    }

    /// The level at `price`, if it has orders.
    #[inline]
    pub fn level(&self, price: i64) -> Option<&Level> {
        let (key, off) = split(price);
        let page = &self.pages[self.page_slot(key)? as usize];
        (page.bits >> off & 1 == 1).then(|| &page.levels[off])
    }

    /// Total quantity resting at `price` (zero when the level is empty).
    #[inline]
    pub fn qty_at(&self, price: i64) -> i64 {
        self.level(price).map_or(0, |l| l.qty)
    }

    /// Appends the node in `slot` (price and quantity already set) at the back of its level.
    pub fn push_back(&mut self, nodes: &mut [Node], slot: u32) {
        let (price, qty) = (nodes[slot as usize].price, nodes[slot as usize].qty);
        let (key, off) = split(price);
        let page_slot = self.page_slot_or_insert(key);
        let page = &mut self.pages[page_slot as usize];
        let level = &mut page.levels[off];
        let node = &mut nodes[slot as usize];
        node.next = NIL;
        node.prev = level.tail;
        if level.tail == NIL {
            level.head = slot;
            page.bits |= 1 << off;
            self.levels += 1;
        } else {
            nodes[level.tail as usize].next = slot;
        }
        level.tail = slot;
        level.qty += qty;
        let better = match (self.best, self.side) {
            (None, _) => true,
            (Some(b), Side::Buy) => price > b,
            (Some(b), Side::Sell) => price < b,
        };
        if better {
            self.best = Some(price);
        }
    }

    /// Lowers the quantity recorded for the level at `price` by `lots` (a partial fill or an
    /// in-place reduction; the node's own quantity is the caller's to change).
    #[inline]
    pub fn reduce(&mut self, price: i64, lots: i64) {
        let (key, off) = split(price);
        let slot = self.page_slot(key).expect("level exists");
        self.pages[slot as usize].levels[off].qty -= lots;
    }

    /// Unlinks the node in `slot` from its level and removes its remaining quantity.
    pub fn unlink(&mut self, nodes: &mut [Node], slot: u32) {
        let Node { price, qty, prev, next, .. } = nodes[slot as usize];
        let (key, off) = split(price);
        let page_slot = self.page_slot(key).expect("a resting order's page exists");
        let page = &mut self.pages[page_slot as usize];
        let level = &mut page.levels[off];
        level.qty -= qty;
        if prev == NIL {
            level.head = next;
        } else {
            nodes[prev as usize].next = next;
        }
        if next == NIL {
            level.tail = prev;
        } else {
            nodes[next as usize].prev = prev;
        }
        if level.head == NIL {
            debug_assert_eq!(level.qty, 0);
            page.bits &= !(1u64 << off);
            self.levels -= 1;
            let page_empty = page.bits == 0;
            if page_empty {
                self.index.remove(&key);
                self.free_pages.push(page_slot);
                if self.cache_key == key {
                    self.cache_key = i64::MIN;
                }
            }
            if self.best == Some(price) {
                self.best = self.next_after(price);
            }
        }
    }

    /// The first non-empty level strictly worse than `price`.
    fn next_after(&self, price: i64) -> Option<i64> {
        let (key, off) = split(price);
        match self.side {
            Side::Buy => {
                if let Some(slot) = self.page_slot(key) {
                    let below = self.pages[slot as usize].bits & ((1u64 << off) - 1);
                    if below != 0 {
                        return Some(join(key, 63 - below.leading_zeros()));
                    }
                }
                let (&k, &slot) = self.index.range(..key).next_back()?;
                let bits = self.pages[slot as usize].bits;
                Some(join(k, 63 - bits.leading_zeros()))
            }
            Side::Sell => {
                if let Some(slot) = self.page_slot(key) {
                    let above = if off == 63 { 0 } else { self.pages[slot as usize].bits & (!0u64 << (off + 1)) };
                    if above != 0 {
                        return Some(join(key, above.trailing_zeros()));
                    }
                }
                let (&k, &slot) = self.index.range(key + 1..).next()?;
                let bits = self.pages[slot as usize].bits;
                Some(join(k, bits.trailing_zeros()))
            }
        }
    }

    /// The slot of the oldest order at `price`, or `NIL`.
    #[inline]
    pub fn head(&self, price: i64) -> u32 {
        self.level(price).map_or(NIL, |l| l.head)
    }

    /// Non-empty levels as `(price, qty)`, best first.
    pub fn iter(&self) -> LevelIter<'_> {
        LevelIter { ladder: self, next: self.best }
    }

    /// Total quantity over all levels with `lo ≤ price ≤ hi`, walking levels, never orders.
    pub fn depth_between(&self, lo: i64, hi: i64) -> i64 {
        if lo > hi {
            return 0;
        }
        let (lo_key, lo_off) = split(lo);
        let (hi_key, hi_off) = split(hi);
        let mut total = 0;
        for (&key, &slot) in self.index.range(lo_key..=hi_key) {
            let page = &self.pages[slot as usize];
            let mut bits = page.bits;
            if key == lo_key {
                bits &= !0u64 << lo_off;
            }
            if key == hi_key && hi_off < 63 {
                bits &= (1u64 << (hi_off + 1)) - 1;
            }
            while bits != 0 {
                let off = bits.trailing_zeros() as usize;
                total += page.levels[off].qty;
                bits &= bits - 1;
            }
        }
        total
    }
}

/// Iterator over a ladder's non-empty levels, best first.
#[derive(Debug)]
pub(super) struct LevelIter<'a> {
    ladder: &'a Ladder,
    next: Option<i64>,
}

impl<'a> Iterator for LevelIter<'a> {
    type Item = (Price, Qty, &'a Level);

    fn next(&mut self) -> Option<Self::Item> {
        let price = self.next?;
        let level = self.ladder.level(price).expect("iterated level is non-empty");
        self.next = self.ladder.next_after(price);
        Some((Price(price), Qty(level.qty), level))
    }
}
