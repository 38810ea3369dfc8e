//! A crowd of retail traders (placeholder being written).

use serde::Deserialize;

use super::behaviour::{AgentSetup, MarketSpec, ParamIssue};
use super::{Agent, AgentCtx};

/// Parameters of `retail`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetailConfig {}

impl RetailConfig {
    /// Every problem with these parameters.
    pub fn check(&self, _market: &MarketSpec) -> Vec<ParamIssue> {
        Vec::new()
    }
}

/// A crowd of retail traders.
#[derive(Clone, Debug)]
pub struct RetailCrowd {
    setup: AgentSetup,
}

impl RetailCrowd {
    /// Builds the agent.
    pub fn new(_config: RetailConfig, setup: AgentSetup) -> Self {
        RetailCrowd { setup }
    }
}

impl Agent for RetailCrowd {
    fn start(&mut self, _ctx: &mut AgentCtx<'_>) {
        let _ = &self.setup;
    }
    fn on_wakeup(&mut self, _ctx: &mut AgentCtx<'_>) {}
}
