//! Statistics of return series: moments, excess kurtosis, autocorrelation, quantiles, drawdown.
//!
//! Plain `f64` maths over slices (floats are allowed here: these are reports, not balances).
//! Conventions: population moments (divide by n); the autocorrelation at lag k is
//! `Σ (x_t − x̄)(x_{t+k} − x̄) / Σ (x_t − x̄)²`, the standard sample ACF.

/// The arithmetic mean (NaN for an empty slice).
pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// The population variance.
pub fn variance(xs: &[f64]) -> f64 {
    let m = mean(xs);
    xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / xs.len() as f64
}

/// The population standard deviation.
pub fn std_dev(xs: &[f64]) -> f64 {
    variance(xs).sqrt()
}

/// The sample standard deviation (divides by n − 1).
pub fn sample_std_dev(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    (variance(xs) * n / (n - 1.0)).sqrt()
}

/// Excess kurtosis m4 / m2² − 3 (0 for a normal distribution).
pub fn excess_kurtosis(xs: &[f64]) -> f64 {
    let m = mean(xs);
    let n = xs.len() as f64;
    let m2 = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n;
    let m4 = xs.iter().map(|x| (x - m).powi(4)).sum::<f64>() / n;
    m4 / (m2 * m2) - 3.0
}

/// The sample autocorrelation at `lag` (NaN when the series is constant or too short).
pub fn autocorrelation(xs: &[f64], lag: usize) -> f64 {
    if lag >= xs.len() {
        return f64::NAN;
    }
    let m = mean(xs);
    let denom: f64 = xs.iter().map(|x| (x - m).powi(2)).sum();
    let num: f64 = xs.iter().zip(&xs[lag..]).map(|(a, b)| (a - m) * (b - m)).sum();
    num / denom
}

/// Log returns of a positive price series.
pub fn log_returns(prices: &[f64]) -> Vec<f64> {
    prices.windows(2).map(|w| (w[1] / w[0]).ln()).collect()
}

/// The `q` quantile (0 ≤ q ≤ 1) by linear interpolation between order statistics.
pub fn quantile(xs: &[f64], q: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

/// The largest fall from a running peak, as a fraction of the peak (0 when the series never falls).
pub fn max_drawdown(values: &[f64]) -> f64 {
    let mut peak = f64::NEG_INFINITY;
    let mut worst = 0.0f64;
    for &v in values {
        peak = peak.max(v);
        if peak > 0.0 {
            worst = worst.max((peak - v) / peak);
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn moments_of_a_known_series() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert!(close(mean(&xs), 5.0));
        assert!(close(variance(&xs), 4.0));
        assert!(close(std_dev(&xs), 2.0));
        assert!(close(sample_std_dev(&xs), (32.0f64 / 7.0).sqrt()));
    }

    #[test]
    fn kurtosis_of_known_distributions() {
        // Two-point ±1: m4 = m2 = 1 → kurtosis 1, excess −2.
        let xs: Vec<f64> = (0..1000).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
        assert!(close(excess_kurtosis(&xs), -2.0));
        // Discrete uniform on 1..=5: m2 = 2, m4 = 6.8 → 6.8/4 − 3 = −1.3.
        assert!(close(excess_kurtosis(&[1.0, 2.0, 3.0, 4.0, 5.0]), -1.3));
        // Mostly zeros with rare large values: fat tails.
        let mut fat = vec![0.0; 998];
        fat.extend([10.0, -10.0]);
        assert!(excess_kurtosis(&fat) > 100.0);
    }

    #[test]
    fn autocorrelation_of_known_series() {
        let alt: Vec<f64> = (0..100).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
        assert!(close(autocorrelation(&alt, 1), -0.99));
        assert!(close(autocorrelation(&alt, 2), 0.98));
        // 1..=4: mean 2.5, deviations −1.5 −0.5 0.5 1.5; lag 1: (0.75 − 0.25 + 0.75)/5 = 0.25.
        assert!(close(autocorrelation(&[1.0, 2.0, 3.0, 4.0], 1), 0.25));
        assert!(autocorrelation(&[1.0, 2.0], 5).is_nan());
    }

    #[test]
    fn quantiles_returns_drawdown() {
        let xs = [5.0, 1.0, 3.0, 2.0, 4.0];
        assert!(close(quantile(&xs, 0.5), 3.0));
        assert!(close(quantile(&xs, 0.25), 2.0));
        assert!(close(quantile(&xs, 0.1), 1.4));
        let r = log_returns(&[100.0, 110.0, 99.0]);
        assert!(close(r[0], (1.1f64).ln()));
        assert!(close(max_drawdown(&[100.0, 120.0, 60.0, 130.0, 117.0]), 0.5));
        assert_eq!(max_drawdown(&[1.0, 2.0, 3.0]), 0.0);
    }
}
