//! A passive market maker (placeholder being written).

use serde::Deserialize;

use super::behaviour::{AgentSetup, MarketSpec, ParamIssue};
use super::{Agent, AgentCtx};

/// Parameters of `passive_mm`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PassiveMmConfig {}

impl PassiveMmConfig {
    /// Every problem with these parameters.
    pub fn check(&self, _market: &MarketSpec) -> Vec<ParamIssue> {
        Vec::new()
    }
}

/// A passive market maker.
#[derive(Clone, Debug)]
pub struct PassiveMm {
    setup: AgentSetup,
}

impl PassiveMm {
    /// Builds the agent.
    pub fn new(_config: PassiveMmConfig, setup: AgentSetup) -> Self {
        PassiveMm { setup }
    }
}

impl Agent for PassiveMm {
    fn start(&mut self, _ctx: &mut AgentCtx<'_>) {
        let _ = &self.setup;
    }
    fn on_wakeup(&mut self, _ctx: &mut AgentCtx<'_>) {}
}
