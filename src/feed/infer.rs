//! Choosing the tick and lot size: given by the caller, or inferred from the data.
//!
//! Inference reads the first [`ReadOptions::infer_lines`] lines of every file with the real parsers
//! (through `ProbeUnits`, which records instead of converting): the tick from the finest significant
//! decimals of the prices, the lot from the most decimals sizes are written with (the rule and why
//! they differ: `grid.rs`). On the sample (`"2682.51000000"`, `"0.00460000"`) that gives a tick of
//! 0.01 and a lot of 0.00000001. Reading those lines twice costs a few milliseconds.

use std::path::Path;

use rust_decimal::Decimal;

use super::error::FeedError;
use super::grid::{ProbeUnits, Step};
use super::reader::FileReader;

/// How files are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    /// The tick size (price step); `None` infers it.
    pub tick_size: Option<Decimal>,
    /// The lot size (quantity step); `None` infers it.
    pub lot_size: Option<Decimal>,
    /// Lines per file probed when inferring a step (default 10,000).
    pub infer_lines: usize,
    /// Turn every counted skip into a located [`FeedError::Rejected`] (default false).
    pub strict: bool,
    /// Feed latency assumed for files without local times (Binance trades CSV), in ns (default 0).
    pub assumed_latency_ns: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { tick_size: None, lot_size: None, infer_lines: 10_000, strict: false, assumed_latency_ns: 0 }
    }
}

/// The grid a read uses, and whether each step was inferred.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ChosenGrid {
    pub tick: Step,
    pub lot: Step,
    pub tick_inferred: bool,
    pub lot_inferred: bool,
}

fn given(step: Option<Decimal>, option: &'static str) -> Result<Option<Step>, FeedError> {
    step.map(|s| Step::try_new(s).map_err(|message| FeedError::BadOption { option, message })).transpose()
}

/// The tick and lot for `paths`: the given ones, the rest inferred.
///
/// # Errors
/// [`FeedError::BadOption`] for a step ≤ 0; any error opening or reading the probed lines;
/// [`FeedError::CannotInfer`] when no value was seen.
pub(super) fn choose_grid<P: AsRef<Path>>(paths: &[P], options: &ReadOptions) -> Result<ChosenGrid, FeedError> {
    let tick = given(options.tick_size, "tick_size")?;
    let lot = given(options.lot_size, "lot_size")?;
    if let (Some(tick), Some(lot)) = (tick, lot) {
        return Ok(ChosenGrid { tick, lot, tick_inferred: false, lot_inferred: false });
    }
    if options.infer_lines == 0 {
        let message = "must be > 0 when a step is to be inferred".to_owned();
        return Err(FeedError::BadOption { option: "infer_lines", message });
    }
    let mut probe = ProbeUnits::default();
    for path in paths {
        let mut reader = FileReader::open(path.as_ref(), ProbeUnits::default(), false, 0)?;
        while reader.lines_read() < options.infer_lines as u64 {
            if reader.next_event()?.is_none() {
                break;
            }
        }
        let found = reader.units();
        probe.price_places = probe.price_places.max(found.price_places);
        probe.qty_places = probe.qty_places.max(found.qty_places);
    }
    let infer = |places: Option<u32>, grid, field| {
        places.map(Step::from_places).ok_or(FeedError::CannotInfer { grid, field, lines: options.infer_lines })
    };
    Ok(ChosenGrid {
        tick: match tick {
            Some(t) => t,
            None => infer(probe.price_places, "tick", "price")?,
        },
        lot: match lot {
            Some(l) => l,
            None => infer(probe.qty_places, "lot", "qty")?,
        },
        tick_inferred: tick.is_none(),
        lot_inferred: lot.is_none(),
    })
}
