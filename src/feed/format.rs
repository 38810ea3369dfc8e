//! The supported file formats, how a file's first line tells them apart, and their timestamps.
//!
//! Detection looks at the first line only (after a UTF-8 byte-order mark, if any):
//! - `<digits> {` starts a **Binance raw stream** (`<local time> <json>` per line);
//! - an exact **Tardis** header: `incremental_book_L2`, `trades` or `book_ticker` (see [`Format`]);
//! - the **Binance public trades** header `id,price,qty,quote_qty,time,is_buyer_maker` (also
//!   camelCase, with an optional 7th `is_best_match` column), or a headerless row of that shape
//!   (6 or 7 fields, integer id and time, `true`/`false` in the 6th);
//! - anything else is [`FeedError::UnknownFormat`](super::FeedError::UnknownFormat).
//!
//! Timestamps become nanoseconds since the epoch. Tardis writes microseconds. A Binance raw-stream
//! local time and a Binance trades-file time are read by magnitude, which is unambiguous for dates
//! between 1973 and 2286: ≥ 10^17 is ns, ≥ 10^14 µs, ≥ 10^11 ms, anything smaller seconds (a decimal
//! point is allowed there: `1723161600.123456`).

use std::str::FromStr;

use rust_decimal::Decimal;

/// The Tardis `incremental_book_L2` header.
pub const TARDIS_BOOK_HEADER: &str = "exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount";
/// The Tardis `trades` header.
pub const TARDIS_TRADES_HEADER: &str = "exchange,symbol,timestamp,local_timestamp,id,side,price,amount";
/// The Tardis `book_ticker` header.
pub const TARDIS_TICKER_HEADER: &str =
    "exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount";

/// A market-data file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Binance raw streams: `<local time> <json>` lines (`depthUpdate`, `trade`, `bookTicker`, REST
    /// snapshots), optionally wrapped as `{"stream":..,"data":..}`.
    BinanceJson,
    /// Tardis `incremental_book_L2` CSV.
    TardisBook,
    /// Tardis `trades` CSV.
    TardisTrades,
    /// Tardis `book_ticker` CSV.
    TardisTicker,
    /// Binance public historical trades CSV; `header` says whether the first line is a header.
    BinanceTrades {
        /// The first line is a header (else it is the first trade).
        header: bool,
    },
}

impl Format {
    /// The name used in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::BinanceJson => "binance_json",
            Format::TardisBook => "tardis_incremental_book_l2",
            Format::TardisTrades => "tardis_trades",
            Format::TardisTicker => "tardis_book_ticker",
            Format::BinanceTrades { .. } => "binance_trades_csv",
        }
    }

    /// True when the first line is a header, not data.
    pub const fn has_header(self) -> bool {
        !matches!(self, Format::BinanceJson | Format::BinanceTrades { header: false })
    }

    /// The format of a file whose first line is `line` (without its line ending), if any.
    pub fn detect(line: &str) -> Option<Format> {
        let line = line.strip_prefix('\u{feff}').unwrap_or(line).trim_end();
        if let Some((stamp, rest)) = line.split_once(' ') {
            if !stamp.is_empty() && stamp.bytes().all(|b| b.is_ascii_digit() || b == b'.') && rest.starts_with('{') {
                return Some(Format::BinanceJson);
            }
        }
        match line {
            TARDIS_BOOK_HEADER => return Some(Format::TardisBook),
            TARDIS_TRADES_HEADER => return Some(Format::TardisTrades),
            TARDIS_TICKER_HEADER => return Some(Format::TardisTicker),
            _ => {}
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if !(6..=7).contains(&fields.len()) {
            return None;
        }
        let names: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase().replace('_', "")).collect();
        let expected = ["id", "price", "qty", "quoteqty", "time", "isbuyermaker", "isbestmatch"];
        if names.iter().zip(expected).all(|(n, e)| n == e) {
            return Some(Format::BinanceTrades { header: true });
        }
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        (digits(fields[0]) && digits(fields[4]) && parse_bool(fields[5]).is_some())
            .then_some(Format::BinanceTrades { header: false })
    }
}

/// `true`/`false` in any case (Binance writes `True`/`False` in some files).
pub(super) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// An epoch timestamp of unknown unit, read by magnitude (see the module doc), in ns.
pub(super) fn epoch_ns_by_magnitude(text: &str) -> Option<u64> {
    if let Ok(v) = text.parse::<u64>() {
        return match v {
            v if v >= 100_000_000_000_000_000 => Some(v),
            v if v >= 100_000_000_000_000 => v.checked_mul(1_000),
            v if v >= 100_000_000_000 => v.checked_mul(1_000_000),
            v => v.checked_mul(1_000_000_000),
        };
    }
    // Decimal seconds.
    let secs = Decimal::from_str(text).ok().filter(|d| !d.is_sign_negative())?;
    let ns = secs.checked_mul(Decimal::from(1_000_000_000u64))?.trunc();
    u64::try_from(ns).ok()
}

/// A Tardis timestamp (µs since the epoch) in ns.
#[inline]
pub(super) fn micros_to_ns(text: &str) -> Option<u64> {
    text.parse::<u64>().ok()?.checked_mul(1_000)
}

/// A millisecond timestamp (Binance JSON `E`, `T`) in ns.
#[inline]
pub(super) fn millis_to_ns(ms: u64) -> Option<u64> {
    ms.checked_mul(1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_every_format_from_its_first_line() {
        assert_eq!(Format::detect("1723161600001233484 {\"stream\":\"x\"}"), Some(Format::BinanceJson));
        assert_eq!(Format::detect(TARDIS_BOOK_HEADER), Some(Format::TardisBook));
        assert_eq!(Format::detect(&format!("\u{feff}{TARDIS_TRADES_HEADER}\r")), Some(Format::TardisTrades));
        assert_eq!(Format::detect(TARDIS_TICKER_HEADER), Some(Format::TardisTicker));
        let header = Some(Format::BinanceTrades { header: true });
        assert_eq!(Format::detect("id,price,qty,quote_qty,time,is_buyer_maker"), header);
        assert_eq!(Format::detect("id,price,qty,quoteQty,time,isBuyerMaker,isBestMatch"), header);
        let row = "1520545031,2682.51000000,0.00460000,12.33954600,1723161601550,False,True";
        assert_eq!(Format::detect(row), Some(Format::BinanceTrades { header: false }));
        assert_eq!(Format::detect("a,b,c"), None);
        assert_eq!(Format::detect("{\"e\":\"trade\"}"), None);
        assert_eq!(Format::detect(""), None);
    }

    #[test]
    fn timestamps_by_magnitude() {
        let ns = 1_723_161_600_001_233_484;
        assert_eq!(epoch_ns_by_magnitude("1723161600001233484"), Some(ns));
        assert_eq!(epoch_ns_by_magnitude("1723161600001233"), Some(1_723_161_600_001_233_000));
        assert_eq!(epoch_ns_by_magnitude("1723161600001"), Some(1_723_161_600_001_000_000));
        assert_eq!(epoch_ns_by_magnitude("1723161600"), Some(1_723_161_600_000_000_000));
        assert_eq!(epoch_ns_by_magnitude("1723161600.5"), Some(1_723_161_600_500_000_000));
        assert_eq!(epoch_ns_by_magnitude("x"), None);
        assert_eq!(epoch_ns_by_magnitude("-5"), None);
        assert_eq!(micros_to_ns("1723161600001233"), Some(1_723_161_600_001_233_000));
        assert_eq!(micros_to_ns(""), None);
    }
}
