//! The crowd-wide state every member reacts to: attention, excitation, the fundamental value and
//! the volume surge. O(1) memory; updated lazily at each of the crowd's wake-ups for the time elapsed
//! since the previous one (exact transitions, so the update frequency does not change the laws).
//!
//! - **Attention** `a = min(exp(x − s²/2), attention_max)` (mean 1 before the cap): `x` is an
//!   Ornstein–Uhlenbeck process with stationary standard deviation `s = attention_vol` and half-life
//!   `attention_half_life`, stepped exactly: `x ← x·e^{−θΔ} + s·√(1 − e^{−2θΔ})·Z`,
//!   `θ = ln 2 / half-life`.
//! - **Excitation** `E ≥ 0` decays with `excitation_half_life` and jumps by
//!   `excitation_gain × max(0, |r| / ā − 2)` for each closed one-minute bar with log return `r` (tape
//!   closes), capped at `excitation_max`; `ā` is the running mean of `|r|` (a plain mean over the
//!   first bars, then an exponential average with a half-life of [`BASELINE_HALF_LIFE_BARS`]). Only
//!   moves beyond twice the usual excite, whatever the market's normal volatility: big moves raise
//!   activity, which makes more big moves (Hawkes-like).
//! - **Fundamental value** `ln V` (ticks), the crowd's consensus valuation, does a driftless random
//!   walk starting at the opening price with volatility `fundamental_vol_pct_per_day` % per √day
//!   times the rate multiplier: news arrives with attention, so the value moves more when the crowd
//!   is busy (stochastic volatility).
//! - **Volume surge**: the mean bar volume over the momentum window relative to the mean over the last
//!   [`LONG_BARS`] bars, minus 1, clamped to [0, 3]; refreshed when bars close.
//!
//! The crowd's rate multiplier is `attention × (1 + E)`.

use rand_distr::{Distribution, StandardNormal};

use super::config::RetailConfig;
use crate::agents::Tape;
use crate::rng::AgentRng;
use crate::types::{Price, SimTime};

/// Half-life, in one-minute bars, of the running mean of absolute bar returns (six hours).
pub const BASELINE_HALF_LIFE_BARS: f64 = 360.0;
/// Bars in the long volume average (four hours).
pub const LONG_BARS: usize = 240;
/// At most this many newly closed bars excite the crowd at one wake-up (a crowd asleep for hours
/// reacts to the latest moves only).
const MAX_NEW_BARS: u64 = 5;
const DAY_NS: f64 = 86_400e9;

/// Attention, excitation, value and volume surge of one crowd.
#[derive(Clone, Debug)]
pub struct Climate {
    last: SimTime,
    x: f64,
    excitation: f64,
    abs_mean: f64,
    abs_count: f64,
    log_value: f64,
    bars_seen: u64,
    surge: f64,
    // Constants derived from the configuration.
    att_sd: f64,
    att_max: f64,
    att_theta: f64,
    exc_lambda: f64,
    exc_gain: f64,
    exc_max: f64,
    value_sd_per_day: f64,
    window: usize,
}

impl Climate {
    /// The state at the start of a run: attention at its median, no excitation, value = `open`.
    pub fn new(cfg: &RetailConfig, open: Price) -> Self {
        let ln2 = std::f64::consts::LN_2;
        Climate {
            last: SimTime::ZERO,
            x: 0.0,
            excitation: 0.0,
            abs_mean: 0.0,
            abs_count: 0.0,
            log_value: (open.0.max(1) as f64).ln(),
            bars_seen: 0,
            surge: 0.0,
            att_sd: cfg.attention_vol,
            att_max: cfg.attention_max,
            att_theta: ln2 / cfg.attention_half_life.nanos().max(1) as f64,
            exc_lambda: ln2 / cfg.excitation_half_life.nanos().max(1) as f64,
            exc_gain: cfg.excitation_gain,
            exc_max: cfg.excitation_max,
            value_sd_per_day: cfg.fundamental_vol_pct_per_day / 100.0,
            window: cfg.momentum_bars().max(1),
        }
    }

    /// Steps every process to `now` and takes in the bars the tape closed since the last call.
    pub fn update(&mut self, now: SimTime, tape: &Tape, rng: &mut AgentRng) {
        let dt = now.nanos().saturating_sub(self.last.nanos()) as f64;
        if dt > 0.0 {
            self.last = now;
            let news = self.multiplier();
            if self.att_sd > 0.0 {
                let decay = (-self.att_theta * dt).exp();
                let z: f64 = StandardNormal.sample(rng);
                self.x = self.x * decay + self.att_sd * (1.0 - decay * decay).sqrt() * z;
            }
            self.excitation *= (-self.exc_lambda * dt).exp();
            if self.value_sd_per_day > 0.0 {
                // News comes with attention: the value's volatility scales with the multiplier in
                // force over the interval (its value at the start of it).
                let z: f64 = StandardNormal.sample(rng);
                self.log_value += self.value_sd_per_day * news * (dt / DAY_NS).sqrt() * z;
            }
        }
        let closed = now.nanos() / Tape::BAR_NS;
        if closed > self.bars_seen {
            let new = (closed - self.bars_seen).min(MAX_NEW_BARS) as usize;
            self.bars_seen = closed;
            self.take_bars(tape, new);
        }
    }

    /// Excitation from the `new` latest bar returns, and a fresh volume surge. The tape's
    /// `log_return(j + 1) − log_return(j)` is the return of the bar closed `j` bars ago (j ≥ 1).
    fn take_bars(&mut self, tape: &Tape, new: usize) {
        let mut returns = [0.0; MAX_NEW_BARS as usize];
        let mut later = tape.log_return(1);
        for (j, r) in returns.iter_mut().enumerate().take(new) {
            let earlier = tape.log_return(j + 2);
            *r = (earlier - later).abs();
            later = earlier;
        }
        // Oldest first, so the baseline is the mean of the bars before each one.
        let alpha_min = 1.0 - 0.5f64.powf(1.0 / BASELINE_HALF_LIFE_BARS);
        for &r in returns[..new].iter().rev() {
            if self.abs_mean > 0.0 {
                self.excitation += self.exc_gain * (r / self.abs_mean - 2.0).max(0.0);
            }
            self.abs_count += 1.0;
            self.abs_mean += (r - self.abs_mean) * (1.0 / self.abs_count).max(alpha_min);
        }
        self.excitation = self.excitation.min(self.exc_max);
        let open_bar = tape.volume(0).0;
        let recent = tape.volume(self.window).0 - open_bar;
        let long = tape.volume(LONG_BARS).0 - open_bar;
        let n = (self.bars_seen as usize + 1).min(LONG_BARS);
        self.surge = if long > 0 {
            let recent_mean = recent as f64 / self.window.min(n) as f64;
            (recent_mean / (long as f64 / n as f64) - 1.0).clamp(0.0, 3.0)
        } else {
            0.0
        };
    }

    /// Attention: 1 on average before the cap, at most `attention_max`.
    pub fn attention(&self) -> f64 {
        (self.x - self.att_sd * self.att_sd / 2.0).exp().min(self.att_max)
    }

    /// Excitation `E` (≥ 0).
    pub fn excitation(&self) -> f64 {
        self.excitation
    }

    /// The crowd's rate multiplier: attention × (1 + E).
    pub fn multiplier(&self) -> f64 {
        self.attention() * (1.0 + self.excitation)
    }

    /// The natural log of the fundamental value in ticks.
    pub fn log_value(&self) -> f64 {
        self.log_value
    }

    /// Volume surge in [0, 3].
    pub fn surge(&self) -> f64 {
        self.surge
    }
}
