//! Turning recorder samples into drawable series: the time axis (seconds, minutes, hours or days,
//! whichever reads best for the run's length), gap-aware line segments, min/max downsampling to a
//! bounded number of points, and the spans of the manipulation phases.

use crate::metrics::Sample;
use crate::types::SimTime;

use super::frame::AxisSpec;
use super::style::{linear_ticks, nice_step, NumFmt};

/// Most points drawn per series; longer series keep each bucket's minimum and maximum.
pub(super) const MAX_POINTS: usize = 2_000;

/// Time since the start in a readable unit.
#[derive(Clone, Copy, Debug)]
pub(super) struct TimeScale {
    secs_per_unit: f64,
    unit: &'static str,
    /// The left end of the axis in units: 0, or a window's start.
    pub start: f64,
    /// The run's (or the window's) end in units.
    pub end: f64,
}

impl TimeScale {
    /// The unit for a run whose last sample is at `end`.
    pub(super) fn new(samples: &[Sample]) -> Self {
        Self::span(0.0, samples.last().map_or(0.0, |s| s.t.as_secs_f64()))
    }

    /// The axis of a chart input: its window when it has one, else from 0 to its last sample.
    pub(super) fn of(input: &super::ChartInput<'_>) -> Self {
        match input.window {
            Some((a, b)) => Self::span(a, b),
            None => Self::new(input.samples),
        }
    }

    /// From `start_secs` to `end_secs`, in the unit that reads best for the span between them.
    fn span(start_secs: f64, end_secs: f64) -> Self {
        let (secs_per_unit, unit) = match end_secs - start_secs {
            s if s <= 180.0 => (1.0, "s"),
            s if s <= 3.0 * 3600.0 => (60.0, "min"),
            s if s <= 3.0 * 86_400.0 => (3600.0, "h"),
            _ => (86_400.0, "days"),
        };
        let start = start_secs / secs_per_unit;
        let end = (end_secs / secs_per_unit).max(start + f64::EPSILON);
        TimeScale { secs_per_unit, unit, start, end }
    }

    /// The unit's name (`s`, `min`, `h` or `days`).
    pub(super) fn unit(&self) -> &'static str {
        self.unit
    }

    /// `t` in units.
    pub(super) fn x(&self, t: SimTime) -> f64 {
        t.as_secs_f64() / self.secs_per_unit
    }

    /// `secs` seconds since the start, in units.
    pub(super) fn x_secs(&self, secs: f64) -> f64 {
        secs / self.secs_per_unit
    }

    /// A span of `secs` seconds in words ("5 min", "30 s", "1 h").
    pub(super) fn describe(secs: f64) -> String {
        let (v, unit) = match secs {
            s if s < 60.0 => (s, "s"),
            s if s < 3600.0 => (s / 60.0, "min"),
            s if s < 86_400.0 => (s / 3600.0, "h"),
            s => (s / 86_400.0, "days"),
        };
        let v = (v * 100.0).round() / 100.0;
        if v == 1.0 {
            let one = match unit {
                "s" => "second",
                "min" => "minute",
                "h" => "hour",
                _ => "day",
            };
            return one.to_string();
        }
        format!("{v} {unit}")
    }

    /// Whether nothing was sampled: a run without samples (a window always spans some time).
    pub(super) fn is_empty(&self) -> bool {
        self.end - self.start <= f64::EPSILON
    }

    /// Where `x` (units) lies along the axis, 0 at the start and 1 at the end.
    pub(super) fn frac(&self, x: f64) -> f64 {
        (x - self.start) / (self.end - self.start)
    }

    /// The x axis from the start (0, or the window's) to the end.
    pub(super) fn axis(&self) -> AxisSpec {
        let step = nice_step(self.end - self.start, 10.0);
        AxisSpec {
            lo: self.start,
            hi: self.end,
            ticks: linear_ticks(self.start, self.end, step),
            desc: format!("time since start ({})", self.unit),
            log: false,
            fmt: NumFmt::linear(self.end, step),
        }
    }
}

/// A line broken where the value is missing: each segment is drawn on its own.
pub(super) type Segments = Vec<Vec<(f64, f64)>>;

/// Splits `(x, y?)` points into segments at the missing values, then downsamples the whole to at
/// most [`MAX_POINTS`] points.
pub(super) fn segments(points: impl Iterator<Item = (f64, Option<f64>)>) -> Segments {
    let mut out: Segments = Vec::new();
    let mut current = Vec::new();
    for (x, y) in points {
        match y.filter(|v| v.is_finite()) {
            Some(y) => current.push((x, y)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    let total: usize = out.iter().map(Vec::len).sum();
    if total <= MAX_POINTS {
        return out;
    }
    out.into_iter().map(|seg| downsample(&seg, (MAX_POINTS * seg.len() / total).max(2))).collect()
}

/// At most about `max` points of `points`: each bucket keeps its minimum and maximum, in time order
/// (so spikes survive), and the last point is always kept.
pub(super) fn downsample(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max {
        return points.to_vec();
    }
    let buckets = (max / 2).max(1);
    let size = points.len().div_ceil(buckets);
    let mut out = Vec::with_capacity(buckets * 2 + 1);
    for chunk in points.chunks(size) {
        let (mut lo, mut hi) = (0, 0);
        for (k, p) in chunk.iter().enumerate() {
            if p.1 < chunk[lo].1 {
                lo = k;
            }
            if p.1 > chunk[hi].1 {
                hi = k;
            }
        }
        let (a, b) = (lo.min(hi), lo.max(hi));
        out.push(chunk[a]);
        if b != a {
            out.push(chunk[b]);
        }
    }
    if let (Some(last), Some(end)) = (points.last(), out.last()) {
        if last != end {
            out.push(*last);
        }
    }
    out
}

/// The smallest and largest `y` over all segments.
pub(super) fn y_range<'a>(series: impl IntoIterator<Item = &'a Segments>) -> Option<(f64, f64)> {
    let mut range: Option<(f64, f64)> = None;
    for seg in series.into_iter().flatten().flatten() {
        range = Some(range.map_or((seg.1, seg.1), |(lo, hi)| (lo.min(seg.1), hi.max(seg.1))));
    }
    range
}

/// A stretch of time during which one manipulation phase was in force.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct PhaseSpan {
    /// Phase name, as the agent reports it.
    pub name: &'static str,
    /// Start (time units).
    pub x0: f64,
    /// End (time units).
    pub x1: f64,
}

/// The phase spans: each lasts from the first sample in the phase to the first sample after it.
pub(super) fn phase_spans(samples: &[Sample], time: &TimeScale) -> Vec<PhaseSpan> {
    let mut spans: Vec<PhaseSpan> = Vec::new();
    let mut open: Option<PhaseSpan> = None;
    for (i, s) in samples.iter().enumerate() {
        // The first sample's phase is drawn from the axis' start.
        let x = if i == 0 { time.x(s.t).min(time.start) } else { time.x(s.t) };
        if open.as_ref().map(|p| Some(p.name)) != Some(s.phase.map(|p| p.name())) {
            if let Some(mut p) = open.take() {
                p.x1 = x;
                spans.push(p);
            }
            open = s.phase.map(|p| PhaseSpan { name: p.name(), x0: x, x1: x });
        }
    }
    if let Some(mut p) = open {
        p.x1 = time.end;
        spans.push(p);
    }
    spans.retain(|p| p.x1 > p.x0);
    spans
}

/// Distinct phase names in order of first appearance.
pub(super) fn phase_names(spans: &[PhaseSpan]) -> Vec<&'static str> {
    let mut names = Vec::new();
    for s in spans {
        if !names.contains(&s.name) {
            names.push(s.name);
        }
    }
    names
}

/// A phase name for people: `rug_pull` → `rug pull`.
pub(super) fn phase_label(name: &str) -> String {
    name.replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downsampling_keeps_extremes_and_bounds() {
        let pts: Vec<(f64, f64)> = (0..100_000).map(|i| (i as f64, ((i * 7919) % 1000) as f64)).collect();
        let mut spiky = pts.clone();
        spiky[54_321].1 = 1e6;
        spiky[12_345].1 = -1e6;
        let d = downsample(&spiky, MAX_POINTS);
        assert!(d.len() <= MAX_POINTS + 1, "{}", d.len());
        assert!(d.iter().any(|p| p.1 == 1e6) && d.iter().any(|p| p.1 == -1e6));
        assert!(d.windows(2).all(|w| w[0].0 < w[1].0), "time order kept");
        assert_eq!(d.last(), spiky.last());
    }

    #[test]
    fn gaps_split_segments() {
        let segs = segments([(0.0, Some(1.0)), (1.0, None), (2.0, Some(2.0)), (3.0, Some(3.0))].into_iter());
        assert_eq!(segs, vec![vec![(0.0, 1.0)], vec![(2.0, 2.0), (3.0, 3.0)]]);
        assert!(segments(std::iter::empty()).is_empty());
    }
}
