//! Generates a realistic order stream for `mmsim match` (tick 0.01, lot 0.1), for timing the replay.
//!
//! ```text
//! cargo run --release --example gen_orders -- 1000000 > /tmp/orders_1m.csv
//! time ./target/release/mmsim match /tmp/orders_1m.csv --tick 0.01 --lot 0.1 --out /tmp/match_1m
//! ```
//! Arguments: number of rows (default 1,000,000) and seed (default 7); the output is deterministic.
//!
//! The mix, per 1000 rows: 440 passive limit orders from 8 market makers within ±40 ticks of a
//! random-walk mid; 80 aggressive limits (not tracked for cancels, they mostly fill), 30 market, 40 IOC, 10 FOK orders and 40 post-only orders
//! from 200 retail traders; 260 cancels and 70 modifies (half in place, half repriced) of earlier
//! resting orders, some already filled; 30 bad rows (duplicate ids, off-grid prices, zero
//! quantities, unknown sides) that become rejects.

use std::io::{self, BufWriter, Write};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// An order that was sent to rest: a candidate for cancels and modifies.
struct Live {
    id: u64,
    buy: bool,
    price: i64,
    lots: i64,
}

fn side(buy: bool) -> &'static str {
    if buy {
        "buy"
    } else {
        "sell"
    }
}

/// Writes `ticks` of 0.01 as a decimal.
fn price(ticks: i64) -> String {
    format!("{}.{:02}", ticks / 100, ticks % 100)
}

/// Writes `lots` of 0.1 as a decimal.
fn qty(lots: i64) -> String {
    format!("{}.{}", lots / 10, lots % 10)
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let rows: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(7);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    writeln!(out, "ts,trader,action,order_id,side,type,price,qty")?;

    let mut mid: i64 = 10_000; // 100.00
    let mut next_id: u64 = 1;
    let mut live: Vec<Live> = Vec::new();
    for row in 0..rows {
        let ts = 1_714_555_800_000_000_000u64 + row * 250_000;
        if rng.random_bool(0.05) {
            mid = (mid + if rng.random_bool(0.5) { 1 } else { -1 }).max(500);
        }
        // Quantities: mostly small, now and then large.
        let lots = 1 + (-(1.0 - rng.random::<f64>()).ln() * 40.0) as i64;
        let buy = rng.random_bool(0.5);
        let roll = rng.random_range(0..1000u32);
        let mm = format!("mm{}", rng.random_range(0..8u32));
        let retail = format!("r{:03}", rng.random_range(0..200u32));
        let mut new =
            |out: &mut BufWriter<_>, trader: &str, kind: &str, p: Option<i64>, rests: bool| -> io::Result<()> {
                let id = next_id;
                next_id += 1;
                let ptext = p.map(price).unwrap_or_default();
                writeln!(out, "{ts},{trader},new,o{id},{},{kind},{ptext},{}", side(buy), qty(lots))?;
                if rests {
                    live.push(Live { id, buy, price: p.unwrap_or(0), lots });
                }
                Ok(())
            };
        let away = |ticks: i64| if buy { mid - ticks } else { mid + ticks }.max(1);
        match roll {
            0..440 => {
                let p = away(1 + rng.random_range(0..40));
                new(&mut out, &mm, "limit", Some(p), true)?;
            }
            440..520 => {
                let p = away(-rng.random_range(0..6));
                new(&mut out, &retail, "limit", Some(p), false)?;
            }
            520..550 => new(&mut out, &retail, "market", None, false)?,
            550..590 => {
                let p = away(-rng.random_range(0..4));
                new(&mut out, &retail, "ioc", Some(p), false)?;
            }
            590..600 => {
                let p = away(-rng.random_range(0..10));
                new(&mut out, &retail, "fok", Some(p), false)?;
            }
            600..640 => {
                let p = away(rng.random_range(-1..4));
                new(&mut out, &mm, "post_only", Some(p), true)?;
            }
            640..900 => {
                if live.is_empty() {
                    writeln!(out, "{ts},{mm},cancel,o{},,,,", rng.random_range(1..next_id + 1))?;
                } else {
                    let order = live.swap_remove(rng.random_range(0..live.len()));
                    writeln!(out, "{ts},{mm},cancel,o{},,,,", order.id)?;
                }
            }
            900..970 => {
                if live.is_empty() {
                    writeln!(out, "{ts},{mm},modify,o{},,,{},1.0", rng.random_range(1..next_id + 1), price(mid))?;
                    continue;
                }
                let i = rng.random_range(0..live.len());
                let order = &mut live[i];
                if rng.random_bool(0.5) {
                    order.lots = (order.lots / 2).max(1);
                } else {
                    order.price = (order.price + rng.random_range(-3..4)).max(1);
                }
                writeln!(
                    out,
                    "{ts},{mm},modify,o{},{},limit,{},{}",
                    order.id,
                    side(order.buy),
                    price(order.price),
                    qty(order.lots)
                )?;
            }
            _ => match roll % 4 {
                0 => {
                    let reused = rng.random_range(1..next_id.max(2));
                    writeln!(out, "{ts},{retail},new,o{reused},{},limit,{},1.0", side(buy), price(mid))?;
                }
                1 => writeln!(out, "{ts},{retail},new,x{row},{},limit,{}5,1.0", side(buy), price(mid))?,
                2 => writeln!(out, "{ts},{retail},new,x{row},{},limit,{},0", side(buy), price(mid))?,
                _ => writeln!(out, "{ts},{retail},new,x{row},hold,limit,{},1.0", price(mid))?,
            },
        }
    }
    out.flush()
}
