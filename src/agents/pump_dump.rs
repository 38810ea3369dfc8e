//! A three-phase pump-and-dump market maker (placeholder being written).

use serde::Deserialize;

use super::behaviour::{AgentSetup, MarketSpec, ParamIssue};
use super::{Agent, AgentCtx};

/// Parameters of `pump_dump`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PumpDumpConfig {}

impl PumpDumpConfig {
    /// Every problem with these parameters.
    pub fn check(&self, _market: &MarketSpec) -> Vec<ParamIssue> {
        Vec::new()
    }
}

/// A three-phase pump-and-dump market maker.
#[derive(Clone, Debug)]
pub struct PumpDump {
    setup: AgentSetup,
}

impl PumpDump {
    /// Builds the agent.
    pub fn new(_config: PumpDumpConfig, setup: AgentSetup) -> Self {
        PumpDump { setup }
    }
}

impl Agent for PumpDump {
    fn start(&mut self, _ctx: &mut AgentCtx<'_>) {
        let _ = &self.setup;
    }
    fn on_wakeup(&mut self, _ctx: &mut AgentCtx<'_>) {}
}
