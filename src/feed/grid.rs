//! Exact conversion of decimal text to integer ticks and lots, and inference of the tick and lot size.
//!
//! A value is parsed with `rust_decimal` (`Decimal::from_str_exact`: no rounding, at most 28
//! fractional digits) as `m × 10^-s`; a step (tick or lot size) is `k × 10^-t`. The value in steps is
//! `m × 10^(t−s) / k`, computed in `i128` and accepted only when the division is exact and the result
//! fits in an `i64`. Trailing zeros (`"2682.51000000"`) cost nothing: they only raise `s`.
//!
//! Inference ([`ProbeUnits`]) over the lines probed:
//! - the **tick** is `10^-p` for the finest number of decimal places `p` any *non-zero* price needs
//!   once trailing zeros are dropped (`"2682.51000000"` needs 2): prices must lie on the exchange's
//!   tick, so the significant digits show it, and a tight tick keeps the price ladder dense;
//! - the **lot** is `10^-w` for the most decimal places any size is *written* with, trailing zeros
//!   included (Binance writes 8, Tardis the shortest form). Sizes are not safe to infer from their
//!   significant digits: a level's size sums orders placed under earlier, finer lot sizes, and the
//!   sample has exactly one size with 5 significant decimals (line 40,387) among 250,000 with at most
//!   4, after 40,000 lines. The written precision is the exchange's own atom, and a fine lot costs
//!   nothing (an `i64` of 10^-8 lots still holds 92 billion units).
//!
//! Both steps are powers of ten: a market whose true tick is 0.05 or 0.25 is read on the finer 0.01
//! grid, which holds every value exactly. A later value finer than the probe saw is a located
//! [`FeedError::OffGrid`](super::FeedError::OffGrid) naming the fix.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::error::{LineError, SkipReason};
use super::event::MessageKind;
use crate::types::{Price, Qty};

/// Why a value could not be converted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ValueError {
    /// Not a decimal number, or negative (a damaged field: counted skip).
    Unparsable,
    /// Not a whole number of steps (located error).
    OffGrid,
    /// More steps than an `i64` holds (located error).
    TooLarge,
}

/// `10^n` for `n ≤ 38`.
fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

/// A tick or lot size with exact conversion of decimal text into whole steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    mantissa: i128,
    scale: u32,
}

impl Step {
    /// The grid of multiples of `step`.
    ///
    /// # Errors
    /// A message when `step` is not > 0.
    pub fn try_new(step: Decimal) -> Result<Step, String> {
        if step <= Decimal::ZERO {
            return Err(format!("must be > 0, got {step}"));
        }
        let step = step.normalize();
        Ok(Step { mantissa: step.mantissa(), scale: step.scale() })
    }

    /// The step `10^-places` (what inference yields).
    pub fn from_places(places: u32) -> Step {
        Step { mantissa: 1, scale: places.min(28) }
    }

    /// The step as a decimal.
    pub fn decimal(&self) -> Decimal {
        Decimal::from_i128_with_scale(self.mantissa, self.scale)
    }

    /// The number of whole steps in the non-negative decimal `text`.
    pub(super) fn units(&self, text: &str) -> Result<i64, ValueError> {
        let value = Decimal::from_str_exact(text).map_err(|_| ValueError::Unparsable)?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(ValueError::Unparsable);
        }
        let (m, s) = (value.mantissa().abs(), value.scale());
        let units = if self.scale >= s {
            let num = pow10(self.scale - s).and_then(|p| m.checked_mul(p)).ok_or(ValueError::TooLarge)?;
            (num % self.mantissa == 0).then(|| num / self.mantissa)
        } else {
            // A denominator beyond i128 exceeds any Decimal mantissa: only zero divides exactly.
            match pow10(s - self.scale).and_then(|p| p.checked_mul(self.mantissa)) {
                Some(den) => (m % den == 0).then(|| m / den),
                None => (m == 0).then_some(0),
            }
        };
        let units = units.ok_or(ValueError::OffGrid)?;
        i64::try_from(units).map_err(|_| ValueError::TooLarge)
    }
}

/// The decimal places a non-zero value needs (trailing zeros dropped); `None` for zero or junk.
pub(super) fn places_needed(text: &str) -> Option<u32> {
    let value = Decimal::from_str(text).ok()?;
    (!value.is_zero()).then(|| value.normalize().scale())
}

/// The decimal places a value is written with (trailing zeros count); `None` for junk.
pub(super) fn places_written(text: &str) -> Option<u32> {
    Decimal::from_str(text).ok().map(|value| value.scale())
}

/// How the parsers turn price and size text into grid units.
pub(super) trait Units {
    /// A price in ticks (must be > 0).
    fn price(&mut self, text: &str) -> Result<Price, ValueError>;
    /// A size in lots (≥ 0; zero removes a level).
    fn qty(&mut self, text: &str) -> Result<Qty, ValueError>;
    /// The tick (`price`) or lot (`qty`) size, for error messages.
    fn step_of(&self, field: &str) -> Decimal;
}

/// The real conversion on a known tick and lot.
#[derive(Clone, Copy, Debug)]
pub(super) struct ExactUnits {
    /// The tick size.
    pub tick: Step,
    /// The lot size.
    pub lot: Step,
}

impl Units for ExactUnits {
    #[inline]
    fn price(&mut self, text: &str) -> Result<Price, ValueError> {
        match self.tick.units(text)? {
            0 => Err(ValueError::Unparsable),
            ticks => Ok(Price(ticks)),
        }
    }
    #[inline]
    fn qty(&mut self, text: &str) -> Result<Qty, ValueError> {
        self.lot.units(text).map(Qty)
    }
    fn step_of(&self, field: &str) -> Decimal {
        if field == "price" {
            self.tick.decimal()
        } else {
            self.lot.decimal()
        }
    }
}

/// Records the finest decimal places seen instead of converting (for tick/lot inference).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct ProbeUnits {
    /// Finest places of any non-zero price seen.
    pub price_places: Option<u32>,
    /// Most places any size was written with.
    pub qty_places: Option<u32>,
}

impl Units for ProbeUnits {
    fn price(&mut self, text: &str) -> Result<Price, ValueError> {
        let places = places_needed(text).ok_or(ValueError::Unparsable)?;
        self.price_places = Some(self.price_places.map_or(places, |p| p.max(places)));
        Ok(Price(1))
    }
    fn qty(&mut self, text: &str) -> Result<Qty, ValueError> {
        if let Some(places) = places_written(text) {
            self.qty_places = Some(self.qty_places.map_or(places, |p| p.max(places)));
        }
        Ok(Qty(1))
    }
    fn step_of(&self, _field: &str) -> Decimal {
        Decimal::ZERO
    }
}

fn value_error(error: ValueError, field: &'static str, text: &str, kind: MessageKind) -> LineError {
    match error {
        ValueError::Unparsable => {
            LineError::skip(SkipReason::BadField, Some(kind), format!("{field} {text:?} is not a valid decimal"))
        }
        ValueError::OffGrid => LineError::Value { field, value: text.to_owned(), too_large: false },
        ValueError::TooLarge => LineError::Value { field, value: text.to_owned(), too_large: true },
    }
}

/// A price field of a `kind` message, with the error a reader reports.
#[inline]
pub(super) fn price_of<U: Units>(units: &mut U, text: &str, kind: MessageKind) -> Result<Price, LineError> {
    units.price(text).map_err(|e| value_error(e, "price", text, kind))
}

/// A size field of a `kind` message, with the error a reader reports.
#[inline]
pub(super) fn qty_of<U: Units>(units: &mut U, text: &str, kind: MessageKind) -> Result<Qty, LineError> {
    units.qty(text).map_err(|e| value_error(e, "qty", text, kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn exact_conversion_on_decimal_and_non_decimal_steps() {
        let tick = Step::try_new(dec!(0.01)).unwrap();
        assert_eq!(tick.units("2682.51000000"), Ok(268_251));
        assert_eq!(tick.units("2682.5"), Ok(268_250));
        assert_eq!(tick.units("2682.515"), Err(ValueError::OffGrid));
        assert_eq!(tick.units("0.00000000"), Ok(0));
        assert_eq!(tick.units("-1"), Err(ValueError::Unparsable));
        assert_eq!(tick.units("1e3"), Err(ValueError::Unparsable));
        assert_eq!(tick.units(""), Err(ValueError::Unparsable));
        let quarter = Step::try_new(dec!(0.25)).unwrap();
        assert_eq!(quarter.units("10.75"), Ok(43));
        assert_eq!(quarter.units("10.7"), Err(ValueError::OffGrid));
        let ten = Step::try_new(dec!(10)).unwrap();
        assert_eq!(ten.units("120"), Ok(12));
        assert_eq!(ten.units("125"), Err(ValueError::OffGrid));
        let fine = Step::from_places(8);
        assert_eq!(fine.units("99999999999"), Err(ValueError::TooLarge));
        assert!(Step::try_new(dec!(0)).is_err());
    }

    #[test]
    fn places_ignore_trailing_zeros_and_zero_values() {
        assert_eq!(places_needed("2682.51000000"), Some(2));
        assert_eq!(places_needed("0.00460000"), Some(4));
        assert_eq!(places_needed("0.00000000"), None);
        assert_eq!(places_needed("120"), Some(0));
        let mut probe = ProbeUnits::default();
        probe.price("1.5").unwrap();
        probe.price("1.25").unwrap();
        probe.qty("0.00460000").unwrap();
        probe.qty("12.5").unwrap();
        assert_eq!((probe.price_places, probe.qty_places), (Some(2), Some(8)));
        assert_eq!(places_written("0.00000000"), Some(8));
        assert_eq!(Step::from_places(2).decimal(), dec!(0.01));
    }
}
