//! Guarantee deposits: held by the exchange, released by the share of checks inside the band, or
//! withheld in full after one breach.

use rust_decimal::dec;

use super::*;
use crate::contracts::spec::{GuaranteeTerms, PriceRule, ReleaseRule};
use crate::contracts::Guarantee;
use crate::units::Dur;

/// 100,000 atoms for 100 s, band −10%/+10% around the spot at the start, checks every 10 s.
fn terms(release: ReleaseRule) -> GuaranteeTerms {
    GuaranteeTerms {
        depositor: "project".into(),
        mm: None,
        deposit: Cash(100_000),
        start: SimTime::ZERO,
        period: Dur(100_000_000_000),
        band_low: Some(PriceRule::Premium(dec!(-0.1))),
        band_high: Some(PriceRule::Premium(dec!(0.1))),
        check_every: Dur(10_000_000_000),
        release,
    }
}

/// Price 1,000 until 60 s, then 1,200 (outside the band) for the last four checks.
fn run(release: ReleaseRule) -> (World, Guarantee) {
    let mut w = World::new((1_000_000, 0), (0, 0), 1_000);
    let venue = w.exchange.venue();
    let mut g = Guarantee::new("deposit", terms(release), PROJECT, venue);
    w.start(&mut g);
    assert_eq!((w.cash(PROJECT), w.cash(venue)), (Cash(900_000), Cash(100_000)));
    w.drive(&mut g, secs(55));
    w.print(1_200);
    w.drive(&mut g, secs(100));
    w.finish(&mut g);
    (w, g)
}

#[test]
fn proportional_release_follows_the_share_of_checks_in_the_band() {
    let (w, g) = run(ReleaseRule::Proportional);
    assert_eq!(g.checks(), (10, 6));
    assert_eq!(g.outcome(), (Cash(60_000), Cash(40_000)));
    assert_eq!(w.cash(PROJECT), Cash(960_000));
    assert_eq!(w.cash(w.exchange.venue()), Cash(40_000));
    let r = g.report(units());
    let j = summary_json(&r);
    assert_eq!(j["deposit"], serde_json::json!(1_000));
    assert_eq!(j["released"], serde_json::json!(600));
    assert_eq!(j["withheld"], serde_json::json!(400));
    assert_eq!(j["first_breach_s"], serde_json::json!(60));
    assert_eq!(j["band_low"], serde_json::json!(9));
    assert_eq!(j["mm"], serde_json::Value::Null);
    assert!(w.exchange.ledger().conservation().ok());
}

#[test]
fn all_or_nothing_withholds_everything_after_a_breach() {
    let (w, g) = run(ReleaseRule::AllOrNothing);
    assert_eq!(g.outcome(), (Cash(0), Cash(100_000)));
    assert_eq!(w.cash(PROJECT), Cash(900_000));
}

#[test]
fn a_run_that_ends_first_leaves_the_deposit_held_and_projects_the_release() {
    let mut w = World::new((1_000_000, 0), (0, 0), 1_000);
    let mut g = Guarantee::new("deposit", terms(ReleaseRule::Proportional), PROJECT, w.exchange.venue());
    w.start(&mut g);
    w.drive(&mut g, secs(35));
    w.print(1_200);
    w.drive(&mut g, secs(50));
    w.finish(&mut g);
    let r = g.report(units());
    let j = summary_json(&r);
    assert_eq!(j["settled"], false);
    assert_eq!(j["released"], serde_json::json!(0));
    // Checks at 0, 10, 20, 30 in the band; 40 and 50 outside.
    assert_eq!(j["released_projected"], serde_json::json!(666.66));
    assert_eq!(w.cash(PROJECT), Cash(900_000));
}
