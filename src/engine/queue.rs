//! The pending-event queue: a min-heap keyed by `(time, seq)`.
//!
//! Each pushed event gets a sequence number from a counter that only ever grows, so the key
//! `(time, seq)` is unique and the order is total: earlier times first, and among equal times the one
//! pushed first (FIFO). The payload never takes part in the comparison, so it needs no `Ord`, and the
//! pop order depends only on the sequence of pushes, never on memory addresses or hashing.
//!
//! Times are [`SimTime`] (nanoseconds since the start of the run). Push and pop cost O(log n).

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use crate::types::SimTime;

/// A pending event with its ordering key. Compared by `(time, seq)` only.
#[derive(Debug)]
struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> Entry<E> {
    fn key(&self) -> (SimTime, u64) {
        (self.time, self.seq)
    }
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

/// Events waiting for their time, popped earliest first and FIFO among equal times.
#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Entry<E>>>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue { heap: BinaryHeap::new(), next_seq: 0 }
    }

    /// Adds `event` due at `time`. It pops after every event already queued for the same time.
    pub fn push(&mut self, time: SimTime, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse(Entry { time, seq, event }));
    }

    /// Removes and returns the earliest event (the first pushed among equal times).
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.heap.pop().map(|Reverse(e)| (e.time, e.event))
    }

    /// The time of the event [`pop`](Self::pop) would return, without removing it.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|Reverse(e)| e.time)
    }

    /// The number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The number of events ever pushed (the next sequence number).
    pub fn pushed(&self) -> u64 {
        self.next_seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain<E>(q: &mut EventQueue<E>) -> Vec<(SimTime, E)> {
        std::iter::from_fn(|| q.pop()).collect()
    }

    #[test]
    fn equal_times_pop_fifo() {
        let mut q = EventQueue::new();
        for label in ["a", "b", "c", "d", "e"] {
            q.push(SimTime(5), label);
        }
        let order: Vec<_> = drain(&mut q).into_iter().map(|(_, e)| e).collect();
        assert_eq!(order, ["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn pops_in_time_order_then_fifo() {
        let mut q = EventQueue::new();
        q.push(SimTime(30), "late");
        q.push(SimTime(10), "early-1");
        q.push(SimTime(20), "mid");
        q.push(SimTime(10), "early-2");
        q.push(SimTime(0), "first");
        assert_eq!(q.len(), 5);
        assert_eq!(q.peek_time(), Some(SimTime(0)));
        let got = drain(&mut q);
        let want = [
            (SimTime(0), "first"),
            (SimTime(10), "early-1"),
            (SimTime(10), "early-2"),
            (SimTime(20), "mid"),
            (SimTime(30), "late"),
        ];
        assert_eq!(got, want);
        assert!(q.is_empty());
        assert_eq!(q.peek_time(), None);
        assert_eq!(q.pushed(), 5);
    }

    #[test]
    fn payload_needs_no_ord() {
        #[derive(Debug, PartialEq)]
        struct NotOrd(f64);
        let mut q = EventQueue::new();
        q.push(SimTime(2), NotOrd(f64::NAN));
        q.push(SimTime(1), NotOrd(1.5));
        assert_eq!(q.pop().map(|(t, e)| (t, e.0)), Some((SimTime(1), 1.5)));
    }

    #[test]
    fn fifo_survives_interleaved_pops() {
        let mut q = EventQueue::new();
        q.push(SimTime(1), 0);
        q.push(SimTime(1), 1);
        assert_eq!(q.pop(), Some((SimTime(1), 0)));
        q.push(SimTime(1), 2);
        q.push(SimTime(0), 3);
        assert_eq!(drain(&mut q), [(SimTime(0), 3), (SimTime(1), 1), (SimTime(1), 2)]);
    }
}
