//! A time window to zoom a run's static charts into: `--window START..END` on `mmsim run` and
//! `mmsim charts`.
//!
//! `START` and `END` are times since the start of the run, written as the scenario files write
//! durations ([`Dur`]: `"90s"`, `"5m"`, `"2h"`, `"1.5h"`, `"2d"`, `"250ms"`) or as a plain number
//! of seconds (`"3600"`, `"7200.5"`). The window must be non-empty (`END > START`) and lie inside
//! the run (`END` at most its duration).

use std::str::FromStr;

use crate::units::Dur;

/// `[start, end]` in seconds since the start of the run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// First second shown.
    pub start: f64,
    /// Last second shown.
    pub end: f64,
}

/// One end of a window, in seconds.
fn seconds(s: &str) -> Result<f64, String> {
    let s = s.trim();
    if let Ok(v) = s.parse::<f64>() {
        return if v.is_finite() && v >= 0.0 { Ok(v) } else { Err(format!("`{s}` is not a time ≥ 0")) };
    }
    s.parse::<Dur>().map(Dur::secs_f64).map_err(|_| {
        format!("`{s}` is not a time: write seconds (`3600`) or a duration like `90s`, `40m`, `2h`, `1.5h`, `2d`")
    })
}

impl FromStr for Window {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let Some((a, b)) = text.split_once("..") else {
            return Err(format!("--window `{text}`: write START..END, e.g. `120m..160m`, `2h..2.5h` or `7200..9000`"));
        };
        let start = seconds(a).map_err(|e| format!("--window START: {e}"))?;
        let end = seconds(b).map_err(|e| format!("--window END: {e}"))?;
        if end <= start {
            return Err(format!("--window `{text}`: END ({end} s) must be after START ({start} s)"));
        }
        Ok(Window { start, end })
    }
}

impl Window {
    /// Checks that the window lies inside a run of `duration` seconds.
    ///
    /// # Errors
    /// The window ends after the run does (the message gives the run's length).
    pub fn check_within(&self, duration: f64) -> Result<(), String> {
        if self.end > duration + 1e-9 {
            return Err(format!(
                "--window {}..{} s ends after the run, which lasted {duration} s ({})",
                self.start,
                self.end,
                Dur((duration * 1e9) as u64)
            ));
        }
        Ok(())
    }

    /// `(start, end)` in seconds.
    pub fn secs(&self) -> (f64, f64) {
        (self.start, self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_read_seconds_and_durations() {
        assert_eq!("7200..9600".parse::<Window>(), Ok(Window { start: 7200.0, end: 9600.0 }));
        assert_eq!("2h..160m".parse::<Window>(), Ok(Window { start: 7200.0, end: 9600.0 }));
        assert_eq!("0..1.5h".parse::<Window>(), Ok(Window { start: 0.0, end: 5400.0 }));
        assert_eq!(" 90s .. 2m ".parse::<Window>(), Ok(Window { start: 90.0, end: 120.0 }));
    }

    #[test]
    fn bad_windows_say_what_is_allowed() {
        for (bad, says) in [
            ("2h", "START..END"),
            ("3h..2h", "must be after"),
            ("1h..1h", "must be after"),
            ("abc..2h", "START"),
            ("1h..soon", "END"),
            ("-5..10", "START"),
            ("1h..inf", "END"),
        ] {
            let e = bad.parse::<Window>().unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
        let w: Window = "1h..3h".parse().unwrap();
        assert!(w.check_within(7200.0).unwrap_err().contains("lasted 7200 s (2h)"));
        assert!(w.check_within(3.0 * 3600.0).is_ok());
    }
}
