//! Exact conversion between decimal text and integer grid units (ticks of price, lots of quantity).
//!
//! A grid step (the tick or the lot size) is a positive decimal `m × 10^-s`, normalized so that `m`
//! has no trailing zeros when `s > 0`. A value read from the file, `v × 10^-e`, lies on the grid when
//! `value / step` is a whole number; that number is the value in grid units (an `i64`).
//!
//! Parsing reads the bytes directly into a `u128` mantissa and a scale (no `Decimal` arithmetic, no
//! allocation), and all checks are exact integer arithmetic. The accepted syntax is an optional sign,
//! then digits with at most one decimal point and at least one digit (`100`, `100.50`, `.5`, `+3`);
//! exponents, digit separators and anything else are unparsable. Formatting multiplies units back
//! by the step and prints the shortest exact decimal (`100.5`, not `100.50`; `100`, not `100.0`).
//!
//! Steps are limited to 19 significant digits (a `u64` mantissa), so `units × m` always fits in a
//! `u128` and formatting never fails.

use rust_decimal::Decimal;

/// `10^n` for every `n` whose power fits in a `u128`.
const POW10: [u128; 39] = {
    let mut table = [1u128; 39];
    let mut i = 1;
    while i < 39 {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

fn pow10(n: u32) -> Option<u128> {
    POW10.get(n as usize).copied()
}

/// Why a value could not be converted to grid units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GridError {
    /// The field is empty.
    Missing,
    /// Not a decimal number.
    Unparsable,
    /// Zero or negative.
    NotPositive,
    /// Not a whole number of steps.
    OffGrid,
    /// More grid units than an `i64` holds (or more significant digits than a `u128` holds).
    TooLarge,
}

/// A positive decimal as `(mantissa, scale)`, fractional trailing zeros dropped.
fn parse_positive(text: &[u8]) -> Result<(u128, u32), GridError> {
    let (negative, digits) = match text.first() {
        None => return Err(GridError::Missing),
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        Some(_) => (false, text),
    };
    let mut mantissa: u128 = 0;
    let mut scale: u32 = 0;
    // Zeros after the point not yet applied: they only count if a non-zero digit follows.
    let mut pending_zeros: u32 = 0;
    let mut seen_digit = false;
    let mut seen_point = false;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                seen_digit = true;
                let digit = u128::from(b - b'0');
                if !seen_point {
                    mantissa =
                        mantissa.checked_mul(10).and_then(|m| m.checked_add(digit)).ok_or(GridError::TooLarge)?;
                } else if digit == 0 {
                    pending_zeros += 1;
                } else {
                    // A value with more decimals than a u128 can scale is below any step's precision.
                    let shift = pow10(pending_zeros + 1).ok_or(GridError::OffGrid)?;
                    mantissa =
                        mantissa.checked_mul(shift).and_then(|m| m.checked_add(digit)).ok_or(GridError::TooLarge)?;
                    scale += pending_zeros + 1;
                    pending_zeros = 0;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => return Err(GridError::Unparsable),
        }
    }
    if !seen_digit {
        return Err(GridError::Unparsable);
    }
    if negative || mantissa == 0 {
        return Err(GridError::NotPositive);
    }
    Ok((mantissa, scale))
}

/// `num / den` when it is a whole number.
#[inline]
fn exact_div(num: u128, den: u128) -> Option<u128> {
    // Most values fit in 64 bits, where division is much cheaper than the 128-bit routine.
    if let (Ok(n), Ok(d)) = (u64::try_from(num), u64::try_from(den)) {
        return (n % d == 0).then(|| u128::from(n / d));
    }
    (num % den == 0).then(|| num / den)
}

/// A price or quantity grid: the tick or the lot size, and conversions to and from its units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    mantissa: u64,
    scale: u32,
}

impl Grid {
    /// The grid of multiples of `step`.
    ///
    /// # Errors
    /// A message when `step` is not > 0 or has more than 19 significant digits.
    pub fn try_new(step: Decimal) -> Result<Grid, &'static str> {
        if step <= Decimal::ZERO {
            return Err("must be > 0");
        }
        let step = step.normalize();
        let mantissa = u64::try_from(step.mantissa())
            .ok()
            .filter(|&m| u128::from(m) < POW10[19])
            .ok_or("has more than 19 significant digits")?;
        Ok(Grid { mantissa, scale: step.scale() })
    }

    /// The step as a decimal.
    pub fn step(&self) -> Decimal {
        Decimal::from_i128_with_scale(i128::from(self.mantissa), self.scale)
    }

    /// Converts the decimal `text` (already trimmed) to a positive number of grid units.
    ///
    /// # Errors
    /// [`GridError`] when `text` is empty, unparsable, ≤ 0, off the grid or too large for an `i64`.
    pub fn to_units(&self, text: &[u8]) -> Result<i64, GridError> {
        let (mantissa, scale) = parse_positive(text)?;
        let step = u128::from(self.mantissa);
        let units = if self.scale >= scale {
            // value / step = mantissa × 10^(self.scale − scale) / step
            let num = pow10(self.scale - scale).and_then(|p| mantissa.checked_mul(p)).ok_or(GridError::TooLarge)?;
            exact_div(num, step)
        } else {
            // A denominator too large for u128 exceeds the (non-zero) mantissa: off the grid.
            let den = pow10(scale - self.scale).and_then(|p| step.checked_mul(p)).ok_or(GridError::OffGrid)?;
            exact_div(mantissa, den)
        };
        let units = units.ok_or(GridError::OffGrid)?;
        i64::try_from(units).map_err(|_| GridError::TooLarge)
    }

    /// Appends `units × step` to `out` as the shortest exact decimal.
    pub fn write(&self, units: i64, out: &mut Vec<u8>) {
        if units < 0 {
            out.push(b'-');
        }
        // |units| < 2^63 and mantissa < 2^64, so the product fits in 127 bits.
        let value = u128::from(units.unsigned_abs()) * u128::from(self.mantissa);
        match u64::try_from(value) {
            Ok(v) => write_scaled(v, self.scale, out),
            Err(_) => write_scaled(value, self.scale, out),
        }
    }
}

/// Digits of a value, generic over `u64` (fast) and `u128` (rare).
pub(super) trait Digits: Copy + PartialEq {
    const ZERO: Self;
    fn div_rem10(self) -> (Self, u8);
}

impl Digits for u64 {
    const ZERO: Self = 0;
    #[inline]
    fn div_rem10(self) -> (Self, u8) {
        (self / 10, (self % 10) as u8)
    }
}

impl Digits for u128 {
    const ZERO: Self = 0;
    #[inline]
    fn div_rem10(self) -> (Self, u8) {
        (self / 10, (self % 10) as u8)
    }
}

/// Appends `value × 10^-scale` with no trailing fractional zeros and no trailing point.
pub(super) fn write_scaled<T: Digits>(mut value: T, mut scale: u32, out: &mut Vec<u8>) {
    if value == T::ZERO {
        scale = 0;
    }
    while scale > 0 {
        let (q, r) = value.div_rem10();
        if r != 0 {
            break;
        }
        value = q;
        scale -= 1;
    }
    let mut buf = [0u8; 40];
    let mut start = buf.len();
    loop {
        let (q, r) = value.div_rem10();
        start -= 1;
        buf[start] = b'0' + r;
        value = q;
        if value == T::ZERO {
            break;
        }
    }
    let digits = &buf[start..];
    let scale = scale as usize;
    if scale == 0 {
        out.extend_from_slice(digits);
    } else if digits.len() > scale {
        let (int, frac) = digits.split_at(digits.len() - scale);
        out.extend_from_slice(int);
        out.push(b'.');
        out.extend_from_slice(frac);
    } else {
        out.extend_from_slice(b"0.");
        out.resize(out.len() + scale - digits.len(), b'0');
        out.extend_from_slice(digits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn grid(step: Decimal) -> Grid {
        Grid::try_new(step).unwrap()
    }

    fn show(g: &Grid, units: i64) -> String {
        let mut out = Vec::new();
        g.write(units, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn parses_on_grid_values() {
        let tick = grid(dec!(0.01));
        assert_eq!(tick.to_units(b"100.5"), Ok(10050));
        assert_eq!(tick.to_units(b"100.50"), Ok(10050));
        assert_eq!(tick.to_units(b"100.500000000000000000000000000000000000000000"), Ok(10050));
        assert_eq!(tick.to_units(b"+0.01"), Ok(1));
        assert_eq!(tick.to_units(b".07"), Ok(7));
        assert_eq!(tick.to_units(b"3."), Ok(300));
        assert_eq!(tick.to_units(b"007"), Ok(700));
        let half = grid(dec!(0.5));
        assert_eq!(half.to_units(b"2.5"), Ok(5));
        let big = grid(dec!(250));
        assert_eq!(big.to_units(b"1000"), Ok(4));
        assert_eq!(big.to_units(b"1000.0"), Ok(4));
    }

    #[test]
    fn rejects_bad_values() {
        let tick = grid(dec!(0.01));
        assert_eq!(tick.to_units(b""), Err(GridError::Missing));
        assert_eq!(tick.to_units(b"abc"), Err(GridError::Unparsable));
        assert_eq!(tick.to_units(b"1.2.3"), Err(GridError::Unparsable));
        assert_eq!(tick.to_units(b"."), Err(GridError::Unparsable));
        assert_eq!(tick.to_units(b"-"), Err(GridError::Unparsable));
        assert_eq!(tick.to_units(b"1e5"), Err(GridError::Unparsable));
        assert_eq!(tick.to_units(b"1_000"), Err(GridError::Unparsable));
        assert_eq!(tick.to_units(b"0"), Err(GridError::NotPositive));
        assert_eq!(tick.to_units(b"-0.00"), Err(GridError::NotPositive));
        assert_eq!(tick.to_units(b"-1"), Err(GridError::NotPositive));
        assert_eq!(tick.to_units(b"100.005"), Err(GridError::OffGrid));
        assert_eq!(tick.to_units(b"0.000000000000000000000000000000000000000001"), Err(GridError::OffGrid));
        assert_eq!(grid(dec!(0.5)).to_units(b"2.25"), Err(GridError::OffGrid));
        assert_eq!(grid(dec!(250)).to_units(b"1001"), Err(GridError::OffGrid));
        assert_eq!(tick.to_units(b"92233720368547758.08"), Err(GridError::TooLarge));
        assert_eq!(tick.to_units(b"92233720368547758.07"), Ok(i64::MAX));
        assert_eq!(tick.to_units(&[b'9'; 60]), Err(GridError::TooLarge));
    }

    #[test]
    fn formats_shortest_exact_decimal() {
        let tick = grid(dec!(0.01));
        assert_eq!(show(&tick, 10050), "100.5");
        assert_eq!(show(&tick, 10000), "100");
        assert_eq!(show(&tick, 7), "0.07");
        assert_eq!(show(&tick, 0), "0");
        assert_eq!(show(&tick, -150), "-1.5");
        assert_eq!(show(&grid(dec!(250)), 4), "1000");
        assert_eq!(show(&grid(dec!(0.0001)), 1), "0.0001");
        assert_eq!(show(&grid(dec!(0.010)), 12), "0.12");
        let wide = grid(dec!(9999999999999999999));
        assert_eq!(show(&wide, i64::MAX), (i128::from(i64::MAX) * 9999999999999999999).to_string());
    }

    #[test]
    fn round_trips() {
        for step in [dec!(0.01), dec!(0.5), dec!(1), dec!(0.0001), dec!(25), dec!(0.125)] {
            let g = grid(step);
            for units in [1, 2, 7, 99, 100, 101, 12345, 1_000_000, i64::MAX / 1000] {
                let mut text = Vec::new();
                g.write(units, &mut text);
                assert_eq!(g.to_units(&text), Ok(units), "{step} × {units}");
                let exact = Decimal::from(units) * step;
                assert_eq!(std::str::from_utf8(&text).unwrap(), exact.normalize().to_string());
            }
        }
    }

    #[test]
    fn step_must_be_positive_and_narrow() {
        assert!(Grid::try_new(dec!(0)).is_err());
        assert!(Grid::try_new(dec!(-0.01)).is_err());
        assert!(Grid::try_new(dec!(12345678901234567890)).is_err());
        assert!(Grid::try_new(dec!(0.1234567890123456789)).is_ok());
        assert_eq!(grid(dec!(0.0100)).step(), dec!(0.01));
    }
}
