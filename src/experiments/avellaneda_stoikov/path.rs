//! One simulated path on a fresh exchange: the market maker's two quotes rest on the book and are
//! replaced every step; the exogenous flow hits them with one-lot market orders.
//!
//! Units: prices on the book are ticks of `tick_size`, one lot is one unit of stock, cash is in
//! atoms of `tick_size` (lot = 1). The mid `s` is a float in quote units and is never rounded.

use rand::RngExt;

use super::{AsExperimentConfig, Strategy};
use crate::agents::passive_mm::AvellanedaStoikov;
use crate::book::OrderType;
use crate::exchange::{Exchange, FeeSchedule, OrderRequest, Trade};
use crate::ledger::{AccountId, Ledger};
use crate::rng::AgentRng;
use crate::types::{AgentId, Cash, Intent, OrderId, Price, Qty, Side};

/// The random draws of one step, shared by every (γ, strategy) of a simulation.
#[derive(Clone, Copy, Debug)]
pub(super) struct Step {
    /// The mid moves up (else down) at the end of the step.
    up: bool,
    /// Uniform draw deciding whether the bid is hit.
    u_bid: f64,
    /// Uniform draw deciding whether the ask is lifted.
    u_ask: f64,
}

/// Simulation `i`'s draws, from the stream `as:{i}`.
pub(super) fn draws(config: &AsExperimentConfig, i: u32) -> Vec<Step> {
    let mut rng = AgentRng::new(config.seed, &format!("as:{i}"));
    (0..config.steps()).map(|_| Step { up: rng.random_bool(0.5), u_bid: rng.random(), u_ask: rng.random() }).collect()
}

/// What every path shares, precomputed from the configuration.
#[derive(Clone, Copy, Debug)]
pub(super) struct Setup {
    s0: f64,
    sigma: f64,
    horizon: f64,
    dt: f64,
    a: f64,
    k: f64,
    q0: i64,
    tick: f64,
    full_width: bool,
}

impl Setup {
    pub(super) fn new(c: &AsExperimentConfig, tick: f64) -> Self {
        Setup {
            s0: c.s0,
            sigma: c.sigma,
            horizon: c.horizon_t,
            dt: c.dt,
            a: c.intensity_a,
            k: c.decay_k,
            q0: c.q0,
            tick,
            full_width: c.spread_with_horizon,
        }
    }

    fn ticks(&self, price: f64) -> i64 {
        ((price / self.tick).round() as i64).max(1)
    }

    fn price(&self, p: Price) -> f64 {
        p.0 as f64 * self.tick
    }
}

/// The outcome of one path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct PathResult {
    /// `cash + q·S_T − q0·S0`, quote units.
    pub profit: f64,
    /// Final inventory.
    pub q: i64,
    /// Mean quoted width, quote units.
    pub mean_spread: f64,
}

const MM: AgentId = AgentId(0);
const FLOW: AgentId = AgentId(1);
/// Tokens each account starts with besides `q0` (lets the market maker go short).
pub(super) const ENDOWMENT_LOTS: i64 = 1_000_000;
/// Cash each account starts with, quote units.
pub(super) const ENDOWMENT_CASH: f64 = 1e9;

/// The market maker: one bid and one ask of one lot, replaced every step.
#[derive(Debug)]
struct Quoter {
    model: AvellanedaStoikov,
    strategy: Strategy,
    account: AccountId,
    resting: [Option<OrderId>; 2],
    /// The next order id (the exchange takes ids from its callers); the flow counts from
    /// [`FLOW_IDS`].
    next_id: u64,
}

impl Quoter {
    /// Cancels what is left of the previous quotes and rests new ones; returns (bid, ask).
    ///
    /// # Errors
    /// The exchange refused a quote (the account cannot cover one lot at its price).
    fn requote(
        &mut self,
        ex: &mut Exchange,
        setup: &Setup,
        s: f64,
        q: i64,
        tau: f64,
    ) -> Result<(Price, Price), String> {
        for id in self.resting.iter_mut().filter_map(Option::take) {
            let _ = ex.cancel(MM, id); // an order the flow filled is gone already
        }
        let width = if setup.full_width { self.model.spread(tau) } else { self.model.arrival_spread() };
        let centre = match self.strategy {
            Strategy::Inventory => self.model.reservation(s, q as f64, tau),
            Strategy::Symmetric => s,
        };
        let bid = Price(setup.ticks(centre - width / 2.0));
        let ask = Price(setup.ticks(centre + width / 2.0).max(bid.0 + 1));
        let mut trades = Vec::new();
        for (i, (side, price)) in [(Side::Buy, bid), (Side::Sell, ask)].into_iter().enumerate() {
            let req = OrderRequest {
                account: self.account,
                agent: MM,
                side,
                kind: OrderType::Limit,
                price,
                qty: Qty(1),
                intent: Intent::Quote,
            };
            let id = OrderId(self.next_id);
            self.next_id += 1;
            let placed = ex.submit(id, req, &mut trades).map_err(|e| {
                format!("the market maker could not quote one unit at {:.4e} ({e:?})", setup.price(price))
            })?;
            debug_assert!(trades.is_empty() && placed.rested == Qty(1), "the quotes never cross");
            self.resting[i] = Some(id);
        }
        Ok((bid, ask))
    }
}

/// The exogenous order flow: a quote at distance δ from the mid is hit with probability
/// `min(1, A·exp(−k·δ)·dt)` per step, by a one-lot market order.
#[derive(Debug)]
struct ExogenousFlow {
    account: AccountId,
    next_id: std::cell::Cell<u64>,
}

/// The first order id of the exogenous flow, far above any the quoter reaches.
const FLOW_IDS: u64 = 1 << 62;

impl ExogenousFlow {
    fn fire(
        &self,
        ex: &mut Exchange,
        setup: &Setup,
        s: f64,
        quotes: (Price, Price),
        step: &Step,
        trades: &mut Vec<Trade>,
    ) -> Result<(), String> {
        let hit = |delta: f64, u: f64| u < (setup.a * (-setup.k * delta).exp() * setup.dt).min(1.0);
        let (bid, ask) = (setup.price(quotes.0), setup.price(quotes.1));
        for (side, fires) in [(Side::Sell, hit(s - bid, step.u_bid)), (Side::Buy, hit(ask - s, step.u_ask))] {
            if fires {
                let req = OrderRequest {
                    account: self.account,
                    agent: FLOW,
                    side,
                    kind: OrderType::Market,
                    price: Price(0),
                    qty: Qty(1),
                    intent: Intent::Other,
                };
                let id = OrderId(self.next_id.get());
                self.next_id.set(id.0 + 1);
                ex.submit(id, req, trades).map_err(|e| format!("the order flow could not trade one unit ({e:?})"))?;
            }
        }
        Ok(())
    }
}

/// Runs one path for `gamma` and `strategy` over the draws `steps`.
///
/// # Errors
/// An account could not cover an order (parameters beyond what [`AsExperimentConfig::check`]
/// bounds).
pub(super) fn run_path(setup: &Setup, gamma: f64, strategy: Strategy, steps: &[Step]) -> Result<PathResult, String> {
    let cash0 = Cash((ENDOWMENT_CASH / setup.tick).round() as i128);
    let mut ledger = Ledger::new();
    let mm = ledger.open("market_maker", Some(MM), cash0, Qty(ENDOWMENT_LOTS + setup.q0));
    let flow = ledger.open("flow", Some(FLOW), cash0, Qty(ENDOWMENT_LOTS));
    let mut ex = Exchange::new(ledger, FeeSchedule::default());
    let model = AvellanedaStoikov { gamma, sigma: setup.sigma, k: setup.k };
    let mut quoter = Quoter { model, strategy, account: mm, resting: [None, None], next_id: 1 };
    let flow = ExogenousFlow { account: flow, next_id: std::cell::Cell::new(FLOW_IDS) };
    let (move_size, mut s, mut width_sum) = (setup.sigma * setup.dt.sqrt(), setup.s0, 0.0);
    let mut trades = Vec::new();
    for (j, step) in steps.iter().enumerate() {
        let tau = setup.horizon - j as f64 * setup.dt;
        let q = ex.ledger().account(mm).tokens().0 - ENDOWMENT_LOTS;
        let quotes = quoter.requote(&mut ex, setup, s, q, tau)?;
        width_sum += setup.price(Price(quotes.1 .0 - quotes.0 .0));
        trades.clear();
        flow.fire(&mut ex, setup, s, quotes, step, &mut trades)?;
        s += if step.up { move_size } else { -move_size };
    }
    let account = ex.ledger().account(mm);
    let q = account.tokens().0 - ENDOWMENT_LOTS;
    let cash = (account.cash() - cash0).0 as f64 * setup.tick;
    Ok(PathResult {
        profit: cash + q as f64 * s - setup.q0 as f64 * setup.s0,
        q,
        mean_spread: width_sum / steps.len().max(1) as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The paper's loop in plain floats, on the same draws: no book, no ledger.
    fn reference(setup: &Setup, gamma: f64, strategy: Strategy, steps: &[Step]) -> (f64, i64) {
        let model = AvellanedaStoikov { gamma, sigma: setup.sigma, k: setup.k };
        let (mut s, mut q, mut cash) = (setup.s0, setup.q0, 0.0);
        for (j, step) in steps.iter().enumerate() {
            let tau = setup.horizon - j as f64 * setup.dt;
            let width = if setup.full_width { model.spread(tau) } else { model.arrival_spread() };
            let centre = if strategy == Strategy::Inventory { model.reservation(s, q as f64, tau) } else { s };
            let (bid, ask) = (centre - width / 2.0, centre + width / 2.0);
            let p = |delta: f64| (setup.a * (-setup.k * delta).exp() * setup.dt).min(1.0);
            if step.u_bid < p(s - bid) {
                q += 1;
                cash -= bid;
            }
            if step.u_ask < p(ask - s) {
                q -= 1;
                cash += ask;
            }
            s += if step.up { 1.0 } else { -1.0 } * setup.sigma * setup.dt.sqrt();
        }
        (cash + q as f64 * s - setup.q0 as f64 * setup.s0, q)
    }

    #[test]
    fn the_exchange_path_matches_the_papers_loop() {
        let config = AsExperimentConfig { q0: 3, ..AsExperimentConfig::default() };
        for full_width in [false, true] {
            let setup = Setup { full_width, ..Setup::new(&config, 1e-6) };
            for i in 0..20 {
                let steps = draws(&config, i);
                for strategy in [Strategy::Inventory, Strategy::Symmetric] {
                    let on_book = run_path(&setup, 0.1, strategy, &steps).unwrap();
                    let (profit, q) = reference(&setup, 0.1, strategy, &steps);
                    assert_eq!(on_book.q, q, "path {i} {strategy:?}");
                    assert!((on_book.profit - profit).abs() < 1e-3, "path {i}: {} vs {profit}", on_book.profit);
                }
            }
        }
    }

    #[test]
    fn draws_depend_only_on_the_seed_and_the_index() {
        let config = AsExperimentConfig::default();
        let (a, b) = (draws(&config, 5), draws(&config, 5));
        assert!(a.iter().zip(&b).all(|(x, y)| x.up == y.up && x.u_bid == y.u_bid && x.u_ask == y.u_ask));
        assert_eq!(a.len(), 200);
        let other = draws(&config, 6);
        assert!(a.iter().zip(&other).any(|(x, y)| x.u_bid != y.u_bid));
    }
}
