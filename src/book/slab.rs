//! Storage for resting orders: a slab of nodes addressed by `u32` slots, with a free list.
//!
//! Each node is also a link in its price level's FIFO (`prev`/`next` slots), so an order is
//! unlinked in O(1) and no allocation happens per order once the slab has grown to the book's
//! high-water mark.
//!
//! A node is 32 bytes and 32-byte aligned, so it never straddles two cache lines: cancelling a
//! random order among a million touches one line for the order and one for each neighbour. The
//! owner, needed only for fills and snapshots, lives in a parallel array; the side is not stored at
//! all (a resting order is a bid exactly when its price is at or below the best bid).

use crate::types::{OrderId, TraderId};

/// The "no slot" marker for links.
pub(super) const NIL: u32 = u32::MAX;

/// One resting order and its links in the FIFO of its price level.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(32))]
pub(super) struct Node {
    pub id: OrderId,
    /// Remaining quantity in lots.
    pub qty: i64,
    /// Limit price in ticks.
    pub price: i64,
    pub prev: u32,
    pub next: u32,
}

const _: () = assert!(std::mem::size_of::<Node>() == 32);

/// A growable arena of [`Node`]s; freed slots are reused first.
#[derive(Debug, Default)]
pub(super) struct Slab {
    nodes: Vec<Node>,
    traders: Vec<TraderId>,
    free_head: u32,
    live: usize,
}

impl Slab {
    pub fn new() -> Self {
        Slab { nodes: Vec::new(), traders: Vec::new(), free_head: NIL, live: 0 }
    }

    /// Stores `node` owned by `trader` and returns its slot.
    pub fn insert(&mut self, node: Node, trader: TraderId) -> u32 {
        self.live += 1;
        if self.free_head != NIL {
            let slot = self.free_head;
            self.free_head = self.nodes[slot as usize].next;
            self.nodes[slot as usize] = node;
            self.traders[slot as usize] = trader;
            slot
        } else {
            let slot = u32::try_from(self.nodes.len()).expect("fewer than 2^32 resting orders");
            assert!(slot != NIL, "fewer than 2^32 - 1 resting orders");
            self.nodes.push(node);
            self.traders.push(trader);
            slot
        }
    }

    /// Releases `slot` for reuse. The caller has unlinked it already.
    pub fn remove(&mut self, slot: u32) {
        self.live -= 1;
        let node = &mut self.nodes[slot as usize];
        node.qty = 0;
        node.next = self.free_head;
        self.free_head = slot;
    }

    /// The number of live nodes.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Reserves room for `additional` more nodes.
    pub fn reserve(&mut self, additional: usize) {
        self.nodes.reserve(additional);
        self.traders.reserve(additional);
    }

    /// The owner of the order in `slot`.
    #[inline]
    pub fn trader(&self, slot: u32) -> TraderId {
        self.traders[slot as usize]
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn nodes_mut(&mut self) -> &mut [Node] {
        &mut self.nodes
    }
}
