//! Contract settlements as HTML tables, rendered generically from `summary.contracts` as
//! `summary.json` writes them (JSON objects) so every contract kind shows up without report code of
//! its own.
//!
//! Each contract object becomes a card: its `name` and `kind` as the heading, scalar fields as a
//! two-column table grouped under headings (terms, status, settlement, protections, outcome) and
//! labelled in words with their units (`labels.rs`), nested objects as sub-tables, and arrays of objects (e.g. a KPI table per
//! period) as tables with one column per key. A row is highlighted as a miss when it has a
//! boolean `met`, `ok`, `pass`, `passed`, `achieved` or `hit` that is `false`, or a `missed`,
//! `miss`, `breach`, `breached`, `failed` or `violated` that is `true`.

use std::fmt::Write;

use serde_json::{Map, Value};

use super::{escape, group_digits};
use crate::contracts::ContractSummary;

const GOOD_WHEN_TRUE: [&str; 6] = ["met", "ok", "pass", "passed", "achieved", "hit"];
const BAD_WHEN_TRUE: [&str; 6] = ["missed", "miss", "breach", "breached", "failed", "violated"];

/// True when the row records a missed target.
fn is_miss(row: &Map<String, Value>) -> bool {
    row.iter().any(|(k, v)| cell_is_miss(k, v))
}

fn cell_is_miss(key: &str, v: &Value) -> bool {
    let key = key.to_ascii_lowercase();
    match v {
        Value::Bool(b) => {
            (GOOD_WHEN_TRUE.contains(&key.as_str()) && !b) || (BAD_WHEN_TRUE.contains(&key.as_str()) && *b)
        }
        _ => false,
    }
}

/// `strike_price` → `strike price`, `kpis` → `KPIs`, `pnl_quote` → `PnL quote`.
fn humanize(key: &str) -> String {
    key.split('_')
        .map(|w| match w.to_ascii_lowercase().as_str() {
            "kpi" => "KPI".to_string(),
            "kpis" => "KPIs".to_string(),
            "pnl" => "PnL".to_string(),
            "mm" => "MM".to_string(),
            "bps" => "bps".to_string(),
            _ => w.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Column order: identifying keys first, pass/miss flags last, the rest as given.
fn column_rank(key: &str) -> usize {
    const FIRST: [&str; 10] = ["period", "name", "label", "kpi", "date", "t", "start", "end", "from", "to"];
    let k = key.to_ascii_lowercase();
    if let Some(i) = FIRST.iter().position(|f| *f == k) {
        i
    } else if GOOD_WHEN_TRUE.contains(&k.as_str()) || BAD_WHEN_TRUE.contains(&k.as_str()) {
        FIRST.len() + 2
    } else {
        FIRST.len() + 1
    }
}

/// A cell for `key`: times in seconds (keys ending `_s`) also read as days, hours and minutes.
fn keyed_cell(key: &str, v: &Value) -> String {
    match v.as_f64() {
        Some(secs) if key.ends_with("_s") && secs >= 60.0 => format!("{} ({})", duration(secs), cell(v)),
        _ => cell(v),
    }
}

/// `secs` as `2 d 3 h`, `10 h 22 min` or `5 min 3 s`.
fn duration(secs: f64) -> String {
    let s = secs.round() as u64;
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    match (d, h, m) {
        (0, 0, _) => format!("{m} min {sec} s"),
        (0, _, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h"),
    }
}

/// A scalar (or a short inline rendering of a nested value).
fn cell(v: &Value) -> String {
    match v {
        Value::Null => "–".to_string(),
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        Value::Number(n) => group_digits(&n.to_string()),
        Value::String(s) => escape(s),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(cell).collect::<Vec<_>>().join(", ")
        }
        other => format!("<code>{}</code>", escape(&other.to_string())),
    }
}

fn is_table(v: &Value) -> bool {
    matches!(v, Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object))
}

/// All contracts, or a sentence saying there are none.
pub(super) fn contracts_html(contracts: &[ContractSummary]) -> String {
    let values: Vec<Value> = contracts.iter().map(ContractSummary::to_json).collect();
    values_html(&values)
}

/// Contracts given as JSON objects.
fn values_html(contracts: &[Value]) -> String {
    if contracts.is_empty() {
        return "<p class=\"muted\">No contracts in this scenario.</p>\n".to_string();
    }
    let mut out = String::new();
    for c in contracts {
        match c {
            Value::Object(obj) => {
                let name = obj.get("name").and_then(Value::as_str).unwrap_or("contract");
                let kind = obj
                    .get("kind")
                    .and_then(Value::as_str)
                    .map(|k| format!(" <span class=\"kind\">{}</span>", escape(&humanize(k))));
                let _ = writeln!(out, "<div class=\"card\"><h3>{}{}</h3>", escape(name), kind.unwrap_or_default());
                object_html(&mut out, obj, 0);
                out.push_str("</div>\n");
            }
            other => {
                let _ = writeln!(out, "<div class=\"card\"><pre>{}</pre></div>", escape(&other.to_string()));
            }
        }
    }
    out
}

/// Scalars first as a key/value table, then nested objects and tables under their own headings.
fn object_html(out: &mut String, obj: &Map<String, Value>, depth: usize) {
    let scalars: Vec<(&String, &Value)> =
        obj.iter().filter(|(k, v)| !matches!(k.as_str(), "name" | "kind") && !v.is_object() && !is_table(v)).collect();
    if !scalars.is_empty() {
        out.push_str("<table class=\"kv\"><tbody>\n");
        // Top-level figures grouped under headings, in words with their units.
        let mut rows: Vec<(usize, String, &String, &Value)> = scalars
            .into_iter()
            .map(|(k, v)| {
                let (group, words) = if depth == 0 { super::labels::label(k) } else { (0, None) };
                (group, words.map_or_else(|| humanize(k), str::to_string), k, v)
            })
            .collect();
        rows.sort_by_key(|r| r.0);
        let mut shown: Option<usize> = None;
        for (group, words, k, v) in rows {
            if depth == 0 && shown != Some(group) {
                let _ =
                    writeln!(out, "<tr class=\"group\"><th colspan=\"2\">{}</th></tr>", super::labels::GROUPS[group]);
                shown = Some(group);
            }
            let class = if cell_is_miss(k, v) { " class=\"miss\"" } else { "" };
            let _ =
                writeln!(out, "<tr{class}><th>{}</th><td class=\"num\">{}</td></tr>", escape(&words), keyed_cell(k, v));
        }
        out.push_str("</tbody></table>\n");
    }
    for (k, v) in obj {
        match v {
            Value::Object(inner) if depth < 3 => {
                let _ = writeln!(out, "<h4>{}</h4>", escape(&humanize(k)));
                object_html(out, inner, depth + 1);
            }
            Value::Object(inner) => {
                let _ = writeln!(
                    out,
                    "<h4>{}</h4><pre>{}</pre>",
                    escape(&humanize(k)),
                    escape(&Value::Object(inner.clone()).to_string())
                );
            }
            v if is_table(v) => {
                let _ = writeln!(out, "<h4>{}</h4>", escape(&humanize(k)));
                rows_html(out, v.as_array().map(Vec::as_slice).unwrap_or_default());
            }
            _ => {}
        }
    }
}

/// An array of objects as one table, columns in order of first appearance; misses highlighted.
fn rows_html(out: &mut String, rows: &[Value]) {
    let mut columns: Vec<&str> = Vec::new();
    for row in rows.iter().filter_map(Value::as_object) {
        for k in row.keys() {
            if !columns.contains(&k.as_str()) {
                columns.push(k);
            }
        }
    }
    columns.sort_by_key(|c| column_rank(c));
    let misses = rows.iter().filter_map(Value::as_object).filter(|r| is_miss(r)).count();
    out.push_str("<div class=\"scroll\"><table><thead><tr>");
    for c in &columns {
        let _ = write!(out, "<th>{}</th>", escape(&humanize(c)));
    }
    out.push_str("</tr></thead><tbody>\n");
    for row in rows.iter().filter_map(Value::as_object) {
        out.push_str(if is_miss(row) { "<tr class=\"miss\">" } else { "<tr>" });
        for c in &columns {
            let v = row.get(*c).unwrap_or(&Value::Null);
            let class = if cell_is_miss(c, v) { "num bad" } else { "num" };
            let _ = write!(out, "<td class=\"{class}\">{}</td>", keyed_cell(c, v));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
    if misses > 0 {
        let _ = writeln!(
            out,
            "<p class=\"missnote\">{misses} of {} rows missed their target (highlighted).</p>",
            rows.len()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tables_and_misses() {
        let c = json!({"name": "retainer", "kind": "subscription", "fee_quote": 10000, "paid": true,
            "kpis": [{"period": 1, "spread_bps": 80, "met": true}, {"period": 2, "spread_bps": 250, "met": false}],
            "option": {"strike": "0.05", "value_quote": 1234.5}});
        let html = values_html(&[c]);
        assert!(html.contains("<h3>retainer <span class=\"kind\">subscription</span></h3>"), "{html}");
        assert!(html.contains("fee quote") && html.contains("10,000"), "{html}");
        assert!(html.contains("<th colspan=\"2\">Other figures</th>"), "{html}");
        let loan = values_html(&[json!({"name": "l", "kind": "token_loan", "option_value_pct": 0.103657,
            "collateral_forfeited_quote": 5, "status": "settled"})]);
        assert!(loan.contains("<th>calls&#39; value at signing (% of the loan)</th>"), "words and units: {loan}");
        assert!(!loan.contains("option value pct"), "{loan}");
        let order = ["Terms", "Status", "Protections"].map(|g| loan.find(&format!(">{g}</th>")).unwrap());
        assert!(order[0] < order[1] && order[1] < order[2], "grouped in order: {loan}");
        assert!(html.contains("<h4>KPIs</h4>"), "{html}");
        assert!(html.contains("<th>period</th><th>spread bps</th><th>met</th>"), "{html}");
        assert!(html.contains("<tr class=\"miss\">"), "{html}");
        assert_eq!(html.matches("<tr class=\"miss\">").count(), 1);
        assert!(html.contains("1 of 2 rows missed"));
        assert!(html.contains("<h4>option</h4>") && html.contains("1,234.5"));
        assert!(contracts_html(&[]).contains("No contracts"));
        let loan = values_html(&[json!({"name": "loan", "settled_s": 37340.27, "start_s": 0, "expiry_s": 2592000})]);
        assert!(loan.contains("10 h 22 min (37,340.27)") && loan.contains("30 d 0 h (2,592,000)"), "{loan}");
        assert!(loan.contains("<td class=\"num\">0</td>"), "under a minute: the number alone");
    }
}
