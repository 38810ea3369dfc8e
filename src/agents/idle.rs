//! `idle`: a holder that never trades. Its wallet takes part in the run (contracts can lend to it,
//! pay it, hold its tokens) but it sends no order: the control of a counterfactual that asks "what
//! if this group had done nothing?" (`--counterfactual GROUP=idle`).

use serde::Deserialize;

use super::behaviour::{AgentSetup, Market, ParamIssue};
use super::{Agent, AgentCtx};

/// The parameters of `idle`: there are none (an `[agents.idle]` table, if given, must be empty).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdleConfig {}

impl IdleConfig {
    /// Nothing to check.
    pub fn check(&self, _market: &Market) -> Vec<ParamIssue> {
        Vec::new()
    }
}

/// An agent that never acts (kind `idle`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Idle;

impl Idle {
    /// An idle agent.
    pub fn new(_config: IdleConfig, _setup: AgentSetup) -> Self {
        Idle
    }
}

impl Agent for Idle {
    fn start(&mut self, _ctx: &mut AgentCtx<'_>) {}

    fn on_wakeup(&mut self, _ctx: &mut AgentCtx<'_>) {}
}
