//! Manipulator trades to mark on the price chart, read back from the run's own `trades.csv`, or
//! `trades.parquet` as the same CSV text (the stream the run records: one truth). A trade is
//! classed as the replay page classes it ([`crate::teach::log::trade_class`]): `wash` when both
//! sides have one owner, else the taker's manipulative intent, else the maker's; organic trades
//! (quotes, retail) are not marked. Each class keeps at most [`MAX_MARKS`] marks (each time
//! bucket's lowest and highest price), so a long run stays fast to draw; the legend gives every
//! class's full count.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use plotters::style::RGBColor;

use super::series::downsample;
use crate::teach::log::{trade_class, CLASSES, CLASS_RGB};

/// Most marks drawn per class.
pub const MAX_MARKS: usize = 1_500;

/// The colour of class `class` of [`CLASSES`] (0, organic, is never marked): the replay page's
/// colour of its trade dots ([`CLASS_RGB`], one palette).
pub(super) fn class_colour(class: u8) -> RGBColor {
    let (r, g, b) = CLASS_RGB[class as usize];
    RGBColor(r, g, b)
}

/// The manipulator trades of one class.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TradeMarks {
    /// Index into [`CLASSES`] (never 0).
    pub class: u8,
    /// How many trades of the class the run had.
    pub count: u64,
    /// `(seconds since the start, price in quote units)`, downsampled to at most [`MAX_MARKS`].
    pub points: Vec<(f64, f64)>,
}

impl TradeMarks {
    /// The class name (`wash`, `pump`, …).
    pub fn name(&self) -> &'static str {
        CLASSES[self.class as usize]
    }
}

/// Reads `trades.csv` (its header names the columns) into the marks of each manipulative class
/// present, in [`CLASSES`] order.
///
/// # Errors
/// A missing column or an unreadable row, located by line (`trades.csv line 7: …`).
pub fn read_trade_marks(reader: impl Read) -> Result<Vec<TradeMarks>, String> {
    read_trade_marks_in(reader, None).map(|scan| scan.marks)
}

/// [`read_trade_marks_in`] on a trade log file: `trades.csv`, or (`parquet`) `trades.parquet` read
/// back as the same CSV text, so a Parquet run's charts are the CSV run's.
///
/// # Errors
/// An unreadable file (named), a missing column or an unreadable row.
pub fn read_trade_marks_file(path: &Path, parquet: bool, window: Option<(f64, f64)>) -> Result<TradeScan, String> {
    let reader: Box<dyn Read> = if parquet {
        Box::new(crate::teach::parquet::ParquetAsCsv::open(path)?)
    } else {
        Box::new(File::open(path).map_err(|e| format!("{}: {e}", path.display()))?)
    };
    read_trade_marks_in(BufReader::with_capacity(1 << 16, reader), window)
}

/// What [`read_trade_marks_in`] found in a window.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TradeScan {
    /// The manipulator trades of each class present.
    pub marks: Vec<TradeMarks>,
    /// The highest and lowest price of every trade (organic ones too), quote units.
    pub high_low: Option<(f64, f64)>,
}

/// Like [`read_trade_marks`], keeping only the trades at `window` (`[start, end]` seconds; `None`:
/// all), and the highest and lowest price among them.
///
/// # Errors
/// A missing column or an unreadable row, located by line (`trades.csv line 7: …`).
pub fn read_trade_marks_in(reader: impl Read, window: Option<(f64, f64)>) -> Result<TradeScan, String> {
    let mut csv = csv::Reader::from_reader(reader);
    let header = csv.headers().map_err(|e| format!("trades.csv: {e}"))?.clone();
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| format!("trades.csv: no `{name}` column in the header"))
    };
    let (c_t, c_price, c_maker, c_taker, c_wash) =
        (col("t")?, col("price")?, col("maker_intent")?, col("taker_intent")?, col("wash")?);
    let mut all: Vec<Vec<(f64, f64)>> = vec![Vec::new(); CLASSES.len()];
    let mut high_low: Option<(f64, f64)> = None;
    for (k, row) in csv.records().enumerate() {
        let line = k + 2;
        let row = row.map_err(|e| format!("trades.csv line {line}: {e}"))?;
        let f = |c: usize| row.get(c).unwrap_or("");
        let num = |c: usize, what: &str| {
            f(c).parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("trades.csv line {line}: `{what}` is `{}`, not a number", f(c)))
        };
        let (t, price) = (num(c_t, "t")?, num(c_price, "price")?);
        if window.is_some_and(|(a, b)| t < a || t > b) {
            continue;
        }
        high_low = Some(high_low.map_or((price, price), |(h, l)| (h.max(price), l.min(price))));
        let class = trade_class(f(c_wash) == "true", f(c_taker), f(c_maker));
        if class != 0 {
            all[class as usize].push((t, price));
        }
    }
    let marks = all
        .into_iter()
        .enumerate()
        .filter(|(_, p)| !p.is_empty())
        .map(|(class, p)| TradeMarks { class: class as u8, count: p.len() as u64, points: downsample(&p, MAX_MARKS) })
        .collect();
    Ok(TradeScan { marks, high_low })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manipulative_trades_are_classed_counted_and_organic_ones_skipped() {
        let csv = "t,trade_id,price,qty,aggressor_side,maker_agent,taker_agent,maker_intent,taker_intent,wash\n\
                   1.5,1,0.5,10,buy,mm,retail/1,quote,retail,false\n\
                   2,2,0.51,10,buy,mm,pd,quote,pump,false\n\
                   3,3,0.52,10,sell,w,w,wash,wash,true\n\
                   4,4,0.49,10,sell,pd,retail/2,dump,retail,false\n\
                   5,5,0.53,10,buy,mm,pd,quote,pump,false\n";
        let marks = read_trade_marks(csv.as_bytes()).unwrap();
        let names: Vec<_> = marks.iter().map(|m| (m.name(), m.count)).collect();
        assert_eq!(names, [("wash", 1), ("pump", 2), ("dump", 1)]);
        assert_eq!(marks[1].points, [(2.0, 0.51), (5.0, 0.53)]);
    }

    #[test]
    fn a_bad_row_is_located() {
        let csv = "t,price,maker_intent,taker_intent,wash\n1,0.5,quote,pump,false\n2,abc,quote,pump,false\n";
        let e = read_trade_marks(csv.as_bytes()).unwrap_err();
        assert!(e.contains("line 3") && e.contains("abc"), "{e}");
        let e = read_trade_marks("t,price\n".as_bytes()).unwrap_err();
        assert!(e.contains("maker_intent"), "{e}");
    }

    #[test]
    fn the_colours_are_the_replay_pages() {
        // The page takes its colours from its data (one palette), and has none of its own.
        let js = include_str!("../../teach/assets/replay.js");
        assert!(js.contains("var COLORS = D.colors;"));
        for (c, name) in CLASSES.iter().enumerate() {
            assert!(!js.contains(&format!("{name}: '#")), "replay.js has its own colour for {name}");
            let (r, g, b) = CLASS_RGB[c];
            assert_eq!(class_colour(c as u8), RGBColor(r, g, b));
        }
        assert_eq!(CLASSES[trade_class(false, "kpi_gaming", "retail") as usize], "kpi_gaming");
    }
}
