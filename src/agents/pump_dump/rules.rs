//! The pure price and size rules of `pump_dump`'s opt-in mechanisms (kept apart so each is tested
//! on its own): the consensus inventory band, the paced mark-up ratchet, the rug-pull target
//! measured from the rug-pull start, and the dump floor under the top.
//!
//! Units: prices in fractional ticks, sizes in lots, distances in bps.

use crate::types::Qty;

/// Sizes of the consensus band quotes `(bid, ask)` that keep the position within `tolerance` ×
/// `stock` of `stock` (the holdings when consensus began): the ask never sells below
/// `stock × (1 − tolerance)`, the bid never buys above `stock × (1 + tolerance)`. With no tolerance
/// both quotes are `quote` (the band may sell the whole stock).
pub fn band_quote_sizes(quote: Qty, holdings: Qty, stock: Qty, tolerance: Option<f64>) -> (Qty, Qty) {
    let Some(tol) = tolerance else { return (quote, quote) };
    let slack = (stock.0 as f64 * tol).floor() as i64;
    let ask = (holdings.0 - (stock.0 - slack)).clamp(0, quote.0);
    let bid = ((stock.0 + slack) - holdings.0).clamp(0, quote.0);
    (Qty(bid), Qty(ask))
}

/// The rug pull's price target, in ticks: `rise_multiple` × the price when the rug pull began when
/// set, otherwise `target_multiple` × the open.
pub fn pump_target(open: f64, start: f64, target_multiple: f64, rise_multiple: Option<f64>) -> f64 {
    match rise_multiple {
        Some(k) => start * k,
        None => open * target_multiple,
    }
}

/// The next level of the paced mark-up: one `step_bps` above the higher of the previous level and
/// the last price, never above the target. The level climbs every decision whether or not anybody
/// bought, so the pace of the rise is the whale's, not luck.
pub fn ratchet_level(level: f64, reference: f64, step_bps: f64, target: f64) -> f64 {
    (level.max(reference) * (1.0 + step_bps / 10_000.0)).min(target)
}

/// The lowest price a dump slice is offered at after the top: `discount_bps` under the last price,
/// but never below `floor_bps` under the top when a floor is set (the dump then waits for buyers
/// rather than chasing its own price down). `None` when the last price is already under the floor:
/// the crowd has taken the price down, and the whale offers nothing until it comes back (a stale
/// ask far above the market would only be lifted by a lone buyer, printing a spike).
pub fn dump_price(reference: f64, discount_bps: f64, top: f64, floor_bps: Option<f64>) -> Option<f64> {
    let chase = reference * (1.0 - discount_bps / 10_000.0);
    match floor_bps {
        Some(f) => {
            let floor = top * (1.0 - f / 10_000.0);
            (reference >= floor).then(|| chase.max(floor))
        }
        None => Some(chase),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_quotes_keep_the_position_within_the_tolerance() {
        let q = Qty(500);
        assert_eq!(band_quote_sizes(q, Qty(100), Qty(50_000), None), (q, q), "no tolerance: both sides full");
        // At the stock with 10%: 5000 lots of room each way, both quotes full.
        assert_eq!(band_quote_sizes(q, Qty(50_000), Qty(50_000), Some(0.1)), (q, q));
        // 200 lots above the floor: the ask shrinks to 200, the bid stays full.
        assert_eq!(band_quote_sizes(q, Qty(45_200), Qty(50_000), Some(0.1)), (q, Qty(200)));
        // At or below the floor: no ask at all; at or above the ceiling: no bid.
        assert_eq!(band_quote_sizes(q, Qty(40_000), Qty(50_000), Some(0.1)), (q, Qty(0)));
        assert_eq!(band_quote_sizes(q, Qty(55_100), Qty(50_000), Some(0.1)), (Qty(0), q));
        assert_eq!(
            band_quote_sizes(q, Qty(50_000), Qty(50_000), Some(0.0)),
            (Qty(0), Qty(0)),
            "zero tolerance: no band"
        );
    }

    #[test]
    fn the_target_is_measured_from_the_rug_pull_start_when_asked() {
        assert_eq!(pump_target(10_000.0, 8_700.0, 1.3, None), 13_000.0, "old rule: a multiple of the open");
        assert!((pump_target(10_000.0, 8_700.0, 1.3, Some(1.4)) - 12_180.0).abs() < 1e-9);
    }

    #[test]
    fn the_ratchet_climbs_every_decision_up_to_the_target() {
        let (mut level, target) = (10_000.0, 13_000.0);
        let mut steps = 0;
        while level < target {
            // Nobody buys: the last price stays at the start, the level climbs anyway.
            level = ratchet_level(level, 10_000.0, 100.0, target);
            steps += 1;
        }
        assert_eq!(level, target, "capped at the target");
        assert_eq!(steps, 27, "1.01^27 ≥ 1.3 > 1.01^26");
        // A last price above the level (a buyer ran ahead) is the new base.
        assert!((ratchet_level(10_000.0, 11_000.0, 100.0, target) - 11_110.0).abs() < 1e-9);
    }

    #[test]
    fn the_dump_floor_stops_the_self_chase() {
        assert!((dump_price(10_000.0, 50.0, 13_000.0, None).unwrap() - 9_950.0).abs() < 1e-9, "no floor: chases");
        // 10% floor under a 13000 top (11700): just above it the floor is the higher price.
        assert!((dump_price(11_720.0, 50.0, 13_000.0, Some(1_000.0)).unwrap() - 11_700.0).abs() < 1e-9);
        // Near the top the chase price is the higher one.
        assert!((dump_price(12_900.0, 50.0, 13_000.0, Some(1_000.0)).unwrap() - 12_835.5).abs() < 1e-9);
        // Once the crowd has taken the price under the floor, the whale offers nothing.
        assert_eq!(dump_price(10_000.0, 50.0, 13_000.0, Some(1_000.0)), None);
    }
}
