//! The discrete-event kernel: a simulated clock and the queue of pending events.
//!
//! [`Kernel<E>`] is generic over the event payload `E` and knows nothing of agents, the exchange or
//! contracts; the simulation built on it decides what an event means. Time is [`SimTime`], integer
//! nanoseconds since the start of the run; the wall clock is never read and time is never a float.
//!
//! Driving it: schedule events with [`Kernel::schedule_at`] or [`Kernel::schedule_in`], pop them
//! one at a time with [`Kernel::step`] / [`Kernel::next_due`], then [`Kernel::advance_to`] the
//! time you stepped to.
//!
//! Invariants:
//! - **the engine owns the clock**: only popping an event or [`Kernel::advance_to`] moves it, and
//!   it never goes backwards;
//! - **every pending event is due at or after `now()`**: scheduling in the past is rejected
//!   ([`EngineError::InThePast`]), and the clock cannot be moved past a pending event;
//! - **the order is total and reproducible**: events pop by `(time, seq)` where `seq` is the insertion
//!   order ([`EventQueue`]), so equal times are FIFO and the same schedule gives the same run.
//!   An event scheduled for `now()` while handling another runs after everything already queued for
//!   `now()`.

mod latency;
mod queue;
pub mod simulation;
#[cfg(test)]
mod tests;

pub use latency::Latency;
pub use queue::EventQueue;

use crate::types::SimTime;

/// Misuse of the kernel's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// An event was scheduled before the current time.
    #[error(
        "cannot schedule an event at t={} ns: the clock is already at t={} ns; \
         schedule at or after now (e.g. with schedule_in)",
        .at.nanos(), .now.nanos()
    )]
    InThePast {
        /// The current time.
        now: SimTime,
        /// The requested time.
        at: SimTime,
    },
    /// The clock was asked to move backwards.
    #[error(
        "cannot move the clock back to t={} ns: it is already at t={} ns",
        .to.nanos(), .now.nanos()
    )]
    ClockBackwards {
        /// The current time.
        now: SimTime,
        /// The requested time.
        to: SimTime,
    },
    /// The clock was asked to jump over an event that is still pending.
    #[error(
        "cannot advance the clock to t={} ns: an event is pending at t={} ns; process it first \
         (next_due)",
        .to.nanos(), .pending.nanos()
    )]
    SkipsPending {
        /// The time of the earliest pending event.
        pending: SimTime,
        /// The requested time.
        to: SimTime,
    },
}

/// The simulated clock and the pending events of one run.
#[derive(Debug)]
pub struct Kernel<E> {
    now: SimTime,
    queue: EventQueue<E>,
    events: u64,
}

impl<E> Default for Kernel<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Kernel<E> {
    /// A kernel at time zero with no pending events.
    pub fn new() -> Self {
        Kernel { now: SimTime::ZERO, queue: EventQueue::new(), events: 0 }
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// How many events have been popped (processed) so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// How many events are pending.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// The time of the next pending event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.queue.peek_time()
    }

    /// Schedules `event` at the absolute time `at`.
    ///
    /// # Errors
    /// [`EngineError::InThePast`] if `at < now()`; the event is dropped.
    pub fn schedule_at(&mut self, at: SimTime, event: E) -> Result<(), EngineError> {
        if at < self.now {
            return Err(EngineError::InThePast { now: self.now, at });
        }
        self.queue.push(at, event);
        Ok(())
    }

    /// Schedules `event` `delay_ns` nanoseconds from now (saturating at the end of time) and returns
    /// its due time. Cannot fail: the due time is never in the past.
    pub fn schedule_in(&mut self, delay_ns: u64, event: E) -> SimTime {
        let at = self.now.plus_nanos(delay_ns);
        self.queue.push(at, event);
        at
    }

    /// Pops the next event and advances the clock to its time; `None` when nothing is pending.
    pub fn step(&mut self) -> Option<(SimTime, E)> {
        let (at, event) = self.queue.pop()?;
        debug_assert!(at >= self.now, "pending event before the clock");
        self.now = at;
        self.events += 1;
        Some((at, event))
    }

    /// Like [`step`](Self::step), but only if the next event is due at or before `until`; otherwise
    /// returns `None` and leaves the clock alone. Loop on it, then call [`advance_to`](Self::advance_to).
    pub fn next_due(&mut self, until: SimTime) -> Option<(SimTime, E)> {
        match self.queue.peek_time() {
            Some(at) if at <= until => self.step(),
            _ => None,
        }
    }

    /// Moves the clock forward to `to` without processing anything.
    ///
    /// # Errors
    /// [`EngineError::ClockBackwards`] if `to < now()`; [`EngineError::SkipsPending`] if an event is
    /// pending before `to` (it would end up in the past). An event due exactly at `to` stays pending.
    pub fn advance_to(&mut self, to: SimTime) -> Result<(), EngineError> {
        if to < self.now {
            return Err(EngineError::ClockBackwards { now: self.now, to });
        }
        if let Some(pending) = self.queue.peek_time().filter(|&p| p < to) {
            return Err(EngineError::SkipsPending { pending, to });
        }
        self.now = to;
        Ok(())
    }
}
