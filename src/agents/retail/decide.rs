//! What a member does when its turn comes, by type: a side, an order style and a size, or nothing.
//!
//! Pure functions of the member's own state (free tokens, entry price), the crowd's climate, what
//! is visible in the market and the crowd's random stream. Sizes are fractions of the member's free
//! balance (cash for a buy, tokens for a sell), already capped at 1; turning them into lots that the
//! account can cover is the caller's job.

use rand::RngExt;
use rand_distr::{Distribution, Exp1, StandardNormal};

use super::climate::Climate;
use super::config::RetailConfig;
use super::TraderType;
use crate::agents::Tape;
use crate::book::OrderBook;
use crate::rng::AgentRng;
use crate::types::{Price, Side};

/// An order a member wants to send.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decision {
    /// Buy or sell.
    pub side: Side,
    /// Immediate-or-cancel at the opposite touch ± the collar (else a resting limit order).
    pub marketable: bool,
    /// Fraction of the free balance to use, in (0, 1].
    pub size: f64,
    /// A limit price of the member's own (fractional ticks), for a limit order that may cross the
    /// book (fundamentalists trading at their value); `None`: placed near the touch.
    pub price: Option<f64>,
}

/// The market as a member sees it at its arrival.
#[derive(Clone, Copy, Debug)]
pub struct Seen<'a> {
    /// Best bid.
    pub bid: Option<Price>,
    /// Best ask.
    pub ask: Option<Price>,
    /// Mid (or last trade, or opening price) in ticks.
    pub mid: f64,
    /// The tape.
    pub tape: &'a Tape,
    /// The book.
    pub book: &'a OrderBook,
}

/// The member's own state.
#[derive(Clone, Copy, Debug)]
pub struct Member {
    /// Free tokens, in lots.
    pub tokens_free: i64,
    /// Average entry price in ticks (0 when unknown).
    pub entry: f64,
}

/// The momentum signal `tanh(return over the window / momentum_scale)`, in (−1, 1).
pub fn momentum_tilt(cfg: &RetailConfig, tape: &Tape) -> f64 {
    (tape.log_return(cfg.momentum_bars()) * 10_000.0 / cfg.momentum_scale_bps).tanh()
}

/// True when a stop-loss member holding tokens sees `mid` (ticks) `stop_loss_pct` below its entry.
pub fn panics(cfg: &RetailConfig, me: Member, mid: f64) -> bool {
    me.tokens_free > 0 && me.entry > 0.0 && mid < me.entry * (1.0 - cfg.stop_loss_pct / 100.0)
}

/// The decision of a member of type `kind`, or `None` when it stays put.
pub fn decide(
    kind: TraderType,
    cfg: &RetailConfig,
    climate: &Climate,
    seen: &Seen<'_>,
    me: Member,
    rng: &mut AgentRng,
) -> Option<Decision> {
    let style = |rng: &mut AgentRng| rng.random_bool(cfg.market_order_share);
    match kind {
        TraderType::Noise => {
            let side = if rng.random_bool(0.5) { Side::Buy } else { Side::Sell };
            Some(Decision { side, marketable: style(rng), size: size(cfg, 1.0, rng), price: None })
        }
        TraderType::Momentum => {
            let tilt = momentum_tilt(cfg, seen.tape);
            let side = if rng.random_bool((1.0 + tilt) / 2.0) { Side::Buy } else { Side::Sell };
            let mult = 1.0 + cfg.momentum_size_gain * tilt.abs();
            Some(Decision { side, marketable: true, size: size(cfg, mult, rng), price: None })
        }
        TraderType::StopLoss => {
            if panics(cfg, me, seen.mid) {
                return Some(Decision { side: Side::Sell, marketable: true, size: 1.0, price: None });
            }
            if me.tokens_free > 0 && me.entry > 0.0 && seen.mid > me.entry * (1.0 + cfg.take_profit_pct / 100.0) {
                let size = size(cfg, 1.0, rng);
                return Some(Decision { side: Side::Sell, marketable: false, size, price: None });
            }
            let side = if me.tokens_free == 0 || rng.random_bool(0.5) { Side::Buy } else { Side::Sell };
            Some(Decision { side, marketable: style(rng), size: size(cfg, 1.0, rng), price: None })
        }
        TraderType::Fundamentalist => {
            // Its own estimate of the value, and a limit order a little inside it: a buy below the
            // estimate when the price is under it, a sell above it otherwise. When the price is far
            // off, the order crosses the book (bounded by the collar) and rests the remainder.
            let err: f64 = StandardNormal.sample(rng);
            let log_estimate = climate.log_value() + cfg.fundamental_dispersion_bps / 10_000.0 * err;
            let gap_bps = (log_estimate - seen.mid.max(1.0).ln()) * 10_000.0;
            if gap_bps.abs() < cfg.fundamental_threshold_bps || gap_bps == 0.0 {
                return None;
            }
            let side = if gap_bps > 0.0 { Side::Buy } else { Side::Sell };
            let e: f64 = Exp1.sample(rng);
            let d = e * cfg.limit_offset_bps / 10_000.0;
            let price = log_estimate.exp() * (1.0 - side.sign() as f64 * d);
            let mult = if cfg.fundamental_threshold_bps > 0.0 {
                (gap_bps.abs() / cfg.fundamental_threshold_bps).clamp(1.0, 3.0)
            } else {
                1.0
            };
            Some(Decision { side, marketable: false, size: size(cfg, mult, rng), price: Some(price) })
        }
        TraderType::BookReader => {
            let imbalance = book_imbalance(cfg, seen);
            let p_buy = (1.0 + (cfg.book_gain * imbalance).tanh()) / 2.0;
            let side = if rng.random_bool(p_buy) { Side::Buy } else { Side::Sell };
            Some(Decision { side, marketable: style(rng), size: size(cfg, 1.0, rng), price: None })
        }
    }
}

/// (bids − asks) / (bids + asks) for the quantities within `book_band_bps` of the mid; 0 when the
/// band is empty.
pub fn book_imbalance(cfg: &RetailConfig, seen: &Seen<'_>) -> f64 {
    let band = cfg.book_band_bps / 10_000.0;
    let lo = Price((seen.mid * (1.0 - band)).ceil() as i64);
    let hi = Price((seen.mid * (1.0 + band)).floor() as i64);
    let mid_lo = Price(seen.mid.floor() as i64);
    let mid_hi = Price(seen.mid.ceil() as i64);
    let bids = seen.book.depth_between(Side::Buy, lo, mid_lo).0 as f64;
    let asks = seen.book.depth_between(Side::Sell, mid_hi, hi).0 as f64;
    if bids + asks > 0.0 {
        (bids - asks) / (bids + asks)
    } else {
        0.0
    }
}

/// A log-normal fraction around `order_size_frac × mult`, capped at 1.
fn size(cfg: &RetailConfig, mult: f64, rng: &mut AgentRng) -> f64 {
    let z: f64 = if cfg.order_size_sigma > 0.0 { StandardNormal.sample(rng) } else { 0.0 };
    (cfg.order_size_frac * mult * (cfg.order_size_sigma * z).exp()).min(1.0)
}
