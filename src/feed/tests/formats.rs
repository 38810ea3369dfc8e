//! Every format parsed into events; gzip; tick and lot inference; the merge of several files.

use super::*;

#[test]
fn binance_lines_become_headers_levels_trades_and_tickers() {
    let dir = TempDir::new().unwrap();
    let text = lines(&[
        snapshot(at(0), 100, &[("10.00", "1.000"), ("9.99", "2.5")], &[("10.01", "0.001")]),
        depth(at(1), 101, 103, &[("10.00", "0.00000000")], &[("10.02", "3.000")]),
        trade(at(2), 77, "10.01", "0.001", true),
        ticker(at(3), 103, ("9.99", "2.5"), ("10.01", "0.001")),
        // Unwrapped forms and the futures fields (`pu`, `T` on tickers).
        format!(
            "{} {{\"e\":\"depthUpdate\",\"E\":1,\"U\":104,\"u\":104,\"pu\":103,\"b\":[],\"a\":[[\"10.03\",\"1\"]]}}",
            at(4)
        ),
        format!(
            "{} {{\"e\":\"bookTicker\",\"u\":104,\"T\":1723161605000,\"b\":\"9.99\",\"B\":\"2.5\",\"a\":\"10.01\",\"A\":\"0.001\"}}",
            at(5)
        ),
    ]);
    let (events, stats) = read_all(&[write(&dir, "b.txt", &text)], &cents()).unwrap();
    let kinds: Vec<_> = events.iter().map(|e| e.kind.message_kind()).collect();
    let (snap, diff, trade, tick) = (MessageKind::Snapshot, MessageKind::Diff, MessageKind::Trade, MessageKind::Ticker);
    assert_eq!(
        kinds,
        [Some(snap), None, None, None, Some(diff), None, None, Some(trade), Some(tick), Some(diff), None, Some(tick)]
    );
    assert_eq!(events[0].kind, EventKind::Snapshot(SnapshotStart { last_update_id: Some(100) }));
    assert_eq!(events[0].exch_ns, None);
    assert_eq!(level(&events[1]), Some((Side::Buy, 1000, 1000)));
    assert_eq!(level(&events[2]), Some((Side::Buy, 999, 2500)));
    assert_eq!(level(&events[3]), Some((Side::Sell, 1001, 1)));
    assert_eq!(
        events[4].kind,
        EventKind::Diff(DiffStart { ids: Some(UpdateIds { first: 101, last: 103, prev: None }) })
    );
    assert_eq!(events[4].exch_ns, Some(at(1)));
    assert_eq!(events[4].local_ns, at(1));
    assert_eq!(level(&events[5]), Some((Side::Buy, 1000, 0)));
    let EventKind::Trade(t) = events[7].kind else { panic!("not a trade") };
    assert_eq!(t, Trade { price: Price(1001), qty: Qty(1), aggressor: Some(Side::Sell), id: Some(77) });
    let EventKind::Ticker(k) = events[8].kind else { panic!("not a ticker") };
    assert_eq!(
        (k.bid(), k.ask(), k.update_id),
        (Some((Price(999), Qty(2500))), Some((Price(1001), Qty(1))), Some(103))
    );
    assert_eq!(events[8].exch_ns, None, "spot bookTicker has no exchange time");
    assert_eq!(
        events[9].kind,
        EventKind::Diff(DiffStart { ids: Some(UpdateIds { first: 104, last: 104, prev: Some(103) }) })
    );
    assert_eq!(events[11].exch_ns, Some(1_723_161_605_000_000_000));
    assert_eq!(
        (stats.lines, stats.snapshot.read, stats.diff.read, stats.trade.read, stats.ticker.read),
        (6, 1, 2, 1, 2)
    );
    assert_eq!(stats.total_skipped(), 0);
}

#[test]
fn tardis_book_rows_group_into_snapshots_and_diffs() {
    let dir = TempDir::new().unwrap();
    let rows = [
        format::TARDIS_BOOK_HEADER,
        "binance,ETHUSDT,1000000,1000100,true,bid,10.00,1.5",
        "binance,ETHUSDT,1000000,1000100,true,ask,10.02,2",
        "binance,ETHUSDT,2000000,2000100,false,ask,10.01,1",
        "binance,ETHUSDT,2000000,2000100,false,ask,10.02,0",
        "binance,ETHUSDT,3000000,3000100,false,bid,10.00,0.5",
        "binance,ETHUSDT,4000000,4000100,true,bid,9.00,1",
    ];
    let path = write(&dir, "book.csv", &(rows.join("\r\n") + "\r\n"));
    let (events, _) = read_all(&[path], &cents()).unwrap();
    let snapshot = EventKind::Snapshot(SnapshotStart { last_update_id: None });
    let diff = EventKind::Diff(DiffStart { ids: None });
    let headers: Vec<_> = events.iter().filter(|e| level(e).is_none()).map(|e| (e.local_ns, e.kind)).collect();
    assert_eq!(
        headers,
        [(1_000_100_000, snapshot), (2_000_100_000, diff), (3_000_100_000, diff), (4_000_100_000, snapshot)]
    );
    assert_eq!(events[0].exch_ns, Some(1_000_000_000));
    let sizes: Vec<_> = events.iter().filter_map(level).collect();
    assert_eq!(sizes[0], (Side::Buy, 1000, 1500));
    assert_eq!(sizes[3], (Side::Sell, 1002, 0));
}

#[test]
fn tardis_trades_and_tickers() {
    let dir = TempDir::new().unwrap();
    let trades = write(
        &dir,
        "trades.csv",
        &[
            format::TARDIS_TRADES_HEADER,
            "binance,ETHUSDT,1000,1100,9001,buy,10.01,0.5",
            "coinbase,ETHUSDT,2000,2100,ab-12,unknown,10.00,1",
        ]
        .join("\n"),
    );
    let (events, _) = read_all(&[trades], &cents()).unwrap();
    let trade_of = |e: &Event| match e.kind {
        EventKind::Trade(t) => t,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        trade_of(&events[0]),
        Trade { price: Price(1001), qty: Qty(500), aggressor: Some(Side::Buy), id: Some(9001) }
    );
    assert_eq!(trade_of(&events[1]), Trade { price: Price(1000), qty: Qty(1000), aggressor: None, id: None });
    let tickers = write(
        &dir,
        "ticker.csv",
        &[
            format::TARDIS_TICKER_HEADER,
            "binance,ETHUSDT,1000,1100,2,10.02,10.00,1.5",
            "binance,ETHUSDT,2000,2100,,,10.00,1",
        ]
        .join("\n"),
    );
    let (events, _) = read_all(&[tickers], &cents()).unwrap();
    let EventKind::Ticker(first) = events[0].kind else { panic!() };
    assert_eq!((first.bid(), first.ask()), (Some((Price(1000), Qty(1500))), Some((Price(1002), Qty(2000)))));
    let EventKind::Ticker(second) = events[1].kind else { panic!() };
    assert_eq!((second.bid(), second.ask()), (Some((Price(1000), Qty(1000))), None), "empty ask side");
}

#[test]
fn binance_trades_csv_with_and_without_header_in_ms_and_us() {
    let dir = TempDir::new().unwrap();
    let with_header = write(
        &dir,
        "h.csv",
        "id,price,qty,quote_qty,time,is_buyer_maker\n1,10.01,0.5,5.005,1723161600001,true\n2,10.02,1,10.02,1723161600002,false\n",
    );
    let options = ReadOptions { assumed_latency_ns: 5_000, ..cents() };
    let (events, stats) = read_all(&[with_header], &options).unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!((events[0].exch_ns, events[0].local_ns), (Some(1_723_161_600_001_000_000), 1_723_161_600_001_005_000));
    let EventKind::Trade(t) = events[0].kind else { panic!() };
    assert_eq!((t.aggressor, t.id), (Some(Side::Sell), Some(1)));
    assert_eq!(stats.lines, 3);
    let headerless = write(&dir, "n.csv", "7,10.01,0.5,5.005,1723161600001000,False,True\n");
    let (events, _) = read_all(&[headerless], &cents()).unwrap();
    assert_eq!(events[0].exch_ns, Some(1_723_161_600_001_000_000), "µs times");
    let EventKind::Trade(t) = events[0].kind else { panic!() };
    assert_eq!(t.aggressor, Some(Side::Buy));
}

#[test]
fn gzip_files_read_like_plain_ones_and_concatenated_members_too() {
    let dir = TempDir::new().unwrap();
    let a = lines(&[trade(at(1), 1, "10.00", "1", false), ticker(at(2), 5, ("10.00", "1"), ("10.01", "1"))]);
    let b = lines(&[depth(at(3), 6, 7, &[("10.00", "2")], &[])]);
    let plain = write(&dir, "plain.txt", &(a.clone() + &b));
    let mut two_members = gzip(&a);
    two_members.extend(gzip(&b));
    let gz = dir.path().join("members.gz");
    std::fs::write(&gz, two_members).unwrap();
    let (from_plain, _) = read_all(&[plain], &cents()).unwrap();
    let (from_gzip, stats) = read_all(&[gz], &cents()).unwrap();
    assert_eq!(from_plain, from_gzip);
    assert_eq!((stats.lines, from_gzip.len()), (3, 4));
}

#[test]
fn tick_and_lot_are_inferred_from_the_first_lines() {
    let dir = TempDir::new().unwrap();
    let text = lines(&[
        depth(at(1), 1, 2, &[("2682.50000000", "0.00460000")], &[("2682.51000000", "12.00000000")]),
        trade(at(2), 1, "2682.51000000", "0.10000000", false),
    ]);
    let path = write_gz(&dir, "eth.gz", &text);
    let reader = EventReader::open(&[&path], &ReadOptions::default()).unwrap();
    assert_eq!((reader.tick_size(), reader.lot_size()), (Decimal::new(1, 2), Decimal::new(1, 8)));
    assert_eq!(reader.inferred(), (true, true));
    // Tardis writes the shortest form: the lot follows the written decimals there.
    let tardis = write(
        &dir,
        "t.csv",
        &[
            format::TARDIS_TRADES_HEADER,
            "binance,ETHUSDT,1000,1100,1,buy,2682.5,0.046",
            "binance,ETHUSDT,1000,1100,2,buy,2682,1",
        ]
        .join("\n"),
    );
    let options = ReadOptions { lot_size: Some(Decimal::new(1, 4)), ..ReadOptions::default() };
    let reader = EventReader::open(&[&tardis], &options).unwrap();
    assert_eq!(
        (reader.tick_size(), reader.lot_size(), reader.inferred()),
        (Decimal::new(1, 1), Decimal::new(1, 4), (true, false))
    );
}

#[test]
fn files_merge_in_local_time_order_with_ties_to_the_first_file() {
    let dir = TempDir::new().unwrap();
    let book = write(
        &dir,
        "book.txt",
        &lines(&[depth(at(1), 1, 1, &[("10.00", "1")], &[("10.01", "1")]), depth(at(3), 2, 2, &[("10.00", "2")], &[])]),
    );
    let trades = write(
        &dir,
        "trades.txt",
        &lines(&[
            trade(at(0), 1, "10.00", "1", true),
            trade(at(1), 2, "10.00", "1", true),
            trade(at(4), 3, "10.00", "1", true),
        ]),
    );
    let (events, stats) = read_all(&[&book, &trades], &cents()).unwrap();
    let order: Vec<(u64, Option<MessageKind>)> =
        events.iter().map(|e| ((e.local_ns - at(0)) / 1_000_000_000, e.kind.message_kind())).collect();
    let (diff, trade) = (Some(MessageKind::Diff), Some(MessageKind::Trade));
    assert_eq!(order, [(0, trade), (1, diff), (1, None), (1, None), (1, trade), (3, diff), (3, None), (4, trade)]);
    assert_eq!((stats.lines, stats.trade.read, stats.diff.read), (5, 3, 2));
    let reader = EventReader::open(&[&book, &trades], &cents()).unwrap();
    let formats: Vec<_> = reader.formats().into_iter().map(|(_, f)| f).collect();
    assert_eq!(formats, [Format::BinanceJson, Format::BinanceJson]);
}
