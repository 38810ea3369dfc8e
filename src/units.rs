//! Values as people write them in scenario files: durations (`"30d"`, `"250ms"`) and exact decimals
//! (`0.05`, `"0.0001"`, `1500000`).
//!
//! [`Dur`] is a whole number of nanoseconds; [`Dec`] is a `rust_decimal::Decimal` that accepts TOML
//! strings, integers and floats. A float is converted through its shortest round-trip text (`0.05`
//! stays exactly `0.05`), so writing a price as a number or as a string gives the same value.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// A duration in nanoseconds, written `"250ms"`, `"10s"`, `"5m"`, `"2h"`, `"30d"`, `"1w"`,
/// `"500us"`, `"100ns"` (a decimal number is allowed: `"1.5h"`), or an integer number of seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dur(pub u64);

impl Dur {
    /// `n` seconds.
    pub const fn secs(n: u64) -> Dur {
        Dur(n * 1_000_000_000)
    }
    /// `n` minutes.
    pub const fn minutes(n: u64) -> Dur {
        Dur(n * 60_000_000_000)
    }
    /// `n` hours.
    pub const fn hours(n: u64) -> Dur {
        Dur(n * 3_600_000_000_000)
    }
    /// `n` days.
    pub const fn days(n: u64) -> Dur {
        Dur(n * 86_400_000_000_000)
    }
    /// Nanoseconds.
    pub const fn nanos(self) -> u64 {
        self.0
    }
    /// Seconds, for reports.
    pub fn secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }
}

/// The units [`Dur`] accepts and their length in nanoseconds.
pub const DURATION_UNITS: [(&str, u64); 8] = [
    ("ns", 1),
    ("us", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
    ("d", 86_400_000_000_000),
    ("w", 604_800_000_000_000),
];

impl FromStr for Dur {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
        let (num, unit) = s.split_at(split);
        let unit = unit.trim();
        let help =
            "write a duration like \"250ms\", \"10s\", \"5m\", \"2h\", \"30d\" (units: ns, us, ms, s, m, h, d, w)";
        let Some(&(_, scale)) = DURATION_UNITS.iter().find(|(u, _)| *u == unit) else {
            return Err(format!("invalid duration {s:?}: {help}"));
        };
        let value = Decimal::from_str(num).map_err(|_| format!("invalid duration {s:?}: {help}"))?;
        let ns = value
            .checked_mul(Decimal::from(scale))
            .filter(|v| v.fract().is_zero() && !v.is_sign_negative())
            .and_then(|v| u64::try_from(v).ok())
            .ok_or_else(|| format!("invalid duration {s:?}: must be a whole number of nanoseconds ≥ 0"))?;
        Ok(Dur(ns))
    }
}

impl fmt::Display for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &(unit, scale) in DURATION_UNITS.iter().rev() {
            if self.0 >= scale && self.0 % scale == 0 {
                return write!(f, "{}{unit}", self.0 / scale);
            }
        }
        write!(f, "{}ns", self.0)
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Dur;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as \"250ms\", \"10s\" or \"30d\", or a whole number of seconds")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Dur, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dur, E> {
                u64::try_from(v)
                    .ok()
                    .and_then(|s| s.checked_mul(1_000_000_000))
                    .map(Dur)
                    .ok_or_else(|| E::custom("a duration must be ≥ 0 and fit in 584 years"))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dur, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(-1))
            }
        }
        d.deserialize_any(V)
    }
}

/// An exact decimal read from a TOML string, integer or float.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dec(pub Decimal);

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Dec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number such as 0.05 or \"0.0001\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Dec, E> {
                let clean: String = v.trim().chars().filter(|&c| c != '_').collect();
                Decimal::from_str(&clean)
                    .or_else(|_| Decimal::from_scientific(&clean))
                    .map(Dec)
                    .map_err(|_| E::custom(format!("{v:?} is not a decimal number")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dec, E> {
                Ok(Dec(Decimal::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dec, E> {
                Ok(Dec(Decimal::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Dec, E> {
                if !v.is_finite() {
                    return Err(E::custom("the number must be finite"));
                }
                self.visit_str(&format!("{v}"))
            }
        }
        d.deserialize_any(V)
    }
}

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[derive(Debug, Deserialize)]
    struct T {
        d: Dur,
        x: Dec,
    }

    fn parse(src: &str) -> Result<T, String> {
        toml::from_str(src).map_err(|e| e.to_string())
    }

    #[test]
    fn durations_in_human_units() {
        assert_eq!("250ms".parse::<Dur>().unwrap(), Dur(250_000_000));
        assert_eq!("30d".parse::<Dur>().unwrap(), Dur(30 * 86_400 * 1_000_000_000));
        assert_eq!("1.5h".parse::<Dur>().unwrap(), Dur(5_400 * 1_000_000_000));
        assert_eq!(" 10 s".parse::<Dur>().unwrap(), Dur(10_000_000_000));
        assert!("10 parsecs".parse::<Dur>().is_err());
        assert!("ms".parse::<Dur>().is_err());
        assert!("0.5ns".parse::<Dur>().is_err());
        assert_eq!(Dur(90_000_000_000).to_string(), "90s");
        assert_eq!(Dur(86_400_000_000_000).to_string(), "1d");
        assert_eq!(parse("d = 60\nx = 1").unwrap().d, Dur(60_000_000_000));
        assert!(parse("d = -1\nx = 1").is_err());
    }

    #[test]
    fn decimals_from_numbers_and_strings_are_exact() {
        assert_eq!(parse("d = 1\nx = 0.05").unwrap().x, Dec(dec!(0.05)));
        assert_eq!(parse("d = 1\nx = \"0.0001\"").unwrap().x, Dec(dec!(0.0001)));
        assert_eq!(parse("d = 1\nx = 1_500_000").unwrap().x, Dec(dec!(1500000)));
        assert_eq!(parse("d = 1\nx = \"1_500_000.5\"").unwrap().x, Dec(dec!(1500000.5)));
        assert_eq!(parse("d = 1\nx = 1e-4").unwrap().x, Dec(dec!(0.0001)));
        let err = parse("d = 1\nx = \"abc\"").unwrap_err();
        assert!(err.contains("not a decimal number"), "{err}");
    }
}
