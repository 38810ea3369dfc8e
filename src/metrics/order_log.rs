//! `orders.csv`: every order event of a run, streamed to disk as it happens (like `trades.csv`).
//!
//! Columns (stable): `t,event,order_id,agent,group,account,side,type,price,qty,remaining,intent,reason`
//! — `t` in seconds since the start, prices in quote units, quantities in tokens; `agent` is the
//! individual (a crowd member's account, e.g. `retail/17`), `group` its `[[agents]]` group.
//!
//! Events, in the order the exchange processed them:
//! - `new`: an order reached the exchange and was accepted; `qty` its size, `remaining` = `qty`.
//! - `fill`: one of its fills (maker and taker each get a row); `qty` the fill, `remaining` what is
//!   left of the order after it.
//! - `expire`: the unfilled remainder of a market or IOC order was dropped; `qty` that remainder.
//! - `cancel`: a resting order was cancelled; `qty` what was still resting. `reason` is empty when
//!   its agent cancelled it, `contract` when a contract did (e.g. a revoked mandate).
//! - `reject`: an order (its fields filled in) or a cancel (`side`, `type`, `price` and `qty` empty)
//!   was refused; `reason` says why (`insufficient_funds`, `would_cross`, `unknown_order`, ...).
//! - `modify` is reserved: the engine's agents cancel and resend rather than modify.
//!
//! The rows come from [`super::order_rows`] (shared with `orders.parquet`); this writer only
//! formats them. Cost: numbers are printed exactly from integer ticks, lots and nanoseconds
//! (`itoa` digits, the decimal point placed by the unit's scale: no `Decimal`, no float), names
//! are escaped once when the log is named, and each line is appended to a 64 KiB buffer that goes
//! to the file whole.

use std::fs::File;
use std::io::{self, Write};

use super::order_rows::OrderRow;
use super::{Names, Units};
use crate::types::AgentId;

/// The header of `orders.csv`.
pub const ORDERS_HEADER: [&str; 13] = [
    "t",
    "event",
    "order_id",
    "agent",
    "group",
    "account",
    "side",
    "type",
    "price",
    "qty",
    "remaining",
    "intent",
    "reason",
];

/// Bytes gathered before they are written to the file.
const CHUNK: usize = 1 << 16;

/// Exact fixed-point formatting of integer units (ticks, lots) scaled by a decimal unit, written
/// like `Decimal::normalize` prints it (no trailing zeros) but without building a `Decimal`.
#[derive(Clone, Copy, Debug)]
struct Fixed {
    mantissa: i128,
    scale: u32,
}

impl Fixed {
    fn new(unit: rust_decimal::Decimal) -> Self {
        Fixed { mantissa: unit.mantissa(), scale: unit.scale() }
    }

    fn write(self, b: &mut Vec<u8>, units: i64) {
        let v = i128::from(units) * self.mantissa;
        if v < 0 {
            b.push(b'-');
        }
        let v = v.unsigned_abs();
        match u64::try_from(v) {
            Ok(v) => push_scaled(b, itoa::Buffer::new().format(v).as_bytes(), self.scale as usize),
            Err(_) => push_scaled(b, itoa::Buffer::new().format(v).as_bytes(), self.scale as usize),
        }
    }
}

/// Appends the number whose decimal digits are `digits`, divided by `10^scale`, exactly: at
/// least one digit before the point, trailing zeros of the fraction trimmed (no point when the
/// fraction is zero).
fn push_scaled(b: &mut Vec<u8>, digits: &[u8], scale: usize) {
    let (int, frac) = digits.split_at(digits.len().saturating_sub(scale));
    if int.is_empty() {
        b.push(b'0');
    } else {
        b.extend_from_slice(int);
    }
    let frac_end = frac.iter().rposition(|&d| d != b'0').map_or(0, |i| i + 1);
    if frac_end > 0 {
        b.push(b'.');
        b.resize(b.len() + (scale - frac.len()), b'0');
        b.extend_from_slice(&frac[..frac_end]);
    }
}

/// A streaming writer of `orders.csv`.
#[derive(Debug)]
pub struct OrderLog {
    file: File,
    buf: Vec<u8>,
    price: Fixed,
    qty: Fixed,
    /// Names escaped for CSV.
    names: Names,
    /// By account: `agent,group,account,` for the agent that last traded it (the three name
    /// columns in one copy).
    who: Vec<(AgentId, Vec<u8>)>,
    error: Option<io::Error>,
}

impl OrderLog {
    /// Starts an order log in `file` (the header is written with the first rows).
    ///
    /// # Errors
    /// None today (kept for writers that touch the file when they start).
    pub fn new(file: File, units: Units) -> io::Result<Self> {
        let mut buf = Vec::with_capacity(CHUNK + 1024);
        buf.extend_from_slice(ORDERS_HEADER.join(",").as_bytes());
        buf.push(b'\n');
        Ok(OrderLog {
            file,
            buf,
            price: Fixed::new(units.tick),
            qty: Fixed::new(units.lot),
            names: Names::default(),
            who: Vec::new(),
            error: None,
        })
    }

    /// Names agents, groups and accounts (escaped once here, for every row).
    pub fn set_names(&mut self, names: &Names) {
        self.names = names.map_names(escape);
        self.who.clear();
    }

    /// Appends one row.
    pub fn write(&mut self, r: &OrderRow) {
        let (names, pf, qf) = (&self.names, self.price, self.qty);
        let b = &mut self.buf;
        push_scaled(b, itoa::Buffer::new().format(r.t.nanos()).as_bytes(), 9);
        b.push(b',');
        b.extend_from_slice(r.event.as_str().as_bytes());
        b.push(b',');
        b.extend_from_slice(itoa::Buffer::new().format(r.id.0).as_bytes());
        b.push(b',');
        match r.account {
            Some(a) => {
                let i = a.0 as usize;
                if i >= self.who.len() {
                    self.who.resize(i + 1, (AgentId(u32::MAX), Vec::new()));
                }
                let (agent, cols) = &mut self.who[i];
                if *agent != r.agent || cols.is_empty() {
                    *agent = r.agent;
                    cols.clear();
                    for name in [names.individual(r.agent, a), names.group(r.agent), names.account(a)] {
                        cols.extend_from_slice(name.as_bytes());
                        cols.push(b',');
                    }
                }
                b.extend_from_slice(cols);
            }
            None => {
                for name in [names.agent_name(r.agent), names.group(r.agent), ""] {
                    b.extend_from_slice(name.as_bytes());
                    b.push(b',');
                }
            }
        }
        match r.order {
            Some(o) => {
                b.extend_from_slice(o.side.as_str().as_bytes());
                b.push(b',');
                b.extend_from_slice(o.kind.as_str().as_bytes());
                b.push(b',');
                if let Some(p) = r.shown_price() {
                    pf.write(b, p.0);
                }
                b.push(b',');
                qf.write(b, o.qty.0);
                b.push(b',');
                qf.write(b, o.remaining.0);
            }
            None => b.extend_from_slice(b",,,,"),
        }
        b.push(b',');
        b.extend_from_slice(r.intent.as_str().as_bytes());
        b.push(b',');
        b.extend_from_slice(r.reason.as_bytes());
        b.push(b'\n');
        if self.buf.len() >= CHUNK {
            self.flush_buf();
        }
    }

    fn flush_buf(&mut self) {
        if self.error.is_none() {
            if let Err(e) = self.file.write_all(&self.buf) {
                self.error = Some(e);
            }
        }
        self.buf.clear();
    }

    /// Writes what is buffered.
    ///
    /// # Errors
    /// The first I/O error met while writing.
    pub fn finish(mut self) -> io::Result<()> {
        self.flush_buf();
        match self.error.take() {
            Some(e) => Err(e),
            None => self.file.flush(),
        }
    }
}

/// A name as a CSV field: quoted if it holds a comma, quote or line break (CSV rules).
fn escape(s: &str) -> String {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn fixed_point_prints_like_a_normalized_decimal() {
        for (unit, units) in [
            ("0.00001", 5034i64),
            ("0.0001", 10000),
            ("1", 1000),
            ("0.5", 3),
            ("0.0001", -25),
            ("10", 7),
            ("0.001", 0),
            ("0.0001", 3),
            ("0.000000000000000001", i64::MAX),
            ("1000000", i64::MIN),
        ] {
            let unit: Decimal = unit.parse().unwrap();
            let mut s = Vec::new();
            Fixed::new(unit).write(&mut s, units);
            assert_eq!(
                String::from_utf8(s).unwrap(),
                (Decimal::from(units) * unit).normalize().to_string(),
                "{unit} x {units}"
            );
        }
        for (ns, text) in
            [(17_696_363_724u64, "17.696363724"), (7_055_914, "0.007055914"), (3_000_000_000, "3"), (0, "0")]
        {
            let mut s = Vec::new();
            push_scaled(&mut s, itoa::Buffer::new().format(ns).as_bytes(), 9);
            assert_eq!(String::from_utf8(s).unwrap(), text);
        }
    }

    #[test]
    fn names_with_commas_or_quotes_are_quoted() {
        assert_eq!(escape("retail/1"), "retail/1");
        assert_eq!(escape("a,b"), "\"a,b\"");
        assert_eq!(escape("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
