//! `idle`: a holder that never trades. Its wallet takes part in the run (contracts can lend to it,
//! pay it, hold its tokens) but it sends no order: the control of a counterfactual that asks "what
//! if this group had done nothing?" (`--counterfactual GROUP=idle`).

use super::{Agent, AgentCtx};

/// An agent that never acts (kind `idle`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Idle;

impl Agent for Idle {
    fn start(&mut self, _ctx: &mut AgentCtx<'_>) {}

    fn on_wakeup(&mut self, _ctx: &mut AgentCtx<'_>) {}
}
