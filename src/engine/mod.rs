//! The discrete-event kernel: a simulated clock and the queue of pending events.
//!
//! [`Kernel<E>`] is generic over the event payload `E` and knows nothing of agents, the exchange or
//! contracts; the simulation built on it decides what an event means. Time is [`SimTime`], integer
//! nanoseconds since the start of the run; the wall clock is never read and time is never a float.
//!
//! Driving it: schedule events with [`Kernel::schedule_at`], [`Kernel::schedule_in`] or
//! [`Kernel::schedule_after_latency`], then either pop them one at a time with [`Kernel::step`] /
//! [`Kernel::next_due`] (handy when the handler needs `&mut self` of a struct that owns the kernel),
//! or hand a closure to [`Kernel::run_until`].
//!
//! Invariants:
//! - **the engine owns the clock**: only popping an event or [`Kernel::advance_to`] /
//!   [`Kernel::run_until`] moves it, and it never goes backwards;
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

use rand::Rng;

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
         (next_due / run_until)",
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

    /// Schedules `event` after one sample of `latency` drawn from `rng` (e.g. an order leaving an agent
    /// and reaching the exchange), and returns its arrival time.
    ///
    /// Pass the sending agent's own RNG stream so that latency draws stay reproducible per agent.
    pub fn schedule_after_latency<R: Rng + ?Sized>(&mut self, latency: &Latency, rng: &mut R, event: E) -> SimTime {
        let delay = latency.sample(rng);
        self.schedule_in(delay, event)
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

    /// Processes, in order, every event due at or before `until` (including those that `handle`
    /// schedules along the way), then sets the clock to `until`. Returns how many events were handled.
    ///
    /// `handle` receives the kernel (to read `now()` and schedule more events), the event's time and
    /// the event.
    ///
    /// # Errors
    /// [`EngineError::ClockBackwards`] if `until < now()`; nothing is processed then. Also if `handle`
    /// itself advanced the clock beyond `until` (the events handled so far stay handled).
    pub fn run_until<F>(&mut self, until: SimTime, mut handle: F) -> Result<u64, EngineError>
    where
        F: FnMut(&mut Kernel<E>, SimTime, E),
    {
        if until < self.now {
            return Err(EngineError::ClockBackwards { now: self.now, to: until });
        }
        let before = self.events;
        while let Some((at, event)) = self.next_due(until) {
            handle(self, at, event);
        }
        self.advance_to(until)?;
        Ok(self.events - before)
    }
}
