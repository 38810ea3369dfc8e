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
//! Cost: the log keeps one small record per resting order (for cancels and fills it did not see
//! the order of) and formats one line per event into a 64 KiB buffer.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};

use rustc_hash::FxHashMap;

use super::{Names, Units};
use crate::book::{OrderType, Placed};
use crate::exchange::{OrderRejected, OrderRequest, Trade};
use crate::ledger::AccountId;
use crate::types::{AgentId, Intent, OrderId, Price, Qty, Side, SimTime};

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

/// Exact fixed-point formatting of integer units (ticks, lots) scaled by a decimal unit, written
/// like `Decimal::normalize` prints it (no trailing zeros) but without building a `Decimal`.
#[derive(Clone, Copy, Debug)]
struct Fixed {
    mantissa: i128,
    pow: i128,
    scale: u32,
}

impl Fixed {
    fn new(unit: rust_decimal::Decimal) -> Self {
        let scale = unit.scale();
        Fixed { mantissa: unit.mantissa(), pow: 10i128.pow(scale), scale }
    }

    fn write(self, l: &mut String, units: i64) {
        // The hot path: the value fits in 64 bits, so print its digits once and place the point
        // (no 128-bit division).
        if let Some(v) = i64::try_from(self.mantissa).ok().and_then(|m| units.checked_mul(m)) {
            if v < 0 {
                l.push('-');
            }
            push_scaled(l, v.unsigned_abs(), self.scale as usize);
            return;
        }
        let v = i128::from(units) * self.mantissa;
        if v < 0 {
            l.push('-');
        }
        let v = v.unsigned_abs();
        let pow = self.pow as u128;
        let _ = write!(l, "{}", v / pow);
        let mut frac = v % pow;
        if frac != 0 {
            let mut digits = self.scale as usize;
            while frac % 10 == 0 {
                frac /= 10;
                digits -= 1;
            }
            let _ = write!(l, ".{frac:0digits$}");
        }
    }
}

/// Appends `v / 10^scale` exactly, trailing zeros of the fraction trimmed.
fn push_scaled(l: &mut String, mut v: u64, scale: usize) {
    let mut buf = [b'0'; 48];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let end = buf.len();
    // At least one integer digit before the point.
    let start = i.min(end - scale - 1);
    let point = end - scale;
    let mut last = end;
    while last > point && buf[last - 1] == b'0' {
        last -= 1;
    }
    // Only ASCII digits were written.
    l.push_str(std::str::from_utf8(&buf[start..point]).unwrap_or("0"));
    if last > point {
        l.push('.');
        l.push_str(std::str::from_utf8(&buf[point..last]).unwrap_or(""));
    }
}

/// Writes a time in seconds with its nanoseconds, trailing zeros trimmed (exact).
fn write_time(l: &mut String, t: SimTime) {
    let ns = t.nanos();
    push_u64(l, ns / 1_000_000_000);
    push_frac(l, ns % 1_000_000_000, 9);
}

/// Appends `v` in decimal (the hot path: no formatting machinery).
fn push_u64(l: &mut String, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    l.push_str(std::str::from_utf8(&buf[i..]).unwrap_or("0"));
}

/// Appends `.frac` as `digits` decimals with trailing zeros trimmed (nothing when `frac` is 0).
fn push_frac(l: &mut String, mut frac: u64, mut digits: usize) {
    if frac == 0 {
        return;
    }
    while frac % 10 == 0 {
        frac /= 10;
        digits -= 1;
    }
    l.push('.');
    let mut buf = [b'0'; 40];
    let mut i = digits;
    while frac > 0 && i > 0 {
        i -= 1;
        buf[i] = b'0' + (frac % 10) as u8;
        frac /= 10;
    }
    l.push_str(std::str::from_utf8(&buf[..digits]).unwrap_or(""));
}

/// What the log remembers of a resting order.
#[derive(Clone, Copy, Debug)]
struct Resting {
    agent: AgentId,
    account: AccountId,
    side: Side,
    kind: OrderType,
    price: Price,
    intent: Intent,
    remaining: Qty,
}

/// A streaming writer of `orders.csv`.
#[derive(Debug)]
pub struct OrderLog {
    out: BufWriter<File>,
    line: String,
    price: Fixed,
    qty: Fixed,
    names: Names,
    resting: FxHashMap<OrderId, Resting>,
    error: Option<io::Error>,
}

impl OrderLog {
    /// Starts an order log in `file` (writes the header).
    ///
    /// # Errors
    /// An I/O error writing the header.
    pub fn new(file: File, units: Units) -> io::Result<Self> {
        let mut out = BufWriter::with_capacity(1 << 16, file);
        writeln!(out, "{}", ORDERS_HEADER.join(","))?;
        Ok(OrderLog {
            out,
            line: String::with_capacity(256),
            price: Fixed::new(units.tick),
            qty: Fixed::new(units.lot),
            names: Names::default(),
            resting: FxHashMap::default(),
            error: None,
        })
    }

    /// Names agents, groups and accounts (the engine calls it when the log is attached).
    pub fn set_names(&mut self, names: Names) {
        self.names = names;
    }

    /// An order reached the exchange: `result` is what became of it, `trades` its fills.
    pub fn submitted(
        &mut self,
        now: SimTime,
        id: OrderId,
        req: &OrderRequest,
        result: &Result<Placed, OrderRejected>,
        trades: &[Trade],
    ) {
        let mut taker = Resting {
            agent: req.agent,
            account: req.account,
            side: req.side,
            kind: req.kind,
            price: req.price,
            intent: req.intent,
            remaining: req.qty,
        };
        let placed = match result {
            Err(reason) => {
                self.row(now, "reject", id, &taker, Some(req.qty), Qty::ZERO, reason.as_str());
                return;
            }
            Ok(placed) => placed,
        };
        self.row(now, "new", id, &taker, Some(req.qty), req.qty, "");
        for t in trades {
            if let Some(mut maker) = self.resting.get(&t.maker_order).copied() {
                maker.remaining -= t.qty;
                self.row(now, "fill", t.maker_order, &maker, Some(t.qty), maker.remaining, "");
                if maker.remaining.is_zero() {
                    self.resting.remove(&t.maker_order);
                } else {
                    self.resting.insert(t.maker_order, maker);
                }
            }
            taker.remaining -= t.qty;
            self.row(now, "fill", id, &taker, Some(t.qty), taker.remaining, "");
        }
        if placed.dropped > Qty::ZERO {
            self.row(now, "expire", id, &taker, Some(placed.dropped), Qty::ZERO, "");
        }
        if placed.rested > Qty::ZERO {
            taker.remaining = placed.rested;
            self.resting.insert(id, taker);
        }
    }

    /// Resting order `id` was cancelled with `qty` left; `reason` is empty for its agent's own
    /// cancel, `contract` for a contract's.
    pub fn cancelled(&mut self, now: SimTime, id: OrderId, qty: Qty, reason: &str) {
        if let Some(order) = self.resting.remove(&id) {
            self.row(now, "cancel", id, &order, Some(qty), Qty::ZERO, reason);
        }
    }

    /// `agent`'s cancel of `id` was refused.
    pub fn cancel_rejected(&mut self, now: SimTime, agent: AgentId, id: OrderId, reason: OrderRejected) {
        let (account, intent) = self.resting.get(&id).map_or((None, Intent::Other), |o| (Some(o.account), o.intent));
        self.line.clear();
        let l = &mut self.line;
        write_time(l, now);
        let _ = write!(l, ",reject,{},", id.0);
        let who = account.map_or_else(|| self.names.agent_name(agent), |a| self.names.individual(agent, a));
        push_field(l, who);
        l.push(',');
        push_field(l, self.names.group(agent));
        l.push(',');
        if let Some(a) = account {
            push_field(l, self.names.account(a));
        }
        let _ = writeln!(l, ",,,,,,{},{}", intent.as_str(), reason.as_str());
        self.flush_line();
    }

    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        now: SimTime,
        event: &str,
        id: OrderId,
        o: &Resting,
        qty: Option<Qty>,
        remaining: Qty,
        reason: &str,
    ) {
        self.line.clear();
        let (pf, qf) = (self.price, self.qty);
        let l = &mut self.line;
        write_time(l, now);
        l.push(',');
        l.push_str(event);
        l.push(',');
        push_u64(l, id.0);
        l.push(',');
        push_field(l, self.names.individual(o.agent, o.account));
        l.push(',');
        push_field(l, self.names.group(o.agent));
        l.push(',');
        push_field(l, self.names.account(o.account));
        l.push(',');
        l.push_str(o.side.as_str());
        l.push(',');
        l.push_str(o.kind.as_str());
        l.push(',');
        if o.kind != OrderType::Market {
            pf.write(l, o.price.0);
        }
        l.push(',');
        if let Some(q) = qty {
            qf.write(l, q.0);
        }
        l.push(',');
        qf.write(l, remaining.0);
        l.push(',');
        l.push_str(o.intent.as_str());
        l.push(',');
        l.push_str(reason);
        l.push('\n');
        self.flush_line();
    }

    fn flush_line(&mut self) {
        if self.error.is_none() {
            if let Err(e) = self.out.write_all(self.line.as_bytes()) {
                self.error = Some(e);
            }
        }
    }

    /// Flushes the file.
    ///
    /// # Errors
    /// The first I/O error met while writing, or one from the flush.
    pub fn finish(mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()
    }
}

/// Appends a name, quoted if it holds a comma, quote or line break (CSV rules).
fn push_field(line: &mut String, s: &str) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        line.push('"');
        line.push_str(&s.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn fixed_point_prints_like_a_normalized_decimal() {
        for (unit, units) in
            [("0.00001", 5034i64), ("0.0001", 10000), ("1", 1000), ("0.5", 3), ("0.0001", -25), ("10", 7)]
        {
            let unit: Decimal = unit.parse().unwrap();
            let mut s = String::new();
            Fixed::new(unit).write(&mut s, units);
            assert_eq!(s, (Decimal::from(units) * unit).normalize().to_string(), "{unit} x {units}");
        }
        let mut s = String::new();
        write_time(&mut s, SimTime::from_nanos(17_696_363_724));
        assert_eq!(s, "17.696363724");
        s.clear();
        write_time(&mut s, SimTime::from_nanos(7_055_914));
        assert_eq!(s, "0.007055914");
        s.clear();
        write_time(&mut s, SimTime::from_nanos(3_000_000_000));
        assert_eq!(s, "3");
    }
}
