//! Plain-words explanations of each manipulation phase, shown under the replay's price, and short
//! durations in words.

/// One paragraph on what the manipulator does in phase `name` and what to watch; `""` is the text
/// for no phase in force.
pub fn phase(name: &str) -> &'static str {
    match name {
        "accumulate" => {
            "Accumulation: the whale buys a little at a time, never above a price cap, so the \
            price barely moves while it builds a position. Watch its token holdings climb while the price stays flat."
        }
        "consensus" => {
            "Consensus: one aggressive buy lifts the price, then the whale trades with itself (wash \
            trades, in purple) at prices that oscillate inside a band and quotes both edges. Volume looks busy and \
            a new, higher range looks normal, although few real traders are involved."
        }
        "rug_pull" => {
            "Rug pull: the whale marks the price up step by step — its buys and the support bid it \
            raises under the market are the red dots — while offering slices of its holdings just above \
            (dump, dark blue) to the momentum traders the climb attracts. At the top it pulls the support and \
            sells; with nothing under them the bids give way and the price collapses. Watch its tokens fall and \
            its cash rise while the crowd buys."
        }
        "withdrawn" => {
            "Withdrawn: the whale has cancelled every order and stopped trading. Without its \
            support bid the price sinks back toward what the crowd thinks the token is worth; the buyers of the \
            rally hold the loss."
        }
        "pump" => {
            "Pump: the market maker buys aggressively (red dots) and keeps a support bid under the \
            market. Each buy lifts the price; momentum and FOMO traders see the rise and join in. Watch the \
            price climb on rising volume."
        }
        "distribute" => {
            "Distribution: near the top the market maker sells the borrowed tokens into the \
            buyers its pump attracted (dark blue dots). The price stalls while its token holdings fall and its \
            cash piles up."
        }
        "raid" => {
            "Raid: the market maker dumps its remaining tokens into the bids to knock the price down and \
            pulls its support. The book thins on the bid side (see the heat map) and the price collapses."
        }
        "wait" => {
            "Wait: no orders. The market maker waits for the crash to play out and the panicked crowd to \
            sell at any price."
        }
        "buyback" => {
            "Buy-back: the market maker buys back the tokens it owes (green dots) for a fraction of \
            what it sold them for, to return the loan. The difference is its profit, and the crowd's loss."
        }
        "done" => {
            "Done: the loan is returned (or about to be) and the market maker holds what it owes. The \
            token is worth a small part of its peak; the project got its token count back."
        }
        "leveraging" => {
            "Leveraging: the borrower posts tokens as collateral, borrows cash and buys more \
            tokens, which raises the price and the collateral's value, so it can borrow again."
        }
        "holding" => {
            "Holding: no new borrowing. The position is as large as it gets; a fall in price now eats \
            into the collateral."
        }
        "liquidating" => {
            "Liquidation: the collateral is worth too little for the debt, so the lender sells it \
            into the book. Forced sales push the price down, which makes the collateral worth even less."
        }
        "deleveraged" => {
            "Deleveraged: the liquidation restored the loan-to-value ratio; what is left of the \
            position is safe for now."
        }
        "wiped_out" => "Wiped out: no collateral is left and debt is still outstanding.",
        "spoof_bid" => {
            "Spoofing the bid: the spoofer rests large buy orders (orange segments) a little below \
            the best bid, which it cancels before they can fill. Book readers see a heavy bid side and buy; \
            the price edges up and the spoofer's small real ask at the touch is lifted. Watch the ladder: the \
            highlighted size on the bid side, and the crowd's bids stepping up."
        }
        "spoof_ask" => {
            "Spoofing the ask: now the large fake orders sit on the sell side. Book readers see \
            heavy supply and sell; the price sags and the spoofer's small real bid buys its tokens back lower."
        }
        _ => {
            "No manipulation phase is in force at this moment: trades come from the crowd and the market \
            makers' quotes. Step to the manipulator's next move, or play."
        }
    }
}

/// A duration in ms in words (`100 ms`, `1 s`, `15 s`, `5 min`, `1 h`).
pub fn duration(ms: i64) -> String {
    match ms {
        m if m < 1_000 => format!("{m} ms"),
        m if m < 60_000 => format!("{} s", m / 1_000),
        m if m < 3_600_000 => format!("{} min", m / 60_000),
        m => format!("{} h", m / 3_600_000),
    }
}
