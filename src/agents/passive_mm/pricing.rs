//! The Avellaneda–Stoikov (2008) quoting rule and a volatility estimate for it: pure functions of
//! their inputs, shared by [`PassiveMm`](super::PassiveMm) and the paper's reproduction in
//! [`crate::experiments::avellaneda_stoikov`].
//!
//! Units: the formulas hold in any consistent units. With prices in quote units `s`, inventory `q`
//! in units of stock, time in `t`: `σ` is in price per √time, `γ` in 1/price (risk aversion per unit
//! of wealth), `k` in 1/price (how fast fill intensity `A·exp(−k·δ)` decays with the distance `δ`
//! from the mid). The passive MM uses basis points of the fair price for prices, days for time and
//! `level_size` clips for inventory (see its module doc).
//!
//! - reservation price `r = s − q·γ·σ²·(T−t)`: below the mid when long, above when short;
//! - optimal total spread `δa + δb = γ·σ²·(T−t) + (2/γ)·ln(1 + γ/k)`, quoted symmetrically around `r`.

/// The model's parameters (γ, σ, k) in consistent units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AvellanedaStoikov {
    /// Risk aversion γ ≥ 0 (γ = 0 is the risk-neutral limit: no skew, spread 2/k).
    pub gamma: f64,
    /// Volatility σ ≥ 0 of the mid, price per √time.
    pub sigma: f64,
    /// Decay k > 0 of the fill intensity with distance from the mid, per unit of price.
    pub k: f64,
}

impl AvellanedaStoikov {
    /// The reservation (indifference) price `r = s − q·γ·σ²·τ` for inventory `q` with `tau = T − t`
    /// left to the horizon.
    pub fn reservation(&self, s: f64, q: f64, tau: f64) -> f64 {
        s - q * self.inventory_term(tau)
    }

    /// `γ·σ²·τ`: how far one unit of inventory moves the reservation price, which is also the
    /// inventory-risk part of the optimal spread.
    pub fn inventory_term(&self, tau: f64) -> f64 {
        self.gamma * self.sigma * self.sigma * tau.max(0.0)
    }

    /// The order-arrival part of the spread, `(2/γ)·ln(1 + γ/k)` (its limit `2/k` as γ → 0).
    pub fn arrival_spread(&self) -> f64 {
        if self.gamma <= 0.0 {
            return 2.0 / self.k;
        }
        2.0 / self.gamma * (self.gamma / self.k).ln_1p()
    }

    /// The optimal total spread `δa + δb = γ·σ²·τ + (2/γ)·ln(1 + γ/k)`.
    pub fn spread(&self, tau: f64) -> f64 {
        self.inventory_term(tau) + self.arrival_spread()
    }

    /// Bid and ask: `spread` quoted symmetrically around the reservation price.
    pub fn quotes(&self, s: f64, q: f64, tau: f64, spread: f64) -> (f64, f64) {
        let r = self.reservation(s, q, tau);
        (r - spread / 2.0, r + spread / 2.0)
    }
}

/// An exponentially weighted estimate of the variance of one-period log returns.
///
/// Each update folds in one return `x`: `v ← λ·v + (1 − λ)·x²`, with `λ = 0.5^(1/halflife)` so a
/// return's weight halves every `halflife` periods. It starts at a prior variance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EwmaVariance {
    variance: f64,
    lambda: f64,
}

impl EwmaVariance {
    /// An estimate starting at `prior` (variance per period) whose weights halve every
    /// `halflife_periods` periods (> 0).
    pub fn new(prior: f64, halflife_periods: f64) -> Self {
        EwmaVariance { variance: prior.max(0.0), lambda: 0.5f64.powf(1.0 / halflife_periods.max(1e-9)) }
    }

    /// Folds in one period's log return.
    pub fn update(&mut self, log_return: f64) {
        self.variance = self.lambda * self.variance + (1.0 - self.lambda) * log_return * log_return;
    }

    /// The current variance per period.
    pub fn variance(&self) -> f64 {
        self.variance
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAPER: AvellanedaStoikov = AvellanedaStoikov { gamma: 0.1, sigma: 2.0, k: 1.5 };

    #[test]
    fn reservation_price_follows_the_formula_and_leans_against_inventory() {
        // r = s − q·γ·σ²·(T−t) = 100 − 3·0.1·4·0.5 = 99.4
        assert!((PAPER.reservation(100.0, 3.0, 0.5) - 99.4).abs() < 1e-12);
        assert!(PAPER.reservation(100.0, 3.0, 0.5) < 100.0, "long: sell cheaper, buy cheaper");
        assert!(PAPER.reservation(100.0, -3.0, 0.5) > 100.0, "short: both quotes move up");
        assert_eq!(PAPER.reservation(100.0, 0.0, 0.5), 100.0);
        assert_eq!(PAPER.reservation(100.0, 5.0, 0.0), 100.0, "no skew at the horizon");
    }

    #[test]
    fn optimal_spread_follows_the_formula() {
        // γσ²(T−t) + (2/γ)ln(1+γ/k) at t = 0: 0.4 + 20·ln(1 + 1/15)
        let expected = 0.1 * 4.0 * 1.0 + 2.0 / 0.1 * (1.0f64 + 0.1 / 1.5).ln();
        assert!((PAPER.spread(1.0) - expected).abs() < 1e-12);
        // The paper's Table 2 spread is the arrival part alone: 1.29.
        assert!((PAPER.arrival_spread() - 1.2908).abs() < 1e-4);
        let neutral = AvellanedaStoikov { gamma: 0.0, ..PAPER };
        assert!((neutral.arrival_spread() - 2.0 / 1.5).abs() < 1e-12);
        let tiny = AvellanedaStoikov { gamma: 1e-9, ..PAPER };
        assert!((tiny.arrival_spread() - neutral.arrival_spread()).abs() < 1e-6);
    }

    #[test]
    fn quotes_skew_in_the_direction_that_sheds_inventory() {
        let (bid0, ask0) = PAPER.quotes(100.0, 0.0, 0.5, 1.29);
        let (bid_long, ask_long) = PAPER.quotes(100.0, 4.0, 0.5, 1.29);
        let (bid_short, ask_short) = PAPER.quotes(100.0, -4.0, 0.5, 1.29);
        assert!((ask0 - bid0 - 1.29).abs() < 1e-12 && (bid0 + ask0 - 200.0).abs() < 1e-12);
        assert!(bid_long < bid0 && ask_long < ask0, "long: lower both quotes");
        assert!(bid_short > bid0 && ask_short > ask0, "short: raise both quotes");
        assert!((ask_long - bid_long - 1.29).abs() < 1e-12, "skew keeps the width");
    }

    #[test]
    fn ewma_halves_a_returns_weight_every_halflife() {
        let mut v = EwmaVariance::new(0.0, 10.0);
        v.update(1.0);
        let first = v.variance();
        for _ in 0..10 {
            v.update(0.0);
        }
        assert!((v.variance() - first / 2.0).abs() < 1e-12);
        let mut steady = EwmaVariance::new(0.0, 5.0);
        for _ in 0..1_000 {
            steady.update(0.02);
        }
        assert!((steady.variance() - 0.0004).abs() < 1e-9);
    }
}
