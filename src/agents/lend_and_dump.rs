//! A lend-and-dump market maker (placeholder being written).

use serde::Deserialize;

use super::behaviour::{AgentSetup, MarketSpec, ParamIssue};
use super::{Agent, AgentCtx};

/// Parameters of `lend_and_dump`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LendAndDumpConfig {}

impl LendAndDumpConfig {
    /// Every problem with these parameters.
    pub fn check(&self, _market: &MarketSpec) -> Vec<ParamIssue> {
        Vec::new()
    }
}

/// A lend-and-dump market maker.
#[derive(Clone, Debug)]
pub struct LendAndDump {
    setup: AgentSetup,
}

impl LendAndDump {
    /// Builds the agent.
    pub fn new(_config: LendAndDumpConfig, setup: AgentSetup) -> Self {
        LendAndDump { setup }
    }
}

impl Agent for LendAndDump {
    fn start(&mut self, _ctx: &mut AgentCtx<'_>) {
        let _ = &self.setup;
    }
    fn on_wakeup(&mut self, _ctx: &mut AgentCtx<'_>) {}
}
