//! The `holdings` chart, two panels sharing the time axis: the tokens each agent group holds
//! (top) and the cash it holds (bottom), at every sample, one colour per group in both panels. The
//! figures are the recorder's per-party balances (the same ones the PnL chart marks to market);
//! the project, named accounts and the exchange are not drawn (the PnL chart shows them).

use plotters::coord::Shift;
use plotters::prelude::*;
use rust_decimal::prelude::ToPrimitive;

use super::frame::{draw_line, frame, AxisSpec};
use super::pnl::party_label;
use super::series::{phase_spans, segments, y_range, PhaseSpan, Segments, TimeScale};
use super::style::{header, no_data, thousands, LegendEntry, Swatch, PALETTE};
use super::{title, ChartInput, ChartKind, DrawResult, Figure};

/// One group's two lines.
#[derive(Debug)]
struct Group {
    label: String,
    tokens: Segments,
    cash: Segments,
}

/// Prepared data of the holdings chart.
#[derive(Debug)]
pub(super) struct HoldingsChart {
    title: String,
    time: TimeScale,
    groups: Vec<Group>,
    phases: Vec<PhaseSpan>,
}

impl HoldingsChart {
    pub(super) fn new(input: &ChartInput<'_>) -> Self {
        let (samples, units) = (input.samples, input.units);
        let time = TimeScale::of(input);
        let groups = input
            .parties
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind.is_group())
            .map(|(k, party)| {
                let at = |f: &dyn Fn(usize) -> Option<f64>| {
                    segments(samples.iter().enumerate().map(|(i, s)| (time.x(s.t), f(i))))
                };
                let held = |i: usize| input.holdings.get(i).and_then(|h| h.get(k)).copied();
                let tokens = at(&|i| held(i).map(|(_, q)| units.tokens(q).to_f64().unwrap_or(0.0)));
                let cash = at(&|i| held(i).map(|(c, _)| units.cash_f64(c)));
                let end = input.holdings.last().and_then(|h| h.get(k)).copied();
                let label = match end {
                    Some((c, q)) => format!(
                        "{}: {} tokens, {} cash at end",
                        party_label(party),
                        thousands(units.tokens(q).to_f64().unwrap_or(0.0), 0),
                        thousands(units.cash_f64(c), 0)
                    ),
                    None => party_label(party),
                };
                Group { label, tokens, cash }
            })
            .collect();
        HoldingsChart {
            title: title(ChartKind::Holdings, input.name),
            time,
            groups,
            phases: phase_spans(samples, &time),
        }
    }

    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        pick: fn(&Group) -> &Segments,
        desc: &str,
        x_labels: bool,
    ) -> DrawResult<DB> {
        let Some((lo, hi)) = y_range(self.groups.iter().map(pick)) else {
            return no_data(area, "No group held anything in this run.");
        };
        let (lo, hi) = (lo.min(0.0), hi.max(0.0));
        let pad = (hi - lo).max(1.0) * 0.08;
        let y = AxisSpec::linear(lo - if lo < 0.0 { pad } else { 0.0 }, hi + pad, 5.0, desc);
        let mut chart = frame(area, &self.time.axis(), &y, x_labels)?;
        super::phases::shade(&mut chart, &self.phases, y.lo, y.hi)?;
        for (k, g) in self.groups.iter().enumerate() {
            for seg in pick(g) {
                draw_line(&chart, seg.iter().copied(), PALETTE[k % PALETTE.len()], 2)?;
            }
        }
        Ok(())
    }
}

impl Figure for HoldingsChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let legend: Vec<LegendEntry> = self
            .groups
            .iter()
            .enumerate()
            .map(|(k, g)| LegendEntry::new(g.label.clone(), PALETTE[k % PALETTE.len()], Swatch::Line))
            .chain(super::phases::legend(&self.phases))
            .collect();
        let area = header(root, &self.title, &legend, None)?;
        if self.time.is_empty() || self.groups.is_empty() {
            return no_data(&area, "No agent group's holdings were recorded in this run.");
        }
        let (_, h) = area.dim_in_pixel();
        let (top, bottom) = area.split_vertically(h * 48 / 100);
        self.panel(&top, |g| &g.tokens, "tokens held", false)?;
        self.panel(&bottom, |g| &g.cash, "cash held (quote)", true)
    }
}
