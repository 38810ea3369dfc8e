//! Reading what the detectors look at: a run's `trades.csv` and `orders.csv`, or an external trade
//! (and order) log in the same columns without the label columns.
//!
//! Trades need `t,price,qty,aggressor_side`; the optional columns `maker_agent,taker_agent`
//! (beneficial owners), `maker_account,taker_account` (accounts), `maker_order,taker_order` and the
//! labels `maker_intent,taker_intent,wash` are used when present. Orders need
//! `t,event,order_id,side,type,price,qty,remaining` with optional `agent,account,intent`. Labels
//! exist when the intent columns do (a run of mmsim); an external log has none and is only alerted
//! on, never scored.

use std::path::Path;

/// A trade as the detectors see it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TradeRow {
    /// Seconds since the start.
    pub t: f64,
    /// Price in quote units.
    pub price: f64,
    /// Quantity in tokens.
    pub qty: f64,
    /// True when the incoming (taker) order bought.
    pub buy: bool,
    /// Maker's owner (empty when unknown).
    pub maker: String,
    /// Taker's owner.
    pub taker: String,
    /// Maker's account (the owner when unknown).
    pub maker_account: String,
    /// Taker's account.
    pub taker_account: String,
    /// Taker order id (0 when unknown).
    pub taker_order: u64,
    /// Maker intent label (empty without labels).
    pub maker_intent: String,
    /// Taker intent label.
    pub taker_intent: String,
    /// Ground-truth wash flag (false without labels).
    pub wash: bool,
}

/// One order event.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OrderRow {
    /// Seconds since the start.
    pub t: f64,
    /// `new`, `fill`, `cancel`, `expire`, `reject`, `modify`.
    pub event: String,
    /// Order id.
    pub id: u64,
    /// Owner (individual).
    pub agent: String,
    /// Group (empty when unknown).
    pub group: String,
    /// True for a buy.
    pub buy: bool,
    /// Order type.
    pub kind: String,
    /// Limit price (0 when none).
    pub price: f64,
    /// Quantity of the event.
    pub qty: f64,
    /// What is left of the order after the event.
    pub remaining: f64,
    /// Intent label (empty without labels).
    pub intent: String,
}

/// What the detectors read.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    /// Trades in time order.
    pub trades: Vec<TradeRow>,
    /// Order events in time order (empty when there is no order log).
    pub orders: Vec<OrderRow>,
    /// True when the logs carry ground-truth labels.
    pub labelled: bool,
}

/// Why a log could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be read or parsed as CSV.
    #[error("{file}: {source}")]
    Csv {
        /// The file.
        file: String,
        /// The CSV error.
        source: csv::Error,
    },
    /// A required column is missing.
    #[error("{file}: no `{column}` column (the header must name at least {required})")]
    Column {
        /// The file.
        file: String,
        /// The missing column.
        column: &'static str,
        /// The required columns.
        required: &'static str,
    },
    /// A value does not parse.
    #[error("{file}, line {line}: `{column}` = {value:?} is not a number")]
    Value {
        /// The file.
        file: String,
        /// 1-based line.
        line: u64,
        /// The column.
        column: String,
        /// The value.
        value: String,
    },
    /// No trades file.
    #[error("{0}: no trades.csv here (give a run directory, or a directory holding trades.csv [and orders.csv])")]
    NoTrades(String),
}

struct Table {
    file: String,
    header: Vec<String>,
    /// Taken by [`Table::each`] (a table is read once).
    reader: Option<csv::Reader<std::fs::File>>,
}

impl Table {
    fn read(path: &Path) -> Result<Table, DataError> {
        let file = path.display().to_string();
        let err = |source| DataError::Csv { file: file.clone(), source };
        let mut reader = csv::Reader::from_path(path).map_err(err)?;
        let header = reader.headers().map_err(err)?.iter().map(str::to_string).collect();
        Ok(Table { file, header, reader: Some(reader) })
    }

    /// Calls `f` on every record in turn (streamed: the file is never held in memory).
    fn each(
        &mut self,
        mut f: impl FnMut(&Table, u64, &csv::StringRecord) -> Result<(), DataError>,
    ) -> Result<(), DataError> {
        let mut rec = csv::StringRecord::new();
        let Some(mut reader) = self.reader.take() else { return Ok(()) };
        loop {
            match reader.read_record(&mut rec) {
                Ok(true) => {
                    let line = rec.position().map_or(0, |p| p.line());
                    f(self, line, &rec)?;
                }
                Ok(false) => break,
                Err(source) => return Err(DataError::Csv { file: self.file.clone(), source }),
            }
        }
        Ok(())
    }

    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    fn need(&self, name: &'static str, required: &'static str) -> Result<usize, DataError> {
        self.col(name).ok_or_else(|| DataError::Column { file: self.file.clone(), column: name, required })
    }

    fn num(&self, line: u64, rec: &csv::StringRecord, c: usize) -> Result<f64, DataError> {
        let v = rec.get(c).unwrap_or("");
        if v.is_empty() {
            return Ok(0.0);
        }
        v.parse().map_err(|_| DataError::Value {
            file: self.file.clone(),
            line,
            column: self.header[c].clone(),
            value: v.to_string(),
        })
    }
}

fn text(rec: &csv::StringRecord, c: Option<usize>) -> String {
    c.and_then(|c| rec.get(c)).unwrap_or("").to_string()
}

const TRADE_COLS: &str = "t,price,qty,aggressor_side";
const ORDER_COLS: &str = "t,event,order_id,side,type,price,qty,remaining";

/// Reads `dir/trades.csv` and, when present, `dir/orders.csv`.
///
/// # Errors
/// [`DataError`]: a missing file or column, or a value that does not parse.
pub fn load(dir: &Path) -> Result<Dataset, DataError> {
    let trades_path = dir.join("trades.csv");
    if !trades_path.exists() {
        return Err(DataError::NoTrades(dir.display().to_string()));
    }
    let mut tt = Table::read(&trades_path)?;
    let [t, price, qty, side] = [
        tt.need("t", TRADE_COLS)?,
        tt.need("price", TRADE_COLS)?,
        tt.need("qty", TRADE_COLS)?,
        tt.need("aggressor_side", TRADE_COLS)?,
    ];
    let opt = |n: &str| tt.col(n);
    let (mk, tk, ma, ta, to) =
        (opt("maker_agent"), opt("taker_agent"), opt("maker_account"), opt("taker_account"), opt("taker_order"));
    let (mi, ti, wash) = (opt("maker_intent"), opt("taker_intent"), opt("wash"));
    let mut trades = Vec::new();
    tt.each(|tt, line, rec| {
        let line = &line;
        let maker = text(rec, mk);
        let taker = text(rec, tk);
        let maker_account = if ma.is_some() { text(rec, ma) } else { maker.clone() };
        let taker_account = if ta.is_some() { text(rec, ta) } else { taker.clone() };
        trades.push(TradeRow {
            t: tt.num(*line, rec, t)?,
            price: tt.num(*line, rec, price)?,
            qty: tt.num(*line, rec, qty)?,
            buy: rec.get(side) == Some("buy"),
            maker,
            taker,
            maker_account,
            taker_account,
            taker_order: match to {
                Some(c) => tt.num(*line, rec, c)? as u64,
                None => 0,
            },
            maker_intent: text(rec, mi),
            taker_intent: text(rec, ti),
            wash: text(rec, wash) == "true",
        });
        Ok(())
    })?;
    let labelled = mi.is_some() && ti.is_some();
    let orders_path = dir.join("orders.csv");
    let orders = if orders_path.exists() { load_orders(&orders_path)? } else { Vec::new() };
    Ok(Dataset { trades, orders, labelled })
}

fn load_orders(path: &Path) -> Result<Vec<OrderRow>, DataError> {
    let mut ot = Table::read(path)?;
    let need = |n| ot.need(n, ORDER_COLS);
    let [t, event, id, side, kind, price, qty, remaining] = [
        need("t")?,
        need("event")?,
        need("order_id")?,
        need("side")?,
        need("type")?,
        need("price")?,
        need("qty")?,
        need("remaining")?,
    ];
    let (agent, group, intent, account) = (ot.col("agent"), ot.col("group"), ot.col("intent"), ot.col("account"));
    let mut out = Vec::new();
    ot.each(|ot, line, rec| {
        let line = &line;
        let mut who = text(rec, agent);
        if who.is_empty() {
            who = text(rec, account);
        }
        out.push(OrderRow {
            t: ot.num(*line, rec, t)?,
            event: text(rec, Some(event)),
            id: ot.num(*line, rec, id)? as u64,
            agent: who,
            group: text(rec, group),
            buy: rec.get(side) == Some("buy"),
            kind: text(rec, Some(kind)),
            price: ot.num(*line, rec, price)?,
            qty: ot.num(*line, rec, qty)?,
            remaining: ot.num(*line, rec, remaining)?,
            intent: text(rec, intent),
        });
        Ok(())
    })?;
    Ok(out)
}
