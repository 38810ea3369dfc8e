//! The `ts` column: every row's timestamp must parse, and timestamps must never decrease.
//!
//! Two forms are accepted, one per file (the first data row sets it):
//! - a **number** (`17`, `1714555800000000000`, `0.25`): any unit, compared exactly as a decimal;
//! - an **RFC 3339 / ISO 8601 UTC time** (`2024-05-01T09:30:00.000Z`, or with an offset such as
//!   `+02:00`; a space may replace the `T`), compared as nanoseconds since 1970.
//!
//! Rows are applied in file order, so a timestamp below the previous row's is a user error at its
//! line; equal timestamps are fine (several orders in one instant). The text is written to
//! `trades.csv` exactly as it appeared.

use std::str::FromStr;

use rust_decimal::Decimal;

/// A parsed timestamp, in the form of its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Stamp {
    /// A plain number.
    Number(Decimal),
    /// A date-time, nanoseconds since 1970-01-01T00:00:00Z.
    Time(i128),
}

impl Stamp {
    fn form(&self) -> &'static str {
        match self {
            Stamp::Number(_) => "numbers",
            Stamp::Time(_) => "date-times such as 2024-05-01T09:30:00Z",
        }
    }
}

/// Parses one `ts` field (already trimmed).
pub(super) fn parse(text: &[u8]) -> Option<Stamp> {
    let text = std::str::from_utf8(text).ok()?;
    if text.is_empty() || text.len() > 64 {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+')) {
        return Decimal::from_str(text).ok().map(Stamp::Number);
    }
    date_time(text).map(Stamp::Time)
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.fraction](Z|±HH:MM)` as nanoseconds since the epoch.
fn date_time(s: &str) -> Option<i128> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' {
        return None;
    }
    if b[16] != b':' {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 {
        return None;
    }
    if second > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos: i64 = 0;
    if b[i] == b'.' {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let frac = &b[start..i];
        if frac.is_empty() || frac.len() > 9 {
            return None;
        }
        nanos = frac.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')) * 10i64.pow(9 - frac.len() as u32);
    }
    let offset_min = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hh = std::str::from_utf8(&[*h1, *h2]).ok()?.parse::<i64>().ok()?;
            let mm = std::str::from_utf8(&[*m1, *m2]).ok()?.parse::<i64>().ok()?;
            if hh > 23 || mm > 59 {
                return None;
            }
            if *sign == b'+' {
                hh * 60 + mm
            } else {
                -(hh * 60 + mm)
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_min * 60;
    Some(i128::from(secs) * 1_000_000_000 + i128::from(nanos))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The timestamps seen so far: the last one and the line it was on.
#[derive(Debug, Default)]
pub(super) struct Clock {
    last: Option<(Stamp, u64)>,
}

impl Clock {
    /// Checks the `ts` of the row at `line`; the message says what is wrong.
    pub(super) fn advance(&mut self, text: &[u8], line: u64) -> Result<(), String> {
        let shown = || super::messages_text(text);
        let Some(stamp) = parse(text) else {
            return Err(format!(
                "ts `{}` is not a timestamp: write a number (e.g. 1714555800000000000) or a UTC date-time \
                 (e.g. 2024-05-01T09:30:00.000Z)",
                shown()
            ));
        };
        if let Some((last, last_line)) = self.last {
            if std::mem::discriminant(&last) != std::mem::discriminant(&stamp) {
                return Err(format!(
                    "ts `{}` is not in the file's form: the timestamps from line {last_line} on are {}",
                    shown(),
                    last.form()
                ));
            }
            if stamp < last {
                return Err(format!(
                    "ts `{}` is before the previous row's (line {last_line}); rows are applied in file order, so \
                     timestamps must never decrease",
                    shown()
                ));
            }
        }
        self.last = Some((stamp, line));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_date_times_parse() {
        assert_eq!(parse(b"17"), Some(Stamp::Number(Decimal::from(17))));
        assert_eq!(parse(b"0.25"), Some(Stamp::Number(Decimal::new(25, 2))));
        assert_eq!(parse(b"1970-01-01T00:00:01Z"), Some(Stamp::Time(1_000_000_000)));
        assert_eq!(parse(b"1970-01-01T01:00:00.5+01:00"), Some(Stamp::Time(500_000_000)));
        assert_eq!(parse(b"2024-05-01T09:30:00.100Z"), Some(Stamp::Time(1_714_555_800_100_000_000)));
        for bad in [&b""[..], b"t1", b"abc", b"2024-13-01T00:00:00Z", b"2023-02-29T00:00:00Z", b"1.2.3", b"\xff"] {
            assert_eq!(parse(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn the_clock_refuses_decreasing_and_mixed_stamps() {
        let mut c = Clock::default();
        assert!(c.advance(b"5", 2).is_ok());
        assert!(c.advance(b"5", 3).is_ok(), "equal is fine");
        assert!(c.advance(b"4", 4).unwrap_err().contains("line 3"));
        assert!(c.advance(b"2024-05-01T09:30:00Z", 5).unwrap_err().contains("numbers"));
        assert!(c.advance(b"x", 6).unwrap_err().contains("not a timestamp"));
    }
}
