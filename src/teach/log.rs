//! Reading a run's `orders.csv` once, in order, into what the replay page draws: the trades (a
//! maker `fill` row followed by its taker's `fill` row is one trade, at the maker's price), the
//! book's changes per price level and group, the spoof orders' lifetimes and each group's order
//! event times.
//!
//! Times are whole milliseconds, rounded UP from the log's nanoseconds, so "the book at `t` ms" is
//! exactly the book after every event logged at or before `t` ms. Prices are integer ticks and
//! quantities integer lots, parsed exactly from the log's decimals.
//!
//! Book changes: an order that can rest (`limit`, `post_only`) adds its size at `new` and takes
//! off every `fill`, `cancel` and `expire` quantity; all rows of one submission share one time, so
//! the book is exact at every time the page can show. Market, IOC and FOK orders never rest.

use std::collections::BTreeMap;
use std::io::Read;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::metrics::Units;

/// What colour a trade's dot is: the manipulative intent behind it, else `organic`.
pub const CLASSES: [&str; 10] =
    ["organic", "wash", "spoof", "pump", "dump", "buyback", "accumulate", "exploit", "rebalance", "kpi_gaming"];

/// The colour of each class of [`CLASSES`] as `(red, green, blue)`: the one palette of the replay
/// page's trade dots (sent in its data) and the price chart's manipulator marks.
pub const CLASS_RGB: [(u8, u8, u8); CLASSES.len()] = [
    (0x9a, 0xa5, 0xb1),
    (0x8e, 0x44, 0xad),
    (0xf0, 0x8c, 0x00),
    (0xe0, 0x31, 0x31),
    (0x1c, 0x3d, 0x8f),
    (0x2b, 0x93, 0x48),
    (0x0c, 0xa5, 0xb0),
    (0xd6, 0x33, 0x6c),
    (0x79, 0x55, 0x48),
    (0x5c, 0x7c, 0xfa),
];

/// The colour of class `class` as CSS writes it (`#rrggbb`).
pub fn class_hex(class: usize) -> String {
    let (r, g, b) = CLASS_RGB[class];
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The class of a trade (index into [`CLASSES`]): `wash` when both sides have one owner, else the
/// taker's intent when it is a manipulation, else the maker's, else `organic` (quotes, retail).
pub fn trade_class(wash: bool, taker_intent: &str, maker_intent: &str) -> u8 {
    let of = |intent: &str| CLASSES.iter().skip(1).position(|c| *c == intent).map(|k| k as u8 + 1);
    if wash {
        return 1;
    }
    of(taker_intent).or_else(|| of(maker_intent)).unwrap_or(0)
}

/// One trade.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TradeRow {
    /// Milliseconds since the start (rounded up).
    pub t: i64,
    /// Price in ticks.
    pub price: i64,
    /// Quantity in lots.
    pub qty: i64,
    /// Index into [`CLASSES`].
    pub class: u8,
    /// Taker's group index.
    pub taker: u16,
    /// Maker's group index.
    pub maker: u16,
}

/// A change of the resting quantity at one price level, by one group's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Delta {
    /// Milliseconds since the start (rounded up).
    pub t: i64,
    /// True for the bid side.
    pub bid: bool,
    /// Price in ticks.
    pub price: i64,
    /// Group index.
    pub group: u16,
    /// Change in lots (positive: added).
    pub qty: i64,
}

/// A spoof order's life: placed at `t0`, gone (cancelled or filled) at `t1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spoof {
    /// Placed (ms).
    pub t0: i64,
    /// Gone (ms); the run's end when it never went.
    pub t1: i64,
    /// Price in ticks.
    pub price: i64,
    /// Size in lots.
    pub qty: i64,
    /// True for a bid.
    pub bid: bool,
    /// Group index.
    pub group: u16,
}

/// Everything read from the log.
#[derive(Debug, Default)]
pub struct LogData {
    /// Group names, index = group index (those given first, then any new ones in log order).
    pub groups: Vec<String>,
    /// Trades in log order.
    pub trades: Vec<TradeRow>,
    /// Book changes in log order.
    pub deltas: Vec<Delta>,
    /// Spoof orders.
    pub spoofs: Vec<Spoof>,
    /// Per group, the distinct times (ms) of its order events, ascending.
    pub moves: Vec<Vec<i64>>,
    /// Rows read.
    pub rows: u64,
}

/// A parse failure, with the line.
fn bad(line: u64, what: &str) -> String {
    format!("orders.csv line {line}: {what}")
}

/// Integer units of `unit` in the decimal `s` (exact, else `None`).
pub fn parse_units(s: &str, unit: Decimal) -> Option<i64> {
    let d = Decimal::from_str(s).ok()? / unit;
    (d.fract().is_zero()).then(|| d.to_i64()).flatten()
}

/// Milliseconds, rounded up, of a time in seconds written with up to 9 decimals.
pub fn parse_ms(s: &str) -> Option<i64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = int.parse().ok()?;
    let ns: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<9}").parse().ok()? };
    Some(secs * 1000 + (ns + 999_999) / 1_000_000)
}

/// A fill row waiting for its taker's row.
#[derive(Clone, Debug)]
struct MakerFill {
    price: i64,
    group: u16,
    agent: String,
    account: String,
    intent: String,
}

/// Reads `orders.csv` from `input`; `groups` names the known groups in order.
///
/// # Errors
/// A row that does not parse, with its line.
pub fn read(input: impl Read, units: Units, groups: &[String], end_ms: i64) -> Result<LogData, String> {
    let mut data = LogData { groups: groups.to_vec(), ..LogData::default() };
    data.moves = vec![Vec::new(); groups.len()];
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(input);
    let header = reader.headers().map_err(|e| bad(1, &e.to_string()))?.clone();
    let col = |name: &str| header.iter().position(|h| h == name).ok_or_else(|| bad(1, &format!("no `{name}` column")));
    let [c_t, c_event, c_id, c_agent, c_group, c_account, c_side, c_type, c_price, c_qty, c_rem, c_intent] =
        ["t", "event", "order_id", "agent", "group", "account", "side", "type", "price", "qty", "remaining", "intent"]
            .map(col);
    let (c_t, c_event, c_id, c_agent, c_group, c_account) = (c_t?, c_event?, c_id?, c_agent?, c_group?, c_account?);
    let (c_side, c_type, c_price, c_qty, c_rem, c_intent) = (c_side?, c_type?, c_price?, c_qty?, c_rem?, c_intent?);
    let mut taker: Option<String> = None;
    let mut maker: Option<MakerFill> = None;
    let mut open_spoofs: BTreeMap<String, usize> = BTreeMap::new();
    let mut record = csv::StringRecord::new();
    let mut line = 1u64;
    while reader.read_record(&mut record).map_err(|e| bad(line + 1, &e.to_string()))? {
        line += 1;
        data.rows += 1;
        let f = |c: usize| record.get(c).unwrap_or("");
        let t = parse_ms(f(c_t)).ok_or_else(|| bad(line, "`t` is not a time in seconds"))?;
        let group = group_index(&mut data, f(c_group));
        if data.moves[group as usize].last() != Some(&t) {
            data.moves[group as usize].push(t);
        }
        let event = f(c_event);
        if event == "reject" {
            taker = None;
            continue;
        }
        let id = f(c_id);
        let bid = f(c_side) == "buy";
        let rests = matches!(f(c_type), "limit" | "post_only");
        let price = match f(c_price) {
            "" => 0,
            p => parse_units(p, units.tick).ok_or_else(|| bad(line, "`price` is not on the tick grid"))?,
        };
        let qty = parse_units(f(c_qty), units.lot).ok_or_else(|| bad(line, "`qty` is not a whole number of lots"))?;
        let sign = if event == "new" { 1 } else { -1 };
        if rests && matches!(event, "new" | "fill" | "cancel" | "expire") {
            data.deltas.push(Delta { t, bid, price, group, qty: sign * qty });
        }
        match event {
            "new" => {
                taker = Some(id.to_string());
                maker = None;
                if f(c_intent) == "spoof" && rests {
                    open_spoofs.insert(id.to_string(), data.spoofs.len());
                    data.spoofs.push(Spoof { t0: t, t1: end_ms.max(t), price, qty, bid, group });
                }
            }
            "fill" if taker.as_deref() == Some(id) => {
                if let Some(m) = maker.take() {
                    let wash = m.agent == f(c_agent) || m.account == f(c_account);
                    let class = trade_class(wash, f(c_intent), &m.intent);
                    data.trades.push(TradeRow { t, price: m.price, qty, class, taker: group, maker: m.group });
                }
            }
            "fill" => {
                maker = Some(MakerFill {
                    price,
                    group,
                    agent: f(c_agent).to_string(),
                    account: f(c_account).to_string(),
                    intent: f(c_intent).to_string(),
                });
            }
            _ => {}
        }
        let gone = matches!(event, "cancel" | "expire") || (event == "fill" && f(c_rem).parse::<f64>() == Ok(0.0));
        if gone {
            if let Some(k) = open_spoofs.remove(id) {
                data.spoofs[k].t1 = t;
            }
        }
    }
    Ok(data)
}

fn group_index(data: &mut LogData, name: &str) -> u16 {
    match data.groups.iter().position(|g| g == name) {
        Some(k) => k as u16,
        None => {
            data.groups.push(name.to_string());
            data.moves.push(Vec::new());
            (data.groups.len() - 1) as u16
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn times_round_up_to_the_millisecond() {
        assert_eq!(parse_ms("3"), Some(3000));
        assert_eq!(parse_ms("0.007055914"), Some(8));
        assert_eq!(parse_ms("17.696"), Some(17_696));
        assert_eq!(parse_ms("1.0000001"), Some(1001));
        assert_eq!(parse_ms("x"), None);
    }

    #[test]
    fn a_submission_nets_to_what_rests_and_pairs_fills_into_trades() {
        let units = Units { tick: dec!(0.01), lot: dec!(1) };
        let csv = "t,event,order_id,agent,group,account,side,type,price,qty,remaining,intent,reason\n\
            1,new,1,mm,mm,mm,sell,limit,10.5,100,100,quote,\n\
            1.5,new,2,spoofer,spoofer,spoofer,buy,post_only,10.1,500,500,spoof,\n\
            2,new,3,retail/1,retail,retail/1,buy,limit,10.6,150,150,retail,\n\
            2,fill,1,mm,mm,mm,sell,limit,10.5,100,0,quote,\n\
            2,fill,3,retail/1,retail,retail/1,buy,limit,10.6,100,50,retail,\n\
            3,cancel,2,spoofer,spoofer,spoofer,buy,post_only,10.1,500,0,spoof,\n";
        let groups = vec!["mm".to_string(), "retail".to_string(), "spoofer".to_string()];
        let d = read(csv.as_bytes(), units, &groups, 10_000).unwrap();
        assert_eq!(d.trades, vec![TradeRow { t: 2000, price: 1050, qty: 100, class: 0, taker: 1, maker: 0 }]);
        let net_bid_1060: i64 = d.deltas.iter().filter(|x| x.bid && x.price == 1060).map(|x| x.qty).sum();
        assert_eq!(net_bid_1060, 50, "the unfilled rest of order 3");
        let net_ask: i64 = d.deltas.iter().filter(|x| !x.bid).map(|x| x.qty).sum();
        assert_eq!(net_ask, 0);
        assert_eq!(d.spoofs, vec![Spoof { t0: 1500, t1: 3000, price: 1010, qty: 500, bid: true, group: 2 }]);
        assert_eq!(d.moves[2], vec![1500, 3000]);
    }

    #[test]
    fn classes_prefer_wash_then_the_taker() {
        assert_eq!(CLASSES[trade_class(true, "pump", "quote") as usize], "wash");
        assert_eq!(CLASSES[trade_class(false, "pump", "dump") as usize], "pump");
        assert_eq!(CLASSES[trade_class(false, "retail", "dump") as usize], "dump");
        assert_eq!(CLASSES[trade_class(false, "retail", "quote") as usize], "organic");
    }
}
