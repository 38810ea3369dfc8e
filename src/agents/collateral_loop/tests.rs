//! Tests of `collateral_loop`: parameters, and the loop against a passive market maker (leverage
//! rises within the loan-to-value limit; the debt is read off the ledger).

use rust_decimal::dec;

use super::*;
use crate::agents::behaviour::Behaviour;
use crate::agents::passive_mm::PassiveMmConfig;
use crate::agents::AnyAgent;
use crate::build::build;
use crate::scenario::Scenario;
use crate::units::{Dec, Dur};

fn parse(src: &str) -> Result<CollateralLoopConfig, String> {
    toml::from_str(src).map_err(|e| e.to_string())
}

#[test]
fn parameters_parse_and_check() {
    assert_eq!(parse("").unwrap(), CollateralLoopConfig::default());
    let m = crate::testkit::market(); // tick 0.0001, lot 1
    let c = parse("credit_line_quote = 250000\nmax_ltv = 0.5\nliquidation_ltv = 0.8\nlever_until = \"2h\"").unwrap();
    assert_eq!(c.credit_line(&m), Some(Cash(2_500_000_000)), "250000 quote in atoms of 0.0001");
    assert_eq!((c.target_ltv(), c.lever_until), (0.5, Some(Dur(7_200_000_000_000))));
    assert!(c.check(&m).is_empty());
    assert!(parse("max_loan_to_value = 0.5").unwrap_err().contains("max_ltv"));
    let bad = CollateralLoopConfig {
        credit_line_quote: Some(Dec(dec!(-1))),
        max_ltv: 0.8,
        liquidation_ltv: 0.7,
        liquidation_target_ltv: Some(0.9),
        borrow_clip_quote: 0.0,
        liquidation_slippage_bps: 10_000.0,
        ..CollateralLoopConfig::default()
    };
    let keys: Vec<_> = bad.check(&m).iter().map(|i| i.key).collect();
    assert_eq!(
        keys,
        [
            "credit_line_quote",
            "liquidation_ltv",
            "liquidation_target_ltv",
            "borrow_clip_quote",
            "liquidation_slippage_bps"
        ]
    );
}

#[test]
fn leverage_rises_within_the_limit_against_a_market_maker() {
    let mm = PassiveMmConfig { level_size: 20_000.0, max_inventory: 10_000_000.0, ..PassiveMmConfig::default() };
    let config = CollateralLoopConfig { max_ltv: 0.5, borrow_clip_quote: 500.0, ..CollateralLoopConfig::default() };
    let s = Scenario::new("loop", 3, dec!(0.0001), dec!(1), dec!(0.05), Dur(3 * 3_600_000_000_000))
        .with_group("mm", 1, dec!(1_000_000), dec!(20_000_000), Behaviour::PassiveMm(mm))
        .with_group("loop", 1, dec!(100_000), dec!(100_000), Behaviour::CollateralLoop(config));
    let mut built = build(&s, None).expect("a valid scenario");
    built.sim.run();
    crate::testkit::assert_sim_conserved(&built.sim);
    let AnyAgent::CollateralLoop(a) = &built.sim.slots()[1].agent else { panic!("the loop agent") };
    assert_eq!(a.credit_line(), Cash(1_000_000_000), "all its starting cash is the lender's");
    let last = a.history().last().expect("decisions");
    assert!(a.loop_stats().bought_lots > 0, "{:?}", a.loop_stats());
    assert!(last.debt.0 > 0 && last.ltv <= 0.5 + 0.02, "{last:?}");
    assert!(a.loop_stats().peak_leverage > 1.5, "{:?}", a.loop_stats());
    assert_eq!(a.stats().insufficient_funds, 0);
    assert_eq!(a.current_phase(), Phase::Leveraging);
    // The debt is the lender's cash missing from the account (the mm's account is opened first).
    let cash = built.sim.exchange().ledger().account(crate::ledger::AccountId(1)).cash();
    assert!(cash < a.credit_line(), "borrowed cash was spent");
}
