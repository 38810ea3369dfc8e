//! Property tests of the order book on random operation streams.
//!
//! The book is checked against a deliberately naive reference model written here: resting orders in a
//! `Vec` with arrival sequence numbers, scanned for the best match before every single fill. It
//! implements the same semantics (limit, market, IOC, FOK, post-only, cancel, modify, the reject order
//! duplicate id → price → quantity → the type's own condition) so any difference is a bug in one of
//! them. Beside the comparison, invariants are checked on the book alone: never crossed at rest, every
//! order's quantity accounted for, level totals and band depths equal to sums of resting orders, and
//! the same stream replayed gives the same output.
//!
//! Streams use prices in a narrow band (so orders cross often) with occasional far prices and prices
//! around the ladder's 64-tick page boundaries, or a wide band across several pages; small
//! quantities; and a small id space, so ids are reused (duplicates of resting ids) and cancels and
//! modifies hit both resting and unknown ids. Bad prices and quantities appear now and then.
//!
//! `DuplicateOrderId` follows the book's contract: an id that is resting. Rejecting an id that merely
//! appeared on an earlier row (the `mmsim match` rule) is the replay layer's job, not the book's.

use mmsim::book::*;
use mmsim::types::*;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Order ids are drawn from `0..ID_SPACE`.
const ID_SPACE: u64 = 48;

#[derive(Clone, Copy, Debug)]
enum Op {
    New(NewOrder),
    Cancel(OrderId),
    Modify(OrderId, Price, Qty),
}

/// Which order a cancel or modify aims at.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// This id, resting or not.
    Id(u64),
    /// The `k`-th resting order (bids best-first, then asks), modulo their number; an unknown id
    /// when the book is empty.
    Resting(usize),
}

/// A modify's new price.
#[derive(Clone, Copy, Debug)]
enum NewPrice {
    /// The order's current price (100 when it is not resting).
    Same,
    To(i64),
}

/// A modify's new quantity.
#[derive(Clone, Copy, Debug)]
enum NewQty {
    /// The order's remaining quantity plus this (may be ≤ 0).
    Delta(i64),
    To(i64),
}

/// A generated step, turned into a concrete [`Op`] against the book's state just before it runs, so
/// that cancels and modifies often hit resting orders and modifies often keep their price.
#[derive(Clone, Copy, Debug)]
enum Action {
    New(NewOrder),
    Cancel(Target),
    Modify(Target, NewPrice, NewQty),
}

fn resolve(action: Action, book: &OrderBook) -> Op {
    let target = |t: Target| match t {
        Target::Id(id) => OrderId(id),
        Target::Resting(k) => {
            let all: Vec<RestingOrder> = book.orders(Side::Buy).chain(book.orders(Side::Sell)).collect();
            all.get(k % all.len().max(1)).map_or(OrderId(ID_SPACE), |o| o.id)
        }
    };
    match action {
        Action::New(order) => Op::New(order),
        Action::Cancel(t) => Op::Cancel(target(t)),
        Action::Modify(t, price, qty) => {
            let id = target(t);
            let current = book.order(id);
            let price = match price {
                NewPrice::Same => current.map_or(100, |o| o.price.0),
                NewPrice::To(p) => p,
            };
            let qty = match qty {
                NewQty::Delta(d) => current.map_or(0, |o| o.qty.0) + d,
                NewQty::To(q) => q,
            };
            Op::Modify(id, Price(price), Qty(qty))
        }
    }
}

/// The result of one operation, comparable between the book and the reference.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Submitted(Result<Placed, Reject>),
    Cancelled(Result<RestingOrder, Reject>),
    Modified(Result<Modified, Reject>),
}

fn apply(book: &mut OrderBook, op: Op, fills: &mut Vec<Fill>) -> Outcome {
    match op {
        Op::New(order) => Outcome::Submitted(book.submit(order, fills)),
        Op::Cancel(id) => Outcome::Cancelled(book.cancel(id)),
        Op::Modify(id, price, qty) => Outcome::Modified(book.modify(id, price, qty, fills)),
    }
}

// ---------------------------------------------------------------------------------------------------
// The reference model.
// ---------------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
struct RefOrder {
    order: RestingOrder,
    /// Arrival sequence number: lower is earlier.
    seq: u64,
}

/// A naive book: a flat list of resting orders, scanned in full for every decision.
#[derive(Debug, Default)]
struct RefBook {
    resting: Vec<RefOrder>,
    next_seq: u64,
}

/// True when a taker on `side` with `limit` (`None` for a market order) accepts a resting `price`.
fn acceptable(side: Side, limit: Option<i64>, price: Price) -> bool {
    match (side, limit) {
        (_, None) => true,
        (Side::Buy, Some(l)) => price.0 <= l,
        (Side::Sell, Some(l)) => price.0 >= l,
    }
}

/// Sort key of a resting order: better price first, then earlier arrival.
fn priority(r: &RefOrder) -> (i64, u64) {
    match r.order.side {
        Side::Buy => (-r.order.price.0, r.seq),
        Side::Sell => (r.order.price.0, r.seq),
    }
}

impl RefBook {
    fn find(&self, id: OrderId) -> Option<usize> {
        self.resting.iter().position(|r| r.order.id == id)
    }

    /// The index of the resting order a taker on `side` with `limit` trades with next.
    fn best_match(&self, side: Side, limit: Option<i64>) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, r) in self.resting.iter().enumerate() {
            if r.order.side == side || !acceptable(side, limit, r.order.price) {
                continue;
            }
            if best.is_none_or(|b| priority(r) < priority(&self.resting[b])) {
                best = Some(i);
            }
        }
        best
    }

    fn submit(&mut self, o: NewOrder, fills: &mut Vec<Fill>) -> Result<Placed, Reject> {
        if self.find(o.id).is_some() {
            return Err(Reject::DuplicateOrderId);
        }
        if o.kind != OrderType::Market && o.price.0 <= 0 {
            return Err(Reject::BadPrice);
        }
        if o.qty.0 <= 0 {
            return Err(Reject::BadQty);
        }
        let limit = if o.kind == OrderType::Market { None } else { Some(o.price.0) };
        let liquidity: i64 = self
            .resting
            .iter()
            .filter(|r| r.order.side != o.side && acceptable(o.side, limit, r.order.price))
            .map(|r| r.order.qty.0)
            .sum();
        if o.kind == OrderType::PostOnly && liquidity > 0 {
            return Err(Reject::WouldCross);
        }
        if o.kind == OrderType::Fok && liquidity < o.qty.0 {
            return Err(Reject::Unfillable);
        }
        let mut left = o.qty.0;
        while left > 0 {
            let Some(i) = self.best_match(o.side, limit) else { break };
            let maker = &mut self.resting[i].order;
            let take = left.min(maker.qty.0);
            left -= take;
            maker.qty.0 -= take;
            fills.push(Fill {
                maker: maker.id,
                maker_trader: maker.trader,
                taker: o.id,
                taker_trader: o.trader,
                taker_side: o.side,
                price: maker.price,
                qty: Qty(take),
                maker_remaining: maker.qty,
            });
            if maker.qty.0 == 0 {
                self.resting.remove(i);
            }
        }
        let mut placed = Placed { filled: Qty(o.qty.0 - left), ..Placed::default() };
        match o.kind {
            _ if left == 0 => {}
            OrderType::Limit | OrderType::PostOnly => {
                let order = RestingOrder { id: o.id, trader: o.trader, side: o.side, price: o.price, qty: Qty(left) };
                self.resting.push(RefOrder { order, seq: self.next_seq });
                self.next_seq += 1;
                placed.rested = Qty(left);
            }
            OrderType::Market | OrderType::Ioc | OrderType::Fok => placed.dropped = Qty(left),
        }
        Ok(placed)
    }

    fn cancel(&mut self, id: OrderId) -> Result<RestingOrder, Reject> {
        let i = self.find(id).ok_or(Reject::UnknownOrder)?;
        Ok(self.resting.remove(i).order)
    }

    fn modify(&mut self, id: OrderId, price: Price, qty: Qty, fills: &mut Vec<Fill>) -> Result<Modified, Reject> {
        if price.0 <= 0 {
            return Err(Reject::BadPrice);
        }
        if qty.0 <= 0 {
            return Err(Reject::BadQty);
        }
        let i = self.find(id).ok_or(Reject::UnknownOrder)?;
        let old = self.resting[i].order;
        if price == old.price && qty <= old.qty {
            self.resting[i].order.qty = qty;
            return Ok(Modified::InPlace { reduced_by: old.qty - qty });
        }
        self.resting.remove(i);
        let order = NewOrder { id, trader: old.trader, side: old.side, kind: OrderType::Limit, price, qty };
        let placed = self.submit(order, fills).expect("a valid re-entry with a free id is accepted");
        Ok(Modified::Reentered { old_qty: old.qty, old_price: old.price, placed })
    }

    fn apply(&mut self, op: Op, fills: &mut Vec<Fill>) -> Outcome {
        match op {
            Op::New(order) => Outcome::Submitted(self.submit(order, fills)),
            Op::Cancel(id) => Outcome::Cancelled(self.cancel(id)),
            Op::Modify(id, price, qty) => Outcome::Modified(self.modify(id, price, qty, fills)),
        }
    }

    /// Resting orders of `side`, best price first, earliest first within a price.
    fn orders(&self, side: Side) -> Vec<RestingOrder> {
        let mut v: Vec<RefOrder> = self.resting.iter().filter(|r| r.order.side == side).copied().collect();
        v.sort_by_key(priority);
        v.into_iter().map(|r| r.order).collect()
    }

    fn best(&self, side: Side) -> Option<Price> {
        self.orders(side).first().map(|o| o.price)
    }
}

// ---------------------------------------------------------------------------------------------------
// Operation streams.
// ---------------------------------------------------------------------------------------------------

/// Prices: mode 0 is a narrow band with occasional far and page-boundary prices, mode 1 spreads
/// over five 64-tick pages. Both produce a bad price (≤ 0) now and then.
fn price(mode: u8) -> BoxedStrategy<i64> {
    if mode == 0 {
        prop_oneof![
            40 => 96i64..=104,
            4 => 60i64..=68,
            3 => 125i64..=131,
            1 => Just(1i64),
            1 => Just(10_000_000i64),
            1 => -1i64..=0,
        ]
        .boxed()
    } else {
        prop_oneof![30 => 1i64..=320, 1 => -1i64..=0].boxed()
    }
}

fn qty() -> impl Strategy<Value = i64> {
    prop_oneof![30 => 1i64..=5, 1 => -1i64..=0]
}

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Buy), Just(Side::Sell)]
}

fn kind() -> impl Strategy<Value = OrderType> {
    prop_oneof![
        6 => Just(OrderType::Limit),
        1 => Just(OrderType::Market),
        2 => Just(OrderType::Ioc),
        2 => Just(OrderType::Fok),
        2 => Just(OrderType::PostOnly),
    ]
}

fn target() -> impl Strategy<Value = Target> {
    // Ids a little past the id space are always unknown.
    prop_oneof![2 => (0..ID_SPACE + 4).prop_map(Target::Id), 3 => (0usize..64).prop_map(Target::Resting)]
}

fn action(mode: u8) -> impl Strategy<Value = Action> {
    let new = (0..ID_SPACE, 0u32..3, side(), kind(), price(mode), qty()).prop_map(|(id, t, side, kind, p, q)| {
        Action::New(NewOrder { id: OrderId(id), trader: TraderId(t), side, kind, price: Price(p), qty: Qty(q) })
    });
    let cancel = target().prop_map(Action::Cancel);
    let new_price = prop_oneof![1 => Just(NewPrice::Same), 1 => price(mode).prop_map(NewPrice::To)];
    let new_qty = prop_oneof![2 => (-1i64..=1).prop_map(NewQty::Delta), 1 => qty().prop_map(NewQty::To)];
    let modify = (target(), new_price, new_qty).prop_map(|(t, p, q)| Action::Modify(t, p, q));
    prop_oneof![12 => new, 2 => cancel, 3 => modify]
}

fn stream() -> impl Strategy<Value = Vec<Action>> {
    (0u8..2).prop_flat_map(|mode| prop::collection::vec(action(mode), 1..200))
}

/// Price bands for `depth_between`: a few random ones and fixed ones across page boundaries.
fn bands() -> impl Strategy<Value = Vec<(i64, i64)>> {
    prop::collection::vec((-2i64..340, 0i64..140).prop_map(|(lo, w)| (lo, lo + w)), 4).prop_map(|mut v| {
        v.extend([(1, 63), (63, 64), (64, 127), (60, 130), (96, 104), (100, 99), (i64::MIN, i64::MAX)]);
        v
    })
}

// ---------------------------------------------------------------------------------------------------
// Checks.
// ---------------------------------------------------------------------------------------------------

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, ..ProptestConfig::default() }
}

/// Levels rebuilt from `orders(side)`: consecutive orders at one price summed.
fn levels_from_orders(book: &OrderBook, side: Side) -> Vec<(Price, Qty)> {
    let mut levels: Vec<(Price, Qty)> = Vec::new();
    for o in book.orders(side) {
        match levels.last_mut() {
            Some((p, q)) if *p == o.price => *q += o.qty,
            _ => levels.push((o.price, o.qty)),
        }
    }
    levels
}

/// Per-id quantities, summed over every life of the id.
#[derive(Clone, Copy, Debug, Default)]
struct Account {
    submitted: i64,
    filled: i64,
    /// Cancelled, reduced in place, replaced by a modify, or dropped (market/IOC remainder).
    removed: i64,
}

/// Checks an accepted order's `Placed` against its quantity and fills, and books its submission.
fn placed_sums(accts: &mut [Account], id: OrderId, qty: Qty, p: &Placed, fills: &[Fill]) -> Result<(), TestCaseError> {
    prop_assert_eq!(p.filled.0 + p.rested.0 + p.dropped.0, qty.0, "placed does not add up: {:?}", p);
    prop_assert_eq!(p.filled.0, fills.iter().map(|f| f.qty.0).sum::<i64>(), "placed.filled vs the fills");
    prop_assert!(fills.iter().all(|f| f.taker == id), "a fill names another taker");
    let a = &mut accts[id.0 as usize];
    a.submitted += qty.0;
    a.removed += p.dropped.0;
    Ok(())
}

/// Updates the accounts from one operation's outcome and fills, checking the outcome's own sums.
fn account(accts: &mut [Account], op: Op, outcome: &Outcome, fills: &[Fill]) -> Result<(), TestCaseError> {
    for f in fills {
        prop_assert!(f.qty.0 > 0, "a fill of nothing: {f:?}");
        accts[f.maker.0 as usize].filled += f.qty.0;
        accts[f.taker.0 as usize].filled += f.qty.0;
    }
    match (op, outcome) {
        (Op::New(o), Outcome::Submitted(Ok(p))) => placed_sums(accts, o.id, o.qty, p, fills)?,
        (Op::Cancel(id), Outcome::Cancelled(Ok(o))) => {
            prop_assert_eq!(o.id, id);
            accts[id.0 as usize].removed += o.qty.0;
        }
        (Op::Modify(id, _, _), Outcome::Modified(Ok(Modified::InPlace { reduced_by }))) => {
            prop_assert!(fills.is_empty());
            accts[id.0 as usize].removed += reduced_by.0;
        }
        (Op::Modify(id, _, qty), Outcome::Modified(Ok(Modified::Reentered { old_qty, placed, .. }))) => {
            accts[id.0 as usize].removed += old_qty.0;
            placed_sums(accts, id, qty, placed, fills)?;
        }
        (_, Outcome::Submitted(Err(_)) | Outcome::Cancelled(Err(_)) | Outcome::Modified(Err(_))) => {
            prop_assert!(fills.is_empty(), "a rejected operation traded");
        }
        (op, outcome) => prop_assert!(false, "outcome {outcome:?} does not fit {op:?}"),
    }
    Ok(())
}

/// Runs `actions` through a fresh book; returns every operation with its outcome and fills, and the
/// resting orders at the end.
type Log = (Vec<(String, Outcome, Vec<Fill>)>, Vec<RestingOrder>, Vec<RestingOrder>);

fn replay(actions: &[Action]) -> Log {
    let mut book = OrderBook::new();
    let log = actions
        .iter()
        .map(|&action| {
            let op = resolve(action, &book);
            let mut fills = Vec::new();
            let outcome = apply(&mut book, op, &mut fills);
            (format!("{op:?}"), outcome, fills)
        })
        .collect();
    (log, book.orders(Side::Buy).collect(), book.orders(Side::Sell).collect())
}

proptest! {
    #![proptest_config(config(300))]

    /// Every outcome (placed quantities, rejects, modify results), every fill (maker, taker, traders,
    /// price, qty, maker remaining) and the resting orders after every operation match the model.
    #[test]
    fn book_matches_the_reference_model(actions in stream()) {
        let mut book = OrderBook::new();
        let mut model = RefBook::default();
        for (step, &action) in actions.iter().enumerate() {
            let op = resolve(action, &book);
            let (mut fills, mut ref_fills) = (Vec::new(), Vec::new());
            let got = apply(&mut book, op, &mut fills);
            let want = model.apply(op, &mut ref_fills);
            prop_assert_eq!(&got, &want, "outcome of op {} {:?}", step, op);
            prop_assert_eq!(&fills, &ref_fills, "fills of op {} {:?}", step, op);
            for side in [Side::Buy, Side::Sell] {
                prop_assert_eq!(book.orders(side).collect::<Vec<_>>(), model.orders(side), "{} orders after op {}", side, step);
                prop_assert_eq!(book.best(side), model.best(side));
            }
            prop_assert_eq!(book.order_count(), model.resting.len());
        }
        for id in 0..ID_SPACE + 4 {
            let id = OrderId(id);
            prop_assert_eq!(book.order(id), model.find(id).map(|i| model.resting[i].order));
            prop_assert_eq!(book.contains(id), model.find(id).is_some());
        }
    }

}

proptest! {
    #![proptest_config(config(200))]

    /// After every operation the best bid is strictly below the best ask.
    #[test]
    fn book_is_never_crossed_at_rest(actions in stream()) {
        let mut book = OrderBook::new();
        let mut fills = Vec::new();
        for (step, &action) in actions.iter().enumerate() {
            let op = resolve(action, &book);
            apply(&mut book, op, &mut fills);
            if let (Some(bid), Some(ask)) = (book.best_bid(), book.best_ask()) {
                prop_assert!(bid < ask, "crossed after op {} {:?}: bid {:?} ask {:?}", step, op, bid, ask);
            }
            prop_assert_eq!(book.best_bid(), book.orders(Side::Buy).next().map(|o| o.price));
            prop_assert_eq!(book.best_ask(), book.orders(Side::Sell).next().map(|o| o.price));
        }
    }

    /// For every id, over all its lives: filled + resting + removed (cancelled, reduced, replaced,
    /// dropped) = submitted, tracked from the book's own fills and outcomes.
    #[test]
    fn every_order_is_accounted_for(actions in stream()) {
        let mut book = OrderBook::new();
        let mut accts = vec![Account::default(); (ID_SPACE + 4) as usize];
        for (step, &action) in actions.iter().enumerate() {
            let op = resolve(action, &book);
            let mut fills = Vec::new();
            let outcome = apply(&mut book, op, &mut fills);
            account(&mut accts, op, &outcome, &fills)?;
            for f in &fills {
                let resting = book.order(f.maker).map_or(0, |o| o.qty.0);
                prop_assert_eq!(resting, f.maker_remaining.0, "maker_remaining of {:?}", f);
            }
            for (id, a) in accts.iter().enumerate() {
                let resting = book.order(OrderId(id as u64)).map_or(0, |o| o.qty.0);
                prop_assert_eq!(a.filled + resting + a.removed, a.submitted,
                    "order {} after op {} {:?}: {:?}, resting {}", id, step, op, a, resting);
            }
        }
    }

    /// `levels()` totals equal the sums of `orders()` per price (and `qty_at`, `level_count` agree);
    /// `depth_between` equals a naive sum over resting orders for every band.
    #[test]
    fn levels_and_depth_agree_with_resting_orders(actions in stream(), bands in bands()) {
        let mut book = OrderBook::new();
        let mut fills = Vec::new();
        for (step, &action) in actions.iter().enumerate() {
            let op = resolve(action, &book);
            apply(&mut book, op, &mut fills);
            for side in [Side::Buy, Side::Sell] {
                let levels: Vec<(Price, Qty)> = book.levels(side).collect();
                prop_assert_eq!(&levels, &levels_from_orders(&book, side), "{} levels after op {} {:?}", side, step, op);
                prop_assert_eq!(book.level_count(side), levels.len());
                let best_first = |a: Price, b: Price| if side == Side::Buy { a > b } else { a < b };
                prop_assert!(levels.windows(2).all(|w| best_first(w[0].0, w[1].0)), "{} levels out of order: {:?}", side, levels);
                for &(p, q) in &levels {
                    prop_assert_eq!(book.qty_at(side, p), q);
                }
                for &(lo, hi) in &bands {
                    let naive: i64 = book.orders(side).filter(|o| lo <= o.price.0 && o.price.0 <= hi).map(|o| o.qty.0).sum();
                    prop_assert_eq!(book.depth_between(side, Price(lo), Price(hi)).0, naive,
                        "{} depth in [{}, {}] after op {} {:?}", side, lo, hi, step, op);
                }
            }
            let total: usize = [Side::Buy, Side::Sell].iter().map(|&s| book.orders(s).count()).sum();
            prop_assert_eq!(book.order_count(), total);
        }
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// The same stream through two fresh books gives identical outcomes, fills and resting orders.
    #[test]
    fn same_stream_twice_gives_identical_output(actions in stream()) {
        let first = replay(&actions);
        prop_assert!(first == replay(&actions), "two replays of one stream differ");
    }
}
