//! Wash-trading detectors.
//!
//! - **Same owner** (exact when owners are known): a trade whose two sides have the same beneficial
//!   owner (`maker_agent == taker_agent`) or the same account. One alert per owner and contiguous
//!   burst (trades less than `burst_gap_s` apart); the flagged units are trades.
//! - **Size-based wash share** (Cong, Li, Tang and Yang 2023, "Crypto wash trading"): from trade
//!   sizes only. Genuine trade sizes follow Benford's law for first significant digits (expected
//!   30.1, 17.6, 12.5, 9.7, 7.9, 6.7, 5.8, 5.1, 4.6%); wash trades pile up on a few digits. With
//!   observed shares `q_d = (1 − w)·p_d + w·r_d`, digits the wash trader avoids give
//!   `q_d / p_d = 1 − w`, so `1 − w` is estimated by a low quantile of `q_d / p_d`, and each digit's
//!   volume in excess of the genuine share is counted as wash ([`benford_share`], the raw
//!   estimate). The published estimate is the calibrated size decomposition of [`super::share`];
//!   the raw estimate, the χ², round sizes and the Hill tail exponent are its evidence.

use super::data::TradeRow;
use super::{Alert, Thresholds};

/// Trade indices whose two sides have the same owner or account (a log without owners or accounts
/// has none).
pub fn same_owner_trades(trades: &[TradeRow]) -> Vec<usize> {
    trades
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            (!t.maker.is_empty() && t.maker == t.taker)
                || (!t.maker_account.is_empty() && t.maker_account == t.taker_account)
        })
        .map(|(i, _)| i)
        .collect()
}

/// One alert per owner and burst of same-owner trades.
pub fn same_owner_alerts(trades: &[TradeRow], flagged: &[usize], th: &Thresholds) -> Vec<Alert> {
    let mut by_owner: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for &i in flagged {
        by_owner.entry(trades[i].maker.as_str()).or_default().push(i);
    }
    let mut alerts = Vec::new();
    for (owner, idx) in by_owner {
        let mut start = 0;
        for k in 1..=idx.len() {
            if k == idx.len() || trades[idx[k]].t - trades[idx[k - 1]].t > th.burst_gap_s {
                let burst = &idx[start..k];
                let volume: f64 = burst.iter().map(|&i| trades[i].price * trades[i].qty).sum();
                alerts.push(Alert {
                    detector: "wash_same_owner",
                    t_start: trades[burst[0]].t,
                    t_end: trades[burst[burst.len() - 1]].t,
                    subject: owner.to_string(),
                    score: burst.len() as f64,
                    evidence: format!("{} self-trades, {volume:.2} quote", burst.len()),
                });
                start = k;
            }
        }
    }
    alerts
}

/// Benford's first-digit shares, digits 1..=9.
pub const BENFORD: [f64; 9] = [0.301, 0.176, 0.125, 0.097, 0.079, 0.067, 0.058, 0.051, 0.046];

fn first_digit(x: f64) -> Option<usize> {
    if !(x.is_finite() && x > 0.0) {
        return None;
    }
    let d = (x / 10f64.powf(x.log10().floor())).floor() as usize;
    (1..=9).contains(&d).then_some(d - 1)
}

/// The size-based estimate of the wash share of volume.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ShareEstimate {
    /// Estimated share of traded value that is wash, in [0, 1] (the calibrated model of
    /// [`super::share`]).
    pub share: f64,
    /// The raw Benford-excess estimate ([`benford_share`]).
    pub benford: f64,
    /// χ² of the first digits against Benford.
    pub chi2: f64,
    /// Share of trades at round sizes (multiples of 10 tokens).
    pub round_share: f64,
    /// Hill estimate of the tail exponent of sizes (top 10%).
    pub tail_exponent: f64,
    /// The fitted mixture behind `share` ([`super::share::ShareModel::fit`]).
    pub fit: super::share::Fit,
    /// The likelihood ratio `fit.lr` must exceed for `share` to be `fit.share` (else 0).
    pub threshold: f64,
    /// Median trade size of the log, in tokens.
    pub median_tokens: f64,
    /// Smallest and largest median trade size of the model's genuine logs, in tokens.
    pub model_medians: Option<(f64, f64)>,
}

/// Estimates the wash share of volume from sizes alone: the calibrated decomposition
/// `th.share_model` ([`super::share`]), with the published statistics as evidence.
pub fn size_share(trades: &[TradeRow], th: &Thresholds) -> ShareEstimate {
    let x = super::share::features(trades);
    let fit = th.share_model.fit(&super::share::histogram(trades));
    let threshold = th.share_model.threshold;
    ShareEstimate {
        share: th.share_model.reported(&fit),
        fit,
        threshold,
        median_tokens: crate::calibrate::stats::median(
            &trades.iter().map(|t| t.qty).filter(|q| *q > 0.0 && q.is_finite()).collect::<Vec<_>>(),
        )
        .unwrap_or(0.0),
        model_medians: th.share_model.genuine_medians(),
        benford: x[0],
        chi2: x[1],
        round_share: x[2],
        tail_exponent: x[3],
    }
}

/// The raw Benford-excess wash share of value (see the module doc): `1 − w` is the `quantile` of
/// the nine `q_d / p_d`, and each digit's trades beyond `(1 − w)·p_d` count as wash.
pub fn benford_share(trades: &[TradeRow], quantile: f64) -> f64 {
    let mut count = [0f64; 9];
    let mut value = [0f64; 9];
    let (mut n, mut total) = (0f64, 0f64);
    for t in trades {
        if let Some(d) = first_digit(t.qty) {
            count[d] += 1.0;
            value[d] += t.price * t.qty;
            n += 1.0;
            total += t.price * t.qty;
        }
    }
    if n == 0.0 || total <= 0.0 {
        return 0.0;
    }
    let mut ratios: Vec<f64> = (0..9).map(|d| count[d] / n / BENFORD[d]).collect();
    ratios.sort_by(f64::total_cmp);
    let genuine = ratios[((quantile * 8.0).round() as usize).min(8)].min(1.0);
    let wash_value: f64 = (0..9)
        .filter(|&d| count[d] > 0.0)
        .map(|d| {
            let expected = genuine * BENFORD[d] * n;
            value[d] * (1.0 - expected / count[d]).max(0.0)
        })
        .sum();
    (wash_value / total).clamp(0.0, 1.0)
}

/// Hill estimate of the tail exponent of trade sizes (top 10%; 0 with fewer than 20 trades).
pub fn hill(trades: &[TradeRow]) -> f64 {
    let mut q: Vec<f64> = trades.iter().map(|t| t.qty).filter(|&q| q > 0.0).collect();
    q.sort_by(|a, b| b.total_cmp(a));
    let k = q.len() / 10;
    if k < 2 {
        return 0.0;
    }
    let xk = q[k].ln();
    let mean: f64 = q[..k].iter().map(|x| x.ln() - xk).sum::<f64>() / k as f64;
    if mean > 0.0 {
        1.0 / mean
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_digits() {
        assert_eq!(first_digit(1.0), Some(0));
        assert_eq!(first_digit(0.0093), Some(8));
        assert_eq!(first_digit(250.0), Some(1));
        assert_eq!(first_digit(0.0), None);
    }

    #[test]
    fn benford_sizes_show_no_wash_and_a_spike_shows_its_share() {
        // Sizes 10^u for u uniform: exactly Benford.
        let genuine: Vec<TradeRow> = (0..9000)
            .map(|i| TradeRow {
                qty: 10f64.powf(1.0 + (i as f64 + 0.5) / 9000.0 * 2.0),
                price: 1.0,
                ..TradeRow::default()
            })
            .collect();
        assert!(benford_share(&genuine, 0.25) < 0.03);
        let mut mixed = genuine.clone();
        mixed.extend((0..3000).map(|_| TradeRow { qty: 500.0, price: 1.0, ..TradeRow::default() }));
        let est = benford_share(&mixed, 0.25);
        let truth = 1_500_000.0 / mixed.iter().map(|t| t.qty).sum::<f64>();
        assert!((est - truth).abs() < 0.1, "{est} vs {truth}");
    }
}
