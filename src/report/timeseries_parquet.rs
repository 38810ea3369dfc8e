//! `timeseries.parquet`: the samples of `timeseries.csv` as a Parquet file (zstd), written in
//! batches of [`BATCH`](crate::metrics::parquet_out::BATCH) rows into bounded row groups.
//!
//! Schema: `t` float64 (seconds since the start), `mid` decimal128(38, tick scale + 1) (half a tick
//! is exact), `best_bid`, `best_ask` decimal128(38, tick scale), `spread_bps` float64 (full
//! precision; the CSV rounds it to 2 decimals), `depth_bid_2pct`, `depth_ask_2pct`,
//! `volume_quote`, `volume_wash_quote` decimal128(38, tick scale + lot scale), `last`
//! decimal128(38, tick scale), `phase` utf8. `mid`, `best_*`, `spread_bps`, `last` and `phase` are
//! null where the CSV leaves the field empty.

use std::fs::File;
use std::sync::Arc;

use arrow_array::builder::{Decimal128Builder, Float64Builder, StringBuilder};
use arrow_array::ArrayRef;
use arrow_schema::{DataType, Field, Schema};

use super::OutputError;
use crate::metrics::parquet_out::{self, DecUnit, BATCH};
use crate::metrics::{Recorder, Units};
use crate::types::Price;

/// Writes `timeseries.parquet` into `file`.
///
/// # Errors
/// Encoding or I/O errors.
pub fn write_timeseries_parquet(file: File, recorder: &Recorder, units: Units) -> Result<(), OutputError> {
    let io = |e: std::io::Error| OutputError::from(e);
    let (tick, lot) = (DecUnit::of(units.tick), DecUnit::of(units.lot));
    let half = DecUnit { mantissa: tick.mantissa * 5, scale: tick.scale + 1 };
    let cash = tick.times(lot);
    let dec = |name: &str, u: DecUnit, nullable: bool| Field::new(name, u.data_type(), nullable);
    let schema = Arc::new(Schema::new(vec![
        Field::new("t", DataType::Float64, false),
        dec("mid", half, true),
        dec("best_bid", tick, true),
        dec("best_ask", tick, true),
        Field::new("spread_bps", DataType::Float64, true),
        dec("depth_bid_2pct", cash, false),
        dec("depth_ask_2pct", cash, false),
        dec("volume_quote", cash, false),
        dec("volume_wash_quote", cash, false),
        dec("last", tick, true),
        Field::new("phase", DataType::Utf8, true),
    ]));
    let mut writer = parquet_out::writer(file, schema.clone()).map_err(io)?;
    let price = |p: Option<Price>| p.map(|p| tick.raw(i128::from(p.0)));
    for chunk in recorder.samples().chunks(BATCH) {
        let (mut t, mut spread) = (Float64Builder::new(), Float64Builder::new());
        let mut d: [Decimal128Builder; 8] = Default::default();
        let mut phase = StringBuilder::new();
        for s in chunk {
            t.append_value(s.t.as_secs_f64());
            let both = s.best_bid.zip(s.best_ask);
            // (bid + ask) / 2 in half ticks: (bid + ask) × mantissa × 5 at one more decimal.
            d[0].append_option(both.map(|(b, a)| (i128::from(b.0) + i128::from(a.0)) * half.mantissa));
            d[1].append_option(price(s.best_bid));
            d[2].append_option(price(s.best_ask));
            spread.append_option(both.map(|(b, a)| Price::spread_bps(b, a)));
            d[3].append_value(cash.raw(s.depth_bid_2pct.0));
            d[4].append_value(cash.raw(s.depth_ask_2pct.0));
            d[5].append_value(cash.raw(s.volume.0));
            d[6].append_value(cash.raw(s.volume_wash.0));
            d[7].append_option(price(s.last));
            phase.append_option(s.phase.map(|p| p.name()));
        }
        let [mid, bid, ask, depth_bid, depth_ask, volume, wash, last] = &mut d;
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(t.finish()),
            half.finish(mid)?,
            tick.finish(bid)?,
            tick.finish(ask)?,
            Arc::new(spread.finish()),
            cash.finish(depth_bid)?,
            cash.finish(depth_ask)?,
            cash.finish(volume)?,
            cash.finish(wash)?,
            tick.finish(last)?,
            Arc::new(phase.finish()),
        ];
        parquet_out::write_batch(&mut writer, &schema, arrays).map_err(io)?;
    }
    writer.close().map_err(|e| io(parquet_out::io_err(e)))?;
    Ok(())
}
