//! The best-response search: a seeded Latin-hypercube start, then a compass (pattern) search from
//! the best point, inside the box. Derivative-free and deterministic for a given seed.
//!
//! Method (stated in `verdict.json` and the README): with `d` free parameters and a budget of `B`
//! evaluations, the search works on the unit cube (a parameter's position along its box, log-scaled
//! for log dimensions). It evaluates `n₀ = min(B, max(d + 2, ⌈0.4·B⌉))` Latin-hypercube points
//! (one per stratum of each axis, strata shuffled by a ChaCha8 stream seeded from the playbook's
//! name), then repeats, while budget remains: evaluate the `2d` compass neighbours `x ± h·eᵢ` of
//! the best point (clamped to the cube; those already evaluated are skipped), move to the best of
//! them if it improves the mean payoff, else halve `h` (starting at 0.25); it stops when `h < 1/64`
//! or the budget is spent. Neighbours are evaluated as one batch, so a batch runs in parallel.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Points of the unit cube, evaluated in batches by `eval` (one mean payoff per point, larger is
/// better; NaN counts as the worst); returns every point evaluated, in order, with its value.
pub fn search(
    dims: usize,
    budget: u32,
    seed: u64,
    eval: &mut dyn FnMut(&[Vec<f64>]) -> Vec<f64>,
) -> Vec<(Vec<f64>, f64)> {
    let budget = budget.max(1) as usize;
    let mut done: Vec<(Vec<f64>, f64)> = Vec::new();
    if dims == 0 {
        let v = eval(&[Vec::new()]);
        return vec![(Vec::new(), v[0])];
    }
    let n0 = budget.min((dims + 2).max((budget * 2).div_ceil(5)));
    let start = latin_hypercube(dims, n0, seed);
    let values = eval(&start);
    done.extend(start.into_iter().zip(values));
    let key = |v: f64| if v.is_nan() { f64::NEG_INFINITY } else { v };
    let mut best =
        (0..done.len()).max_by(|&a, &b| key(done[a].1).total_cmp(&key(done[b].1)).then(b.cmp(&a))).unwrap_or(0);
    let mut h = 0.25;
    while done.len() < budget && h >= 1.0 / 64.0 {
        let centre = done[best].0.clone();
        let mut batch: Vec<Vec<f64>> = Vec::new();
        for i in 0..dims {
            for sign in [1.0, -1.0] {
                let mut x = centre.clone();
                x[i] = (x[i] + sign * h).clamp(0.0, 1.0);
                let seen = |p: &Vec<f64>| p.iter().zip(&x).all(|(a, b)| (a - b).abs() < 1e-12);
                if !done.iter().any(|(p, _)| seen(p)) && !batch.iter().any(seen) {
                    batch.push(x);
                }
            }
        }
        batch.truncate(budget - done.len());
        if batch.is_empty() {
            h /= 2.0;
            continue;
        }
        let values = eval(&batch);
        let first = done.len();
        done.extend(batch.into_iter().zip(values));
        let cand = (first..done.len()).max_by(|&a, &b| key(done[a].1).total_cmp(&key(done[b].1)).then(b.cmp(&a)));
        match cand {
            Some(c) if key(done[c].1) > key(done[best].1) => best = c,
            _ => h /= 2.0,
        }
    }
    done
}

/// `n` points of a Latin hypercube in `[0, 1]^dims`: on each axis one point in each of `n` strata
/// (at a random place inside it), the strata shuffled independently per axis.
pub fn latin_hypercube(dims: usize, n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut points = vec![vec![0.0; dims]; n];
    for d in 0..dims {
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            strata.swap(i, rng.random_range(0..=i));
        }
        for (p, s) in points.iter_mut().zip(strata) {
            p[d] = (s as f64 + rng.random_range(0.0..1.0)) / n as f64;
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_peak_of_a_smooth_bowl_within_budget() {
        let peak = [0.3, 0.8, 0.55];
        let f = |x: &Vec<f64>| -x.iter().zip(peak).map(|(a, b)| (a - b).powi(2)).sum::<f64>();
        let mut calls = 0;
        let done = search(3, 40, 7, &mut |b: &[Vec<f64>]| {
            calls += b.len();
            b.iter().map(f).collect()
        });
        assert_eq!(done.len(), calls);
        assert!(done.len() <= 40);
        let best = done.iter().map(|d| d.1).fold(f64::NEG_INFINITY, f64::max);
        assert!(best > -0.01, "best {best}");
        // Deterministic for a seed.
        let again = search(3, 40, 7, &mut |b: &[Vec<f64>]| b.iter().map(f).collect());
        assert_eq!(done, again);
    }

    #[test]
    fn latin_hypercube_has_one_point_per_stratum() {
        let pts = latin_hypercube(2, 10, 1);
        for d in 0..2 {
            let mut strata: Vec<usize> = pts.iter().map(|p| (p[d] * 10.0) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..10).collect::<Vec<_>>());
        }
    }

    #[test]
    fn no_free_parameter_is_one_evaluation() {
        let done = search(0, 30, 1, &mut |b: &[Vec<f64>]| vec![1.0; b.len()]);
        assert_eq!(done, vec![(Vec::new(), 1.0)]);
    }
}
