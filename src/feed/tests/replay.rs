//! Replays: gap detection and resync, Tardis snapshots, and the top-of-book check where the answer is
//! known.

use super::*;

fn ms(n: u64) -> u64 {
    at(0) + n * 1_000_000
}

#[test]
fn a_gap_is_reported_and_the_book_resyncs_at_the_next_snapshot() {
    let dir = TempDir::new().unwrap();
    let text = lines(&[
        snapshot(ms(0), 100, &[("10.00", "1")], &[("10.02", "1")]),
        depth(ms(10), 99, 101, &[("10.01", "1")], &[]),
        depth(ms(20), 102, 103, &[], &[("10.03", "1")]),
        depth(ms(30), 105, 106, &[("10.00", "0")], &[]), // 104 is missing
        depth(ms(40), 107, 108, &[("9.00", "1")], &[]),
        snapshot(ms(50), 110, &[("9.50", "4")], &[("9.60", "4")]),
        depth(ms(60), 109, 111, &[("9.51", "1")], &[]),
        depth(ms(70), 112, 112, &[], &[("9.60", "0")]),
    ]);
    let path = write(&dir, "gap.txt", &text);
    let summary = replay_files(&[&path], &replay_cents()).unwrap();
    assert_eq!(summary.gap_count, 1);
    let gap = summary.gaps[0];
    assert_eq!(
        gap,
        Gap {
            local_ns: ms(30),
            exch_ns: Some(ms(30)),
            expected_id: 104,
            found_id: 105,
            resynced_local_ns: Some(ms(50))
        }
    );
    assert_eq!(summary.stats.diff, KindStats { read: 6, skipped: 2 });
    assert_eq!(summary.stats.skipped(SkipReason::DiffOutOfSync), 2);
    assert_eq!(summary.stats.skip_reasons["diff_out_of_sync"].first_at, format!("local_ns {}", ms(30)));
    assert_eq!((summary.stats.levels_applied, summary.stats.levels_ignored), (8, 2));
    assert_eq!(
        summary.final_book,
        FinalBook { bid_levels: 2, ask_levels: 0, best_bid_ticks: Some(951), best_ask_ticks: None }
    );

    // The same stream event by event: the book before the gap, ignoring diffs, after the resync.
    let mut reader = EventReader::open(&[&path], &cents()).unwrap();
    let mut replayer = Replayer::new(&replay_cents());
    let mut after = Vec::new(); // the state after each message, taken when the next one starts
    while let Some(event) = reader.next_event().unwrap() {
        if event.kind.message_kind().is_some() {
            after.push((replayer.book().sync_state(), touch(replayer.book())));
        }
        replayer.on_event(&event);
    }
    after.push((replayer.book().sync_state(), touch(replayer.book())));
    after.remove(0);
    let p = |t: i64| Some((Price(t), Qty(1000)));
    assert_eq!(after[2], (SyncState::Live { last: Some(103) }, (p(1001), p(1002))));
    assert_eq!(after[3], (SyncState::AwaitSnapshot, (p(1001), p(1002))), "the gap");
    assert_eq!(after[4], (SyncState::AwaitSnapshot, (p(1001), p(1002))), "diffs ignored until the snapshot");
    assert_eq!(
        after[5],
        (SyncState::AwaitDiff { snapshot_id: 110 }, (Some((Price(950), Qty(4000))), Some((Price(960), Qty(4000)))))
    );
    assert_eq!(after[6], (SyncState::Live { last: Some(111) }, (p(951), Some((Price(960), Qty(4000))))));
}

#[test]
fn a_stream_without_snapshots_is_bootstrapped_and_restarts_after_a_gap() {
    let dir = TempDir::new().unwrap();
    let text = lines(&[
        depth(ms(0), 1, 2, &[("10.00", "1")], &[("10.01", "1")]),
        depth(ms(10), 3, 3, &[("9.99", "1")], &[]),
        depth(ms(20), 6, 7, &[("9.00", "1")], &[("11.00", "1")]), // 4 and 5 are missing
    ]);
    let path = write(&dir, "boot.txt", &text);
    let summary = replay_files(&[&path], &replay_cents()).unwrap();
    assert_eq!(summary.gap_count, 1);
    assert_eq!(summary.gaps[0].resynced_local_ns, Some(ms(20)), "restarted from the diff after the gap");
    assert_eq!(summary.final_book.best_bid_ticks, Some(900));
    assert_eq!(summary.final_book.best_ask_ticks, Some(1100));
    assert_eq!(summary.top_of_book.in_warmup, 3);
    let strict = ReplayOptions { bootstrap_without_snapshot: false, ..replay_cents() };
    let summary = replay_files(&[&path], &strict).unwrap();
    assert_eq!((summary.gap_count, summary.stats.skipped(SkipReason::DiffOutOfSync)), (0, 3));
}

#[test]
fn a_stale_snapshot_and_stale_diffs_are_skipped_not_gaps() {
    let dir = TempDir::new().unwrap();
    let text = lines(&[
        snapshot(ms(0), 10, &[("10.00", "1")], &[("10.02", "1")]),
        depth(ms(1), 5, 9, &[("1.00", "1")], &[]),
        depth(ms(2), 11, 20, &[("10.01", "1")], &[]),
        depth(ms(3), 15, 20, &[("1.00", "1")], &[]),
        snapshot(ms(4), 18, &[("5.00", "1")], &[("6.00", "1")]),
        depth(ms(5), 21, 21, &[], &[("10.03", "1")]),
    ]);
    let summary = replay_files(&[write(&dir, "stale.txt", &text)], &replay_cents()).unwrap();
    assert_eq!(summary.gap_count, 0);
    assert_eq!(summary.stats.skipped(SkipReason::DiffStale), 2);
    assert_eq!(summary.stats.skipped(SkipReason::SnapshotStale), 1);
    assert_eq!(summary.stats.snapshot, KindStats { read: 2, skipped: 1 });
    assert_eq!((summary.final_book.best_bid_ticks, summary.final_book.best_ask_ticks), (Some(1001), Some(1002)));
}

/// A book with a snapshot and four diffs, tickers for every touch change, one of them wrong:
/// three of the four updates agree (two of them at exactly their id).
fn known_answer_stream() -> String {
    lines(&[
        ticker(ms(0), 95, ("10.00", "1"), ("10.01", "1")),
        snapshot(ms(1), 100, &[("10.00", "1"), ("9.99", "2")], &[("10.01", "1"), ("10.02", "2")]),
        // Updates 101 (ask 10.01 gone), 102 (bid 9.98), 103 (bid 10.00 size 3).
        ticker(ms(2), 101, ("10.00", "1"), ("10.02", "2")),
        ticker(ms(3), 103, ("10.00", "3"), ("10.02", "2")),
        depth(ms(4), 101, 103, &[("9.98", "1"), ("10.00", "3")], &[("10.01", "0")]),
        // Updates 104 (bid 10.01), 105 (ask 10.03), 106 (bid 9.97): ticker 104 arrives after the diff.
        depth(ms(5), 104, 106, &[("10.01", "1"), ("9.97", "1")], &[("10.03", "5")]),
        ticker(ms(6), 104, ("10.01", "1"), ("10.02", "2")),
        // Update 107 (ask 10.02 gone) and 108 (deep bid); the feed's ticker 107 is wrong on purpose.
        ticker(ms(7), 107, ("10.01", "1"), ("10.04", "5")),
        depth(ms(8), 107, 108, &[("9.00", "1")], &[("10.02", "0")]),
        // Updates 109 (deep bid) and 110 (bid 10.01 gone).
        depth(ms(9), 109, 110, &[("9.90", "1"), ("10.01", "0")], &[]),
        ticker(ms(10), 110, ("10.00", "3"), ("10.03", "5")),
    ])
}

#[test]
fn top_of_book_agreement_on_a_stream_with_a_known_answer() {
    let dir = TempDir::new().unwrap();
    let summary = replay_files(&[write(&dir, "known.txt", &known_answer_stream())], &replay_cents()).unwrap();
    let t = &summary.top_of_book;
    assert_eq!(t.matched_by, Some(MatchKey::UpdateId));
    assert_eq!((t.book_updates, t.in_warmup, t.compared, t.agreed, t.agreed_with_sizes), (4, 0, 4, 3, 3));
    assert_eq!((t.exact_key_compared, t.exact_key_agreed), (2, 2));
    assert_eq!((t.no_reference, t.unresolved, t.crossed), (0, 0, 0));
    assert_eq!(
        t.first_mismatches,
        [Mismatch { local_ns: ms(8), key: 108, book: (Some(1001), Some(1003)), ticker: (Some(1001), Some(1004)) }]
    );
    assert_eq!(summary.top_of_book_agreement, Some(0.75));
    let json = serde_json::to_value(&summary).unwrap();
    assert_eq!(json["top_of_book_agreement"], serde_json::json!(0.75));
    assert_eq!(json["stats"]["diff"]["read"], serde_json::json!(4));
    assert_eq!(json["tick_size"], serde_json::json!("0.01"));
}

#[test]
fn the_check_waits_for_the_ticker_that_settles_an_update() {
    let dir = TempDir::new().unwrap();
    let text = lines(&[
        snapshot(ms(0), 100, &[("10.00", "1")], &[("10.01", "1")]),
        ticker(ms(1), 99, ("10.00", "1"), ("10.01", "1")),
        depth(ms(2), 101, 102, &[("9.00", "1")], &[]),
    ]);
    let summary = replay_files(&[write(&dir, "wait.txt", &text)], &replay_cents()).unwrap();
    assert_eq!(
        (summary.top_of_book.compared, summary.top_of_book.unresolved),
        (0, 1),
        "ticker 99 may not be the last ≤ 102"
    );
    assert_eq!(summary.top_of_book_agreement, None);
}

#[test]
fn bootstrapped_books_are_compared_after_the_warm_up() {
    let dir = TempDir::new().unwrap();
    let mut stream = Vec::new();
    for s in 0..5u64 {
        let id = 10 * s + 1;
        stream.push(depth(at(30 * s), id, id, &[("10.00", "1")], &[("10.01", "1")]));
        stream.push(ticker(at(30 * s) + 1, id, ("10.00", "1"), ("10.01", "1")));
    }
    let path = write(&dir, "warm.txt", &lines(&stream));
    let summary = replay_files(&[&path], &replay_cents()).unwrap();
    // Updates at 0 and 30 s are within the 60 s warm-up; the ids jump, so each diff restarts it.
    assert_eq!(summary.gap_count, 4);
    assert_eq!(summary.top_of_book.in_warmup, 5);
    let continuous: Vec<String> = (0..5u64)
        .flat_map(|s| {
            let id = s + 1;
            [
                depth(at(30 * s), id, id, &[("10.00", "1")], &[("10.01", "1")]),
                ticker(at(30 * s) + 1, id, ("10.00", "1"), ("10.01", "1")),
            ]
        })
        .collect();
    let summary = replay_files(&[write(&dir, "cont.txt", &lines(&continuous))], &replay_cents()).unwrap();
    assert_eq!((summary.top_of_book.in_warmup, summary.top_of_book.compared, summary.top_of_book.agreed), (2, 3, 3));
}

#[test]
fn tardis_book_and_ticker_files_replay_and_agree_by_exchange_time() {
    let dir = TempDir::new().unwrap();
    let book = write(
        &dir,
        "book.csv",
        &[
            format::TARDIS_BOOK_HEADER,
            "binance,ETHUSDT,1000,1100,true,bid,10.00,1",
            "binance,ETHUSDT,1000,1100,true,ask,10.02,1",
            "binance,ETHUSDT,2000,2100,false,ask,10.01,1",
            "binance,ETHUSDT,3000,3100,false,bid,10.00,0",
            "binance,ETHUSDT,3000,3100,false,bid,9.99,2",
            "binance,ETHUSDT,5000,5100,true,bid,8.00,1",
            "binance,ETHUSDT,5000,5100,true,ask,8.01,1",
            "binance,ETHUSDT,6000,6100,false,ask,8.02,1",
        ]
        .join("\n"),
    );
    let tickers = write(
        &dir,
        "ticker.csv",
        &[
            format::TARDIS_TICKER_HEADER,
            "binance,ETHUSDT,2000,2150,1,10.01,10.00,1",
            "binance,ETHUSDT,3000,3150,1,10.01,9.99,2",
            "binance,ETHUSDT,5000,5150,1,8.01,8.00,1",
            "binance,ETHUSDT,7000,7150,1,8.01,8.00,1",
        ]
        .join("\n"),
    );
    let summary = replay_files(&[&book, &tickers], &replay_cents()).unwrap();
    let t = &summary.top_of_book;
    assert_eq!(t.matched_by, Some(MatchKey::ExchTime));
    assert_eq!((t.book_updates, t.compared, t.agreed, t.exact_key_compared), (3, 3, 3, 2));
    assert_eq!(summary.stats.snapshot.read, 2);
    assert_eq!(
        summary.final_book,
        FinalBook { bid_levels: 1, ask_levels: 2, best_bid_ticks: Some(800), best_ask_ticks: Some(801) }
    );
    assert_eq!(summary.files[0].format, "tardis_incremental_book_l2");
}

#[test]
fn a_replayer_takes_events_from_any_source_and_survives_extreme_ids() {
    let mut replayer = Replayer::new(&ReplayOptions::default());
    let event = |kind| Event { local_ns: 1, exch_ns: None, kind };
    let diff = |first, last| event(EventKind::Diff(DiffStart { ids: Some(UpdateIds { first, last, prev: None }) }));
    let level = |side, price, qty| event(EventKind::Level(Level { side, price: Price(price), qty: Qty(qty) }));
    for e in [
        event(EventKind::Snapshot(SnapshotStart { last_update_id: Some(u64::MAX) })),
        level(Side::Buy, 5, 1),
        diff(u64::MAX, u64::MAX),
        level(Side::Sell, 6, 2),
        diff(1, u64::MAX),
        level(Side::Sell, 7, 2),
    ] {
        replayer.on_event(&e);
    }
    let outcome = replayer.finish();
    assert_eq!(touch(&outcome.book), (Some((Price(5), Qty(1))), Some((Price(6), Qty(2)))));
    assert_eq!(outcome.stats.skipped(SkipReason::DiffStale), 1);
    assert_eq!((outcome.stats.levels_applied, outcome.stats.levels_ignored), (2, 1));
    assert_eq!((outcome.events, outcome.top_of_book.book_updates, outcome.top_of_book.unresolved), (6, 1, 1));
}
