//! Playbooks: the ways a market maker can play a deal, each a kind (or a mode of one) with its free
//! parameters in relative terms and a box (min/max) for the best-response search.
//!
//! Relative terms: prices are multiples of the open price (`*_multiple`) or bps of the last trade,
//! sizes are shares of the loan N (`*_share`), times are shares of the stress horizon measured from
//! listing (`*_at`). [`Seat`] holds what a playbook reads from the scenario: the MM group's loan
//! (strikes as multiples, σ, tenor), its retainer's KPIs, the open price and the horizon.
//!
//! | playbook | kind / mode | honest |
//! |---|---|---|
//! | `passive` | `passive_mm` (the scenario's `[agents.passive_mm]` alternative when it has one) | yes |
//! | `delta_hedge` | `delta_hedge`: sells Δ·N by Black–Scholes with the loan's strikes, σ, T | yes |
//! | `kpi_minimal` | `passive_mm` quoting just inside the retainer's KPI thresholds (no free parameter) | yes |
//! | `lend_and_dump` | `lend_and_dump` with multiples: pump, distribute at the top, raid, buy back | no |
//! | `sell_only` | `lend_and_dump` with no pump and no buy-back: the listing dump | no |
//! | `short_and_return` | `lend_and_dump` with no pump: sell early, buy back before the deadline | no |
//! | `strike_fixing` | `delta_hedge` with `depress_until`: sell into the strike window, then hedge | no |

use crate::agents::delta_hedge::{CallTerms, DeltaHedgeConfig};
use crate::agents::lend_and_dump::LendAndDumpConfig;
use crate::agents::passive_mm::PassiveMmConfig;
use crate::agents::Behaviour;
use crate::contracts::spec::{ContractTerms, KpiTerms, PriceRule, StrikeReference};
use crate::scenario::{Amount, Scenario};
use crate::units::{Dec, Dur};

/// One free parameter and its box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dim {
    /// Its key, as written in `stress.csv`'s `params` and in `[stress.box.<playbook>]`.
    pub key: &'static str,
    /// Lowest value.
    pub lo: f64,
    /// Highest value.
    pub hi: f64,
    /// Searched on a log scale (both ends > 0).
    pub log: bool,
}

const fn dim(key: &'static str, lo: f64, hi: f64, log: bool) -> Dim {
    Dim { key, lo, hi, log }
}

/// A playbook's name, honesty and default box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Playbook {
    /// The name `[stress] playbooks` and the outputs use.
    pub name: &'static str,
    /// Honest (`passive`, `delta_hedge`, `kpi_minimal`) or manipulative.
    pub honest: bool,
    /// What it does, in a few words (for the report).
    pub about: &'static str,
    /// The free parameters and their default box.
    pub dims: &'static [Dim],
}

/// Widest spread (bps) of an honest ladder's default box: a market maker keeps a stable spread
/// (small-cap KPI tiers are 15–30 bps; 1% is four times the loosest).
pub const MAX_HONEST_SPREAD_BPS: f64 = 100.0;

/// Thinnest level (share of the loan N) of an honest ladder's default box: 0.2% of the loan on each
/// of the levels, both sides. A thinner ladder is not making the market: it leaves the price to a
/// momentum crowd, which in a thin book runs it far from where it was (the DIO crowd took a $0.05
/// token to hundreds of dollars with 0.02% levels), and the "honest" payoff becomes the loan's
/// calls marked on a runaway print. Widen either box with `[stress.box.<playbook>]`.
pub const MIN_HONEST_LEVEL_SHARE: f64 = 0.002;

/// Every playbook, honest ones first.
pub const PLAYBOOKS: [Playbook; 7] = [
    Playbook {
        name: "passive",
        honest: true,
        about: "quotes a ladder on both sides (passive_mm)",
        dims: &[
            dim("spread_bps", 20.0, MAX_HONEST_SPREAD_BPS, true),
            dim("level_share", MIN_HONEST_LEVEL_SHARE, 0.02, true),
        ],
    },
    Playbook {
        name: "delta_hedge",
        honest: true,
        about: "sells Δ·N of the loan by Black–Scholes, rebalances, quotes around",
        dims: &[
            dim("spread_bps", 20.0, MAX_HONEST_SPREAD_BPS, true),
            dim("level_share", MIN_HONEST_LEVEL_SHARE, 0.02, true),
            dim("hedge_slippage_bps", 50.0, 1000.0, true),
        ],
    },
    Playbook {
        name: "kpi_minimal",
        honest: true,
        about: "quotes just inside the retainer's KPI thresholds",
        dims: &[],
    },
    Playbook {
        name: "lend_and_dump",
        honest: false,
        about: "pumps, sells the top, raids the book, buys the loan back cheap",
        dims: &[
            dim("pump_target_multiple", 2.0, 30.0, true),
            dim("pump_step_bps", 20.0, 200.0, true),
            dim("sell_unlock_multiple", 1.0, 10.0, true),
            dim("dump_slice_share", 0.005, 0.1, true),
            dim("dump_until_at", 0.2, 0.8, false),
            dim("raid_share", 0.0, 0.5, false),
            dim("buyback_below_multiple", 0.05, 0.5, true),
        ],
    },
    Playbook {
        name: "sell_only",
        honest: false,
        about: "sells the loan from listing and never buys back",
        dims: &[
            dim("dump_share", 0.1, 1.0, false),
            dim("dump_slice_share", 0.001, 0.05, true),
            dim("dump_discount_bps", 10.0, 500.0, true),
            dim("dump_until_at", 0.1, 1.0, false),
        ],
    },
    Playbook {
        name: "short_and_return",
        honest: false,
        about: "sells the loan early, buys it back before it is due",
        dims: &[
            dim("dump_share", 0.1, 1.0, false),
            dim("dump_slice_share", 0.001, 0.05, true),
            dim("dump_until_at", 0.05, 0.5, false),
            dim("buyback_below_multiple", 0.2, 0.95, false),
            dim("repay_at", 0.5, 0.95, false),
        ],
    },
    Playbook {
        name: "strike_fixing",
        honest: false,
        about: "sells into the window that fixes the strikes, then hedges and quotes",
        dims: &[dim("depress_share", 0.05, 0.8, false), dim("depress_until_at", 0.1, 1.0, false)],
    },
];

/// The playbook named `name`.
pub fn find(name: &str) -> Option<&'static Playbook> {
    PLAYBOOKS.iter().find(|p| p.name == name)
}

/// The names of every playbook, for messages.
pub fn names() -> String {
    PLAYBOOKS.map(|p| p.name).join(", ")
}

/// What the playbooks read from the scenario about the MM group's seat.
#[derive(Clone, Debug, PartialEq)]
pub struct Seat {
    /// The loan N in tokens (0 without a loan: sizes are then shares of the group's own tokens).
    pub loan_tokens: f64,
    /// The loan's calls as shares of N and strike multiples of the strike base.
    pub calls: Vec<CallTerms>,
    /// σ of the loan (1.0 without one).
    pub volatility: f64,
    /// The loan's tenor in days (365 without one).
    pub tenor_days: f64,
    /// The window that fixes index strikes (`None`: strikes on the open price).
    pub strike_window: Option<Dur>,
    /// The retainer's KPIs, when the group holds a subscription.
    pub kpis: Option<KpiTerms>,
    /// The scenario's `passive_mm` alternative for the group, if any.
    pub passive: Option<PassiveMmConfig>,
    /// Open price in quote units.
    pub open_quote: f64,
    /// One cash atom (tick × lot) in quote units.
    pub atom_quote: f64,
    /// The stress horizon in nanoseconds.
    pub horizon_ns: u64,
    /// The tightest net-sell cap of the loan (daily or total) as a share of N, when it has one.
    pub sell_cap_share: Option<f64>,
}

/// Share of the loan's tightest net-sell cap the honest `delta_hedge` playbook hedges and quotes
/// within: an honest hedger keeps its contract, with a margin for fills in flight between its
/// decisions. (The quoting playbooks `passive` and `kpi_minimal` are not limited: an MM that stops
/// selling to a buying crowd leaves it an empty ask side, and a momentum crowd then runs the price
/// away; whether honest quoting breaches a cap is for the stress test to show.)
pub const HONEST_CAP_USE: f64 = 0.9;

impl Seat {
    /// The seat of group `mm` in `scenario`, over `horizon_ns`.
    pub fn of(scenario: &Scenario, mm: &str, horizon_ns: u64) -> Seat {
        let open = scenario.market.open_price;
        let open_quote = scenario.market.quote_f64(open);
        let tokens = |q: crate::types::Qty| scenario.market.tokens_f64(q);
        let mut seat = Seat {
            loan_tokens: 0.0,
            calls: Vec::new(),
            volatility: 1.0,
            tenor_days: 365.0,
            strike_window: None,
            kpis: None,
            passive: None,
            open_quote,
            atom_quote: scenario.market.units().atom_f64(),
            horizon_ns,
            sell_cap_share: None,
        };
        let group = scenario.groups.iter().find(|g| g.name == mm);
        if let Some(g) = group {
            seat.passive = g.alternatives.iter().find_map(|b| match b {
                Behaviour::PassiveMm(c) => Some(c.clone()),
                _ => None,
            });
            if let Amount::Fixed(t) = g.tokens {
                seat.loan_tokens = rust_decimal::prelude::ToPrimitive::to_f64(&t).unwrap_or(0.0);
            }
        }
        for c in scenario.contracts.iter().filter(|c| c.terms.mm() == Some(mm)) {
            match &c.terms {
                ContractTerms::TokenLoan(t) => {
                    let n = tokens(t.tokens);
                    seat.loan_tokens = n;
                    seat.volatility = t.volatility;
                    let caps = [t.protections.sell_cap_daily, t.protections.sell_cap_total];
                    seat.sell_cap_share =
                        caps.into_iter().flatten().map(|q| if n > 0.0 { tokens(q) / n } else { 0.0 }).reduce(f64::min);
                    seat.tenor_days = t.tenor.nanos() as f64 / 86_400e9;
                    seat.strike_window = (t.strike_reference != StrikeReference::Open).then_some(t.reference_window);
                    seat.calls = t
                        .options
                        .iter()
                        .map(|o| CallTerms {
                            share: if n > 0.0 { tokens(o.qty) / n } else { 0.0 },
                            strike_multiple: match o.strike {
                                PriceRule::Premium(f) => {
                                    1.0 + rust_decimal::prelude::ToPrimitive::to_f64(&f).unwrap_or(0.0)
                                }
                                PriceRule::Absolute(p) => p.0 as f64 / open.0 as f64,
                            },
                        })
                        .collect();
                }
                ContractTerms::Subscription(s) => seat.kpis = Some(s.kpis.clone()),
                _ => {}
            }
        }
        seat
    }

    fn at(&self, share: f64) -> Dur {
        Dur((self.horizon_ns as f64 * share) as u64)
    }
}

/// The behaviour playbook `p` plays with parameter values `x` (one per [`Playbook::dims`]), or why
/// it does not apply to this seat.
///
/// # Errors
/// A sentence saying why the playbook does not apply (e.g. `kpi_minimal` without a retainer).
pub fn behaviour(p: &Playbook, x: &[f64], seat: &Seat) -> Result<Behaviour, String> {
    let v = |key: &str| p.dims.iter().position(|d| d.key == key).map_or(0.0, |i| x[i]);
    let n = seat.loan_tokens;
    Ok(match p.name {
        "passive" => {
            let base = seat.passive.clone().unwrap_or(PassiveMmConfig {
                max_inventory: n.max(1.0),
                gamma: 0.0,
                ..PassiveMmConfig::default()
            });
            Behaviour::PassiveMm(PassiveMmConfig {
                spread_bps: v("spread_bps"),
                level_size: (v("level_share") * n).max(1.0),
                ..base
            })
        }
        "delta_hedge" | "strike_fixing" => {
            if n <= 0.0 {
                return Err("the group holds no token loan to hedge".into());
            }
            let mut c = DeltaHedgeConfig {
                loan_tokens: n,
                calls: seat.calls.clone(),
                volatility: seat.volatility,
                tenor_days: seat.tenor_days,
                strike_window: seat.strike_window,
                ..DeltaHedgeConfig::default()
            };
            if p.name == "delta_hedge" {
                c.sell_limit_share = seat.sell_cap_share.map_or(1.0, |cap| (HONEST_CAP_USE * cap).min(1.0));
                c.spread_bps = v("spread_bps");
                c.level_share = v("level_share");
                c.hedge_slippage_bps = v("hedge_slippage_bps");
            } else {
                // Without index strikes the window is the first quarter of the horizon.
                let window = seat.strike_window.map_or(seat.horizon_ns / 4, |w| w.nanos().min(seat.horizon_ns));
                c.depress_share = v("depress_share");
                c.depress_until = Some(Dur((window as f64 * v("depress_until_at")) as u64));
            }
            Behaviour::DeltaHedge(c)
        }
        "kpi_minimal" => {
            let k = seat.kpis.as_ref().ok_or("the group holds no retainer (subscription) with KPIs")?;
            let base = seat.passive.clone().unwrap_or(PassiveMmConfig {
                max_inventory: n.max(1.0),
                gamma: 0.0,
                ..PassiveMmConfig::default()
            });
            // Just inside each threshold, so that tick rounding and ordinary price moves do not make
            // it miss: a tenth inside the spread, a quarter above the depth (in tokens at the open
            // price, one level a side carrying it all), halfway from the uptime threshold to 100%.
            let depth =
                k.min_depth_quote.map_or(base.level_size, |d| 1.25 * d.0 as f64 * seat.atom_quote / seat.open_quote);
            Behaviour::PassiveMm(PassiveMmConfig {
                spread_bps: k.max_spread_bps.map_or(base.spread_bps, |s| 0.9 * s),
                levels: 1,
                level_size: depth.max(1.0),
                quote_fraction: k.min_uptime.map_or(1.0, |u| u + (1.0 - u) / 2.0),
                ..base
            })
        }
        "lend_and_dump" => Behaviour::LendAndDump(LendAndDumpConfig {
            pump_target_multiple: v("pump_target_multiple"),
            pump_step_bps: v("pump_step_bps"),
            pump_paint_tokens: (0.0001 * n).max(1.0),
            pump_spend_share: 0.0,
            support_bps: 3000.0,
            support_share: 0.05,
            pump_ask_levels: 5,
            pump_ask_spacing_bps: 50.0,
            pump_ask_tokens: (0.0003 * n).max(1.0),
            sell_unlock_multiple: Some(v("sell_unlock_multiple")),
            dump_step_bps: Some(60.0),
            dump_discount_bps: 0.0,
            dump_slice_share: v("dump_slice_share"),
            dump_stop_drawdown: 0.7,
            dump_until: Some(seat.at(v("dump_until_at"))),
            raid_share: v("raid_share"),
            raid_stop_multiple: Some(0.8 * v("buyback_below_multiple")),
            buyback_below_multiple: v("buyback_below_multiple"),
            buyback_at_ceiling: true,
            buyback_budget_quote: budget(0.2 * n * seat.open_quote),
            repay_by: Some(seat.at(0.85)),
            ..LendAndDumpConfig::default()
        }),
        "sell_only" | "short_and_return" => {
            let back = p.name == "short_and_return";
            Behaviour::LendAndDump(LendAndDumpConfig {
                owed_tokens: (!back).then_some(0.0),
                interval: Dur(300_000_000_000),
                pump_until: Some(Dur(0)),
                pump_spend_share: 0.0,
                support_bps: 0.0,
                dump_share: v("dump_share"),
                dump_slice_share: v("dump_slice_share"),
                dump_discount_bps: if back { 100.0 } else { v("dump_discount_bps") },
                dump_stop_drawdown: 0.95,
                dump_until: Some(seat.at(v("dump_until_at"))),
                buyback_below_multiple: if back { v("buyback_below_multiple") } else { 0.2 },
                buyback_at_ceiling: back,
                repay_by: back.then(|| seat.at(v("repay_at"))),
                ..LendAndDumpConfig::default()
            })
        }
        other => return Err(format!("unknown playbook {other:?}; the playbooks are: {}", names())),
    })
}

fn budget(quote: f64) -> Option<Dec> {
    rust_decimal::Decimal::from_f64_retain(quote.max(0.0).floor()).map(Dec)
}

/// A parameter value from its position `u` in [0, 1] along the box.
pub fn value(d: &Dim, u: f64) -> f64 {
    let u = u.clamp(0.0, 1.0);
    let raw =
        if d.log && d.lo > 0.0 { (d.lo.ln() + u * (d.hi.ln() - d.lo.ln())).exp() } else { d.lo + u * (d.hi - d.lo) };
    round6(raw)
}

/// Rounds to six significant digits (so `params` read back to the values run).
pub fn round6(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.5e}").parse().unwrap_or(x)
}

/// `params` as `stress.csv` writes them: `key=value;…` in the box's order.
pub fn params_text(p: &Playbook, x: &[f64]) -> String {
    p.dims.iter().zip(x).map(|(d, v)| format!("{}={v}", d.key)).collect::<Vec<_>>().join(";")
}
