//! Queue position of a resting order on a replayed book: how much of the recorded level is ahead of
//! our order, and how much of each recorded trade at our price reaches it.
//!
//! The recorded feed does not contain our order, so where it sits in the level's FIFO is estimated.
//! On arrival everything resting at the price is ahead of us (`ahead = level size`). Then:
//! - a **trade** at our price on our side removes its size from the front of the queue: first from
//!   `ahead`, and what exceeds `ahead` fills our order;
//! - a **depth change** that shrinks the level by `c` lots (after the traded size was taken out: a
//!   trade and the diff that reports it are not counted twice) is a cancellation somewhere in the
//!   queue. [`QueueModel::RiskAverse`] assumes it was all behind us (`ahead` only drops to the new
//!   level size); [`QueueModel::Prob`] takes a share `(front/(front+back))^n` of `c` from ahead of us
//!   (`p = 1 − (front/(front+back))^n` is the chance a cancel came from behind; `n` = 2 or 3 typical).
//!   Growth joins the back of the queue and moves nothing.
//!
//! Sizes are lots; `ahead` is kept as `f64` because the probabilistic share is fractional, and it is
//! rounded down only when it is turned into a fill.

use std::fmt;
use std::str::FromStr;

/// How cancellations in a level move our order up its queue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum QueueModel {
    /// The queue ahead shrinks only by trades at our price (and never exceeds the level size).
    RiskAverse,
    /// A share `(front/(front+back))^n` of every shrink comes from ahead of us.
    Prob(f64),
}

impl Default for QueueModel {
    fn default() -> Self {
        QueueModel::Prob(2.0)
    }
}

impl fmt::Display for QueueModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueueModel::RiskAverse => f.write_str("risk_averse"),
            QueueModel::Prob(n) => write!(f, "prob:{n}"),
        }
    }
}

impl FromStr for QueueModel {
    type Err = String;

    /// `risk_averse` or `prob:N` with N a finite number > 0.
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "risk_averse" {
            return Ok(QueueModel::RiskAverse);
        }
        let bad = || format!("queue model {s:?}: use `risk_averse` or `prob:N` with N > 0 (e.g. prob:2)");
        let n = s.strip_prefix("prob:").ok_or_else(bad)?;
        match n.parse::<f64>() {
            Ok(n) if n.is_finite() && n > 0.0 => Ok(QueueModel::Prob(n)),
            _ => Err(bad()),
        }
    }
}

/// Where one resting order stands in its level's queue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueuePos {
    /// Recorded lots ahead of the order.
    ahead: f64,
    /// The level's recorded size as last seen, less the trades since.
    level: i64,
}

impl QueuePos {
    /// An order joining the back of a level of `level_lots`.
    pub fn new(level_lots: i64) -> Self {
        QueuePos { ahead: level_lots.max(0) as f64, level: level_lots.max(0) }
    }

    /// Lots estimated ahead of the order.
    pub fn ahead(&self) -> f64 {
        self.ahead
    }

    /// A trade of `qty` lots at the order's price against its side: returns the lots that reach the
    /// order (at most `remaining`).
    pub fn on_trade(&mut self, qty: i64, remaining: i64) -> i64 {
        self.level = (self.level - qty).max(0);
        self.ahead -= qty as f64;
        if self.ahead >= 0.0 {
            return 0;
        }
        let through = (-self.ahead).floor() as i64;
        self.ahead = 0.0;
        through.min(remaining)
    }

    /// The level's recorded size became `new_lots`.
    pub fn on_depth(&mut self, new_lots: i64, model: QueueModel) {
        let new_lots = new_lots.max(0);
        let shrink = self.level - new_lots;
        if shrink > 0 {
            if let QueueModel::Prob(n) = model {
                let front = self.ahead.max(0.0);
                let back = (self.level as f64 - front).max(0.0);
                let total = front + back;
                if total > 0.0 {
                    self.ahead -= (front / total).powf(n) * shrink as f64;
                }
            }
        }
        self.ahead = self.ahead.clamp(0.0, new_lots as f64);
        self.level = new_lots;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_models_and_refuses_bad_ones() {
        assert_eq!("risk_averse".parse::<QueueModel>(), Ok(QueueModel::RiskAverse));
        assert_eq!("prob:3".parse::<QueueModel>(), Ok(QueueModel::Prob(3.0)));
        for bad in ["prob:", "prob:0", "prob:-1", "prob:nan", "fifo", ""] {
            let err = bad.parse::<QueueModel>().unwrap_err();
            assert!(err.contains("risk_averse"), "{err}");
        }
    }

    #[test]
    fn trades_eat_the_queue_then_fill() {
        let mut q = QueuePos::new(10);
        assert_eq!(q.on_trade(4, 5), 0);
        assert_eq!(q.on_trade(8, 5), 2);
        assert_eq!(q.ahead(), 0.0);
        assert_eq!(q.on_trade(9, 3), 3);
    }

    #[test]
    fn risk_averse_ignores_cancels_until_the_level_is_smaller() {
        let mut q = QueuePos::new(10);
        q.on_depth(6, QueueModel::RiskAverse);
        assert_eq!(q.ahead(), 6.0);
        q.on_depth(20, QueueModel::RiskAverse);
        assert_eq!(q.ahead(), 6.0);
        q.on_depth(16, QueueModel::RiskAverse);
        assert_eq!(q.ahead(), 6.0);
    }

    #[test]
    fn prob_takes_a_share_from_ahead() {
        // 10 ahead, 10 behind: a shrink of 4 takes (1/2)^2 × 4 = 1 from ahead.
        let mut q = QueuePos::new(10);
        q.on_depth(20, QueueModel::Prob(2.0));
        q.on_depth(16, QueueModel::Prob(2.0));
        assert!((q.ahead() - 9.0).abs() < 1e-9, "{}", q.ahead());
    }

    #[test]
    fn traded_size_is_not_counted_as_a_cancel() {
        let mut q = QueuePos::new(10);
        assert_eq!(q.on_trade(3, 5), 0);
        q.on_depth(7, QueueModel::Prob(2.0));
        assert_eq!(q.ahead(), 7.0);
    }

    #[test]
    fn prob_is_never_behind_risk_averse() {
        let mut ra = QueuePos::new(50);
        let mut pr = QueuePos::new(50);
        for (i, size) in [60, 40, 45, 30, 80, 20, 25].into_iter().enumerate() {
            ra.on_depth(size, QueueModel::RiskAverse);
            pr.on_depth(size, QueueModel::Prob(2.0));
            if i % 2 == 0 {
                ra.on_trade(3, 100);
                pr.on_trade(3, 100);
            }
            assert!(pr.ahead() <= ra.ahead() + 1e-9);
        }
    }
}
