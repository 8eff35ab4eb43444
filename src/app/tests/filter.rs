//! The `/` filter and the finding filter: what they match, and that the cached text stays right as cells change.

use super::*;

#[test]
fn filter_matches_any_column_and_esc_clears() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('/'));
    assert_eq!(app.screen.modal, Modal::Filter);
    for c in "PAY".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_eq!(row_ids(&app), ["k1"], "case-insensitive match on the alias");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen.modal, Modal::None);
    assert_eq!(list(&app).filter, "PAY", "Enter keeps the filter");
    // The filter matches every visible column: the state column here.
    press(&mut app, KeyCode::Char('/'));
    for _ in 0..3 {
        press(&mut app, KeyCode::Backspace);
    }
    for c in "disabled".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_eq!(row_ids(&app), ["k3"]);
    press(&mut app, KeyCode::Esc);
    assert_eq!(list(&app).filter, "", "Esc while typing clears");
    assert_eq!(row_ids(&app).len(), 3);
    // Esc on a filtered list clears the filter before going back.
    press(&mut app, KeyCode::Char('/'));
    press(&mut app, KeyCode::Char('o'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter); // open "orders"
    press(&mut app, KeyCode::Esc);
    assert_eq!(list(&app).kind, ListKind::Keys);
    assert_eq!(list(&app).filter, "o");
    press(&mut app, KeyCode::Esc);
    assert_eq!(list(&app).filter, "");
}

#[test]
fn filter_with_no_match_and_cursor_stays_valid() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('G'));
    press(&mut app, KeyCode::Char('/'));
    for c in "zzz".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert!(row_ids(&app).is_empty());
    assert_eq!(list(&app).selected_index(), None);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen.modal, Modal::None);
    // Opening or deleting with nothing selected does nothing.
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(list(&app).kind, ListKind::Keys);
    press(&mut app, KeyCode::Esc);
    assert_eq!(row_ids(&app).len(), 3);
    assert_eq!(
        selected_id(&app).as_deref(),
        Some("k3"),
        "the cursor comes back in range"
    );
}

#[test]
fn cached_filtering_shows_what_a_fresh_filter_would() {
    let snapshot = crate::synth::snapshot(crate::synth::Spec {
        keys: 3,
        grants: 3_000,
        hot_keys: 1,
        hot_share: 0.9,
        seed: 11,
    });
    let mut app = over_snapshot(&snapshot);
    // Open the hot key (the first one generated), wherever the alias sort puts it.
    let hot = snapshot.keys[0].key.id().to_owned();
    let position = list(&app)
        .rows
        .iter()
        .position(|&i| list::key_at(&app.data, i).is_some_and(|k| k.id() == hot))
        .unwrap();
    for _ in 0..position {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(list(&app).rows.len(), snapshot.keys[0].grants.len());
    press(&mut app, KeyCode::Char('/'));
    let mut seen = Vec::new();
    // Typing narrows, erasing widens, and a jump to another text starts over.
    for step in [
        "r", "o", "l", "e", "/", "s", "\u{8}", "\u{8}", "\u{8}", "x", "\u{8}",
    ] {
        let code = match step {
            "\u{8}" => KeyCode::Backspace,
            text => KeyCode::Char(text.chars().next().unwrap()),
        };
        press(&mut app, code);
        let shown = list(&app);
        assert_eq!(
            shown.rows,
            rows_from_scratch(&app),
            "filter {:?}",
            shown.filter
        );
        // And every row shown holds the filter in one of its cells.
        let ctx = app.cell_context();
        let columns = shown.kind.columns().len();
        for &i in &shown.rows {
            assert!(
                (0..columns).any(|c| list::cell_text(ctx, &shown.kind, i, c)
                    .to_lowercase()
                    .contains(&shown.filter)),
                "row {i} does not match {:?}",
                shown.filter
            );
        }
        seen.push((shown.filter.clone(), shown.rows.len()));
    }
    // The steps really narrowed and widened (so both paths ran).
    let counts: Vec<usize> = seen.iter().map(|(_, n)| *n).collect();
    assert!(counts[0] > counts[4] && counts[4] > 0, "{seen:?}");
    assert_eq!(counts[6], counts[4], "{seen:?}");
    press(&mut app, KeyCode::Enter);
    // Sorting and the finding filter reuse the cached text and still agree.
    press(&mut app, KeyCode::Char('S'));
    assert_eq!(list(&app).rows, rows_from_scratch(&app));
    press(&mut app, KeyCode::Char('f'));
    assert!(list(&app).finding.is_some());
    assert_eq!(list(&app).rows, rows_from_scratch(&app));
    assert!(!list(&app).rows.is_empty());
}

#[test]
fn the_filter_searches_cells_that_changed_after_its_text_was_cached() {
    let mut app = App::new(AppOptions::new(info(), NOW));
    let commands = app.start();
    let Command::Read(Read::Keys { req }) = keys_load(&commands) else {
        unreachable!()
    };
    // Keys listed, not yet described: their state cells say "…".
    let undescribed = |id: &str| Key {
        described: false,
        metadata: KeyMetadata::unknown(
            id.to_owned(),
            format!("arn:aws:kms:us-east-2:111122223333:key/{id}"),
        ),
        aliases: Vec::new(),
    };
    app.update(Action::Loaded(Loaded::Keys {
        req,
        result: Ok(vec![undescribed("k1"), undescribed("k2")]),
    }));
    // Filtering once caches the cells' text; clearing the filter keeps the cache.
    press(&mut app, KeyCode::Char('/'));
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Esc);
    assert!(list(&app).filter.is_empty());
    // DescribeKey answers: k2 is disabled. The keys list is not re-sorted for that, but the
    // filter must see the new state.
    let mut described = key("k2", None, KeyState::Disabled).metadata;
    described.description = Some("old billing key".to_owned());
    app.update(Action::Loaded(Loaded::Described {
        req,
        key_id: "k2".to_owned(),
        result: Ok(described),
    }));
    press(&mut app, KeyCode::Char('/'));
    for c in "disabled".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_eq!(list(&app).rows.len(), 1);
    assert_eq!(list(&app).rows, rows_from_scratch(&app));
    for _ in 0.."disabled".len() {
        press(&mut app, KeyCode::Backspace);
    }
    for c in "billing".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_eq!(list(&app).rows.len(), 1);
}

#[test]
fn the_filter_sees_ages_as_the_clock_moves() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Enter); // orders, first by alias: one grant, 10 days old
    assert_eq!(
        list(&app).kind,
        ListKind::Grants {
            key_id: "k2".to_owned()
        }
    );
    press(&mut app, KeyCode::Char('/'));
    for c in "10d".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_eq!(list(&app).rows.len(), 1, "the 10-day-old grant");
    // A day later it is 11 days old: the cached text is from another minute.
    app.update(Action::Input(Input::Tick(Timestamp::from_millis(
        NOW.millis() + 86_400_000,
    ))));
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Backspace);
    for c in "11d".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_eq!(list(&app).rows.len(), 1, "the grant is 11 days old now");
    assert_eq!(list(&app).rows, rows_from_scratch(&app));
}
