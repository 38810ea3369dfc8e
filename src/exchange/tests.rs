//! Exchange tests: funds checks, settlement, fees and rebates, permissions, conservation.

use super::*;
use proptest::prelude::*;

const MM: AgentId = AgentId(0);
const TAKER: AgentId = AgentId(1);

/// A venue with a seller `a` (100 lots, no cash) and a buyer `b` (1,000,000 atoms, no tokens).
fn venue(fees: FeeSchedule) -> (Exchange, AccountId, AccountId) {
    let mut ledger = Ledger::new();
    let a = ledger.open("a", Some(MM), Cash(0), Qty(100));
    let b = ledger.open("b", Some(TAKER), Cash(1_000_000), Qty(0));
    (Exchange::new(ledger, fees), a, b)
}

/// Places orders with fresh ids (the exchange takes ids from its caller; the engine numbers them
/// in a run).
trait Place {
    fn place(&mut self, req: OrderRequest, trades: &mut Vec<Trade>) -> Result<(OrderId, Placed), OrderRejected>;
}

impl Place for Exchange {
    fn place(&mut self, req: OrderRequest, trades: &mut Vec<Trade>) -> Result<(OrderId, Placed), OrderRejected> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let id = OrderId(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        self.submit(id, req, trades).map(|placed| (id, placed))
    }
}

fn req(account: AccountId, agent: AgentId, side: Side, kind: OrderType, price: i64, qty: i64) -> OrderRequest {
    OrderRequest { account, agent, side, kind, price: Price(price), qty: Qty(qty), intent: Intent::Other }
}

#[test]
fn fee_rounding_charges_up_and_rebates_down() {
    assert_eq!(FeeSchedule::fee(Cash(10_000), 1_000), Cash(10)); // 10 bp of 10,000 = 10 exactly
    assert_eq!(FeeSchedule::fee(Cash(10_001), 1_000), Cash(11)); // 10.001 → 11
    assert_eq!(FeeSchedule::fee(Cash(10_001), -1_000), Cash(-10)); // rebate 10.001 → 10
    assert_eq!(FeeSchedule::fee(Cash(1), 1), Cash(1));
    assert_eq!(FeeSchedule::fee(Cash(0), 1_000), Cash(0));
}

#[test]
fn a_fill_settles_both_accounts_with_fees() {
    let fees = FeeSchedule { maker_cbps: -100, taker_cbps: 500 }; // −1 bp maker, 5 bp taker
    let (mut ex, a, b) = venue(fees);
    let mut trades = Vec::new();
    ex.place(req(a, MM, Side::Sell, OrderType::Limit, 1_000, 40), &mut trades).unwrap();
    let (_, placed) = ex.place(req(b, TAKER, Side::Buy, OrderType::Limit, 1_010, 30), &mut trades).unwrap();
    assert_eq!(placed.filled, Qty(30));
    assert_eq!(trades.len(), 1);
    let t = trades[0];
    assert_eq!((t.price, t.qty, t.aggressor), (Price(1_000), Qty(30), Side::Buy));
    // notional 30,000 atoms: taker pays ceil(15.0) = 15, maker gets floor(3.0) = 3.
    assert_eq!((t.taker_fee, t.maker_fee), (Cash(15), Cash(-3)));
    let (la, lb) = (ex.ledger().account(a), ex.ledger().account(b));
    assert_eq!(la.cash(), Cash(30_003));
    assert_eq!(la.tokens(), Qty(70));
    assert_eq!(la.tokens_locked, Qty(10), "the rest of the sell order stays locked");
    assert_eq!(lb.cash(), Cash(1_000_000 - 30_015));
    assert_eq!(lb.cash_locked, Cash(0), "a fully filled buy releases its lock");
    assert_eq!(lb.tokens(), Qty(30));
    assert_eq!(ex.ledger().account(ex.venue()).cash(), Cash(12));
    assert!(ex.ledger().conservation().ok());
}

#[test]
fn orders_beyond_the_balance_are_rejected() {
    let (mut ex, a, b) = venue(FeeSchedule::default());
    let mut trades = Vec::new();
    let sell = ex.place(req(a, MM, Side::Sell, OrderType::Limit, 1_000, 101), &mut trades);
    assert_eq!(sell.unwrap_err(), OrderRejected::InsufficientFunds);
    // 1,000,000 atoms buy at most 100 lots at 10,000 ticks, plus the 1-atom-per-lot fee slack.
    let buy = ex.place(req(b, TAKER, Side::Buy, OrderType::Limit, 10_000, 100), &mut trades);
    assert_eq!(buy.unwrap_err(), OrderRejected::InsufficientFunds);
    ex.place(req(b, TAKER, Side::Buy, OrderType::Limit, 9_900, 100), &mut trades).unwrap();
    // The lock is spent: a second order cannot use the same cash.
    let again = ex.place(req(b, TAKER, Side::Buy, OrderType::Limit, 1_000, 20), &mut trades);
    assert_eq!(again.unwrap_err(), OrderRejected::InsufficientFunds);
    assert!(trades.is_empty());
}

#[test]
fn market_buy_locks_the_exact_walk_cost() {
    let (mut ex, a, b) = venue(FeeSchedule::default());
    let mut trades = Vec::new();
    ex.place(req(a, MM, Side::Sell, OrderType::Limit, 100, 10), &mut trades).unwrap();
    ex.place(req(a, MM, Side::Sell, OrderType::Limit, 200, 10), &mut trades).unwrap();
    let (_, placed) = ex.place(req(b, TAKER, Side::Buy, OrderType::Market, 0, 15), &mut trades).unwrap();
    assert_eq!(placed.filled, Qty(15));
    assert_eq!(ex.ledger().account(b).cash(), Cash(1_000_000 - 1_000 - 1_000));
    assert_eq!(ex.ledger().account(b).cash_locked, Cash(0));
}

#[test]
fn cancel_releases_locks_and_checks_permission() {
    let (mut ex, a, b) = venue(FeeSchedule { maker_cbps: 0, taker_cbps: 1_000 });
    let mut trades = Vec::new();
    let (id, _) = ex.place(req(b, TAKER, Side::Buy, OrderType::Limit, 500, 10), &mut trades).unwrap();
    assert!(ex.ledger().account(b).cash_locked > Cash(5_000));
    assert_eq!(ex.cancel(MM, id).unwrap_err(), OrderRejected::NotAuthorized);
    let gone = ex.cancel(TAKER, id).unwrap();
    assert_eq!(gone.qty, Qty(10));
    assert_eq!(ex.ledger().account(b).cash_free, Cash(1_000_000));
    assert_eq!(ex.cancel(TAKER, id).unwrap_err(), OrderRejected::Book(Reject::UnknownOrder));
    let (sid, _) = ex.place(req(a, MM, Side::Sell, OrderType::Limit, 700, 60), &mut trades).unwrap();
    ex.cancel(MM, sid).unwrap();
    assert_eq!(ex.ledger().account(a).tokens_free, Qty(100));
}

#[test]
fn an_authorized_agent_trades_another_account() {
    let (mut ex, a, _) = venue(FeeSchedule::default());
    let mut trades = Vec::new();
    let hired = AgentId(9);
    let r = req(a, hired, Side::Sell, OrderType::Limit, 1_000, 5);
    assert_eq!(ex.place(r, &mut trades).unwrap_err(), OrderRejected::NotAuthorized);
    ex.ledger_mut().authorize(a, hired);
    let (id, _) = ex.place(r, &mut trades).unwrap();
    assert_eq!(ex.order_owner(id), Some((a, hired, Intent::Other)));
    assert_eq!(ex.ledger().account(a).tokens_locked, Qty(5));
}

#[test]
fn self_trade_is_visible_and_pays_both_fees() {
    let mut ledger = Ledger::new();
    let w = ledger.open("wash", Some(MM), Cash(100_000), Qty(100));
    let mut ex = Exchange::new(ledger, FeeSchedule { maker_cbps: 1_000, taker_cbps: 1_000 });
    let mut trades = Vec::new();
    let mut sell = req(w, MM, Side::Sell, OrderType::Limit, 100, 10);
    sell.intent = Intent::Wash;
    ex.place(sell, &mut trades).unwrap();
    let mut buy = req(w, MM, Side::Buy, OrderType::Ioc, 100, 10);
    buy.intent = Intent::Wash;
    ex.place(buy, &mut trades).unwrap();
    let t = trades[0];
    assert_eq!(t.maker_account, t.taker_account);
    assert_eq!((t.maker_intent, t.taker_intent), (Intent::Wash, Intent::Wash));
    // Tokens unchanged, cash down by both fees: 1,000 atoms notional at 10 bp = 1 each.
    assert_eq!(ex.ledger().account(w).tokens(), Qty(100));
    assert_eq!(ex.ledger().account(w).cash(), Cash(100_000 - 2));
    assert!(ex.ledger().conservation().ok());
}

#[derive(Clone, Debug)]
enum Op {
    Submit { who: usize, side: Side, kind: u8, price: i64, qty: i64 },
    Cancel { pick: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..3usize, prop::bool::ANY, 0..5u8, 95..106i64, 1..30i64).prop_map(|(who, buy, kind, price, qty)| {
            Op::Submit { who, side: if buy { Side::Buy } else { Side::Sell }, kind, price, qty }
        }),
        2 => (0..64usize).prop_map(|pick| Op::Cancel { pick }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    /// Random order flow from three accounts: cash and tokens are conserved after every operation,
    /// no trader balance goes negative, and once every order is cancelled nothing stays locked.
    #[test]
    fn random_flow_conserves_value(ops in prop::collection::vec(op(), 1..120), maker in -300i64..300, taker in 0i64..3_000) {
        let mut ledger = Ledger::new();
        let accts: Vec<_> = (0..3).map(|i| ledger.open(format!("t{i}"), Some(AgentId(i)), Cash(20_000), Qty(150))).collect();
        let mut ex = Exchange::new(ledger, FeeSchedule { maker_cbps: maker, taker_cbps: taker });
        let kinds = [OrderType::Limit, OrderType::Market, OrderType::Ioc, OrderType::Fok, OrderType::PostOnly];
        let mut ids: Vec<(OrderId, AgentId)> = Vec::new();
        let mut trades = Vec::new();
        for op in ops {
            match op {
                Op::Submit { who, side, kind, price, qty } => {
                    let r = req(accts[who], AgentId(who as u32), side, kinds[kind as usize], price, qty);
                    if let Ok((id, _)) = ex.place(r, &mut trades) {
                        ids.push((id, AgentId(who as u32)));
                    }
                }
                Op::Cancel { pick } if !ids.is_empty() => {
                    let (id, agent) = ids[pick % ids.len()];
                    let _ = ex.cancel(agent, id);
                }
                _ => {}
            }
            let c = ex.ledger().conservation();
            prop_assert!(c.ok(), "{:?}", c);
            for &acct in &accts {
                let acc = ex.ledger().account(acct);
                prop_assert!(acc.cash_free >= Cash::ZERO && acc.cash_locked >= Cash::ZERO, "{:?}", acc);
                prop_assert!(acc.tokens_free >= Qty::ZERO && acc.tokens_locked >= Qty::ZERO, "{:?}", acc);
            }
        }
        for (id, agent) in ids {
            let _ = ex.cancel(agent, id);
        }
        prop_assert_eq!(ex.book().order_count(), 0);
        for &acct in &accts {
            let acc = ex.ledger().account(acct);
            prop_assert_eq!(acc.cash_locked, Cash::ZERO);
            prop_assert_eq!(acc.tokens_locked, Qty::ZERO);
        }
        // Fees collected equal what traders paid: the venue holds exactly the traders' loss of cash.
        let traders_cash: i128 = accts.iter().map(|&a| ex.ledger().account(a).cash().0).sum();
        prop_assert_eq!(ex.ledger().account(ex.venue()).cash().0, 60_000 - traders_cash);
    }
}

#[test]
fn an_agents_resting_orders_are_found_through_fills_and_cancels() {
    let (mut ex, a, b) = venue(FeeSchedule::default());
    let mut trades = Vec::new();
    let (x, _) = ex.place(req(a, MM, Side::Sell, OrderType::Limit, 100, 5), &mut trades).unwrap();
    let (y, _) = ex.place(req(a, MM, Side::Sell, OrderType::Limit, 101, 5), &mut trades).unwrap();
    let (z, _) = ex.place(req(a, MM, Side::Sell, OrderType::Limit, 102, 5), &mut trades).unwrap();
    ex.place(req(b, TAKER, Side::Buy, OrderType::Limit, 90, 5), &mut trades).unwrap();
    assert_eq!(ex.orders_of(&[MM]).len(), 3);
    assert_eq!(ex.orders_of(&[TAKER]).len(), 1);
    assert_eq!(ex.orders_of(&[MM, TAKER]).len(), 4);
    ex.place(req(b, TAKER, Side::Buy, OrderType::Ioc, 100, 5), &mut trades).unwrap();
    ex.cancel(MM, z).unwrap();
    let left: Vec<OrderId> = ex.orders_of(&[MM]).iter().map(|o| o.id).collect();
    assert_eq!(left, vec![y]);
    assert!(!left.contains(&x));
}
