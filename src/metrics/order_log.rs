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
//! formats them, into a [`RowBuf`] of 128 KiB that goes to the file whole. Cost (740k rows for the
//! DIO case): numbers are printed exactly from integer ticks, lots and nanoseconds, digit by digit
//! in place (no `Decimal`, no float); names are escaped once when the log is named and the three
//! name columns of an account kept as one padded text; labels (`new,`, `buy,limit,`) are padded
//! once; so a row is a few block copies and digit loops, with no allocation and no library call.

use std::fs::File;
use std::io::{self, Write};

use super::order_rows::OrderRow;
use super::row_buf::{Padded, RowBuf, Scaled, NUMBER};
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
const CHUNK: usize = 1 << 17;

/// Labels padded for printing (`new,`, `buy,limit,`, `,retail,`), by the index of their enum
/// variant, made the first time they are needed.
#[derive(Debug, Default)]
struct Labels {
    events: Vec<Padded>,
    orders: Vec<Padded>,
    intents: Vec<Padded>,
}

fn label<'a>(cache: &'a mut Vec<Padded>, i: usize, parts: &[&[u8]]) -> &'a Padded {
    if cache.len() <= i {
        cache.resize(i + 1, Padded::default());
    }
    if cache[i].is_empty() {
        cache[i] = Padded::from(parts);
    }
    &cache[i]
}

/// A streaming writer of `orders.csv`.
#[derive(Debug)]
pub struct OrderLog {
    file: File,
    buf: RowBuf,
    price: Scaled,
    qty: Scaled,
    /// Names escaped for CSV.
    names: Names,
    /// By account: `agent,group,account,` for the agent that last traded it (the three name
    /// columns in one copy).
    who: Vec<(AgentId, Padded)>,
    labels: Labels,
    error: Option<io::Error>,
}

impl OrderLog {
    /// Starts an order log in `file` (the header is written with the first rows).
    ///
    /// # Errors
    /// None today (kept for writers that touch the file when they start).
    pub fn new(file: File, units: Units) -> io::Result<Self> {
        let mut buf = RowBuf::new(CHUNK + 4096);
        let header = ORDERS_HEADER.join(",");
        buf.room(header.len() + 1);
        buf.text(header.as_bytes());
        buf.byte(b'\n');
        Ok(OrderLog {
            file,
            buf,
            price: Scaled::of(units.tick),
            qty: Scaled::of(units.lot),
            names: Names::default(),
            who: Vec::new(),
            labels: Labels::default(),
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
        let OrderLog { buf, price, qty, names, who, labels, .. } = self;
        let event = label(&mut labels.events, r.event as usize, &[r.event.as_str().as_bytes(), b","]);
        let intent = label(&mut labels.intents, r.intent as usize, &[b",", r.intent.as_str().as_bytes(), b","]);
        let order = r.order.map(|o| {
            let i = 2 * o.kind as usize + o.side as usize;
            let parts: [&[u8]; 4] = [o.side.as_str().as_bytes(), b",", o.kind.as_str().as_bytes(), b","];
            (o, label(&mut labels.orders, i, &parts))
        });
        let unknown;
        let who = match r.account {
            Some(a) => {
                let i = a.0 as usize;
                if i >= who.len() {
                    who.resize(i + 1, (AgentId(u32::MAX), Padded::default()));
                }
                let (agent, cols) = &mut who[i];
                if *agent != r.agent || cols.is_empty() {
                    *agent = r.agent;
                    cols.clear();
                    for name in [names.individual(r.agent, a), names.group(r.agent), names.account(a)] {
                        cols.push(name.as_bytes());
                        cols.push(b",");
                    }
                }
                &*cols
            }
            None => {
                let (agent, group) = (names.agent_name(r.agent).as_bytes(), names.group(r.agent).as_bytes());
                unknown = Padded::from(&[agent, b",", group, b",,"][..]);
                &unknown
            }
        };
        let labels_len = event.padded_len() + intent.padded_len() + order.map_or(0, |(_, l)| l.padded_len());
        buf.room(labels_len + who.padded_len() + r.reason.len() + 5 * NUMBER + 8);
        buf.fraction::<9>(r.t.nanos());
        buf.byte(b',');
        buf.padded(event);
        buf.u64(r.id.0);
        buf.byte(b',');
        buf.padded(who);
        match order {
            Some((o, side_type)) => {
                buf.padded(side_type);
                if let Some(p) = r.shown_price() {
                    buf.scaled(p.0, *price);
                }
                buf.byte(b',');
                buf.scaled(o.qty.0, *qty);
                buf.byte(b',');
                buf.scaled(o.remaining.0, *qty);
            }
            None => buf.text(b",,,,"),
        }
        buf.padded(intent);
        buf.text(r.reason.as_bytes());
        buf.byte(b'\n');
        if buf.len() >= CHUNK {
            self.flush_buf();
        }
    }

    fn flush_buf(&mut self) {
        if self.error.is_none() {
            if let Err(e) = self.file.write_all(self.buf.filled()) {
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

    #[test]
    fn names_with_commas_or_quotes_are_quoted() {
        assert_eq!(escape("retail/1"), "retail/1");
        assert_eq!(escape("a,b"), "\"a,b\"");
        assert_eq!(escape("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
