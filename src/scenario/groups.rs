//! Validation of `[[agents]]` groups: kind, count, starting amounts, latency, `trades_for`, and the
//! kind's own parameter table.
//!
//! A group may carry only the parameter table named like its kind, and those of the kinds listed in
//! its `alternatives` (what `--counterfactual` may replace it by); each table (or the kind's
//! defaults) becomes a [`Behaviour`], whose own check reports parameter problems at
//! `agents.<group>.<kind>.<parameter>`.

use rust_decimal::Decimal;

use super::raw::{RawAmount, RawDist, RawGroup};
use super::source::Seg;
use super::validate::{check_name, join, Ctx};
use super::{Amount, Group};
use crate::agents::behaviour::ParamIssue;
use crate::agents::{AgentKind, Behaviour, Market};
use crate::engine::Latency;

/// The market's grids, when they are valid.
pub(crate) struct Grids {
    /// Quote units per cash atom (tick × lot).
    pub(crate) atom: Option<Decimal>,
    /// Tokens per lot.
    pub(crate) lot: Option<Decimal>,
}

/// What a group is checked against.
pub(crate) struct Env<'a> {
    /// The market, when it is valid (parameter checks need it).
    pub(crate) market: Option<&'a Market>,
    /// The grids.
    pub(crate) units: &'a Grids,
    /// The market's default latency.
    pub(crate) latency: Latency,
    /// Names `trades_for` may use: the project and the accounts.
    pub(crate) accounts: &'a [String],
}

/// Checks one group at `path` (`agents.<name>`).
pub(crate) fn group(ctx: &mut Ctx<'_>, path: &[Seg], g: RawGroup, env: &Env<'_>) -> Option<Group> {
    check_name(ctx, &join(path, "name"), &g.name);
    let kind = match g.kind.parse::<AgentKind>() {
        Ok(kind) => Some(kind),
        Err(e) => {
            ctx.report(&join(path, "kind"), e.to_string());
            None
        }
    };
    let alternatives = alternative_kinds(ctx, path, &g, kind);
    if let Some(kind) = kind {
        for table in g.kind_tables().into_iter().filter(|t| *t != kind && !alternatives.contains(t)) {
            let own = if kind == AgentKind::Idle {
                format!("`{kind}` takes no parameters")
            } else {
                format!("parameters of `{kind}` go in [agents.{kind}]")
            };
            ctx.report(
                &join(path, table.name()),
                format!(
                    "table `{table}` does not match kind `{kind}`; {own} (list `{table}` in `alternatives` to give a \
                     counterfactual its parameters)"
                ),
            );
        }
    }
    let raw_count = g.count.unwrap_or(1);
    let count = u32::try_from(raw_count).ok().filter(|&c| c >= 1);
    if count.is_none() {
        let allowed = if raw_count < 1 { "≥ 1".to_string() } else { format!("between 1 and {}", u32::MAX) };
        ctx.report(&join(path, "count"), format!("must be an integer {allowed}, got {raw_count}"));
    }
    let cash = amount(ctx, &join(path, "cash"), g.cash.as_ref(), env, true);
    let tokens = amount(ctx, &join(path, "tokens"), g.tokens.as_ref(), env, false);
    if let Some(account) = &g.trades_for {
        if !env.accounts.contains(account) {
            let known = if env.accounts.is_empty() {
                "there are none: add a [project] table or an [[accounts]] entry".to_string()
            } else {
                format!("the accounts are: {}", env.accounts.join(", "))
            };
            ctx.report(
                &join(path, "trades_for"),
                format!("no account named {account:?}; trades_for must name the project or an [[accounts]] entry, and {known}"),
            );
        }
        for (key, a) in [("cash", &g.cash), ("tokens", &g.tokens)] {
            if a.as_ref().is_some_and(|a| !matches!(a, RawAmount::Fixed(v) if v.0.is_zero())) {
                ctx.report(
                    &join(path, key),
                    format!("must be 0 (or left out) when the group trades_for {account:?}: it trades that account's balance"),
                );
            }
        }
    }
    let latency = Latency::new(
        g.latency.map_or(env.latency.fixed_ns, |d| d.nanos()),
        g.latency_jitter.map_or(env.latency.jitter_ns, |d| d.nanos()),
    );
    let alternatives: Vec<Behaviour> = alternatives.iter().map(|k| g.behaviour(*k)).collect();
    let behaviour = kind.map(|k| g.behaviour(k));
    if let Some(market) = env.market {
        for b in behaviour.iter().chain(&alternatives) {
            report_params(ctx, path, b.kind(), b.check(market));
        }
    }
    Some(Group {
        name: g.name,
        count: count?,
        cash: cash?,
        tokens: tokens?,
        latency,
        trades_for: g.trades_for,
        behaviour: behaviour?,
        alternatives,
    })
}

/// The group's valid `alternatives`: known kinds other than its own (`own`, when known), crowd for
/// crowd (or idle), each once.
fn alternative_kinds(ctx: &mut Ctx<'_>, path: &[Seg], g: &RawGroup, own: Option<AgentKind>) -> Vec<AgentKind> {
    let mut kinds = Vec::new();
    for (i, name) in g.alternatives.iter().flatten().enumerate() {
        let mut at = join(path, "alternatives");
        at.push(Seg::Elem { index: i, name: None });
        match name.parse::<AgentKind>() {
            Err(e) => ctx.report(&at, e.to_string()),
            Ok(k) if Some(k) == own => ctx.report(&at, format!("`{name}` is the group's own kind")),
            Ok(k) if kinds.contains(&k) => ctx.report(&at, format!("`{name}` is listed twice")),
            Ok(k) if own.is_some_and(|own| k != AgentKind::Idle && k.is_crowd() != own.is_crowd()) => {
                ctx.report(&at, "a crowd (retail) can only be replaced by a crowd, and an individual agent by one")
            }
            Ok(k) => kinds.push(k),
        }
    }
    kinds
}

/// Reports a behaviour's parameter problems at `agents.<group>.<kind>.<parameter>`.
pub(crate) fn report_params(ctx: &mut Ctx<'_>, path: &[Seg], kind: AgentKind, issues: Vec<ParamIssue>) {
    let kind_path = join(path, kind.name());
    for issue in issues {
        ctx.report(&join(&kind_path, issue.key), issue.message);
    }
}

/// Checks a per-member amount: fixed amounts on the cash-atom (`is_cash`) or lot grid, or a distribution.
fn amount(ctx: &mut Ctx<'_>, path: &[Seg], a: Option<&RawAmount>, env: &Env<'_>, is_cash: bool) -> Option<Amount> {
    match a {
        None => Some(Amount::Fixed(Decimal::ZERO)),
        Some(RawAmount::Fixed(v)) => {
            let ok = if is_cash {
                env.units.cash(ctx, path, v.0).is_some()
            } else {
                env.units.tokens(ctx, path, v.0).is_some()
            };
            ok.then_some(Amount::Fixed(v.0))
        }
        Some(RawAmount::Dist(d)) => distribution(ctx, path, d),
    }
}

fn distribution(ctx: &mut Ctx<'_>, path: &[Seg], d: &RawDist) -> Option<Amount> {
    let (own, other, other_name): (&[(&str, Option<f64>)], _, _) = match d.dist.as_str() {
        "lognormal" => (&[("median", d.median), ("sigma", d.sigma)], [("low", d.low), ("high", d.high)], "uniform"),
        "uniform" => (&[("low", d.low), ("high", d.high)], [("median", d.median), ("sigma", d.sigma)], "lognormal"),
        other => {
            ctx.report(
                &join(path, "dist"),
                format!("unknown distribution {other:?}; use \"lognormal\" (median, sigma) or \"uniform\" (low, high)"),
            );
            return None;
        }
    };
    let mut ok = true;
    for (key, value) in other {
        if value.is_some() {
            ctx.report(&join(path, key), format!("`{key}` belongs to a {other_name} distribution, not {:?}", d.dist));
            ok = false;
        }
    }
    let mut values = Vec::new();
    for (key, value) in own {
        match value {
            Some(v) if v.is_finite() => values.push(*v),
            Some(v) => {
                ctx.report(&join(path, key), format!("must be a finite number, got {v}"));
                ok = false;
            }
            None => {
                let needs = own.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(" and ");
                ctx.report(&join(path, key), format!("missing: a {} distribution needs {needs}", d.dist));
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    let (a, b) = (values[0], values[1]);
    if d.dist == "lognormal" {
        if a <= 0.0 {
            ctx.report(&join(path, "median"), format!("must be > 0, got {a}"));
        }
        if b < 0.0 {
            ctx.report(&join(path, "sigma"), format!("must be ≥ 0, got {b}"));
        }
        (a > 0.0 && b >= 0.0).then_some(Amount::LogNormal { median: a, sigma: b })
    } else {
        if a < 0.0 {
            ctx.report(&join(path, "low"), format!("must be ≥ 0, got {a}"));
        }
        if b < a {
            ctx.report(&join(path, "high"), format!("must be ≥ low ({a}), got {b}"));
        }
        (a >= 0.0 && b >= a).then_some(Amount::Uniform { low: a, high: b })
    }
}
