//! The short table `mmsim run` prints at the end: prices, volume, PnL per group, conservation.

use std::fmt::Write;

use crate::metrics::summary::Summary;

fn opt(d: Option<rust_decimal::Decimal>) -> String {
    d.map_or_else(|| "-".to_string(), |d| d.to_string())
}

/// Groups digits of the integer part in threes: `1234567.5` → `1,234,567.5` (two decimals at most,
/// ASCII minus for terminals).
pub fn thousands(d: rust_decimal::Decimal) -> String {
    super::html::group_digits(&d.round_dp(2).normalize().to_string()).replace('−', "-")
}

/// Like [`thousands`] but with every decimal kept: prices of cheap tokens (`0.00409`).
pub fn exact_thousands(d: rust_decimal::Decimal) -> String {
    super::html::group_digits(&d.normalize().to_string()).replace('−', "-")
}

/// The end-of-run table.
pub fn terminal_summary(s: &Summary) -> String {
    let mut out = String::new();
    let p = &s.price;
    let _ =
        writeln!(out, "scenario {} (seed {}): {} events in {:.2} s wall", s.scenario, s.seed, s.events, s.wall_seconds);
    let _ =
        writeln!(out, "price   open {}  high {}  low {}  close {}", opt(p.open), opt(p.high), opt(p.low), opt(p.close));
    let _ = writeln!(
        out,
        "volume  {} quote in {} trades, wash {} ({:.1}%)",
        thousands(s.volume.quote_total),
        s.volume.trades,
        thousands(s.volume.quote_wash),
        s.volume.wash_share * 100.0
    );
    let width = s.groups.iter().map(|g| g.name.len()).max().unwrap_or(5).max(5);
    let _ = writeln!(out, "{:<width$}  {:<14} {:>8} {:>18}", "group", "kind", "agents", "PnL (quote)");
    for g in &s.groups {
        let _ = writeln!(out, "{:<width$}  {:<14} {:>8} {:>18}", g.name, g.kind, g.agents, thousands(g.pnl_quote));
    }
    let c = &s.conservation;
    let verdict = if c.ok { "ok" } else { "VIOLATED" };
    let _ = writeln!(
        out,
        "conservation {verdict}: cash {} → {}, tokens {} → {}",
        c.cash_start, c.cash_end, c.tokens_start, c.tokens_end
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(dec!(1234567.5)), "1,234,567.5");
        assert_eq!(thousands(dec!(-1000)), "-1,000");
        assert_eq!(thousands(dec!(999)), "999");
        assert_eq!(thousands(dec!(0.123)), "0.12");
    }
}
