//! Token loans: valuation at signing, in-the-money exercise, out-of-the-money return, default, cash
//! settlement, strikes fixed from an index, and a loan still open at the run's end.

use rust_decimal::dec;
use rust_decimal::Decimal;

use super::*;
use crate::agents::AgentEvent;
use crate::contracts::options::bs_call;
use crate::contracts::spec::{CallOption, LoanTerms, PriceRule, Settlement, StrikeReference};
use crate::contracts::{ContractCtx, Signal, TimerKey, TokenLoan};
use crate::units::Dur;

/// 1,000 lots lent at signing (t = 0), expiring at 1 h, with calls at +50% and +100% on 500 lots each.
fn terms() -> LoanTerms {
    LoanTerms {
        lender: "project".into(),
        mm: "mm".into(),
        tokens: Qty(1_000),
        start: SimTime::ZERO,
        tenor: Dur(3_600_000_000_000),
        options: vec![
            CallOption { qty: Qty(500), strike: PriceRule::Premium(dec!(0.5)) },
            CallOption { qty: Qty(500), strike: PriceRule::Premium(Decimal::ONE) },
        ],
        volatility: 1.0,
        rate: 0.0,
        strike_reference: StrikeReference::Open,
        reference_window: Dur(7 * 86_400_000_000_000),
        settle: Settlement::Tokens,
        expiry_average: None,
        early_return: false,
        protections: crate::contracts::Protections::none(),
    }
}

fn loan(t: LoanTerms) -> TokenLoan {
    TokenLoan::new("loan", t, PROJECT, vec![MM], vec![MM_ACCT], PROJECT, 1)
}

/// Project with 1,000 lots, MM with 1,000,000 atoms of cash; open at 100 ticks.
fn world() -> World {
    World::new((0, 1_000), (1_000_000, 0), 100)
}

#[test]
fn signing_lends_the_tokens_and_values_the_calls_by_black_scholes() {
    let (mut w, mut l) = (world(), loan(terms()));
    w.start(&mut l);
    assert_eq!((w.tokens(PROJECT), w.tokens(MM_ACCT)), (Qty(0), Qty(1_000)));
    let s = l.signing().unwrap();
    assert_eq!(s.estimates, vec![Price(150), Price(200)]);
    assert_eq!(l.strikes(), &[Price(150), Price(200)]);
    let years = 1.0 / (365.0 * 24.0);
    let want = bs_call(100.0, 150.0, years, 0.0, 1.0) * 500.0 + bs_call(100.0, 200.0, years, 0.0, 1.0) * 500.0;
    assert!((s.values.iter().sum::<f64>() - want).abs() < 1e-9);
    let r = l.report(units());
    let j = summary_json(&r);
    assert_eq!(j["loan_value_start"], serde_json::json!(1_000));
    assert_eq!(j["status"], "open");
    assert_eq!(w.timers, vec![(SimTime::from_secs(3_600), TimerKey::MAIN)], "next wake-up is the expiry");
}

#[test]
fn in_the_money_calls_are_exercised_and_the_rest_returned() {
    let (mut w, mut l) = (world(), loan(terms()));
    w.start(&mut l);
    w.now = secs(1_800);
    w.print(180);
    w.drive(&mut l, secs(3_600));
    let s = l.settlement().unwrap();
    assert_eq!(s.spot, Price(180));
    assert_eq!(s.exercised, vec![Qty(500), Qty(0)]);
    assert_eq!(s.cash_paid, Cash(150 * 500));
    assert_eq!((s.tokens_returned, s.shortfall), (Qty(500), Qty(0)));
    assert_eq!((w.tokens(PROJECT), w.tokens(MM_ACCT)), (Qty(500), Qty(500)));
    assert_eq!((w.cash(PROJECT), w.cash(MM_ACCT)), (Cash(75_000), Cash(1_000_000 - 75_000)));
    w.finish(&mut l);
    let r = l.report(units());
    // Project: 750 cash + 500 tokens × 1.80 − 1,000 lent at 1.00 = 650; MM: −750 + 500 × 1.80 = 150.
    let j = summary_json(&r);
    assert_eq!(j["project_outcome_quote"], serde_json::json!(650));
    assert_eq!(j["mm_pnl_quote"], serde_json::json!(150));
    assert_eq!(j["exercised_qty"], serde_json::json!(500));
    assert_eq!(j["cash_paid"], serde_json::json!(750));
    assert_eq!(j["status"], "settled");
    assert_eq!(j["options"][0]["in_the_money"], true);
    assert_eq!(j["options"][1]["in_the_money"], false);
    assert!(w.exchange.ledger().conservation().ok());
}

#[test]
fn out_of_the_money_tokens_all_come_back() {
    let (mut w, mut l) = (world(), loan(terms()));
    w.start(&mut l);
    w.now = secs(10);
    w.print(120);
    w.drive(&mut l, secs(3_600));
    w.finish(&mut l);
    let s = l.settlement().unwrap();
    assert_eq!(s.exercised, vec![Qty(0), Qty(0)]);
    assert_eq!((w.tokens(PROJECT), w.cash(PROJECT)), (Qty(1_000), Cash(0)));
    let r = l.report(units());
    let j = summary_json(&r);
    assert_eq!(j["project_outcome_quote"], serde_json::json!(200), "1,000 tokens worth 1.20, lent at 1.00");
    assert_eq!(j["tokens_returned"], serde_json::json!(1_000));
    assert_eq!(j["default_shortfall_tokens"], serde_json::json!(0));
}

#[test]
fn a_borrower_without_the_tokens_defaults_and_the_project_loses_them() {
    // No cash either: nothing can be bought in.
    let (mut w, mut l) = (World::new((0, 1_000), (0, 0), 100), loan(terms()));
    w.start(&mut l);
    // The MM sold 600 tokens and never bought them back.
    w.move_tokens(MM_ACCT, OTHER_ACCT, Qty(600));
    w.now = secs(60);
    w.print(50);
    w.drive(&mut l, secs(3_600));
    w.finish(&mut l);
    let s = l.settlement().unwrap();
    assert_eq!((s.tokens_returned, s.shortfall), (Qty(400), Qty(600)));
    let r = l.report(units());
    let j = summary_json(&r);
    assert_eq!(j["status"], "defaulted");
    assert_eq!(j["default_shortfall_tokens"], serde_json::json!(600));
    // 400 tokens back at 0.50 − 1,000 lent = −800.
    assert_eq!(j["project_outcome_quote"], serde_json::json!(-800));
    assert_eq!(
        (w.claim(PROJECT), w.claim(MM_ACCT)),
        (Qty(0), Qty(0)),
        "settled, even in default: the shortfall is the project's loss, not a claim"
    );
}

#[test]
fn an_mm_that_cannot_pay_exercises_only_what_it_can_afford() {
    let mut w = World::new((0, 1_000), (150 * 200, 0), 100);
    let mut l = loan(terms());
    w.start(&mut l);
    w.now = secs(60);
    w.print(300);
    w.drive(&mut l, secs(3_600));
    let s = l.settlement().unwrap();
    assert_eq!(s.exercised, vec![Qty(200), Qty(0)], "cash for 200 lots at 150, none left for the 200 strike");
    assert_eq!(w.tokens(PROJECT), Qty(800));
}

#[test]
fn resting_orders_are_cancelled_so_locked_tokens_can_be_returned() {
    let (mut w, mut l) = (world(), loan(terms()));
    w.start(&mut l);
    let id = w.order(MM, MM_ACCT, Side::Sell, OrderType::Limit, 500, 900).unwrap();
    assert_eq!(w.exchange.ledger().account(MM_ACCT).tokens_free, Qty(100));
    w.drive(&mut l, secs(3_600));
    let s = l.settlement().unwrap();
    assert_eq!((s.cancelled_orders, s.tokens_returned), (1, Qty(1_000)));
    assert_eq!(w.exchange.book().order_count(), 0);
    // The MM is told its order is gone (the engine delivers these notices after the callback).
    assert_eq!(w.notices, vec![(MM, AgentEvent::Cancelled { order: id, qty: Qty(900) })]);
}

#[test]
fn a_timer_after_the_end_of_the_run_is_reported_as_not_firing() {
    let (mut w, _) = (world(), ());
    let mut ctx = ContractCtx::new(SimTime(10), SimTime(100), &mut w.exchange, &w.tape, &mut w.timers, &mut w.notices);
    assert!(ctx.wake_at(SimTime(100), TimerKey(3)), "at the end: fires");
    assert!(!ctx.wake_at(SimTime(101), TimerKey::MAIN), "after the end: never fires");
    assert!(ctx.wake_at(SimTime(5), TimerKey::MAIN), "in the past: clamped to now");
    assert_eq!(w.timers[2], (SimTime(10), TimerKey::MAIN));
}

#[test]
fn cash_settlement_returns_every_token_and_pays_the_intrinsic_value() {
    let mut t = terms();
    t.settle = Settlement::Cash;
    let mut w = World::new((100_000, 1_000), (0, 0), 100);
    let mut l = loan(t);
    w.start(&mut l);
    w.now = secs(60);
    w.print(180);
    w.drive(&mut l, secs(3_600));
    let s = l.settlement().unwrap();
    assert_eq!((s.tokens_returned, s.intrinsic_paid, s.cash_paid), (Qty(1_000), Cash(30 * 500), Cash(0)));
    assert_eq!((w.tokens(PROJECT), w.cash(MM_ACCT)), (Qty(1_000), Cash(15_000)));
}

#[test]
fn index_strikes_are_fixed_when_the_window_closes() {
    let mut t = terms();
    t.strike_reference = StrikeReference::Average;
    t.reference_window = Dur(600_000_000_000); // 10 minutes
    let (mut w, mut l) = (world(), loan(t));
    w.start(&mut l);
    assert!(l.strikes().is_empty(), "strikes wait for the index");
    for minute in 0..10u64 {
        w.now = SimTime::from_secs(minute * 60 + 30);
        w.tape.advance(w.now);
        w.print(if minute < 5 { 100 } else { 140 });
    }
    w.drive(&mut l, secs(601));
    // Mean one-minute close over ten bars: five at 1.00, five at 1.40 → 1.20; strikes 1.80 and 2.40.
    assert_eq!(l.strikes(), &[Price(180), Price(240)]);
    assert_eq!(l.signing().unwrap().estimates, vec![Price(150), Price(200)], "valued at signing on the open");
    w.drive(&mut l, secs(3_600));
    w.finish(&mut l);
    let r = l.report(units());
    let j = summary_json(&r);
    assert_eq!(j["reference_price"], serde_json::json!(1.2));
    assert_eq!(j["options"][0]["strike"], serde_json::json!(1.8));
}

#[test]
fn a_loan_still_open_at_the_run_end_settles_then_as_if_it_expired() {
    let mut t = terms();
    t.tenor = Dur(365 * 86_400_000_000_000);
    let (mut w, mut l) = (world(), loan(t));
    w.start(&mut l);
    w.now = secs(60);
    w.print(180);
    w.drive(&mut l, secs(3_600));
    assert!(l.settlement().is_none(), "open until the run ends");
    w.finish(&mut l);
    let s = l.settlement().expect("settled at the run's end");
    assert!(s.at_run_end);
    assert_eq!(s.at, secs(3_600));
    // The +50% call (strike 1.50) is in the money at 1.80: exercised; the rest comes back.
    assert_eq!(s.exercised, vec![Qty(500), Qty(0)]);
    assert_eq!(s.tokens_returned, Qty(500));
    let r = l.report(units());
    let j = summary_json(&r);
    assert_eq!(j["status"], "settled");
    assert_eq!(j["settled_at_run_end"], true);
    assert_eq!(j["settled_s"], serde_json::json!(3_600));
    assert_eq!(r.rows[0].get("settled_s"), "3600");
    assert_eq!(r.rows[0].get("end_s"), format!("{}", 365.0 * 86_400.0), "end_s stays the tenor's end");
    // Final figures, not a mark: project 750 + 500 × 1.80 − 1,000 = 650; MM −750 + 500 × 1.80 = 150.
    assert_eq!(j["project_outcome_quote"], serde_json::json!(650));
    assert_eq!(j["mm_pnl_quote"], serde_json::json!(150));
    assert_eq!((w.claim(PROJECT), w.claim(MM_ACCT)), (Qty(0), Qty(0)));
    assert!(w.exchange.ledger().conservation().ok());
}

#[test]
fn missing_tokens_are_bought_in_with_cash_at_the_settlement_spot() {
    let (mut w, mut l) = (world(), loan(terms()));
    w.start(&mut l);
    w.move_tokens(MM_ACCT, OTHER_ACCT, Qty(600));
    w.now = secs(60);
    w.print(50);
    w.drive(&mut l, secs(3_600));
    let s = l.settlement().unwrap();
    assert_eq!((s.tokens_returned, s.bought_in, s.shortfall), (Qty(400), Qty(600), Qty(0)));
    assert_eq!(s.buyin_cash, Cash(600 * 50));
    assert_eq!(w.cash(PROJECT), Cash(30_000));
}

#[test]
fn a_lender_without_the_tokens_fails_to_lend() {
    let mut w = World::new((0, 10), (0, 0), 100);
    let mut l = loan(terms());
    w.start(&mut l);
    w.finish(&mut l);
    let r = l.report(units());
    let j = summary_json(&r);
    assert_eq!(j["status"], "failed");
    assert_eq!(w.tokens(MM_ACCT), Qty(0));
    assert!(w.timers.is_empty());
}

#[test]
fn a_loan_with_early_return_settles_when_its_borrower_is_done() {
    let (mut w, mut l) = (world(), loan(LoanTerms { early_return: true, ..terms() }));
    w.start(&mut l);
    assert_eq!(
        (w.claim(PROJECT), w.claim(MM_ACCT)),
        (Qty(1_000), Qty(-1_000)),
        "the lent tokens still count as the project's"
    );
    w.now = secs(600);
    w.print(40);
    l.on_signal(OTHER, Signal::LoansDone, &mut w.ctx());
    assert!(l.settlement().is_none(), "another agent cannot end the loan");
    l.on_signal(MM, Signal::LoansDone, &mut w.ctx());
    let s = l.settlement().expect("settled at once");
    assert_eq!((s.at, s.spot, s.tokens_returned), (secs(600), Price(40), Qty(1_000)));
    assert_eq!(w.tokens(PROJECT), Qty(1_000));
    assert_eq!((w.claim(PROJECT), w.claim(MM_ACCT)), (Qty(0), Qty(0)), "returned: no claim left");
    let r = l.report(units());
    let j = summary_json(&r);
    assert_eq!(j["settled_s"], serde_json::json!(600));
    assert_eq!(j["returned_value_quote"], serde_json::json!(400), "1,000 tokens at 0.40");
    w.drive(&mut l, secs(3_600));
    assert_eq!(l.settlement().unwrap().at, secs(600), "the expiry does not settle it twice");
}

#[test]
fn a_loan_without_early_return_ignores_the_borrower() {
    let (mut w, mut l) = (world(), loan(terms()));
    w.start(&mut l);
    w.now = secs(600);
    l.on_signal(MM, Signal::LoansDone, &mut w.ctx());
    assert!(l.settlement().is_none());
    assert_eq!(w.tokens(MM_ACCT), Qty(1_000));
}

#[test]
fn an_early_return_waits_for_every_borrowing_agent() {
    let mut w = world();
    let mut l = TokenLoan::new(
        "loan",
        LoanTerms { early_return: true, ..terms() },
        PROJECT,
        vec![MM, OTHER],
        vec![MM_ACCT, OTHER_ACCT],
        PROJECT,
        1,
    );
    // Before signing, nothing to end.
    l.on_signal(MM, Signal::LoansDone, &mut w.ctx());
    assert!(l.settlement().is_none() && l.signing().is_none());
    w.start(&mut l);
    assert_eq!((w.tokens(MM_ACCT), w.tokens(OTHER_ACCT)), (Qty(500), Qty(1_000_000 + 500)), "spread evenly");
    w.now = secs(600);
    l.on_signal(MM, Signal::LoansDone, &mut w.ctx());
    assert!(l.settlement().is_none(), "one of two borrowers is done: the loan stays open");
    l.on_signal(MM, Signal::LoansDone, &mut w.ctx());
    assert!(l.settlement().is_none(), "saying it twice changes nothing");
    l.on_signal(OTHER, Signal::LoansDone, &mut w.ctx());
    let s = l.settlement().expect("both done");
    assert_eq!((s.tokens_returned, s.shortfall), (Qty(1_000), Qty(0)));
    assert!([PROJECT, MM_ACCT, OTHER_ACCT].iter().all(|&a| w.claim(a) == Qty(0)), "claims reversed");
}
