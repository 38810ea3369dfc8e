//! A wash trader (placeholder being written).

use serde::Deserialize;

use super::behaviour::{AgentSetup, MarketSpec, ParamIssue};
use super::{Agent, AgentCtx};

/// Parameters of `wash`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WashConfig {}

impl WashConfig {
    /// Every problem with these parameters.
    pub fn check(&self, _market: &MarketSpec) -> Vec<ParamIssue> {
        Vec::new()
    }
}

/// A wash trader.
#[derive(Clone, Debug)]
pub struct WashTrader {
    setup: AgentSetup,
}

impl WashTrader {
    /// Builds the agent.
    pub fn new(_config: WashConfig, setup: AgentSetup) -> Self {
        WashTrader { setup }
    }
}

impl Agent for WashTrader {
    fn start(&mut self, _ctx: &mut AgentCtx<'_>) {
        let _ = &self.setup;
    }
    fn on_wakeup(&mut self, _ctx: &mut AgentCtx<'_>) {}
}
