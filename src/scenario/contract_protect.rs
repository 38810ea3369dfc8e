//! Validation of a token loan's protections (collateral, penalties, sell caps, lock-up, recall,
//! detection; keys in [`raw::contracts`](super::raw::contracts)). Every problem is reported at its
//! key: a share out of range, money or tokens off the grid, a forfeit for a clause that is not
//! there, a grace without a recall, a lock-up longer than the tenor.

use rust_decimal::Decimal;

use super::contracts::{account, positive_dur, ratio, Env};
use super::raw::contracts::{RawLoan, RawRatio};
use super::source::Seg;
use super::validate::{join, Ctx};
use crate::contracts::protections::{Clause, Holder, Protections};
use crate::types::{Cash, Qty};
use crate::units::Dur;

/// Checks the protections of the loan at `path`, lent by `lender` for `tenor`.
pub(crate) fn protections(
    ctx: &mut Ctx<'_>,
    path: &[Seg],
    c: &RawLoan,
    env: &Env<'_>,
    lender: Option<&str>,
    tokens: Option<Qty>,
    tenor: Option<Dur>,
) -> Option<Protections> {
    let mut ok = true;
    let mut p = Protections::none();
    let cash = |ctx: &mut Ctx<'_>, key: &str, v: Option<crate::units::Dec>, ok: &mut bool| match v {
        None => Cash::ZERO,
        Some(v) => env.units.cash(ctx, &join(path, key), v.0).unwrap_or_else(|| {
            *ok = false;
            Cash::ZERO
        }),
    };
    p.collateral_cash = cash(ctx, "collateral_cash", c.collateral_cash, &mut ok);
    p.penalty_per_breach = cash(ctx, "penalty_per_breach", c.penalty_per_breach, &mut ok);
    if let Some(t) = c.collateral_tokens {
        match env.units.tokens(ctx, &join(path, "collateral_tokens"), t.0) {
            Some(q) => p.collateral_tokens = q,
            None => ok = false,
        }
    }
    if let Some(name) = &c.collateral_holder {
        match account(ctx, path, "collateral_holder", Some(name), env) {
            Some((n, _)) if Some(n.as_str()) == lender => p.holder = Some(Holder::Lender),
            Some((n, _)) => p.holder = Some(Holder::Escrow(n)),
            None => ok = false,
        }
        if !p.has_collateral() {
            ctx.report(&join(path, "collateral_holder"), "applies only with collateral_cash or collateral_tokens > 0");
            ok = false;
        }
    }
    let share = |ctx: &mut Ctx<'_>, key: &str, v: Option<RawRatio>, ok: &mut bool| -> Option<f64> {
        let v = v?;
        let r = ratio(ctx, &join(path, key), v, Decimal::ZERO, Decimal::ONE, false);
        *ok &= r.is_some();
        r
    };
    let cap = |share: Option<f64>| tokens.zip(share).map(|(t, s)| Qty((t.0 as f64 * s).floor() as i64));
    p.sell_cap_daily = cap(share(ctx, "sell_cap_daily", c.sell_cap_daily, &mut ok));
    p.sell_cap_total = cap(share(ctx, "sell_cap_total", c.sell_cap_total, &mut ok));
    if let Some(d) = share(ctx, "detection", c.detection, &mut ok) {
        p.detection = d;
    }
    let forfeits = [
        (
            "forfeit_sell_cap",
            c.forfeit_sell_cap,
            c.sell_cap_daily.is_some() || c.sell_cap_total.is_some(),
            "a sell cap",
        ),
        ("forfeit_lockup", c.forfeit_lockup, c.lockup.is_some(), "lockup"),
        ("forfeit_default", c.forfeit_default, true, ""),
    ];
    for (key, v, clause_set, needs) in forfeits {
        let Some(s) = share(ctx, key, v, &mut ok) else { continue };
        if !p.has_collateral() {
            ctx.report(
                &join(path, key),
                "applies only with collateral_cash or collateral_tokens > 0: there is nothing to forfeit",
            );
            ok = false;
        } else if !clause_set {
            ctx.report(&join(path, key), format!("applies only with {needs}: that clause is not in this loan"));
            ok = false;
        }
        match key {
            "forfeit_sell_cap" => p.forfeit.extend([(Clause::SellCapDaily, s), (Clause::SellCapTotal, s)]),
            "forfeit_lockup" => p.forfeit.push((Clause::Lockup, s)),
            _ => p.forfeit.push((Clause::Default, s)),
        }
    }
    if p.has_collateral() && c.forfeit_default.is_none() {
        p.forfeit.push((Clause::Default, 1.0));
    }
    if let Some(l) = c.lockup {
        match positive_dur(ctx, path, "lockup", l) {
            Some(l) if tenor.is_some_and(|t| l > t) => {
                ctx.report(
                    &join(path, "lockup"),
                    format!("{l} is longer than the tenor ({})", tenor.unwrap_or_default()),
                );
                ok = false;
            }
            Some(l) => p.lockup = Some(l),
            None => ok = false,
        }
    }
    if let Some(r) = c.recall_below {
        match ratio(ctx, &join(path, "recall_below"), r, Decimal::ZERO, Decimal::ONE, true) {
            Some(r) => p.recall_below = Some(r),
            None => ok = false,
        }
    }
    if let Some(g) = c.recall_grace {
        if c.recall_below.is_none() {
            ctx.report(
                &join(path, "recall_grace"),
                "applies only with recall_below (the price that triggers a recall)",
            );
            ok = false;
        }
        p.recall_grace = g;
    }
    if let Some(m) = c.monitor_every {
        match positive_dur(ctx, path, "monitor_every", m) {
            Some(m) => p.monitor_every = m,
            None => ok = false,
        }
    }
    ok.then_some(p)
}
