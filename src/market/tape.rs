//! The tape: last trade and a short history of one-minute bars, the public market data agents read
//! besides the book (momentum traders look at recent returns and volume here).
//!
//! Bars are one simulated minute long; the last [`Tape::BARS`] closed bars are kept, so memory is
//! constant however long the run.

use std::collections::VecDeque;

use crate::types::{Price, Qty, SimTime};

/// One closed bar: the last trade price at its end (carried forward when nothing traded) and the
/// quantity traded in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bar {
    /// Price at the bar's end, in ticks.
    pub close: Price,
    /// Lots traded during the bar.
    pub volume: Qty,
}

/// Last trade and recent one-minute bars.
#[derive(Clone, Debug)]
pub struct Tape {
    last_price: Option<Price>,
    last_trade_at: SimTime,
    bar_end: SimTime,
    bar_volume: Qty,
    bars: VecDeque<Bar>,
}

impl Tape {
    /// Bar length in nanoseconds (one minute).
    pub const BAR_NS: u64 = 60_000_000_000;
    /// How many closed bars are kept.
    pub const BARS: usize = 1_440;

    /// An empty tape; `open` is the reference price before the first trade.
    pub fn new(open: Price) -> Self {
        Tape {
            last_price: None,
            last_trade_at: SimTime::ZERO,
            bar_end: SimTime(Self::BAR_NS),
            bar_volume: Qty::ZERO,
            bars: VecDeque::from([Bar { close: open, volume: Qty::ZERO }]),
        }
    }

    /// Closes every bar that ended at or before `now`.
    #[inline]
    pub fn advance(&mut self, now: SimTime) {
        while now >= self.bar_end {
            let close = self.last_price.unwrap_or(self.bars.back().expect("at least one bar").close);
            self.bars.push_back(Bar { close, volume: self.bar_volume });
            if self.bars.len() > Self::BARS {
                self.bars.pop_front();
            }
            self.bar_volume = Qty::ZERO;
            self.bar_end = self.bar_end.plus_nanos(Self::BAR_NS);
            if self.bar_end.nanos() == u64::MAX {
                break; // the end of time: no later bar can close
            }
        }
    }

    /// Records a trade at `now`.
    #[inline]
    pub fn record(&mut self, now: SimTime, price: Price, qty: Qty) {
        self.advance(now);
        self.last_price = Some(price);
        self.last_trade_at = now;
        self.bar_volume += qty;
    }

    /// The last trade price.
    pub fn last_price(&self) -> Option<Price> {
        self.last_price
    }

    /// When the last trade happened.
    pub fn last_trade_at(&self) -> SimTime {
        self.last_trade_at
    }

    /// The log return from the close `bars` bars ago to the last price (0 when there is no history).
    pub fn log_return(&self, bars: usize) -> f64 {
        let n = self.bars.len();
        let then = self.bars[n.saturating_sub(bars.max(1))].close;
        let now = self.last_price.unwrap_or(self.bars[n - 1].close);
        if then.0 <= 0 || now.0 <= 0 {
            return 0.0;
        }
        (now.0 as f64 / then.0 as f64).ln()
    }

    /// Lots traded in the current bar and the last `bars` closed bars.
    pub fn volume(&self, bars: usize) -> Qty {
        self.bars.iter().rev().take(bars).fold(self.bar_volume, |acc, b| acc + b.volume)
    }

    /// Closed bars, oldest first.
    pub fn bars(&self) -> impl DoubleEndedIterator<Item = &Bar> + ExactSizeIterator {
        self.bars.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_close_on_time_and_carry_the_price_forward() {
        let mut t = Tape::new(Price(100));
        t.record(SimTime::from_secs(10), Price(110), Qty(5));
        t.record(SimTime::from_secs(70), Price(121), Qty(2));
        t.advance(SimTime::from_secs(185));
        let bars: Vec<_> = t.bars().copied().collect();
        assert_eq!(bars[1], Bar { close: Price(110), volume: Qty(5) });
        assert_eq!(bars[2], Bar { close: Price(121), volume: Qty(2) });
        assert_eq!(bars[3], Bar { close: Price(121), volume: Qty(0) });
        assert_eq!(t.volume(3), Qty(7));
        assert!((t.log_return(3) - (121f64 / 110.0).ln()).abs() < 1e-12);
        assert_eq!(t.last_price(), Some(Price(121)));
    }

    #[test]
    fn history_is_bounded() {
        let mut t = Tape::new(Price(1));
        t.advance(SimTime::from_secs(60 * 5_000));
        assert_eq!(t.bars().count(), Tape::BARS);
    }
}
