//! Accounts and balances: exact cash (integer atoms) and tokens (integer lots).
//!
//! Every balance change passes through this module. Cash and tokens enter the ledger only when an
//! account is opened (its starting balance); afterwards every operation moves value between accounts,
//! so the sums over all accounts never change. [`Ledger::conservation`] recomputes both sums from the
//! balances and compares them with the totals recorded at opening.
//!
//! Each balance has a free and a locked part: the exchange locks what an open order may need (cash
//! for a buy, tokens for a sell), so an account can never spend the same unit twice and no balance
//! ever goes negative (the exchange's fee account excepted, which may pay out more maker rebates
//! than it has collected).

use crate::types::{AgentId, Cash, Qty};

/// An account, a dense index into the ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(pub u32);

/// Why a balance change was refused. Nothing changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// The account's free cash is below the amount.
    #[error("insufficient cash: {needed} atoms needed, {free} free")]
    InsufficientCash {
        /// Atoms asked for.
        needed: i128,
        /// Atoms free.
        free: i128,
    },
    /// The account's free tokens are below the amount.
    #[error("insufficient tokens: {needed} lots needed, {free} free")]
    InsufficientTokens {
        /// Lots asked for.
        needed: i64,
        /// Lots free.
        free: i64,
    },
    /// A negative amount was passed where a transfer expects a non-negative one.
    #[error("negative amount")]
    NegativeAmount,
}

/// One account's balances.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Display name (unique by convention: a group member or the project).
    pub name: String,
    /// The agent that owns the account, if any.
    pub owner: Option<AgentId>,
    /// Agents other than the owner allowed to trade the account (e.g. an MM under a subscription).
    pub traders: Vec<AgentId>,
    /// Cash free to spend.
    pub cash_free: Cash,
    /// Cash locked by open buy orders.
    pub cash_locked: Cash,
    /// Tokens free to spend.
    pub tokens_free: Qty,
    /// Tokens locked by open sell orders.
    pub tokens_locked: Qty,
    /// True for the exchange's fee account, the one balance allowed to go negative (rebates).
    pub is_venue: bool,
    /// Tokens lent out (positive) or borrowed (negative) under loans still open: the lender's
    /// claim on them, the borrower's debt. A claim moves no balance; PnL counts it, so lending
    /// moves nobody's PnL.
    pub claim: Qty,
    /// Cash deposited with another account and still owed back (positive: this account's deposit
    /// held elsewhere, e.g. a guarantee with the exchange or an MM's collateral in escrow;
    /// negative: a deposit this account holds for another). Like [`Account::claim`] it moves no
    /// balance and PnL counts it, so a deposit is booked as a loss only when it is forfeited or
    /// withheld.
    pub cash_claim: Cash,
}

impl Account {
    /// Free plus locked cash.
    pub fn cash(&self) -> Cash {
        self.cash_free + self.cash_locked
    }
    /// Free plus locked tokens.
    pub fn tokens(&self) -> Qty {
        self.tokens_free + self.tokens_locked
    }
    /// True when `agent` may place and cancel orders for this account.
    pub fn can_trade(&self, agent: AgentId) -> bool {
        self.owner == Some(agent) || self.traders.contains(&agent)
    }
}

/// The result of a conservation check: starting and current sums over all accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conservation {
    /// Sum of cash when the accounts were opened.
    pub cash_start: Cash,
    /// Sum of cash now.
    pub cash_end: Cash,
    /// Sum of tokens when the accounts were opened.
    pub tokens_start: Qty,
    /// Sum of tokens now.
    pub tokens_end: Qty,
}

impl Conservation {
    /// True when no cash and no token was created or destroyed.
    pub fn ok(&self) -> bool {
        self.cash_start == self.cash_end && self.tokens_start == self.tokens_end
    }
}

/// All accounts of a market.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    accounts: Vec<Account>,
    cash_start: Cash,
    tokens_start: Qty,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Opens an account with a starting balance; this is the only way value enters the ledger.
    ///
    /// # Panics
    /// If `cash` or `tokens` is negative (a programming error: scenario validation rejects it first).
    pub fn open(&mut self, name: impl Into<String>, owner: Option<AgentId>, cash: Cash, tokens: Qty) -> AccountId {
        assert!(cash >= Cash::ZERO && tokens >= Qty::ZERO, "starting balances are non-negative");
        self.cash_start += cash;
        self.tokens_start += tokens;
        self.push(Account {
            name: name.into(),
            owner,
            traders: Vec::new(),
            cash_free: cash,
            cash_locked: Cash::ZERO,
            tokens_free: tokens,
            tokens_locked: Qty::ZERO,
            is_venue: false,
            claim: Qty::ZERO,
            cash_claim: Cash::ZERO,
        })
    }

    /// Opens the venue's fee account (empty; may go negative by paying rebates).
    pub fn open_venue(&mut self, name: impl Into<String>) -> AccountId {
        let id = self.open(name, None, Cash::ZERO, Qty::ZERO);
        self.accounts[id.0 as usize].is_venue = true;
        id
    }

    fn push(&mut self, account: Account) -> AccountId {
        let id = AccountId(u32::try_from(self.accounts.len()).expect("fewer than 2^32 accounts"));
        self.accounts.push(account);
        id
    }

    /// Lets `agent` trade `account` besides its owner.
    pub fn authorize(&mut self, account: AccountId, agent: AgentId) {
        let traders = &mut self.accounts[account.0 as usize].traders;
        if !traders.contains(&agent) {
            traders.push(agent);
        }
    }

    /// Records that `lender` lent `qty` tokens to `borrower` under a loan (negative `qty`: the loan
    /// ended; what was not returned is the lender's loss from then on). Balances do not move here:
    /// the tokens themselves move by [`Ledger::transfer_tokens`].
    pub fn record_claim(&mut self, lender: AccountId, borrower: AccountId, qty: Qty) {
        self.acct(lender).claim += qty;
        self.acct(borrower).claim -= qty;
    }

    /// Records that `holder` holds `cash` deposited by `owner` (negative `cash`: released, or
    /// forfeited, from then on the holder's). Balances do not move here: the cash itself moves by
    /// [`Ledger::transfer_cash`].
    pub fn record_deposit(&mut self, owner: AccountId, holder: AccountId, cash: Cash) {
        self.acct(owner).cash_claim += cash;
        self.acct(holder).cash_claim -= cash;
    }

    /// Withdraws `agent`'s right to trade `account` (its owner keeps it).
    pub fn revoke(&mut self, account: AccountId, agent: AgentId) {
        self.accounts[account.0 as usize].traders.retain(|&a| a != agent);
    }

    /// The account `id`.
    ///
    /// # Panics
    /// If `id` was not issued by this ledger.
    pub fn account(&self, id: AccountId) -> &Account {
        &self.accounts[id.0 as usize]
    }

    /// All accounts, in the order they were opened.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    fn acct(&mut self, id: AccountId) -> &mut Account {
        &mut self.accounts[id.0 as usize]
    }

    /// Moves `amount` of free cash from one account to another.
    ///
    /// # Errors
    /// [`LedgerError::InsufficientCash`] or [`LedgerError::NegativeAmount`]; nothing changes.
    pub fn transfer_cash(&mut self, from: AccountId, to: AccountId, amount: Cash) -> Result<(), LedgerError> {
        self.debit_cash(from, amount)?;
        self.acct(to).cash_free += amount;
        Ok(())
    }

    /// Moves `qty` free tokens from one account to another.
    ///
    /// # Errors
    /// [`LedgerError::InsufficientTokens`] or [`LedgerError::NegativeAmount`]; nothing changes.
    pub fn transfer_tokens(&mut self, from: AccountId, to: AccountId, qty: Qty) -> Result<(), LedgerError> {
        if qty < Qty::ZERO {
            return Err(LedgerError::NegativeAmount);
        }
        let a = self.acct(from);
        if a.tokens_free < qty {
            return Err(LedgerError::InsufficientTokens { needed: qty.0, free: a.tokens_free.0 });
        }
        a.tokens_free -= qty;
        self.acct(to).tokens_free += qty;
        Ok(())
    }

    fn debit_cash(&mut self, from: AccountId, amount: Cash) -> Result<(), LedgerError> {
        if amount < Cash::ZERO {
            return Err(LedgerError::NegativeAmount);
        }
        let a = self.acct(from);
        if a.cash_free < amount && !a.is_venue {
            return Err(LedgerError::InsufficientCash { needed: amount.0, free: a.cash_free.0 });
        }
        a.cash_free -= amount;
        Ok(())
    }

    /// Moves `amount` from free to locked cash.
    ///
    /// # Errors
    /// [`LedgerError::InsufficientCash`]; nothing changes.
    pub fn lock_cash(&mut self, id: AccountId, amount: Cash) -> Result<(), LedgerError> {
        self.debit_cash(id, amount)?;
        self.acct(id).cash_locked += amount;
        Ok(())
    }

    /// Moves `amount` from locked back to free cash.
    pub fn unlock_cash(&mut self, id: AccountId, amount: Cash) {
        let a = self.acct(id);
        debug_assert!(a.cash_locked >= amount, "unlocking more cash than is locked");
        a.cash_locked -= amount;
        a.cash_free += amount;
    }

    /// Moves `qty` from free to locked tokens.
    ///
    /// # Errors
    /// [`LedgerError::InsufficientTokens`]; nothing changes.
    pub fn lock_tokens(&mut self, id: AccountId, qty: Qty) -> Result<(), LedgerError> {
        let a = self.acct(id);
        if a.tokens_free < qty {
            return Err(LedgerError::InsufficientTokens { needed: qty.0, free: a.tokens_free.0 });
        }
        a.tokens_free -= qty;
        a.tokens_locked += qty;
        Ok(())
    }

    /// Moves `qty` from locked back to free tokens.
    pub fn unlock_tokens(&mut self, id: AccountId, qty: Qty) {
        let a = self.acct(id);
        debug_assert!(a.tokens_locked >= qty, "unlocking more tokens than are locked");
        a.tokens_locked -= qty;
        a.tokens_free += qty;
    }

    /// Settles one trade. The buyer pays `cost` out of its locked cash, the seller delivers `qty`
    /// out of its locked tokens; the seller receives `cost` and the buyer `qty` as free balances.
    /// Fees are then moved between the traders' free cash and the venue (`fee > 0` a charge, `< 0` a
    /// rebate).
    #[allow(clippy::too_many_arguments)]
    pub fn settle_trade(
        &mut self,
        buyer: AccountId,
        seller: AccountId,
        cost: Cash,
        qty: Qty,
        buyer_fee: Cash,
        seller_fee: Cash,
        venue: AccountId,
    ) {
        let b = self.acct(buyer);
        debug_assert!(b.cash_locked >= cost + buyer_fee.max(Cash::ZERO), "buyer's lock covers cost and fee");
        b.cash_locked -= cost;
        b.tokens_free += qty;
        let s = self.acct(seller);
        debug_assert!(s.tokens_locked >= qty, "seller's lock covers the tokens");
        s.tokens_locked -= qty;
        s.cash_free += cost;
        // A buyer's charge comes out of its lock (sized for it), a rebate goes to its free cash;
        // the seller's fee comes out of (or is added to) the proceeds.
        let b = self.acct(buyer);
        if buyer_fee >= Cash::ZERO {
            b.cash_locked -= buyer_fee;
        } else {
            b.cash_free -= buyer_fee;
        }
        self.acct(seller).cash_free -= seller_fee;
        self.acct(venue).cash_free += buyer_fee + seller_fee;
    }

    /// Recomputes the sums of cash and tokens over all accounts and compares them with the start.
    pub fn conservation(&self) -> Conservation {
        let (cash_end, tokens_end) =
            self.accounts.iter().fold((Cash::ZERO, Qty::ZERO), |(c, t), a| (c + a.cash(), t + a.tokens()));
        Conservation { cash_start: self.cash_start, cash_end, tokens_start: self.tokens_start, tokens_end }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> (Ledger, AccountId, AccountId) {
        let mut l = Ledger::new();
        let a = l.open("a", Some(AgentId(0)), Cash(1_000), Qty(10));
        let b = l.open("b", Some(AgentId(1)), Cash(500), Qty(0));
        (l, a, b)
    }

    #[test]
    fn transfers_conserve_and_refuse_overdrafts() {
        let (mut l, a, b) = two();
        l.transfer_cash(a, b, Cash(300)).unwrap();
        l.transfer_tokens(a, b, Qty(4)).unwrap();
        assert_eq!(l.account(a).cash(), Cash(700));
        assert_eq!(l.account(b).tokens(), Qty(4));
        assert_eq!(l.transfer_cash(b, a, Cash(801)), Err(LedgerError::InsufficientCash { needed: 801, free: 800 }));
        assert!(l.transfer_tokens(b, a, Qty(5)).is_err());
        assert_eq!(l.transfer_cash(a, b, Cash(-1)), Err(LedgerError::NegativeAmount));
        assert!(l.conservation().ok());
    }

    #[test]
    fn locked_balances_cannot_be_spent_twice() {
        let (mut l, a, b) = two();
        l.lock_cash(a, Cash(900)).unwrap();
        assert!(l.transfer_cash(a, b, Cash(101)).is_err());
        assert!(l.lock_cash(a, Cash(101)).is_err());
        l.unlock_cash(a, Cash(900));
        assert_eq!(l.account(a).cash_free, Cash(1_000));
        l.lock_tokens(a, Qty(10)).unwrap();
        assert!(l.lock_tokens(a, Qty(1)).is_err());
    }

    #[test]
    fn settlement_moves_value_and_fees_and_conserves() {
        let mut l = Ledger::new();
        let venue = l.open_venue("exchange");
        let buyer = l.open("buyer", Some(AgentId(0)), Cash(10_000), Qty(0));
        let seller = l.open("seller", Some(AgentId(1)), Cash(0), Qty(100));
        l.lock_cash(buyer, Cash(5_010)).unwrap();
        l.lock_tokens(seller, Qty(50)).unwrap();
        // 50 lots at 100 ticks, buyer (taker) pays 5 atoms, seller (maker) gets a 1-atom rebate.
        l.settle_trade(buyer, seller, Cash(5_000), Qty(50), Cash(5), Cash(-1), venue);
        assert_eq!(l.account(buyer).cash_locked, Cash(5));
        assert_eq!(l.account(buyer).tokens_free, Qty(50));
        assert_eq!(l.account(seller).cash_free, Cash(5_001));
        assert_eq!(l.account(venue).cash_free, Cash(4));
        let c = l.conservation();
        assert!(c.ok(), "{c:?}");
        assert_eq!(c.cash_end, Cash(10_000));
    }

    #[test]
    fn conservation_detects_a_created_unit() {
        let (mut l, a, _) = two();
        l.acct(a).cash_free += Cash(1);
        assert!(!l.conservation().ok());
    }

    #[test]
    fn permissions() {
        let (mut l, a, _) = two();
        assert!(l.account(a).can_trade(AgentId(0)));
        assert!(!l.account(a).can_trade(AgentId(7)));
        l.authorize(a, AgentId(7));
        assert!(l.account(a).can_trade(AgentId(7)));
        l.revoke(a, AgentId(7));
        assert!(!l.account(a).can_trade(AgentId(7)), "revoked");
        l.authorize(a, AgentId(7));
        assert!(l.account(a).can_trade(AgentId(7)));
    }
}
