//! The `price` chart: mid and last trade over time, the manipulation phases shaded and labelled,
//! the peak and trough annotated with their prices, the manipulator trades marked as dots coloured
//! by intent (wash, spoof, pump, dump, buy-back, …) with their counts in the legend. The y axis turns logarithmic when the highest
//! price is more than 10× the lowest. The same figure compares two runs of a counterfactual
//! (`price_comparison`): each run's last trade, the first run's phases shaded.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::frame::{draw_line, frame, AxisSpec, Chart2d};
use super::marks::{class_colour, TradeMarks};
use super::series::{phase_label, phase_spans, segments, y_range, PhaseSpan, Segments, TimeScale};
use super::style::{header, no_data, text_at, thousands, LegendEntry, Swatch, INK, PALETTE};
use super::{title, ChartInput, ChartKind, DrawResult, Figure};
use crate::metrics::{Sample, Units};

const MID: RGBColor = PALETTE[0];
const LAST: RGBColor = PALETTE[1];
/// Share of the y range left free above and below the data for labels.
const PAD: f64 = 0.14;

/// A marked extreme.
#[derive(Clone, Debug)]
struct Extreme {
    x: f64,
    y: f64,
    label: String,
}

/// One drawn price line.
#[derive(Debug)]
struct Line {
    label: String,
    colour: RGBColor,
    points: Segments,
}

/// Prepared data of the price chart.
#[derive(Debug)]
pub(super) struct PriceChart {
    title: String,
    time: TimeScale,
    lines: Vec<Line>,
    phases: Vec<PhaseSpan>,
    peak: Option<Extreme>,
    trough: Option<Extreme>,
    /// Manipulator trades, per class, their points' times in time units.
    marks: Vec<TradeMarks>,
}

impl PriceChart {
    pub(super) fn new(input: &ChartInput<'_>) -> Self {
        let (samples, units) = (input.samples, input.units);
        let time = TimeScale::of(input);
        let mid = segments(samples.iter().map(|s| (time.x(s.t), s.mid().map(|m| units.price_f64(m)))));
        let last = segments(samples.iter().map(|s| (time.x(s.t), s.last.map(|p| units.price_f64(p.0 as f64)))));
        // Extremes from the full series (not the downsampled one): trades if any, else the mid.
        let traded = samples.iter().any(|s| s.last.is_some());
        let decimals = units.tick.normalize().scale() as usize + usize::from(!traded);
        let points: Vec<(f64, f64)> = samples
            .iter()
            .filter_map(|s| {
                let ticks = if traded { s.last.map(|p| p.0 as f64) } else { s.mid() };
                ticks.map(|v| (time.x(s.t), units.price_f64(v)))
            })
            .collect();
        let what = if traded { "" } else { " (mid)" };
        let extreme = |name: &str, pick: fn(&(f64, f64), &(f64, f64)) -> bool| {
            let best = points.iter().copied().reduce(|a, b| if pick(&b, &a) { b } else { a })?;
            let at = format!("{} {}", thousands(best.0, if time.end - time.start < 10.0 { 1 } else { 0 }), time.unit());
            Some(Extreme {
                x: best.0,
                y: best.1,
                label: format!("{name}{what} {} at {at}", thousands(best.1, decimals)),
            })
        };
        let mut peak = extreme("peak", |b, a| b.1 > a.1);
        let mut trough = extreme("trough", |b, a| b.1 < a.1);
        // The labels give the run's true high and low (every trade), placed at the sample where the
        // sampled price was highest (lowest): the samples only see the last trade of each interval.
        if let (Some((high, low)), true) = (input.extremes, traded) {
            let at = |e: &Extreme| {
                format!("{} {}", thousands(e.x, if time.end - time.start < 10.0 { 1 } else { 0 }), time.unit())
            };
            for (e, name, p) in [(&mut peak, "peak", high), (&mut trough, "trough", low)] {
                if let Some(e) = e {
                    e.y = units.price_f64(p.0 as f64);
                    e.label = format!("{name} {} near {}", thousands(e.y, decimals), at(e));
                }
            }
        }
        let trough = trough.filter(|t| peak.as_ref().is_some_and(|p| p.y > t.y));
        PriceChart {
            title: title(ChartKind::Price, input.name),
            time,
            lines: vec![
                Line { label: "mid (best bid + best ask) / 2".into(), colour: MID, points: mid },
                Line { label: "last trade".into(), colour: LAST, points: last },
            ],
            phases: phase_spans(samples, &time),
            peak,
            trough,
            marks: input
                .marks
                .iter()
                .map(|m| TradeMarks {
                    points: m.points.iter().map(|&(t, p)| (time.x_secs(t), p)).collect(),
                    ..m.clone()
                })
                .collect(),
        }
    }

    /// Two runs' last trade (else mid) on one axis, the first run's phases shaded.
    pub(super) fn comparison(name: &str, runs: [(&str, &[Sample]); 2], units: Units) -> Self {
        // The longer run sets the time axis (a counterfactual's runs share their sampling times).
        let longer = if runs[1].1.len() > runs[0].1.len() { runs[1].1 } else { runs[0].1 };
        let time = TimeScale::new(longer);
        let line = |(label, samples): (&str, &[Sample]), colour| {
            let price = |s: &Sample| s.last.map(|p| p.0 as f64).or_else(|| s.mid()).map(|v| units.price_f64(v));
            Line { label: label.to_string(), colour, points: segments(samples.iter().map(|s| (time.x(s.t), price(s)))) }
        };
        PriceChart {
            title: title(ChartKind::PriceComparison, name),
            time,
            lines: vec![line(runs[0], LAST), line(runs[1], MID)],
            phases: phase_spans(runs[0].1, &time),
            peak: None,
            trough: None,
            marks: Vec::new(),
        }
    }

    fn y_axis(&self, lo: f64, hi: f64) -> AxisSpec {
        let (lo, hi) = if hi > lo { (lo, hi) } else { (lo * 0.9, hi * 1.1 + f64::EPSILON) };
        if hi / lo > 10.0 {
            let pad = (hi / lo).ln() * PAD;
            AxisSpec::log(lo / pad.exp(), hi * pad.exp(), "price (quote per token, log scale)")
        } else {
            let pad = (hi - lo) * PAD;
            AxisSpec::linear((lo - pad).max(0.0), hi + pad, 8.0, "price (quote per token)")
        }
    }

    fn legend(&self) -> Vec<LegendEntry> {
        let mut legend: Vec<LegendEntry> =
            self.lines.iter().map(|l| LegendEntry::new(l.label.clone(), l.colour, Swatch::Line)).collect();
        for m in &self.marks {
            let name = m.name().replace("buyback", "buy-back");
            let label = format!("{name} trades ({})", thousands(m.count as f64, 0));
            legend.push(LegendEntry::new(label, class_colour(m.class), Swatch::Dot));
        }
        legend.extend(super::phases::legend(&self.phases));
        legend
    }

    fn draw_phases<DB: DrawingBackend>(&self, chart: &mut Chart2d<'_, DB>, y: &AxisSpec) -> DrawResult<DB> {
        let colour = |name| super::phases::colour(&self.phases, name);
        super::phases::shade(chart, &self.phases, y.lo, y.hi)?;
        let area = chart.plotting_area();
        let style = text_at(14, &INK, HPos::Center, VPos::Top);
        for p in &self.phases {
            let label = phase_label(p.name);
            let (w, _) = area.estimate_text_size(&label, &style)?;
            let (px0, _) = chart.backend_coord(&(p.x0, y.hi));
            let (px1, _) = chart.backend_coord(&(p.x1, y.hi));
            if (px1 - px0) as u32 >= w + 8 {
                let c = colour(p.name);
                let dark = RGBColor(c.0 / 2, c.1 / 2, c.2 / 2);
                let at = EmptyElement::at(((p.x0 + p.x1) / 2.0, y.hi));
                area.draw(&(at + Text::new(label, (0, 6), text_at(14, &dark, HPos::Center, VPos::Top))))?;
            }
        }
        Ok(())
    }

    fn annotate<DB: DrawingBackend>(&self, chart: &Chart2d<'_, DB>, y: &AxisSpec) -> DrawResult<DB> {
        let area = chart.plotting_area();
        for (e, above) in self.peak.iter().map(|e| (e, true)).chain(self.trough.iter().map(|e| (e, false))) {
            let frac = self.time.frac(e.x);
            let h = if frac < 0.15 {
                HPos::Left
            } else if frac > 0.85 {
                HPos::Right
            } else {
                HPos::Center
            };
            let v = if above { VPos::Bottom } else { VPos::Top };
            let style = text_at(15, &INK, h, v);
            let (w, th) = area.estimate_text_size(&e.label, &style)?;
            let (w, th) = (w as i32, th as i32);
            let dy = if above { -12 } else { 12 };
            let x0 = match h {
                HPos::Left => -4,
                HPos::Right => -w - 4,
                HPos::Center => -w / 2 - 4,
            };
            let (y0, y1) = if above { (dy - th - 3, dy + 2) } else { (dy - 2, dy + th + 3) };
            let anchor = EmptyElement::at((e.x, y.to_plot(e.y)));
            let boxed = anchor
                + Rectangle::new([(x0, y0), (x0 + w + 8, y1)], WHITE.mix(0.85).filled())
                + Circle::new((0, 0), 5, INK.filled())
                + Text::new(e.label.clone(), (0, dy), style);
            area.draw(&boxed)?;
        }
        Ok(())
    }
}

impl Figure for PriceChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = header(root, &self.title, &self.legend(), None)?;
        let points = y_range(self.lines.iter().map(|l| &l.points)).filter(|_| !self.time.is_empty());
        let Some((lo, hi)) = points else {
            return no_data(&area, "No quotes or trades were recorded in this run.");
        };
        let lo = self.trough.as_ref().map_or(lo, |t| lo.min(t.y));
        let hi = self.peak.as_ref().map_or(hi, |p| hi.max(p.y));
        let y = self.y_axis(lo, hi);
        let mut chart = frame(&area, &self.time.axis(), &y, true)?;
        self.draw_phases(&mut chart, &y)?;
        for line in &self.lines {
            for seg in &line.points {
                let pts = seg.iter().map(|&(x, v)| (x, y.to_plot(v)));
                draw_line(&chart, pts, line.colour, 2)?;
            }
        }
        for m in &self.marks {
            let colour = class_colour(m.class);
            let dots = m.points.iter().map(|&(x, v)| Circle::new((x, y.to_plot(v)), 3, colour.mix(0.8).filled()));
            chart.draw_series(dots)?;
        }
        self.annotate(&chart, &y)
    }
}
