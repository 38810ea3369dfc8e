//! The report's words and tables built from [`Summary`] figures: the one-line run facts, the
//! plain-sentence account of what happened, the key-figure tables (one column per run, plus the
//! difference when two runs are compared), the conservation check and the glossary.

use std::fmt::Write;

use rust_decimal::Decimal;

use super::{escape, group_digits};
use crate::metrics::summary::{GroupSummary, Summary};
use crate::metrics::PartyKind;

/// How a figure is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fmt {
    /// Exact price.
    Price,
    /// Quote units with two decimals (up to four below 1).
    Money,
    /// A signed amount of money (PnL).
    Pnl,
    /// Tokens, exact.
    Tokens,
    /// A whole count.
    Count,
    /// A percentage with one decimal.
    Percent,
}

fn fmt(d: Option<Decimal>, how: Fmt) -> String {
    let Some(d) = d else { return "–".to_string() };
    let text = match how {
        Fmt::Price | Fmt::Tokens | Fmt::Count => group_digits(&d.normalize().to_string()),
        Fmt::Money | Fmt::Pnl if d.is_zero() => "0".to_string(),
        Fmt::Money | Fmt::Pnl if d.abs() < Decimal::ONE => group_digits(&d.round_dp(4).normalize().to_string()),
        Fmt::Money | Fmt::Pnl => group_digits(&format!("{:.2}", d.round_dp(2))),
        Fmt::Percent => format!("{}%", group_digits(&d.round_dp(1).to_string())),
    };
    if how == Fmt::Pnl && d > Decimal::ZERO {
        format!("+{text}")
    } else {
        text
    }
}

/// A cell; a signed one (PnL, difference) is coloured and shows a `+` when positive.
fn td(d: Option<Decimal>, how: Fmt, signed: bool) -> String {
    let class = match d {
        Some(d) if signed && d > Decimal::ZERO => "num pos",
        Some(d) if signed && d < Decimal::ZERO => "num neg",
        _ => "num",
    };
    let text = fmt(d, how);
    let plus = signed && d.is_some_and(|d| d > Decimal::ZERO) && !text.starts_with('+');
    format!("<td class=\"{class}\">{}{text}</td>", if plus { "+" } else { "" })
}

/// Seed, simulated time, events and trades in one line.
pub(super) fn meta_line(s: &Summary) -> String {
    let secs = s.sim_seconds;
    let length = match secs {
        x if x < 120.0 => format!("{x:.0} seconds"),
        x if x < 7200.0 => format!("{:.0} minutes", x / 60.0),
        x if x < 3.0 * 86_400.0 => format!("{:.1} hours", x / 3600.0),
        x => format!("{:.1} days", x / 86_400.0),
    };
    let events = group_digits(&s.events.to_string());
    let trades = group_digits(&s.volume.trades.to_string());
    format!("Simulated {length} of trading · seed {} · {events} events · {trades} trades", s.seed)
}

fn pct_change(from: Decimal, to: Decimal) -> Option<Decimal> {
    (!from.is_zero()).then(|| (to / from - Decimal::ONE) * Decimal::ONE_HUNDRED)
}

/// The first party of kind `project`.
fn project(s: &Summary) -> Option<&GroupSummary> {
    s.groups.iter().find(|g| g.kind == PartyKind::Project)
}

/// What happened, in a few sentences.
pub(super) fn in_short(s: &Summary) -> String {
    let mut items = Vec::new();
    let p = &s.price;
    match (p.open, p.close, p.high, p.low) {
        (Some(open), Some(close), Some(high), Some(low)) => {
            let change =
                pct_change(open, close).map_or(String::new(), |c| format!(" ({})", fmt(Some(c), Fmt::Percent)));
            let change = change.replacen(" (", if close > open { " (+" } else { " (" }, 1);
            items.push(format!(
                "The price opened at <b>{}</b> and closed at <b>{}</b>{change}; it traded between {} and {}.",
                fmt(Some(open), Fmt::Price),
                fmt(Some(close), Fmt::Price),
                fmt(Some(low), Fmt::Price),
                fmt(Some(high), Fmt::Price)
            ));
        }
        _ => items.push("Nothing traded during the run.".to_string()),
    }
    let v = &s.volume;
    if v.trades > 0 {
        items.push(format!(
            "{} trades worth <b>{}</b> quote changed hands; {}.",
            group_digits(&v.trades.to_string()),
            fmt(Some(v.quote_total), Fmt::Money),
            if v.quote_wash.is_zero() {
                "none of it was wash trading".to_string()
            } else {
                format!("{} of it ({:.1}%) was wash trading", fmt(Some(v.quote_wash), Fmt::Money), v.wash_share * 100.0)
            }
        ));
    }
    let traders: Vec<&GroupSummary> =
        s.groups.iter().filter(|g| g.kind != PartyKind::Exchange && !g.pnl_quote.is_zero()).collect();
    let winner = traders.iter().max_by_key(|g| g.pnl_quote).filter(|g| g.pnl_quote > Decimal::ZERO);
    let loser = traders.iter().min_by_key(|g| g.pnl_quote).filter(|g| g.pnl_quote < Decimal::ZERO);
    match (winner, loser) {
        (Some(w), Some(l)) => items.push(format!(
            "Biggest gain: <b>{}</b> ({}). Biggest loss: <b>{}</b> ({}).",
            escape(&w.name),
            fmt(Some(w.pnl_quote), Fmt::Pnl),
            escape(&l.name),
            fmt(Some(l.pnl_quote), Fmt::Pnl)
        )),
        (Some(w), None) => {
            items.push(format!("Biggest gain: <b>{}</b> ({}).", escape(&w.name), fmt(Some(w.pnl_quote), Fmt::Pnl)))
        }
        (None, Some(l)) => {
            items.push(format!("Biggest loss: <b>{}</b> ({}).", escape(&l.name), fmt(Some(l.pnl_quote), Fmt::Pnl)))
        }
        (None, None) => {}
    }
    if let Some(pr) = project(s) {
        let cash = pr.cash_end - pr.cash_start;
        let tokens = pr.tokens_end - pr.tokens_start;
        let lent = if pr.tokens_lent > Decimal::ZERO {
            format!(" ({} of them lent out and still owed)", fmt(Some(pr.tokens_lent), Fmt::Tokens))
        } else {
            String::new()
        };
        let word =
            |d: Decimal, more: &str, less: &str| if d < Decimal::ZERO { less.to_string() } else { more.to_string() };
        items.push(format!(
            "The project's treasury{} ended with {} {} cash and {} {} tokens{lent}: a result of <b>{}</b> \
             quote, marked to the closing price.",
            if pr.name == "project" { String::new() } else { format!(" ({})", escape(&pr.name)) },
            fmt(Some(cash.abs()), Fmt::Money),
            word(cash, "more", "less"),
            fmt(Some(tokens.abs()), Fmt::Tokens),
            word(tokens, "more", "fewer"),
            fmt(Some(pr.pnl_quote), Fmt::Pnl)
        ));
        let owned = pr.tokens_end + pr.tokens_lent;
        if let (Some(open), Some(close)) = (s.price.open, s.price.close) {
            if owned > Decimal::ZERO && pr.tokens_start > Decimal::ZERO {
                items.push(format!(
                    "Its tokens were worth {} at the open and {} at the close.",
                    fmt(Some(pr.tokens_start * open), Fmt::Money),
                    fmt(Some(owned * close), Fmt::Money)
                ));
            }
        }
    }
    if let Some(ex) = s.groups.iter().find(|g| g.kind == PartyKind::Exchange && !g.pnl_quote.is_zero()) {
        items.push(format!("The exchange earned {} quote in fees.", fmt(Some(ex.pnl_quote), Fmt::Money)));
    }
    if !s.conservation.ok {
        items.push("<b class=\"neg\">The conservation check failed: see Checks below.</b>".to_string());
    }
    let mut out = String::from("<ul class=\"short\">\n");
    for i in items {
        let _ = writeln!(out, "<li>{i}</li>");
    }
    out.push_str("</ul>\n");
    out
}

/// One row of a key-figure table: a value per run.
fn row(out: &mut String, label: &str, values: &[Option<Decimal>], how: Fmt) {
    let _ = write!(out, "<tr><th>{}</th>", escape(label));
    for v in values {
        out.push_str(&td(*v, how, how == Fmt::Pnl));
    }
    // The one sign convention: the first run (actual) minus the second (counterfactual), as in
    // comparison.csv and the terminal.
    if let [Some(a), Some(b)] = values {
        out.push_str(&td(Some(*a - *b), how, true));
    } else if values.len() == 2 {
        out.push_str("<td class=\"num\">–</td>");
    }
    out.push_str("</tr>\n");
}

fn table_head(out: &mut String, first: &str, labels: &[String]) {
    let _ = write!(out, "<table><thead><tr><th>{}</th>", escape(first));
    for l in labels {
        let _ = write!(out, "<th class=\"num\">{}</th>", escape(l));
    }
    if labels.len() == 2 {
        let _ = write!(out, "<th class=\"num\">difference ({} − {})</th>", escape(&labels[0]), escape(&labels[1]));
    }
    out.push_str("</tr></thead><tbody>\n");
}

/// Price, volume, PnL per party and the project's outcome, one column per run.
pub(super) fn key_figures(runs: &[&Summary], labels: &[String]) -> String {
    let mut out = String::new();
    let col = |f: &dyn Fn(&Summary) -> Option<Decimal>| runs.iter().map(|s| f(s)).collect::<Vec<_>>();
    let heads: Vec<String> = if runs.len() == 1 { vec!["value".to_string()] } else { labels.to_vec() };

    out.push_str(if runs.len() == 1 { "<div class=\"tables\">\n" } else { "<div class=\"tables wide\">\n" });
    out.push_str("<div>\n<h3>Price (quote per token)</h3>\n");
    table_head(&mut out, "", &heads);
    row(&mut out, "open (first trade)", &col(&|s| s.price.open), Fmt::Price);
    row(&mut out, "high", &col(&|s| s.price.high), Fmt::Price);
    row(&mut out, "low", &col(&|s| s.price.low), Fmt::Price);
    row(&mut out, "close (last trade)", &col(&|s| s.price.close), Fmt::Price);
    row(&mut out, "change open → close", &col(&|s| pct_change(s.price.open?, s.price.close?)), Fmt::Percent);
    out.push_str("</tbody></table>\n</div>\n<div>\n<h3>Volume (quote)</h3>\n");
    table_head(&mut out, "", &heads);
    row(&mut out, "all trades", &col(&|s| Some(s.volume.quote_total)), Fmt::Money);
    row(&mut out, "real trades", &col(&|s| Some(s.volume.quote_total - s.volume.quote_wash)), Fmt::Money);
    row(&mut out, "wash trades", &col(&|s| Some(s.volume.quote_wash)), Fmt::Money);
    row(&mut out, "wash share", &col(&|s| Decimal::from_f64_retain(s.volume.wash_share * 100.0)), Fmt::Percent);
    row(&mut out, "number of trades", &col(&|s| Some(Decimal::from(s.volume.trades))), Fmt::Count);
    out.push_str("</tbody></table>\n</div>\n");
    project_outcome(&mut out, runs, &heads);
    out.push_str("</div>\n");

    out.push_str("<h3>Profit and loss by party (quote, marked to the closing price)</h3>\n");
    if runs.len() == 1 {
        party_table(&mut out, runs[0]);
    } else {
        let mut names: Vec<&str> = Vec::new();
        for s in runs {
            for g in &s.groups {
                if !names.contains(&g.name.as_str()) {
                    names.push(&g.name);
                }
            }
        }
        table_head(&mut out, "party", labels);
        for name in names {
            row(&mut out, name, &col(&|s| s.group(name).map(|g| g.pnl_quote)), Fmt::Pnl);
        }
        out.push_str("</tbody></table>\n");
    }

    out
}

/// The project's balances and result, when a run has a project.
fn project_outcome(out: &mut String, runs: &[&Summary], heads: &[String]) {
    if !runs.iter().any(|s| project(s).is_some()) {
        return;
    }
    let col = |f: &dyn Fn(&GroupSummary) -> Decimal| runs.iter().map(|s| project(s).map(f)).collect::<Vec<_>>();
    out.push_str("<div>\n<h3>The project's outcome</h3>\n");
    table_head(out, "", heads);
    row(out, "cash at the start", &col(&|p| p.cash_start), Fmt::Money);
    row(out, "cash at the end", &col(&|p| p.cash_end), Fmt::Money);
    row(out, "tokens at the start", &col(&|p| p.tokens_start), Fmt::Tokens);
    row(out, "tokens at the end", &col(&|p| p.tokens_end), Fmt::Tokens);
    if runs.iter().filter_map(|s| project(s)).any(|p| !p.tokens_lent.is_zero()) {
        row(out, "tokens lent out, still owed", &col(&|p| p.tokens_lent), Fmt::Tokens);
    }
    // What its tokens (held and lent) are worth: the loss a price collapse inflicts on a treasury,
    // which the PnL (measured against holding the starting tokens) does not show.
    let open: Vec<_> = runs.iter().map(|s| Some(project(s)?.tokens_start * s.price.open?)).collect();
    let close: Vec<_> =
        runs.iter().map(|s| Some((project(s)?.tokens_end + project(s)?.tokens_lent) * s.price.close?)).collect();
    row(out, "its tokens' value at the open", &open, Fmt::Money);
    row(out, "its tokens' value at the close", &close, Fmt::Money);
    let outcome = |f: fn(&crate::accounting::ProjectOutcome) -> Decimal| -> Vec<Option<Decimal>> {
        runs.iter().map(|s| crate::accounting::project_outcome(s).as_ref().map(f)).collect()
    };
    if runs.iter().filter_map(|s| project(s)).any(|p| !p.cash_deposited.is_zero()) {
        row(out, "cash deposited elsewhere, still its own", &col(&|p| p.cash_deposited), Fmt::Money);
        row(out, "of which the rule would withhold (projected)", &outcome(|o| o.withheld_projected), Fmt::Money);
    }
    row(
        out,
        "outcome: final wealth at the close − starting wealth at the listing price",
        &outcome(|o| o.outcome),
        Fmt::Pnl,
    );
    row(out, "result against simply holding (PnL)", &col(&|p| p.pnl_quote), Fmt::Pnl);
    out.push_str("</tbody></table>\n</div>\n");
}

fn party_table(out: &mut String, s: &Summary) {
    out.push_str(
        "<div class=\"scroll\"><table><thead><tr><th>party</th><th>kind</th><th class=\"num\">agents</th>\
         <th class=\"num\">cash start</th><th class=\"num\">cash end</th><th class=\"num\">tokens start</th>\
         <th class=\"num\">tokens end</th><th class=\"num\">their exit value</th><th class=\"num\">PnL</th></tr></thead><tbody>\n",
    );
    for g in &s.groups {
        let agents = if g.agents > 0 { g.agents.to_string() } else { "–".to_string() };
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td>{}</td><td class=\"num\">{agents}</td>{}{}{}{}{}{}</tr>",
            escape(&g.name),
            escape(&g.kind.name().replace('_', " ")),
            td(Some(g.cash_start), Fmt::Money, false),
            td(Some(g.cash_end), Fmt::Money, false),
            td(Some(g.tokens_start), Fmt::Tokens, false),
            td(Some(g.tokens_end), Fmt::Tokens, false),
            td(g.exit_value_quote, Fmt::Money, false),
            td(Some(g.pnl_quote), Fmt::Pnl, true),
        );
    }
    out.push_str("</tbody></table></div>\n");
    out.push_str(
        "<p class=\"muted\">PnL marks tokens at the closing price. Their exit value is what they would fetch \
         sold into the closing book's bids of the other parties, best first (tokens beyond those bids fetch \
         nothing): the value a stress test counts (<code>mmsim stress</code>).</p>\n",
    );
    if s.groups.iter().any(|g| {
        g.pnl_quote.is_zero() && g.cash_start.is_zero() && g.tokens_start.is_zero() && g.kind != PartyKind::Exchange
    }) {
        out.push_str(
            "<p class=\"muted\">A party with no balances of its own (for example a market maker trading the \
             project's account) shows zero here: its results are in the account it trades.</p>\n",
        );
    }
}

/// The conservation check in words.
pub(super) fn conservation(s: &Summary) -> String {
    let c = &s.conservation;
    let (cls, verdict) = if c.ok { ("pos", "passed") } else { ("neg", "FAILED") };
    let to_f = |d: Decimal| fmt(Some(d), Fmt::Tokens);
    format!(
        "<p>Conservation check <b class=\"{cls}\">{verdict}</b>: the cash of all accounts together went from {} to {} \
         quote and their tokens from {} to {}. No money or tokens are created or destroyed by the simulation.</p>\n",
        to_f(c.cash_start),
        to_f(c.cash_end),
        to_f(c.tokens_start),
        to_f(c.tokens_end)
    )
}

/// Terms a newcomer needs.
pub(super) const GLOSSARY: &str = "<dl>\n\
<dt>Quote</dt><dd>The currency prices are quoted in (e.g. USDT). Prices are in quote per token.</dd>\n\
<dt>Mid price</dt><dd>Halfway between the best bid (highest buy order) and the best ask (lowest sell order).</dd>\n\
<dt>Spread, bps</dt><dd>Best ask minus best bid, in basis points of the mid: 100 bps = 1%.</dd>\n\
<dt>Depth within ±2%</dt><dd>The value of buy orders resting within 2% below the mid, and of sell orders within \
2% above it. More depth means larger trades move the price less.</dd>\n\
<dt>Wash trade</dt><dd>A trade with the same owner on both sides, or between orders both sent to fake volume. \
The simulation knows which trades these are; on a real exchange they are hidden.</dd>\n\
<dt>PnL, marked to market</dt><dd>Profit and loss: the change in a party's cash plus the change in its tokens \
valued at the current price (at the end: the last trade price).</dd>\n\
<dt>Phase</dt><dd>The stage a manipulating agent declares it is in (for example accumulate, pump, dump). This is \
the simulation's ground truth, shown to explain the price.</dd>\n\
<dt>Conservation</dt><dd>A check that the sum of cash and of tokens over all accounts is the same at the end as \
at the start.</dd>\n</dl>\n";
