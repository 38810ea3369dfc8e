//! The subscription's `summary.json` entry and `contracts.csv` rows (one per period).
//!
//! Keys: `fees_paid`, `fees_withheld`, `fees_unpaid`, `periods` (settled periods), `periods_failed`
//! (settled periods that missed a KPI), `terminated`, `terminated_at_s`, `revoked_orders`, `project_trading_pnl`, the
//! thresholds, overall `uptime`/`volume_quote`/`volume_share`, and `kpis`: one object per period
//! with each KPI's measured value and its `*_met` flag (`null` when the contract does not check it)
//! and `met` for the period as a whole.

use serde_json::{json, Map, Value};

use super::{PeriodResult, Subscription};
use crate::contracts::report::{
    f64_text, head, net_into, num_f64, opt_f64, secs, ContractReport, ContractRow, Fmt, Transfer,
};
use crate::contracts::spec::OnMiss;
use crate::metrics::Units;
use crate::types::{Cash, Qty};

impl Subscription {
    /// The summary entry and the rows; `external` are the transfers (of every contract, this one
    /// included) made on the traded account after this contract began.
    pub fn report(&self, units: Units, external: &[Transfer]) -> ContractReport {
        let f = Fmt(units);
        let settled: Vec<&PeriodResult> = self.periods.iter().filter(|p| p.settled).collect();
        let sum = |get: fn(&PeriodResult) -> Cash| self.periods.iter().fold(Cash::ZERO, |a, p| a + get(p));
        let t = &self.terms;
        let k = &t.kpis;
        let mut m = head(&self.name, "subscription", Some(&t.mm));
        let mut put = |key: &str, v: Value| {
            m.insert(key.to_string(), v);
        };
        put("account", json!(t.payer));
        put("fee_account", json!(t.fee_account));
        put("fee_per_period", f.cash(t.fee_per_period));
        put("period_days", num_f64(t.period.nanos() as f64 / crate::contracts::kpi::DAY_NS as f64));
        put(
            "on_miss",
            json!(match t.on_miss {
                OnMiss::Withhold => "withhold".to_string(),
                OnMiss::Cut(c) => format!("cut:{}%", (c * rust_decimal::Decimal::ONE_HUNDRED).normalize()),
            }),
        );
        put("terminate_after_misses", json!(t.terminate_after_misses));
        put("rule", json!(k.rule));
        put("snapshot_every_s", num_f64(k.snapshot_every.secs_f64()));
        put("max_spread_bps", opt_f64(k.max_spread_bps));
        put("min_depth_quote", k.min_depth_quote.map_or(Value::Null, |c| f.cash(c)));
        put("min_uptime", opt_f64(k.min_uptime));
        put("min_daily_volume_quote", k.min_daily_volume_quote.map_or(Value::Null, |c| f.cash(c)));
        put("depth_band", num_f64(k.depth_band));
        put("fees_paid", f.cash(sum(|p| p.fee_paid)));
        put("fees_withheld", f.cash(sum(|p| p.fee_withheld)));
        put("fees_unpaid", f.cash(sum(|p| p.fee_unpaid)));
        put("periods", json!(settled.len()));
        put("periods_failed", json!(settled.iter().filter(|p| !p.kpi.met()).count()));
        put("terminated", json!(self.terminated_at.is_some()));
        put("terminated_at_s", self.terminated_at.map_or(Value::Null, secs));
        put("revoked_orders", json!(self.revoked_orders));
        put("project_trading_pnl", self.trading_pnl(f, external));
        let snaps: u64 = self.periods.iter().map(|p| p.kpi.snapshots).sum();
        let qual: u64 = self.periods.iter().map(|p| p.kpi.qualifying).sum();
        put("uptime", num_f64(if snaps > 0 { qual as f64 / snaps as f64 } else { 0.0 }));
        let vol = sum(|p| p.kpi.volume);
        let market = sum(|p| p.kpi.market_volume);
        put("volume_quote", f.cash(vol));
        put("volume_share", num_f64(if market.0 > 0 { vol.0 as f64 / market.0 as f64 } else { 0.0 }));
        put("kpis", Value::Array(self.periods.iter().enumerate().map(|(i, p)| period_json(f, i, p)).collect()));
        let rows = self.periods.iter().enumerate().map(|(i, p)| self.row(f, i, p)).collect();
        ContractReport { summary: Value::Object(m), rows }
    }

    /// The account's trading result, or null before the contract began.
    fn trading_pnl(&self, f: Fmt, external: &[Transfer]) -> Value {
        let (Some(since), Some((mark, end))) = (self.begun, self.end) else { return Value::Null };
        let (in_cash, in_tokens) = net_into(external, self.payer, since);
        let d_cash = end.0 - self.account_start.0 - in_cash;
        let d_tokens: Qty = end.1 - self.account_start.1 - in_tokens;
        f.cash(d_cash + Cash::notional(mark, d_tokens))
    }

    fn row(&self, f: Fmt, i: usize, p: &PeriodResult) -> ContractRow {
        let k = &p.kpi;
        let mut values = vec![
            ("kpis_met", k.met().to_string()),
            ("snapshots", k.snapshots.to_string()),
            ("uptime", f64_text(k.uptime)),
            ("spread_bps", k.spread_bps.map(f64_text).unwrap_or_default()),
            ("depth_bid_quote", f.cash_f64_text(k.depth_bid)),
            ("depth_ask_quote", f.cash_f64_text(k.depth_ask)),
            ("volume_quote", f.cash_text(k.volume)),
            ("volume_share", f64_text(k.volume_share)),
        ];
        if p.settled {
            values.push(("fee_due", f.cash_text(p.fee_due)));
            values.push(("fee_paid", f.cash_text(p.fee_paid)));
            values.push(("fee_withheld", f.cash_text(p.fee_withheld)));
        }
        ContractRow {
            contract: self.name.clone(),
            kind: "subscription",
            mm: Some(self.terms.mm.clone()),
            period: i as u32 + 1,
            start_s: k.start.as_secs_f64(),
            end_s: k.end.as_secs_f64(),
            settled: p.settled,
            values,
        }
    }
}

fn period_json(f: Fmt, i: usize, p: &PeriodResult) -> Value {
    let k = &p.kpi;
    let mut m = Map::new();
    let mut put = |key: &str, v: Value| {
        m.insert(key.to_string(), v);
    };
    put("period", json!(i + 1));
    put("start_s", secs(k.start));
    put("end_s", secs(k.end));
    put("settled", json!(p.settled));
    put("snapshots", json!(k.snapshots));
    put("uptime", num_f64(k.uptime));
    put("uptime_met", json!(k.uptime_met));
    put("days", json!(k.days));
    put("days_qualified", json!(k.days_qualified));
    put("spread_bps", opt_f64(k.spread_bps));
    put("spread_met", json!(k.spread_met));
    put("depth_bid_quote", f.cash_f64(k.depth_bid));
    put("depth_ask_quote", f.cash_f64(k.depth_ask));
    put("depth_met", json!(k.depth_met));
    put("volume_quote", f.cash(k.volume));
    put("daily_volume_quote", f.cash_f64(k.daily_volume()));
    put("volume_share", num_f64(k.volume_share));
    put("volume_met", json!(k.volume_met));
    put("met", json!(k.met()));
    put("fee_paid", f.cash(p.fee_paid));
    put("fee_withheld", f.cash(p.fee_withheld));
    put("fee_unpaid", f.cash(p.fee_unpaid));
    Value::Object(m)
}
