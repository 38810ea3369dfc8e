//! Every class of bad input is a located error or a counted skip, never a panic.

use proptest::prelude::*;

use super::*;

fn first_line_ok() -> String {
    trade(at(0), 1, "10.00", "1", false)
}

/// Reads `text` (after a valid first line) and returns the stats, or panics on an error.
fn skips_of(text: &str) -> ReplayStats {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "in.txt", &format!("{}\n{text}", first_line_ok()));
    read_all(&[path], &cents()).unwrap().1
}

/// Reads `text` in strict mode and returns the error.
fn strict_error(text: &str) -> FeedError {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "in.txt", text);
    read_all(&[path], &ReadOptions { strict: true, ..cents() }).unwrap_err()
}

#[test]
fn a_truncated_gzip_file_is_a_located_error() {
    let dir = TempDir::new().unwrap();
    let text: String = (0..2_000).map(|i| trade(at(i), i, "10.00", "1", false) + "\n").collect();
    let full = gzip(&text);
    for cut in [full.len() / 2, full.len() - 4] {
        let path = dir.path().join(format!("cut{cut}.gz"));
        std::fs::write(&path, &full[..cut]).unwrap();
        match read_all(&[&path], &cents()) {
            Err(FeedError::Gzip { location, .. }) => {
                assert_eq!(location.file, path);
                assert!(location.line <= 2_000, "{location}");
            }
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    let message = read_all(&[dir.path().join(format!("cut{}.gz", full.len() / 2))], &cents()).unwrap_err().to_string();
    assert!(message.contains("truncated or corrupt"), "{message}");
}

#[test]
fn damaged_lines_are_counted_skips_with_their_first_place() {
    let text = [
        "not json at all".to_owned(),
        format!("{} {{\"e\":\"trade\",", at(1)),
        format!("{} {{\"stream\":\"ethusdt@kline_1m\",\"data\":{{\"e\":\"kline\",\"k\":{{}}}}}}", at(1)),
        format!("{} {{\"result\":null,\"id\":1}}", at(1)),
        format!(
            "{} {{\"stream\":\"ethusdt@depth20@100ms\",\"data\":{{\"lastUpdateId\":5,\"bids\":[],\"asks\":[]}}}}",
            at(1)
        ),
        format!("{} {{\"e\":\"trade\",\"q\":\"1\",\"T\":1}}", at(1)),
        format!("{} {{\"e\":\"trade\",\"p\":\"abc\",\"q\":\"1\",\"T\":1}}", at(1)),
        format!("{} {{\"e\":\"depthUpdate\",\"U\":1,\"u\":2,\"b\":\"x\",\"a\":[]}}", at(1)),
        format!("{} {{\"e\":\"trade\",\"p\":5,\"q\":\"1\"}}", at(1)),
        "x1 {\"e\":\"trade\"}".to_owned(),
        String::new(),
        format!("{} {{\"e\":\"trade\",\"s\":\"BTCUSDT\",\"p\":\"1\",\"q\":\"1\"}}", at(1)),
        trade(at(2), 2, "10.00", "1", false),
    ]
    .join("\n");
    let stats = skips_of(&text);
    let count = |r| stats.skipped(r);
    assert_eq!(count(SkipReason::NotJson), 2);
    assert_eq!(count(SkipReason::UnknownMessage), 3);
    assert_eq!(count(SkipReason::BadField), 4);
    assert_eq!(count(SkipReason::BadTimestamp), 1);
    assert_eq!(count(SkipReason::BlankLine), 1);
    assert_eq!(count(SkipReason::OtherSymbol), 1);
    assert!(stats.skip_reasons["not_json"].first_at.ends_with("in.txt:2"), "{:?}", stats.skip_reasons);
    assert!(stats.skip_reasons["bad_field"].first_at.ends_with("in.txt:7"));
    assert_eq!(stats.trade, KindStats { read: 5, skipped: 3 }, "two good trades, two bad fields, one other symbol");
    assert_eq!(stats.diff, KindStats { read: 1, skipped: 1 });
    assert_eq!(stats.unrecognised, 8);
    assert_eq!(stats.lines, 14);
}

#[test]
fn invalid_utf8_is_a_skip() {
    let dir = TempDir::new().unwrap();
    let mut bytes = format!("{}\n", first_line_ok()).into_bytes();
    bytes.extend(b"1723161600000000000 {\"e\":\"trade\",\"p\":\"\xff\"}\n");
    let path = dir.path().join("bad.txt");
    std::fs::write(&path, bytes).unwrap();
    assert_eq!(read_all(&[path], &cents()).unwrap().1.skipped(SkipReason::NotJson), 1);
}

#[test]
fn strict_mode_turns_a_skip_into_a_located_error() {
    let text = format!("{}\n{} {{\"e\":\"kline\"}}\n", first_line_ok(), at(1));
    match strict_error(&text) {
        FeedError::Rejected { location, reason, detail } => {
            assert_eq!((location.line, reason), (2, SkipReason::UnknownMessage));
            assert!(detail.contains("kline"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_price_off_the_tick_grid_is_a_located_error() {
    let dir = TempDir::new().unwrap();
    let text = lines(&[first_line_ok(), depth(at(1), 1, 1, &[("10.005", "1")], &[])]);
    let path = write(&dir, "grid.txt", &text);
    match read_all(&[&path], &cents()) {
        Err(FeedError::OffGrid { location, field, value, grid, step }) => {
            assert_eq!((location.line, field, value.as_str(), grid), (2, "price", "10.005", "tick"));
            assert_eq!(step, Decimal::new(1, 2));
        }
        other => panic!("{other:?}"),
    }
    let text = lines(&[first_line_ok(), trade(at(1), 2, "10.00", "0.0001", false)]);
    let err = read_all(&[write(&dir, "lot.txt", &text)], &cents()).unwrap_err();
    assert!(matches!(err, FeedError::OffGrid { field: "qty", grid: "lot", .. }), "{err:?}");
    let text = lines(&[first_line_ok(), trade(at(1), 2, "99999999999999999999", "1", false)]);
    let err = read_all(&[write(&dir, "big.txt", &text)], &cents()).unwrap_err();
    assert!(matches!(err, FeedError::TooLarge { field: "price", .. }), "{err:?}");
}

#[test]
fn local_time_going_backwards_is_a_located_error() {
    let dir = TempDir::new().unwrap();
    let text = lines(&[first_line_ok(), trade(at(2), 2, "10.00", "1", false), trade(at(1), 3, "10.00", "1", false)]);
    match read_all(&[write(&dir, "order.txt", &text)], &cents()) {
        Err(FeedError::TimeWentBackwards { location, previous_ns, found_ns }) => {
            assert_eq!((location.line, previous_ns, found_ns), (3, at(2), at(1)));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn csv_headers_and_field_counts() {
    let dir = TempDir::new().unwrap();
    let wrong_header = write(&dir, "h.csv", "exchange,symbol,timestamp,local_timestamp,side,price,amount\n");
    match read_all(&[wrong_header], &cents()) {
        Err(FeedError::UnknownFormat { location, first_line }) => {
            assert_eq!(location.line, 1);
            assert!(first_line.starts_with("exchange,symbol"));
        }
        other => panic!("{other:?}"),
    }
    let rows = [
        format::TARDIS_BOOK_HEADER,
        "binance,ETHUSDT,1000,1100,true,bid,10.00",
        "binance,ETHUSDT,1000,1100,true,bid,10.00,1,extra",
        "binance,ETHUSDT,1000,1100,maybe,bid,10.00,1",
        "binance,ETHUSDT,1000,1100,true,middle,10.00,1",
        "binance,ETHUSDT,abc,1100,true,bid,10.00,1",
        "binance,BTCUSDT,1000,1100,true,bid,10.00,1",
        "binance,ETHUSDT,1000,1100,true,bid,10.00,1",
    ]
    .join("\n");
    let (events, stats) = read_all(&[write(&dir, "rows.csv", &rows)], &cents()).unwrap();
    assert_eq!(events.len(), 2, "the one good row: snapshot header and level");
    assert_eq!(stats.skipped(SkipReason::FieldCount), 2);
    assert!(stats.skip_reasons["field_count"].first_at.ends_with("rows.csv:2"));
    assert_eq!(stats.skipped(SkipReason::BadField), 2);
    assert_eq!(stats.skipped(SkipReason::BadTimestamp), 1);
    assert_eq!(stats.skipped(SkipReason::OtherSymbol), 1, "ETHUSDT was seen first, on line 4");
    let strict = strict_error(&rows);
    assert!(matches!(
        strict,
        FeedError::Rejected { reason: SkipReason::FieldCount, location: Location { line: 2, .. }, .. }
    ));
    let trades = write(
        &dir,
        "t.csv",
        "id,price,qty,quote_qty,time,is_buyer_maker\n1,10.00,1\n2,10.00,1,10,1723161600001,maybe\n",
    );
    let (_, stats) = read_all(&[trades], &cents()).unwrap();
    assert_eq!((stats.skipped(SkipReason::FieldCount), stats.skipped(SkipReason::BadField)), (1, 1));
}

#[test]
fn files_options_and_inference_failures_are_errors() {
    let dir = TempDir::new().unwrap();
    let none: [&str; 0] = [];
    assert!(matches!(read_all(&none, &cents()), Err(FeedError::NoFiles)));
    assert!(matches!(read_all(&[dir.path().join("missing.gz")], &cents()), Err(FeedError::Io { .. })));
    let empty = write(&dir, "empty.txt", "");
    assert!(matches!(read_all(&[&empty], &cents()), Err(FeedError::UnknownFormat { .. })));
    let options = ReadOptions { tick_size: Some(Decimal::ZERO), ..cents() };
    let good = write(&dir, "good.txt", &lines(&[first_line_ok()]));
    assert!(matches!(read_all(&[&good], &options), Err(FeedError::BadOption { option: "tick_size", .. })));
    let replies = write(&dir, "replies.txt", &format!("{} {{\"result\":null,\"id\":1}}\n", at(0)));
    let err = read_all(&[&replies], &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, FeedError::CannotInfer { grid: "tick", .. }), "{err:?}");
    assert!(err.to_string().contains("pass the tick size explicitly"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Arbitrary bytes after a valid first line never panic: each line is read, skipped or an error.
    #[test]
    fn arbitrary_lines_never_panic(body in proptest::collection::vec(any::<u8>(), 0..400)) {
        let dir = TempDir::new().unwrap();
        let mut bytes = format!("{}\n", first_line_ok()).into_bytes();
        bytes.extend(&body);
        let path = dir.path().join("fuzz.txt");
        std::fs::write(&path, &bytes).unwrap();
        let _ = replay_files(&[&path], &replay_cents());
        let csv = write(&dir, "fuzz.csv", &format!("{}\n{}", format::TARDIS_BOOK_HEADER, String::from_utf8_lossy(&body)));
        let _ = replay_files(&[&csv], &replay_cents());
    }
}
