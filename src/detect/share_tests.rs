use rand::RngExt;

use super::*;
use crate::rng::AgentRng;

fn trade(t: f64, qty: f64, buy: bool) -> TradeRow {
    TradeRow { t, qty, price: 1.0, buy, ..TradeRow::default() }
}

/// `n` genuine trades, one per second: log-normal sizes (median 40 tokens, σ 0.5 decades), whole
/// tokens; one in ten sweeps two 1000-token levels.
fn genuine(n: usize, rng: &mut AgentRng) -> Vec<TradeRow> {
    let mut out = Vec::new();
    for i in 0..n {
        let t = i as f64;
        let buy = rng.random_bool(0.5);
        if rng.random_bool(0.1) {
            out.push(trade(t, 1000.0, buy));
            out.push(trade(t, 1000.0, buy));
        } else {
            let z: f64 = (0..12).map(|_| rng.random_range(0.0..1.0)).sum::<f64>() - 6.0;
            out.push(trade(t, 10f64.powf(1.6 + 0.5 * z).round().max(1.0), buy));
        }
    }
    out
}

fn value(trades: &[TradeRow]) -> f64 {
    trades.iter().map(|t| t.qty * t.price).sum()
}

#[test]
fn round_sizes_cells_and_sweeps() {
    assert!(is_round(10.0) && is_round(300.0) && is_round(5000.0) && is_round(20_000.0));
    assert!(!is_round(7.0) && !is_round(250.0) && !is_round(1001.0) && !is_round(0.5) && !is_round(f64::NAN));
    assert_eq!(cell(1.0, false, false), 0);
    assert_eq!(cell(1000.0, true, false), 30 * 4 + 2);
    assert_eq!(cell(999.0, false, true), 29 * 4 + 1);
    assert_eq!(cell(1e12, false, false), (BINS - 1) * 4);
    // Two prints of one taker (same time and side) are a sweep; the next print is not.
    let h = histogram(&[trade(1.0, 1000.0, true), trade(1.0, 1000.0, true), trade(2.0, 1000.0, true)]);
    assert_eq!(h.count[cell(1000.0, true, true)], 2.0);
    assert_eq!(h.count[cell(1000.0, true, false)], 1.0);
    assert_eq!(h.value.iter().sum::<f64>(), 3000.0);
}

fn model(rng: &mut AgentRng) -> ShareModel {
    let logs: Vec<Histogram> = (0..20).map(|_| histogram(&genuine(300, rng))).collect();
    ShareModel::new(&logs, 8.0)
}

#[test]
fn genuine_logs_show_no_wash() {
    let mut rng = AgentRng::new(1, "share");
    let m = model(&mut rng);
    for _ in 0..10 {
        let f = m.fit(&histogram(&genuine(300, &mut rng)));
        assert!(f.lr <= m.threshold, "{f:?}");
        assert_eq!(m.reported(&f), 0.0);
    }
}

#[test]
fn a_wash_bump_is_found_at_its_share_of_value() {
    let mut rng = AgentRng::new(2, "share");
    let m = model(&mut rng);
    for (size, round) in [(400.0, false), (2000.0, true)] {
        let mut log = genuine(300, &mut rng);
        // 80 wash prints around `size` (±30%), each alone at its own time.
        let wash: Vec<TradeRow> = (0..80)
            .map(|i| {
                let q = size * rng.random_range(0.7..1.3);
                let q = if round { is_round_down(q) } else { q.round() };
                trade(1e6 + i as f64, q, i % 2 == 0)
            })
            .collect();
        let truth = value(&wash) / (value(&wash) + value(&log));
        log.extend(wash);
        let f = m.fit(&histogram(&log));
        assert!(f.lr > m.threshold, "{size}: {f:?}");
        assert!((f.share - truth).abs() < 0.05, "{size}: estimated {} vs {truth}", f.share);
        assert!((f.wash_trades - 80.0).abs() < 15.0, "{f:?}");
        assert_eq!(m.reported(&f), f.share);
        if round {
            assert!(f.wash_round > 0.9, "{f:?}");
        }
    }
}

fn is_round_down(q: f64) -> f64 {
    let unit = 10f64.powf(q.log10().floor());
    (q / unit).floor() * unit
}

#[test]
fn leave_one_out_drops_one_shape() {
    let mut rng = AgentRng::new(3, "share");
    let m = model(&mut rng);
    assert_eq!(m.shapes(), 20);
    // Print medians a little above the crowd's 40 tokens (a sweep is two 1000-token prints).
    let (lo, hi) = m.genuine_medians().unwrap();
    assert!(30.0 <= lo && lo <= hi && hi <= 100.0, "{lo} {hi}");
    assert_eq!(ShareModel::new(&[], 1.0).genuine_medians(), None);
    assert_eq!(m.without(4).shapes(), 19);
    assert_eq!(ShareModel::new(&[], 1.0).fit(&histogram(&genuine(10, &mut rng))), Fit::default());
}

#[test]
fn the_model_text_round_trips_and_bad_lines_are_located() {
    let mut rng = AgentRng::new(4, "share");
    let m = model(&mut rng);
    let text = m.to_text();
    assert_eq!(ShareModel::parse(&text).unwrap(), m);
    let err = ShareModel::parse("threshold 3\ngenuine 4:2 999:1\n").unwrap_err();
    assert_eq!(err.line, 2);
    assert!(err.to_string().contains("999:1") && err.to_string().contains("cell below 280"), "{err}");
    assert!(ShareModel::parse("threshold 3\ngenuine 4:1e300\n")
        .unwrap_err()
        .to_string()
        .contains("count from 0 to 1e12"));
    assert!(ShareModel::parse("genuine 4:2\n").unwrap_err().to_string().contains("no `threshold"));
    assert!(ShareModel::parse("threshold -1\n").unwrap_err().to_string().contains("T ≥ 0"));
    assert!(ShareModel::parse("bins 3\n").unwrap_err().to_string().contains("line 1"));
}

#[test]
fn the_shipped_model_loads() {
    let m = ShareModel::default();
    assert!(m.shapes() >= 20, "{m:?}");
    assert!(m.threshold > 0.0);
    assert_eq!(ShareModel::parse(&m.to_text()).unwrap(), m);
}

#[test]
fn bad_sizes_and_prices_are_skipped() {
    let h = histogram(&[
        trade(1.0, f64::INFINITY, true),
        trade(2.0, f64::NAN, true),
        trade(3.0, 0.0, true),
        trade(4.0, 5.0, true),
    ]);
    assert_eq!(h.count.iter().sum::<f64>(), 1.0);
}

proptest::proptest! {
    #[test]
    fn any_model_text_parses_or_is_a_located_error(text in "(threshold [0-9.e-]{0,6}|genuine( [0-9]{1,4}:[0-9.e]{1,5}){0,4}|#.{0,8}|[a-z :0-9]{0,12})(\n(threshold [0-9.]{1,4}|genuine( [0-9]{1,3}:[0-9]{1,3}){0,5})){0,4}") {
        match ShareModel::parse(&text) {
            Ok(m) => {
                let f = m.fit(&histogram(&genuine(50, &mut AgentRng::new(5, "prop"))));
                proptest::prop_assert!((0.0..=1.0).contains(&f.share) && f.lr >= 0.0, "{f:?}");
            }
            Err(e) => proptest::prop_assert!(e.line <= text.lines().count(), "{e}"),
        }
    }
}
