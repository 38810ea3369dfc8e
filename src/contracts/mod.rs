//! Contracts between a project and its market makers, settled on the simulation clock.
//!
//! A contract is woken by timers it schedules (signing, each period's end, expiry, KPI snapshots).
//! On a wake-up it may read the market and the exchange, move cash and tokens between accounts
//! through its [`ContractCtx`] (every transfer is recorded, so PnL and conservation stay exact), and
//! schedule its next timer. At the end of the run it reports its settlement figures.

use crate::agents::Tape;
use crate::exchange::Exchange;
use crate::ledger::{AccountId, LedgerError};
use crate::metrics::Recorder;
use crate::types::{Cash, Qty, SimTime};

/// What a contract can reach during a wake-up.
#[derive(Debug)]
pub struct ContractCtx<'a> {
    /// Current simulated time.
    pub now: SimTime,
    /// The exchange: book (read), ledger (through the transfer methods), watched agents' orders.
    pub exchange: &'a mut Exchange,
    /// The tape (last price, recent bars).
    pub tape: &'a Tape,
    recorder: &'a mut Recorder,
    timers: &'a mut Vec<SimTime>,
}

impl<'a> ContractCtx<'a> {
    /// A context; the engine makes one per wake-up.
    pub fn new(
        now: SimTime,
        exchange: &'a mut Exchange,
        tape: &'a Tape,
        recorder: &'a mut Recorder,
        timers: &'a mut Vec<SimTime>,
    ) -> Self {
        ContractCtx { now, exchange, tape, recorder, timers }
    }

    /// Wakes this contract again at `at` (not before now).
    pub fn wake_at(&mut self, at: SimTime) {
        self.timers.push(at.max(self.now));
    }

    /// Moves free cash between accounts and records it.
    ///
    /// # Errors
    /// When `from` lacks the free cash; nothing moves.
    pub fn transfer_cash(&mut self, from: AccountId, to: AccountId, amount: Cash) -> Result<(), LedgerError> {
        self.exchange.ledger_mut().transfer_cash(from, to, amount)?;
        self.recorder.on_cash_transfer(from, to, amount);
        Ok(())
    }

    /// Moves free tokens between accounts and records it.
    ///
    /// # Errors
    /// When `from` lacks the free tokens; nothing moves.
    pub fn transfer_tokens(&mut self, from: AccountId, to: AccountId, qty: Qty) -> Result<(), LedgerError> {
        self.exchange.ledger_mut().transfer_tokens(from, to, qty)?;
        self.recorder.on_token_transfer(from, to, qty);
        Ok(())
    }
}

/// The behaviour every contract implements.
pub trait Contract {
    /// Called once at the start of the run: sign, transfer, schedule the first timer.
    fn start(&mut self, ctx: &mut ContractCtx<'_>);
    /// A timer this contract scheduled has fallen due.
    fn on_timer(&mut self, ctx: &mut ContractCtx<'_>);
    /// Called once when the run ends (settle what is still open, e.g. mark a loan not yet due).
    fn finish(&mut self, _ctx: &mut ContractCtx<'_>) {}
}

/// Every contract type, dispatched by `match`.
#[derive(Clone, Debug)]
pub enum AnyContract {}

impl Contract for AnyContract {
    fn start(&mut self, _ctx: &mut ContractCtx<'_>) {
        match *self {}
    }
    fn on_timer(&mut self, _ctx: &mut ContractCtx<'_>) {
        match *self {}
    }
    fn finish(&mut self, _ctx: &mut ContractCtx<'_>) {
        match *self {}
    }
}
