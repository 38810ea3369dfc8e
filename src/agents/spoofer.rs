//! A spoofer (placeholder being written).

use serde::Deserialize;

use super::behaviour::{AgentSetup, MarketSpec, ParamIssue};
use super::{Agent, AgentCtx};

/// Parameters of `spoofer`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpooferConfig {}

impl SpooferConfig {
    /// Every problem with these parameters.
    pub fn check(&self, _market: &MarketSpec) -> Vec<ParamIssue> {
        Vec::new()
    }
}

/// A spoofer.
#[derive(Clone, Debug)]
pub struct Spoofer {
    setup: AgentSetup,
}

impl Spoofer {
    /// Builds the agent.
    pub fn new(_config: SpooferConfig, setup: AgentSetup) -> Self {
        Spoofer { setup }
    }
}

impl Agent for Spoofer {
    fn start(&mut self, _ctx: &mut AgentCtx<'_>) {
        let _ = &self.setup;
    }
    fn on_wakeup(&mut self, _ctx: &mut AgentCtx<'_>) {}
}
