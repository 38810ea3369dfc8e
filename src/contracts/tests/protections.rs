//! The loan's protections: collateral forfeited on breaches, penalties, sell caps, lock-up,
//! recall and its default, detection.

use rust_decimal::dec;

use super::*;
use crate::contracts::protections::{Clause, Holder, Protections};
use crate::contracts::spec::{LoanTerms, Settlement, StrikeReference};
use crate::contracts::TokenLoan;
use crate::units::Dur;

const MIN: u64 = 60_000_000_000;

/// 1,000 lots lent for a day, no calls, with `p`.
fn terms(p: Protections) -> LoanTerms {
    LoanTerms {
        lender: "project".into(),
        mm: "mm".into(),
        tokens: Qty(1_000),
        start: SimTime::ZERO,
        tenor: Dur(86_400_000_000_000),
        options: Vec::new(),
        volatility: 1.0,
        rate: 0.0,
        strike_reference: StrikeReference::Open,
        reference_window: Dur(7 * 86_400_000_000_000),
        settle: Settlement::Tokens,
        expiry_average: None,
        early_return: false,
        protections: p,
    }
}

/// Collateral of 50,000 atoms, held by the project.
fn collateral() -> Protections {
    Protections { collateral_cash: Cash(50_000), forfeit: vec![(Clause::Default, 1.0)], ..Protections::none() }
}

fn loan(p: Protections, holder: AccountId, seed: u64) -> TokenLoan {
    TokenLoan::new("loan", terms(p), PROJECT, vec![MM], vec![MM_ACCT], holder, seed)
}

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

#[test]
fn collateral_is_posted_at_signing_stays_the_mms_and_comes_back_without_a_breach() {
    let (mut w, mut l) = (World::new((0, 1_000), (100_000, 0), 100), loan(collateral(), PROJECT, 1));
    w.start(&mut l);
    assert_eq!((w.cash(MM_ACCT), w.cash(PROJECT)), (Cash(50_000), Cash(50_000)));
    let ledger = w.exchange.ledger();
    assert_eq!(ledger.account(MM_ACCT).cash_claim, Cash(50_000), "still the MM's in every PnL");
    assert_eq!(ledger.account(PROJECT).cash_claim, Cash(-50_000));
    w.drive(&mut l, secs(86_400));
    assert_eq!((w.cash(MM_ACCT), w.cash(PROJECT)), (Cash(100_000), Cash::ZERO));
    assert_eq!(w.exchange.ledger().account(MM_ACCT).cash_claim, Cash::ZERO);
    w.finish(&mut l);
    let j = summary_json(&l.report(units()));
    assert_eq!(j["collateral_cash"], serde_json::json!(500));
    assert_eq!(j["collateral_forfeited_quote"], serde_json::json!(0));
    assert_eq!(j["mm_pnl_quote"], serde_json::json!(0));
}

#[test]
fn an_mm_that_cannot_post_its_collateral_gets_no_loan() {
    let (mut w, mut l) = (World::new((0, 1_000), (10_000, 0), 100), loan(collateral(), PROJECT, 1));
    w.start(&mut l);
    assert_eq!(w.tokens(MM_ACCT), Qty(0));
    assert_eq!(w.cash(MM_ACCT), Cash(10_000));
    assert_eq!(summary_json(&l.report(units()))["status"], "failed");
}

#[test]
fn a_sell_cap_breach_forfeits_its_share_of_the_collateral_from_escrow_and_costs_the_penalty() {
    let p = Protections {
        collateral_cash: Cash(50_000),
        holder: Some(Holder::Escrow("firm".into())),
        forfeit: vec![(Clause::SellCapTotal, 0.5), (Clause::Default, 1.0)],
        sell_cap_total: Some(Qty(300)),
        penalty_per_breach: Cash(7_000),
        ..Protections::none()
    };
    let (mut w, mut l) = (World::new((0, 1_000), (100_000, 0), 100), loan(p, FIRM, 1));
    w.start(&mut l);
    assert_eq!(w.cash(FIRM), Cash(50_000), "escrow holds it");
    w.drive(&mut l, secs(300));
    assert!(l.breaches().is_empty());
    w.move_tokens(MM_ACCT, OTHER_ACCT, Qty(301)); // net sales 301 > cap 300
    w.drive(&mut l, secs(400));
    let b = l.breaches();
    assert_eq!(b.len(), 1, "{b:?}");
    assert_eq!((b[0].clause, b[0].detected), (Clause::SellCapTotal, true));
    assert_eq!((b[0].forfeit_cash, b[0].penalty), (Cash(25_000), Cash(7_000)));
    assert_eq!(w.cash(FIRM), Cash(25_000));
    assert_eq!(w.cash(PROJECT), Cash(32_000), "forfeit + penalty");
    w.drive(&mut l, secs(3_600));
    assert_eq!(l.breaches().len(), 1, "the total cap fires once");
    // The MM buys its tokens back and returns them: the rest of the collateral comes back.
    w.move_tokens(OTHER_ACCT, MM_ACCT, Qty(301));
    w.drive(&mut l, secs(86_400));
    assert_eq!(w.cash(FIRM), Cash::ZERO);
    assert_eq!(w.cash(MM_ACCT), Cash(100_000 - 25_000 - 7_000));
    w.finish(&mut l);
    let j = summary_json(&l.report(units()));
    assert_eq!(j["collateral_forfeited_quote"], serde_json::json!(250));
    assert_eq!(j["penalties_paid"], serde_json::json!(70));
    assert_eq!(j["breaches"][0]["clause"], "sell_cap_total");
    assert!(w.exchange.ledger().conservation().ok());
}

#[test]
fn a_penalty_the_mm_cannot_pay_at_the_breach_is_collected_at_settlement_from_its_proceeds() {
    let p = Protections {
        collateral_cash: Cash(50_000),
        sell_cap_total: Some(Qty(300)),
        penalty_per_breach: Cash(500_000),
        ..Protections::none()
    };
    let (mut w, mut l) = (World::new((0, 1_000), (100_000, 0), 100), loan(p, PROJECT, 1));
    w.start(&mut l);
    // It sells 400 lent tokens (breach) but the buyer pays only later: at the breach it has 50,000
    // free and 50,000 posted, short of the 500,000 penalty.
    w.move_tokens(MM_ACCT, OTHER_ACCT, Qty(400));
    w.drive(&mut l, secs(120));
    assert_eq!(l.breaches()[0].penalty, Cash(100_000), "its free cash, then the collateral");
    assert_eq!((w.cash(MM_ACCT), w.cash(PROJECT)), (Cash::ZERO, Cash(100_000)));
    // The proceeds arrive, it buys the tokens back cheaply and returns them at expiry.
    w.move_cash(OTHER_ACCT, MM_ACCT, Cash(1_000_000));
    w.move_tokens(OTHER_ACCT, MM_ACCT, Qty(400));
    w.drive(&mut l, secs(86_400));
    assert_eq!(w.tokens(PROJECT), Qty(1_000), "the loan came back");
    assert_eq!(w.cash(MM_ACCT), Cash(1_000_000 - 400_000), "the 400,000 still owed was paid at settlement");
    assert_eq!(w.cash(PROJECT), Cash(500_000));
    w.finish(&mut l);
    let j = summary_json(&l.report(units()));
    assert_eq!(j["penalties_paid"], serde_json::json!(5_000), "500,000 atoms in quote units");
    assert!(w.exchange.ledger().conservation().ok());
}

#[test]
fn a_daily_cap_is_judged_per_day_and_a_lockup_forbids_any_net_sale() {
    let p = Protections {
        collateral_cash: Cash(10_000),
        forfeit: vec![(Clause::SellCapDaily, 0.1), (Clause::Lockup, 1.0)],
        sell_cap_daily: Some(Qty(100)),
        lockup: Some(Dur(3_600_000_000_000)),
        ..Protections::none()
    };
    let mut t = terms(p);
    t.tenor = Dur(3 * 86_400_000_000_000);
    let mut w = World::new((0, 1_000), (100_000, 0), 100);
    let mut l = TokenLoan::new("loan", t, PROJECT, vec![MM], vec![MM_ACCT], PROJECT, 1);
    w.start(&mut l);
    w.drive(&mut l, secs(7_200)); // after the lock-up
    w.move_tokens(MM_ACCT, OTHER_ACCT, Qty(90));
    w.drive(&mut l, secs(86_400 - 60));
    assert!(l.breaches().is_empty(), "90 a day is within the cap, after the lock-up");
    w.drive(&mut l, secs(86_400 + 120));
    w.move_tokens(MM_ACCT, OTHER_ACCT, Qty(101));
    w.drive(&mut l, secs(86_400 + 600));
    assert_eq!(l.breaches().iter().map(|b| b.clause).collect::<Vec<_>>(), vec![Clause::SellCapDaily]);
    assert_eq!(l.breaches()[0].forfeit_cash, Cash(1_000));

    let p = Protections { lockup: Some(Dur(3_600_000_000_000)), ..collateral() };
    let (mut w, mut l) = (World::new((0, 1_000), (100_000, 0), 100), loan(p, PROJECT, 1));
    w.start(&mut l);
    w.move_tokens(MM_ACCT, OTHER_ACCT, Qty(1));
    w.drive(&mut l, secs(120));
    assert_eq!(l.breaches().iter().map(|b| b.clause).collect::<Vec<_>>(), vec![Clause::Lockup]);
    assert_eq!(l.breaches()[0].forfeit_cash, Cash::ZERO, "no forfeit share set for the lock-up");
}

#[test]
fn a_recall_not_met_within_the_grace_is_a_default_that_takes_the_collateral() {
    let p = Protections { recall_below: Some(0.5), recall_grace: Dur(3_600_000_000_000), ..collateral() };
    let (mut w, mut l) = (World::new((0, 1_000), (50_000, 0), 100), loan(p, PROJECT, 1));
    w.start(&mut l);
    w.move_tokens(MM_ACCT, OTHER_ACCT, Qty(1_000)); // sold everything; has no cash left but its collateral
    w.now = secs(600);
    w.print(60);
    w.drive(&mut l, secs(1_200));
    assert!(l.recalled_at().is_none(), "60% of the signing spot: no recall");
    w.print(40);
    w.drive(&mut l, secs(1_300));
    assert_eq!(l.recalled_at(), Some(secs(1_260)));
    assert!(l.settlement().is_none(), "the grace runs");
    w.drive(&mut l, secs(1_260 + 3_600));
    let s = l.settlement().expect("settled at the recall's deadline");
    assert!(s.recalled);
    assert_eq!(s.shortfall, Qty(1_000));
    let b = l.breaches();
    assert_eq!((b[0].clause, b[0].forfeit_cash), (Clause::Default, Cash(50_000)));
    assert_eq!(w.exchange.ledger().account(MM_ACCT).cash_claim, Cash::ZERO, "the collateral is the project's now");
    assert_eq!(w.cash(PROJECT), Cash(50_000));
}

#[test]
fn a_partly_observed_breach_is_detected_with_the_stated_probability() {
    let detected = |detection: f64| -> usize {
        (1..=200)
            .filter(|&seed| {
                let p = Protections { lockup: Some(Dur(3_600_000_000_000)), detection, ..collateral() };
                let (mut w, mut l) = (World::new((0, 1_000), (100_000, 0), 100), loan(p, PROJECT, seed));
                w.start(&mut l);
                w.move_tokens(MM_ACCT, OTHER_ACCT, Qty(1));
                w.drive(&mut l, SimTime(2 * MIN));
                l.breaches()[0].detected
            })
            .count()
    };
    assert_eq!(detected(1.0), 200);
    assert_eq!(detected(0.0), 0);
    let half = detected(0.5);
    assert!((70..=130).contains(&half), "{half} of 200 detected at 50%");
    assert_eq!(half, detected(0.5), "drawn from the seed: the same every time");
    let _ = dec!(0);
}
