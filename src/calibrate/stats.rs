//! The statistics calibration uses, on plain `f64` samples: quantiles, moments, the
//! Kolmogorov–Smirnov distance, autocorrelation, a log-normal fit, the Fano factor and a Hawkes fit
//! from it.

/// The `q`-quantile (0 ≤ q ≤ 1) by linear interpolation; `None` for no data.
pub fn quantile(xs: &[f64], q: f64) -> Option<f64> {
    (!xs.is_empty()).then(|| crate::metrics::stats::quantile(xs, q))
}

/// The median; `None` for no data.
pub fn median(xs: &[f64]) -> Option<f64> {
    quantile(xs, 0.5)
}

/// Mean and (population) variance; `None` for no data.
pub fn mean_var(xs: &[f64]) -> Option<(f64, f64)> {
    if xs.is_empty() {
        return None;
    }
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    Some((m, xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n))
}

/// Excess kurtosis (0 for a normal); `None` with fewer than 4 values or no variance.
pub fn excess_kurtosis(xs: &[f64]) -> Option<f64> {
    let (m, v) = mean_var(xs)?;
    if xs.len() < 4 || v <= 0.0 {
        return None;
    }
    let m4 = xs.iter().map(|x| (x - m).powi(4)).sum::<f64>() / xs.len() as f64;
    Some(m4 / (v * v) - 3.0)
}

/// The two-sample Kolmogorov–Smirnov distance: the largest gap between the empirical CDFs, in
/// [0, 1]; `None` when a sample is empty.
pub fn ks_distance(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (mut i, mut j, mut d) = (0, 0, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
    }
    Some(d)
}

/// Autocorrelation of `xs` at lags `1..=max_lag` (an entry is `None` when undefined).
pub fn acf(xs: &[f64], max_lag: usize) -> Vec<Option<f64>> {
    let Some((m, v)) = mean_var(xs) else { return vec![None; max_lag] };
    (1..=max_lag)
        .map(|k| {
            if v <= 0.0 || xs.len() <= k + 1 {
                return None;
            }
            let c = xs.windows(k + 1).map(|w| (w[0] - m) * (w[k] - m)).sum::<f64>() / xs.len() as f64;
            Some(c / v)
        })
        .collect()
}

/// Median and log-space standard deviation of positive values (a log-normal fit by moments of the
/// logs); `None` when there are none.
pub fn lognormal_fit(xs: &[f64]) -> Option<(f64, f64)> {
    let logs: Vec<f64> = xs.iter().filter(|x| **x > 0.0).map(|x| x.ln()).collect();
    let (m, v) = mean_var(&logs)?;
    Some((m.exp(), v.sqrt()))
}

/// Counts of event times (ns) in consecutive windows of `window_ns` from `start_ns` up to `end_ns`
/// (whole windows only).
pub fn window_counts(times: &[u64], start_ns: u64, end_ns: u64, window_ns: u64) -> Vec<f64> {
    let n = (end_ns.saturating_sub(start_ns) / window_ns.max(1)) as usize;
    let mut counts = vec![0.0; n];
    for &t in times {
        if let Some(k) = t.checked_sub(start_ns).map(|d| (d / window_ns) as usize) {
            if k < n {
                counts[k] += 1.0;
            }
        }
    }
    counts
}

/// The Fano factor (variance / mean) of counts; `None` with fewer than 2 windows or a zero mean.
pub fn fano(counts: &[f64]) -> Option<f64> {
    let (m, v) = mean_var(counts)?;
    (counts.len() >= 2 && m > 0.0).then(|| v / m)
}

/// The Fano factor of a stationary Hawkes process with an exponential kernel over a window `t`
/// (seconds): branching ratio `n`, kernel mean life `tau` (seconds).
pub fn hawkes_fano(n: f64, tau: f64, t: f64) -> f64 {
    let kappa2 = 1.0 / (1.0 - n).powi(2);
    let gamma = (1.0 - n) / tau;
    let x = gamma * t;
    kappa2 + (1.0 - kappa2) * (1.0 - (-x).exp()) / x
}

/// Fits a Hawkes branching ratio and kernel mean life (seconds) to Fano factors measured over
/// `(window seconds, fano)` pairs, by a grid search on squared log errors. Returns `(0, 1)` when
/// the counts are not over-dispersed (every Fano factor ≤ 1): Poisson arrivals.
pub fn hawkes_fit(observed: &[(f64, f64)]) -> (f64, f64) {
    if observed.iter().all(|&(_, f)| f <= 1.0) {
        return (0.0, 1.0);
    }
    let mut best = (f64::INFINITY, 0.0, 1.0);
    for a in 0..=95 {
        let n = f64::from(a) / 100.0;
        for b in 0..=60 {
            let tau = 0.05 * 10f64.powf(f64::from(b) / 15.0);
            let err: f64 =
                observed.iter().map(|&(t, f)| (hawkes_fano(n, tau, t).ln() - f.max(1e-9).ln()).powi(2)).sum();
            if err < best.0 {
                best = (err, n, tau);
            }
        }
    }
    (best.1, best.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_moments_and_ks() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(quantile(&[1.0, 2.0], 0.5), Some(1.5));
        assert_eq!(median(&[]), None);
        assert_eq!(ks_distance(&[1.0, 2.0], &[1.0, 2.0]), Some(0.0));
        assert_eq!(ks_distance(&[1.0, 2.0], &[3.0, 4.0]), Some(1.0));
        assert!((ks_distance(&[1.0, 2.0, 3.0, 4.0], &[3.0, 4.0]).unwrap() - 0.5).abs() < 1e-12);
        let normalish: Vec<f64> = (0..1000).map(|i| ((i as f64 + 0.5) / 1000.0 - 0.5) * 2.0).collect();
        assert!((excess_kurtosis(&normalish).unwrap() + 1.2).abs() < 0.01, "uniform: −1.2");
    }

    #[test]
    fn acf_of_an_alternating_series_is_minus_one_at_lag_one() {
        let xs: Vec<f64> = (0..100).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
        let a = acf(&xs, 2);
        assert!((a[0].unwrap() + 0.99).abs() < 0.02 && (a[1].unwrap() - 0.98).abs() < 0.03, "{a:?}");
    }

    #[test]
    fn lognormal_fit_and_counts() {
        let (m, s) = lognormal_fit(&[1.0, 100.0]).unwrap();
        assert!((m - 10.0).abs() < 1e-9 && (s - 100f64.ln() / 2.0).abs() < 1e-9);
        assert_eq!(window_counts(&[0, 5, 10, 25], 0, 30, 10), vec![2.0, 1.0, 1.0]);
        assert_eq!(fano(&[2.0, 2.0]), Some(0.0));
    }

    #[test]
    fn the_hawkes_fit_recovers_its_own_fano_factors() {
        let obs: Vec<(f64, f64)> = [1.0, 10.0, 60.0].iter().map(|&t| (t, hawkes_fano(0.6, 5.0, t))).collect();
        let (n, tau) = hawkes_fit(&obs);
        assert!((n - 0.6).abs() < 0.03 && (tau / 5.0 - 1.0).abs() < 0.2, "{n} {tau}");
        assert_eq!(hawkes_fit(&[(60.0, 0.9)]), (0.0, 1.0));
    }
}
