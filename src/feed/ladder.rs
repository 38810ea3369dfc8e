//! One side of the replayed L2 book: aggregate size per price level on a paged dense ladder.
//!
//! Prices are grouped in pages of 64 consecutive ticks. A page holds its 64 sizes inline plus a bitmap
//! of the non-empty levels, so moving the touch to the next level is a couple of bit operations. Pages
//! are found through a `BTreeMap` keyed by `price >> 6` with a one-entry cache, so any price range
//! works and memory follows the prices actually used; a page is released when its last level empties.
//! The best price is kept up to date on every change: O(1) to read, O(1) to improve, and on removal of
//! the touch a bit scan (rarely a map step to the neighbouring page).

use std::collections::BTreeMap;

use crate::types::{Price, Qty, Side};

const PAGE_BITS: u32 = 6;
const PAGE_LEN: usize = 1 << PAGE_BITS;
const PAGE_MASK: i64 = PAGE_LEN as i64 - 1;
const NO_SLOT: u32 = u32::MAX;

#[derive(Clone, Debug)]
struct Page {
    qty: [i64; PAGE_LEN],
    /// Bit `i` is set when `qty[i] > 0`.
    bits: u64,
}

const EMPTY_PAGE: Page = Page { qty: [0; PAGE_LEN], bits: 0 };

#[inline]
fn split(price: i64) -> (i64, usize) {
    (price >> PAGE_BITS, (price & PAGE_MASK) as usize)
}

#[inline]
fn join(key: i64, offset: u32) -> i64 {
    (key << PAGE_BITS) | i64::from(offset)
}

/// The levels of one side. Bids are best at the highest price, asks at the lowest.
#[derive(Clone, Debug)]
pub(super) struct Ladder {
    side: Side,
    pages: Vec<Page>,
    free: Vec<u32>,
    index: BTreeMap<i64, u32>,
    cache_key: i64,
    cache_slot: u32,
    best: Option<i64>,
    levels: usize,
}

impl Ladder {
    /// An empty side.
    pub fn new(side: Side) -> Self {
        Ladder {
            side,
            pages: Vec::new(),
            free: Vec::new(),
            index: BTreeMap::new(),
            cache_key: i64::MIN,
            cache_slot: NO_SLOT,
            best: None,
            levels: 0,
        }
    }

    /// Removes every level (pages are kept for reuse).
    pub fn clear(&mut self) {
        for (_, slot) in std::mem::take(&mut self.index) {
            self.pages[slot as usize] = EMPTY_PAGE;
            self.free.push(slot);
        }
        self.cache_key = i64::MIN;
        self.cache_slot = NO_SLOT;
        self.best = None;
        self.levels = 0;
    }

    /// The best level.
    #[inline]
    pub fn best(&self) -> Option<(Price, Qty)> {
        self.best.map(|p| (Price(p), self.qty_at(Price(p))))
    }

    /// The best price.
    #[cfg(test)]
    pub fn best_price(&self) -> Option<Price> {
        self.best.map(Price)
    }

    /// The number of non-empty levels.
    pub fn len(&self) -> usize {
        self.levels
    }

    /// The size at `price` (zero when there is no level).
    pub fn qty_at(&self, price: Price) -> Qty {
        let (key, offset) = split(price.0);
        let slot = if key == self.cache_key { Some(self.cache_slot) } else { self.index.get(&key).copied() };
        slot.map_or(Qty(0), |s| Qty(self.pages[s as usize].qty[offset]))
    }

    #[inline]
    fn lookup(&mut self, key: i64) -> Option<u32> {
        if key == self.cache_key {
            return Some(self.cache_slot);
        }
        let slot = *self.index.get(&key)?;
        self.cache_key = key;
        self.cache_slot = slot;
        Some(slot)
    }

    fn lookup_or_insert(&mut self, key: i64) -> u32 {
        if let Some(slot) = self.lookup(key) {
            return slot;
        }
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.pages.push(EMPTY_PAGE);
                (self.pages.len() - 1) as u32
            }
        };
        self.index.insert(key, slot);
        self.cache_key = key;
        self.cache_slot = slot;
        slot
    }

    #[inline]
    fn better(&self, a: i64, b: i64) -> bool {
        match self.side {
            Side::Buy => a > b,
            Side::Sell => a < b,
        }
    }

    /// Sets the level at `price` to `qty` lots (zero removes it). `qty` must not be negative.
    #[inline]
    pub fn set(&mut self, price: Price, qty: Qty) {
        debug_assert!(qty.0 >= 0);
        let (key, offset) = split(price.0);
        let bit = 1u64 << offset;
        if qty.0 > 0 {
            let slot = self.lookup_or_insert(key);
            let page = &mut self.pages[slot as usize];
            page.qty[offset] = qty.0;
            if page.bits & bit == 0 {
                page.bits |= bit;
                self.levels += 1;
                if self.best.is_none_or(|b| self.better(price.0, b)) {
                    self.best = Some(price.0);
                }
            }
            return;
        }
        let Some(slot) = self.lookup(key) else { return };
        let page = &mut self.pages[slot as usize];
        if page.bits & bit == 0 {
            return;
        }
        page.bits &= !bit;
        page.qty[offset] = 0;
        self.levels -= 1;
        let page_empty = page.bits == 0;
        if page_empty {
            self.index.remove(&key);
            self.free.push(slot);
            self.cache_key = i64::MIN;
        }
        if self.best == Some(price.0) {
            self.best = self.next_from(key, offset as u32, (!page_empty).then_some(slot));
        }
    }

    /// The best price strictly worse than `(key, offset)`, looking in `slot` (that page) first.
    fn next_from(&self, key: i64, offset: u32, slot: Option<u32>) -> Option<i64> {
        match self.side {
            Side::Buy => {
                if let Some(slot) = slot {
                    let below = self.pages[slot as usize].bits & ((1u64 << offset) - 1);
                    if below != 0 {
                        return Some(join(key, 63 - below.leading_zeros()));
                    }
                }
                let (&k, &s) = self.index.range(..key).next_back()?;
                Some(join(k, 63 - self.pages[s as usize].bits.leading_zeros()))
            }
            Side::Sell => {
                if let Some(slot) = slot {
                    let above = self.pages[slot as usize].bits & !((2u64 << offset).wrapping_sub(1));
                    if above != 0 {
                        return Some(join(key, above.trailing_zeros()));
                    }
                }
                let (&k, &s) = self.index.range(key + 1..).next()?;
                Some(join(k, self.pages[s as usize].bits.trailing_zeros()))
            }
        }
    }

    /// Every level, best first.
    pub fn levels(&self) -> impl Iterator<Item = (Price, Qty)> + '_ {
        let pages: Box<dyn Iterator<Item = (&i64, &u32)>> = match self.side {
            Side::Buy => Box::new(self.index.iter().rev()),
            Side::Sell => Box::new(self.index.iter()),
        };
        let side = self.side;
        pages.flat_map(move |(&key, &slot)| {
            let page = &self.pages[slot as usize];
            let offsets: Box<dyn Iterator<Item = u32>> = match side {
                Side::Buy => Box::new((0..PAGE_LEN as u32).rev()),
                Side::Sell => Box::new(0..PAGE_LEN as u32),
            };
            offsets
                .filter(move |&o| page.bits & (1u64 << o) != 0)
                .map(move |o| (Price(join(key, o)), Qty(page.qty[o as usize])))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels(l: &Ladder) -> Vec<(i64, i64)> {
        l.levels().map(|(p, q)| (p.0, q.0)).collect()
    }

    #[test]
    fn best_bid_walks_down_across_pages_and_back_up() {
        let mut l = Ladder::new(Side::Buy);
        for p in [1, 63, 64, 127, 128, 300] {
            l.set(Price(p), Qty(p));
        }
        assert_eq!(l.best(), Some((Price(300), Qty(300))));
        for expected in [128, 127, 64, 63, 1] {
            let best = l.best_price().unwrap();
            l.set(best, Qty(0));
            assert_eq!(l.best_price(), Some(Price(expected)));
        }
        l.set(Price(1), Qty(0));
        assert_eq!((l.best(), l.len()), (None, 0));
        l.set(Price(70), Qty(2));
        assert_eq!(l.best(), Some((Price(70), Qty(2))));
    }

    #[test]
    fn best_ask_walks_up_and_sizes_are_absolute() {
        let mut l = Ladder::new(Side::Sell);
        for p in [200, 130, 129, 64, 63] {
            l.set(Price(p), Qty(1));
        }
        l.set(Price(63), Qty(7));
        assert_eq!(l.best(), Some((Price(63), Qty(7))));
        assert_eq!(levels(&l), vec![(63, 7), (64, 1), (129, 1), (130, 1), (200, 1)]);
        l.set(Price(500), Qty(0));
        l.set(Price(100), Qty(0));
        assert_eq!(l.len(), 5);
        for expected in [64, 129, 130, 200] {
            l.set(l.best_price().unwrap(), Qty(0));
            assert_eq!(l.best_price(), Some(Price(expected)));
        }
        assert_eq!(l.qty_at(Price(200)), Qty(1));
        assert_eq!(l.qty_at(Price(201)), Qty(0));
    }

    #[test]
    fn removing_a_level_that_is_not_the_touch_keeps_the_touch() {
        let mut l = Ladder::new(Side::Buy);
        l.set(Price(10), Qty(1));
        l.set(Price(5), Qty(1));
        l.set(Price(5), Qty(0));
        assert_eq!(l.best_price(), Some(Price(10)));
        l.clear();
        assert_eq!((l.best(), l.len(), levels(&l)), (None, 0, vec![]));
        l.set(Price(-3), Qty(4));
        assert_eq!(l.best(), Some((Price(-3), Qty(4))));
    }
}
