//! The run's charts, each rendered to PNG and SVG in memory at 1200×700:
//! - `price`: mid and last trade over time (log scale when the range spans more than 10×), the
//!   manipulation phases shaded and labelled (ground truth from the samples' `phase`), the peak
//!   and trough annotated with the run's true high and low (every trade, not the samples), the
//!   manipulator trades (from `trades.csv` or `trades.parquet`) marked as dots coloured by intent;
//! - `pnl`: PnL over time per party (agent groups, the project, named accounts, the exchange's fees),
//!   marked to market at each sample's last trade (else mid, else the opening price);
//! - `liquidity`: spread in bps and value resting within ±2% of the mid; with subscriptions, each
//!   MM's own spread and depth as its KPI monitor measured them, against the contract's thresholds;
//! - `volume`: traded value per interval, real and wash stacked;
//! - `holdings`: tokens and cash held over time by each agent group.
//!
//! Every chart shades the manipulation phases, in the same colour per phase.
//!
//! Text uses the embedded DejaVu Sans (registered once by [`register_fonts`]) through plotters'
//! pure-Rust `ab_glyph` renderer, so no system font or font library is needed. Titles and legends
//! sit above the plot area and never cover data. Long series are downsampled to at most
//! 2,000 points each (keeping every bucket's minimum and maximum), so rendering stays fast.
//! Output is deterministic: the same samples give byte-identical files.

mod frame;
mod holdings;
mod liquidity;
mod marks;
mod phases;
mod pnl;
mod price;
mod series;
mod style;
mod volume;

#[cfg(test)]
mod kpi_tests;
#[cfg(test)]
mod tests;

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

pub use marks::{read_trade_marks, read_trade_marks_file, read_trade_marks_in, TradeMarks, TradeScan, MAX_MARKS};

use super::{OutputDir, OutputError};
use crate::metrics::{Party, Recorder, Sample, Units};
use crate::types::{Cash, Price, Qty};

/// Width of every chart in pixels.
pub const WIDTH: u32 = 1200;
/// Height of every chart in pixels.
pub const HEIGHT: u32 = 700;

static FONTS: Once = Once::new();

/// Registers the embedded DejaVu Sans (regular and bold) as `sans-serif`. Idempotent and cheap
/// after the first call; every drawing entry point calls it.
///
/// # Panics
/// Never in practice: the embedded fonts are valid.
pub fn register_fonts() {
    FONTS.call_once(|| {
        // InvalidFont has no Debug impl, so map_err before expect.
        register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
            .map_err(|_| "invalid font")
            .expect("embedded DejaVu Sans");
        register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold())
            .map_err(|_| "invalid font")
            .expect("embedded DejaVu Sans Bold");
    });
}

/// One subscription's KPI thresholds and its MM's own quotes as the contract's KPI monitor measured
/// them ([`crate::contracts::KpiMonitor::trace`]): the liquidity chart draws the thresholds against
/// these, never against the whole book, since the KPI is judged on the MM's own orders.
#[derive(Clone, Debug, PartialEq)]
pub struct KpiSeries {
    /// The contract's name.
    pub contract: String,
    /// The quoting group.
    pub mm: String,
    /// The band depth is counted in, as a fraction of the book's mid (0.02 = ±2%).
    pub band: f64,
    /// Largest spread allowed, bps of the MM's own mid.
    pub max_spread_bps: Option<f64>,
    /// Smallest value required per side within the band, quote units.
    pub min_depth_quote: Option<f64>,
    /// The snapshots, in time order.
    pub points: Vec<KpiMark>,
}

/// One KPI snapshot of an MM's own quotes, in chart units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KpiMark {
    /// When, seconds since the start.
    pub t: f64,
    /// The MM's own spread, bps of its own mid, when it quoted both sides.
    pub spread_bps: Option<f64>,
    /// Value it quoted on the bid within the band, quote units.
    pub depth_bid: f64,
    /// Value it quoted on the ask within the band, quote units.
    pub depth_ask: f64,
}

/// Everything the charts are drawn from.
#[derive(Clone, Copy, Debug)]
pub struct ChartInput<'a> {
    /// Scenario name, shown in every title.
    pub name: &'a str,
    /// Market samples in time order.
    pub samples: &'a [Sample],
    /// Holdings per sample per party, `[sample][party]`.
    pub holdings: &'a [Vec<(Cash, Qty)>],
    /// The parties (groups, project and accounts, exchange last).
    pub parties: &'a [Party],
    /// Tick and lot sizes.
    pub units: Units,
    /// Opening price: the mark before any trade or quote.
    pub open_price: Price,
    /// Subscriptions' KPI thresholds with their MMs' measured quotes, for the liquidity chart.
    pub kpis: &'a [KpiSeries],
    /// The run's true highest and lowest trade prices (every trade, not the samples): the price
    /// chart's peak and trough labels show these.
    pub extremes: Option<(Price, Price)>,
    /// Manipulator trades to mark on the price chart, per class (read from `trades.csv` or `trades.parquet`).
    pub marks: &'a [TradeMarks],
    /// The time window shown, seconds since the start (`None`: the whole run).
    pub window: Option<(f64, f64)>,
}

impl<'a> ChartInput<'a> {
    /// The input for a finished run's recorder.
    pub fn new(name: &'a str, recorder: &'a Recorder, units: Units, open_price: Price) -> Self {
        ChartInput {
            name,
            samples: recorder.samples(),
            holdings: recorder.holdings(),
            parties: recorder.parties(),
            units,
            open_price,
            kpis: &[],
            extremes: recorder.totals().high.zip(recorder.totals().low),
            marks: &[],
            window: None,
        }
    }

    /// The same input zoomed into `[start, end]` seconds: only the samples (and holdings) inside
    /// are drawn, on an axis spanning exactly the window. `extremes` are the window's true high
    /// and low (from its trades; `None` labels the sampled ones) and `marks` should be the
    /// window's ([`read_trade_marks_in`]).
    pub fn windowed(self, (start, end): (f64, f64), extremes: Option<(Price, Price)>) -> Self {
        let from = self.samples.partition_point(|s| s.t.as_secs_f64() < start);
        let to = self.samples.partition_point(|s| s.t.as_secs_f64() <= end).max(from);
        let holdings = if self.holdings.len() >= to { &self.holdings[from..to] } else { self.holdings };
        ChartInput { samples: &self.samples[from..to], holdings, extremes, window: Some((start, end)), ..self }
    }

    /// The same input with manipulator trades marked on the price chart.
    pub fn with_marks(self, marks: &'a [TradeMarks]) -> Self {
        ChartInput { marks, ..self }
    }

    /// The same input with KPI thresholds (and the measured own quotes) on the liquidity chart.
    pub fn with_kpis(self, kpis: &'a [KpiSeries]) -> Self {
        ChartInput { kpis, ..self }
    }
}

/// The charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    /// Mid and last trade price.
    Price,
    /// PnL per party.
    Pnl,
    /// Spread and depth.
    Liquidity,
    /// Traded volume, real and wash.
    Volume,
    /// Tokens and cash held per agent group.
    Holdings,
    /// Two runs' prices on one axis (a counterfactual's `price_comparison`; not in [`ChartKind::ALL`]).
    PriceComparison,
}

impl ChartKind {
    /// All of a run's charts, in report order.
    pub const ALL: [ChartKind; 5] =
        [ChartKind::Price, ChartKind::Pnl, ChartKind::Liquidity, ChartKind::Volume, ChartKind::Holdings];

    /// The files a run's charts are written to (each of [`ChartKind::ALL`] as PNG and SVG).
    pub const RUN_FILES: [&'static str; 10] = [
        "price.png",
        "price.svg",
        "pnl.png",
        "pnl.svg",
        "liquidity.png",
        "liquidity.svg",
        "volume.png",
        "volume.svg",
        "holdings.png",
        "holdings.svg",
    ];

    /// File stem: `price`, `pnl`, `liquidity`, `volume`.
    pub fn stem(self) -> &'static str {
        match self {
            ChartKind::Price => "price",
            ChartKind::Pnl => "pnl",
            ChartKind::Liquidity => "liquidity",
            ChartKind::Volume => "volume",
            ChartKind::Holdings => "holdings",
            ChartKind::PriceComparison => "price_comparison",
        }
    }

    /// Title shown on the chart (before the scenario name) and in the report.
    pub fn title(self) -> &'static str {
        match self {
            ChartKind::Price => "Price",
            ChartKind::Pnl => "Profit and loss by party",
            ChartKind::Liquidity => "Liquidity: spread and depth within ±2% of mid",
            ChartKind::Volume => "Traded volume: real and wash",
            ChartKind::Holdings => "Holdings by group: tokens and cash",
            ChartKind::PriceComparison => "Price: both runs",
        }
    }
}

/// One chart, rendered.
#[derive(Clone, Debug)]
pub struct RenderedChart {
    /// Which chart.
    pub kind: ChartKind,
    /// PNG file contents.
    pub png: Vec<u8>,
    /// SVG document.
    pub svg: String,
}

impl RenderedChart {
    /// Stages `STEM.png` and `STEM.svg` in `dir` (renamed into place on commit).
    ///
    /// # Errors
    /// I/O errors.
    pub fn write(&self, dir: &mut OutputDir) -> Result<(), OutputError> {
        dir.write(&format!("{}.png", self.kind.stem()), |w| Ok(w.write_all(&self.png)?))?;
        dir.write(&format!("{}.svg", self.kind.stem()), |w| Ok(w.write_all(self.svg.as_bytes())?))
    }
}

/// The run's rendered charts, in [`ChartKind::ALL`] order.
#[derive(Clone, Debug)]
pub struct Charts {
    /// The charts.
    pub charts: Vec<RenderedChart>,
}

impl Charts {
    /// The chart of `kind`.
    pub fn get(&self, kind: ChartKind) -> Option<&RenderedChart> {
        self.charts.iter().find(|c| c.kind == kind)
    }

    /// Stages `STEM.png` and `STEM.svg` of every chart in `dir` (renamed into place on commit).
    ///
    /// # Errors
    /// I/O errors.
    pub fn write(&self, dir: &mut OutputDir) -> Result<(), OutputError> {
        self.charts.iter().try_for_each(|c| c.write(dir))
    }
}

/// Result of drawing on one backend.
pub(crate) type DrawResult<DB> = Result<(), plotters::drawing::DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A chart whose data is prepared once and drawn on any backend (PNG and SVG).
trait Figure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// Renders the run's charts in memory (the two cores render two at a time).
///
/// # Errors
/// A drawing or PNG encoding failure (not expected with the embedded fonts).
pub fn render_charts(input: &ChartInput<'_>) -> Result<Charts, OutputError> {
    register_fonts();
    let render = |kind: ChartKind| -> Result<RenderedChart, OutputError> {
        match kind {
            ChartKind::Price => render_figure(kind, &price::PriceChart::new(input)),
            ChartKind::Pnl => render_figure(kind, &pnl::PnlChart::new(input)),
            ChartKind::Liquidity => render_figure(kind, &liquidity::LiquidityChart::new(input)),
            ChartKind::Volume => render_figure(kind, &volume::VolumeChart::new(input)),
            ChartKind::Holdings => render_figure(kind, &holdings::HoldingsChart::new(input)),
            ChartKind::PriceComparison => Err(OutputError::Chart("a price comparison needs two runs".into())),
        }
    };
    let (((price, pnl), (liq, vol)), hold) = rayon::join(
        || {
            rayon::join(
                || rayon::join(|| render(ChartKind::Price), || render(ChartKind::Pnl)),
                || rayon::join(|| render(ChartKind::Liquidity), || render(ChartKind::Volume)),
            )
        },
        || render(ChartKind::Holdings),
    );
    Ok(Charts { charts: vec![price?, pnl?, liq?, vol?, hold?] })
}

/// Renders the `price_comparison` chart of two runs of scenario `name` (labels and samples; the
/// first run's phases are shaded).
///
/// # Errors
/// A drawing or PNG encoding failure (not expected with the embedded fonts).
pub fn render_price_comparison(
    name: &str,
    runs: [(&str, &[Sample]); 2],
    units: Units,
) -> Result<RenderedChart, OutputError> {
    register_fonts();
    render_figure(ChartKind::PriceComparison, &price::PriceChart::comparison(name, runs, units))
}

fn render_figure(kind: ChartKind, fig: &impl Figure) -> Result<RenderedChart, OutputError> {
    let (w, h) = (WIDTH, HEIGHT);
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        fig.draw(&root).map_err(|e| OutputError::Chart(format!("drawing {}.png: {e}", kind.stem())))?;
        root.present().map_err(|e| OutputError::Chart(format!("drawing {}.png: {e}", kind.stem())))?;
    }
    let png = encode_png(&rgb, w, h).map_err(|e| OutputError::Chart(format!("encoding {}.png: {e}", kind.stem())))?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        fig.draw(&root).map_err(|e| OutputError::Chart(format!("drawing {}.svg: {e}", kind.stem())))?;
        root.present().map_err(|e| OutputError::Chart(format!("drawing {}.svg: {e}", kind.stem())))?;
    }
    Ok(RenderedChart { kind, png, svg })
}

/// Encodes an RGB buffer of `w` × `h` pixels as PNG.
pub(crate) fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::with_capacity(rgb.len() / 16);
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    enc.set_filter(png::FilterType::Sub);
    let mut writer = enc.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

/// The title of `kind` for scenario `name`.
fn title(kind: ChartKind, name: &str) -> String {
    format!("{} — {name}", kind.title())
}
