//! The library surface: scenarios built in code are validated like files (errors name the key, never
//! a panic), the builder returns a started simulation, and stepping reports misuse as an error.

use mmsim::agents::passive_mm::PassiveMmConfig;
use mmsim::agents::retail::RetailConfig;
use mmsim::agents::Behaviour;
use mmsim::build::build;
use mmsim::contracts::spec::{ContractSpec, ContractTerms, SplitTerms};
use mmsim::engine::EngineError;
use mmsim::scenario::{Scenario, ScenarioError};
use mmsim::types::SimTime;
use mmsim::units::Dur;
use rust_decimal::dec;

fn market() -> Scenario {
    crate::fixtures::market("library", 3, 1)
        .with_group("mm", 1, dec!(50_000), dec!(1_000_000), Behaviour::PassiveMm(PassiveMmConfig::default()))
        .with_group("retail", 50, dec!(500), dec!(10_000), Behaviour::Retail(RetailConfig::default()))
}

fn problems(err: ScenarioError) -> Vec<String> {
    match err {
        ScenarioError::Invalid { problems, .. } => problems.iter().map(ToString::to_string).collect(),
        other => panic!("expected problems, got {other}"),
    }
}

#[test]
fn a_bad_parameter_in_code_is_an_error_naming_its_key() {
    let bad = PassiveMmConfig { spread_bps: -5.0, max_inventory: f64::NAN, ..PassiveMmConfig::default() };
    let s = market().with_group("mm2", 1, dec!(1_000), dec!(0), Behaviour::PassiveMm(bad));
    let found = problems(build(&s, None).unwrap_err());
    assert!(found.iter().any(|p| p.contains("agents.mm2.passive_mm.spread_bps")), "{found:?}");
    assert!(found.iter().any(|p| p.contains("agents.mm2.passive_mm.max_inventory")), "{found:?}");
}

#[test]
fn a_contract_naming_a_missing_group_or_account_is_an_error_not_a_panic() {
    let split = SplitTerms {
        mm: "nobody".into(),
        beneficiary: "ghost".into(),
        share: dec!(0.5),
        start: SimTime::ZERO,
        every: Dur::hours(1),
    };
    let s = market().with_contract(ContractSpec { name: "split".into(), terms: ContractTerms::ProceedsSplit(split) });
    let found = problems(build(&s, None).unwrap_err());
    assert!(found.iter().any(|p| p.contains("contracts.split.mm") && p.contains("\"nobody\"")), "{found:?}");
    assert!(found.iter().any(|p| p.contains("contracts.split.beneficiary")), "{found:?}");
}

#[test]
fn the_built_simulation_is_started_and_steps_forward_only() {
    let mut built = build(&market(), None).expect("a valid scenario");
    assert!(built.sim.step_until(SimTime::from_secs(60)).unwrap(), "more to come");
    assert!(built.sim.events() > 0, "agents were started by the builder");
    let err = built.sim.step_until(SimTime::from_secs(30)).unwrap_err();
    assert!(matches!(err, EngineError::ClockBackwards { .. }), "{err}");
    built.sim.run();
    built.sim.finish(); // twice is harmless
    assert_eq!(built.sim.now(), built.sim.end());
    crate::fixtures::assert_conserved(&built.sim);
}
