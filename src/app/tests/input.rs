//! Input that cannot confirm by accident: a paste never answers a confirmation, and a
//! confirmation does not take its answer from the burst of keys that opened it.

use super::*;
use std::time::{Duration, Instant};

const QUIET: Duration = Duration::from_millis(300);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The loaded app with the guard on, showing the three grants of `payments`.
fn guarded() -> App {
    let mut app = loaded(false);
    app.screen.confirm_guard = crate::app::input::ConfirmGuard::new(QUIET);
    while selected_id(&app).as_deref() != Some("k1") {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(row_ids(&app).len(), 3);
    app
}

fn key_at(app: &mut App, code: KeyCode, at: Instant) -> Vec<Command> {
    app.update(Action::Input(Input::KeyAt {
        key: KeyEvent::new(code, KeyModifiers::NONE),
        at,
    }))
}

fn paste(app: &mut App, text: &str, at: Instant) -> Vec<Command> {
    app.update(Action::Input(Input::Paste {
        text: text.to_owned(),
        at,
    }))
}

fn status(app: &App) -> String {
    app.screen
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

#[test]
fn x_then_y_in_one_burst_opens_the_confirmation_but_does_not_answer_it() {
    let mut app = guarded();
    let t0 = Instant::now();
    assert!(key_at(&mut app, KeyCode::Char('x'), t0).is_empty());
    assert!(matches!(app.screen.modal, Modal::Confirm(_)));
    // A paste typed as keys (no bracketed paste): "y" a millisecond later.
    assert!(key_at(&mut app, KeyCode::Char('y'), t0 + ms(1)).is_empty());
    assert!(
        matches!(app.screen.modal, Modal::Confirm(_)),
        "still asking"
    );
    assert!(status(&app).contains("was ignored"), "{}", status(&app));
    // The burst goes on (a held key): each key restarts the quiet time.
    for i in 1..10 {
        assert!(key_at(&mut app, KeyCode::Char('y'), t0 + ms(1 + 100 * i)).is_empty());
    }
    // After a quiet moment, the operator's own answer is taken.
    let commands = key_at(&mut app, KeyCode::Char('y'), t0 + ms(901) + QUIET);
    assert!(
        matches!(
            commands.as_slice(),
            [Command::Write(Write::Delete {
                kind: WriteKind::Retire,
                ..
            })]
        ),
        "{commands:?}"
    );
}

#[test]
fn esc_cancels_at_once_even_while_the_confirmation_is_deaf() {
    let mut app = guarded();
    let t0 = Instant::now();
    key_at(&mut app, KeyCode::Char('X'), t0);
    assert!(key_at(&mut app, KeyCode::Esc, t0 + ms(1)).is_empty());
    assert_eq!(app.screen.modal, Modal::None);
    assert!(!app.screen.confirm_guard.is_armed());
}

#[test]
fn a_typed_count_in_the_same_burst_as_x_is_dropped() {
    let mut app = guarded();
    let t0 = Instant::now();
    key_at(&mut app, KeyCode::Char('a'), t0);
    key_at(&mut app, KeyCode::Char('X'), t0 + ms(1));
    let Modal::Confirm(change) = &app.screen.modal else {
        panic!("a bulk confirmation: {:?}", app.screen.modal);
    };
    assert_eq!(change.targets.len(), 3);
    for (i, c) in "3\r".chars().enumerate() {
        let code = if c == '\r' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        assert!(key_at(&mut app, code, t0 + ms(2 + i as u64)).is_empty());
    }
    let Modal::Confirm(change) = &app.screen.modal else {
        panic!("still asking: {:?}", app.screen.modal);
    };
    assert_eq!(change.typed, "", "the burst typed nothing");
}

#[test]
fn the_history_restore_question_and_the_quit_question_are_guarded_too() {
    let mut app = guarded();
    // One real delete, answered, so the history has an entry.
    let target = confirm_delete(&mut app, 'X');
    app.update(Action::Wrote(Wrote::Deleted {
        kind: WriteKind::Revoke,
        target,
        result: Ok(WriteOutcome::Done),
    }));
    let t0 = Instant::now();
    key_at(&mut app, KeyCode::Char('H'), t0);
    key_at(&mut app, KeyCode::Char('r'), t0 + ms(400));
    assert!(app.asks_answer(), "r asks before restoring");
    assert!(key_at(&mut app, KeyCode::Char('y'), t0 + ms(401)).is_empty());
    assert!(app.asks_answer(), "the y of the same burst did not answer");
    assert!(!key_at(&mut app, KeyCode::Char('y'), t0 + ms(401) + QUIET).is_empty());
    // q with a write in flight asks; a y in the same burst does not quit.
    app.screen.modal = Modal::None;
    press(&mut app, KeyCode::Down);
    let target = confirm_delete(&mut app, 'X');
    assert!(app.writes.in_flight > 0, "{target:?}");
    let t1 = t0 + ms(5000);
    key_at(&mut app, KeyCode::Char('q'), t1);
    assert_eq!(app.screen.modal, Modal::ConfirmQuit);
    assert!(key_at(&mut app, KeyCode::Char('y'), t1 + ms(1)).is_empty());
    assert_eq!(app.screen.modal, Modal::ConfirmQuit);
}

#[test]
fn a_paste_never_answers_a_confirmation_nor_acts_on_a_list() {
    let t0 = Instant::now();
    for text in ["xy", "Xy", "proxy\n", "expiry", "y", "3\n", "\r"] {
        let mut app = guarded();
        // On the grants list: ignored, said so.
        assert!(paste(&mut app, text, t0).is_empty(), "{text:?}");
        assert_eq!(app.screen.modal, Modal::None, "{text:?}");
        assert!(status(&app).contains("it was ignored"), "{}", status(&app));
        // In an open confirmation, after its quiet time: ignored as well.
        key_at(&mut app, KeyCode::Char('x'), t0);
        assert!(paste(&mut app, text, t0 + ms(1000)).is_empty(), "{text:?}");
        assert!(matches!(app.screen.modal, Modal::Confirm(_)), "{text:?}");
        // In the grant's detail: ignored.
        app.screen.modal = Modal::None;
        press(&mut app, KeyCode::Enter);
        assert!(paste(&mut app, text, t0 + ms(2000)).is_empty(), "{text:?}");
        assert_eq!(app.screen.modal, Modal::None, "{text:?}");
    }
}

#[test]
fn a_paste_fills_the_field_being_edited_and_never_presses_enter() {
    let t0 = Instant::now();
    let mut app = guarded();
    // The filter: one line, applied once.
    press(&mut app, KeyCode::Char('/'));
    paste(&mut app, "etl\n", t0);
    assert_eq!(
        app.screen.modal,
        Modal::Filter,
        "the paste did not close the filter"
    );
    assert_eq!(list(&app).filter, "etl");
    assert_eq!(row_ids(&app).len(), 1);
    press(&mut app, KeyCode::Esc);
    // The command line: the text is there, nothing ran.
    press(&mut app, KeyCode::Char(':'));
    assert!(paste(&mut app, "quit\n", t0).is_empty());
    assert_eq!(app.screen.modal, Modal::Command("quit".to_owned()));
    press(&mut app, KeyCode::Esc);
    // A bulk confirmation's count: the digits go in, Enter is still the operator's.
    press(&mut app, KeyCode::Char('a'));
    key_at(&mut app, KeyCode::Char('X'), t0);
    assert!(paste(&mut app, "3\n", t0 + ms(1000)).is_empty());
    let Modal::Confirm(change) = &app.screen.modal else {
        panic!("still asking: {:?}", app.screen.modal);
    };
    assert_eq!(change.typed, "3");
    // Pasted words are not a count.
    paste(&mut app, "yes", t0 + ms(2000));
    assert!(status(&app).contains("only a number"), "{}", status(&app));
}

#[test]
fn a_long_paste_into_the_filter_is_cut_and_the_filter_stays_bounded() {
    let mut app = guarded();
    press(&mut app, KeyCode::Char('/'));
    let huge = "a".repeat(100_000);
    paste(&mut app, &huge, Instant::now());
    assert_eq!(
        list(&app).filter.chars().count(),
        crate::app::input::FILTER_MAX
    );
    assert!(status(&app).contains("cut"), "{}", status(&app));
    // Typing past the bound is refused too.
    press(&mut app, KeyCode::Char('b'));
    assert_eq!(
        list(&app).filter.chars().count(),
        crate::app::input::FILTER_MAX
    );
}

#[test]
fn y_copies_ids_exactly_and_refuses_one_with_control_characters() {
    let mut app = guarded();
    let commands = press(&mut app, KeyCode::Char('y'));
    let [Command::Effect(Effect::Copy { text })] = commands.as_slice() else {
        panic!("a copy: {commands:?}");
    };
    assert_eq!(Some(format!("k1/{text}")), selected_id(&app));
    // A grant id that would end a bracketed paste and run a command in the shell it lands in.
    for evil in ["g\u{1b}[201~\nrm -rf ~\n", "g\u{200b}x", "g\u{202e}x"] {
        app.screen.stacks[app.screen.tab as usize].push(View::Detail(Box::new(DetailView {
            target: app.target_for(&grant("k1", evil, "evil", "evil", 1)),
            scroll: Default::default(),
        })));
        assert!(press(&mut app, KeyCode::Char('y')).is_empty(), "{evil:?}");
        assert!(status(&app).contains("was not copied"), "{}", status(&app));
        app.screen.stacks[app.screen.tab as usize].pop();
    }
}

#[test]
fn with_the_audit_log_off_the_history_does_not_offer_a_restore() {
    let mut app = guarded();
    let target = confirm_delete(&mut app, 'X');
    app.update(Action::Wrote(Wrote::Deleted {
        kind: WriteKind::Revoke,
        target,
        result: Ok(WriteOutcome::Done),
    }));
    app.session.audit_log = Some(Err(
        "the audit log /state/audit.jsonl cannot be written (No space left on device): writes are off for this session".to_owned(),
    ));
    press(&mut app, KeyCode::Char('H'));
    press(&mut app, KeyCode::Char('r'));
    assert!(!app.asks_answer(), "a restore was offered");
    assert!(status(&app).contains("writes are off"), "{}", status(&app));
}

#[test]
fn a_burst_or_a_paste_into_an_open_confirmation_does_not_answer_it() {
    let t0 = Instant::now();
    // A confirmation read for a while, then "proxy" typed as one burst (no bracketed paste).
    let mut app = guarded();
    key_at(&mut app, KeyCode::Char('x'), t0);
    for (i, c) in "proxy".chars().enumerate() {
        let at = t0 + ms(5000) + Duration::from_micros(200 * i as u64);
        assert!(key_at(&mut app, KeyCode::Char(c), at).is_empty(), "{c}");
    }
    assert!(
        matches!(app.screen.modal, Modal::Confirm(_)),
        "still asking"
    );
    // A paste that smuggles its own end marker, then `y` right behind it.
    paste(&mut app, "harmless", t0 + ms(9000));
    assert!(key_at(&mut app, KeyCode::Char('y'), t0 + ms(9001)).is_empty());
    assert!(
        matches!(app.screen.modal, Modal::Confirm(_)),
        "still asking"
    );
    // The operator's own y, after a quiet moment.
    assert!(!key_at(&mut app, KeyCode::Char('y'), t0 + ms(9400)).is_empty());
}

#[test]
fn the_quiet_time_runs_from_when_the_dialog_is_first_drawn() {
    let t0 = Instant::now();
    let mut app = guarded();
    key_at(&mut app, KeyCode::Char('x'), t0);
    // The app was busy: the first frame with the dialog came 2 s later, and the y that was
    // typed right behind the x is only read after that frame.
    app.screen.confirm_guard.drawn(t0 + ms(2000));
    assert!(key_at(&mut app, KeyCode::Char('y'), t0 + ms(2050)).is_empty());
    assert!(
        matches!(app.screen.modal, Modal::Confirm(_)),
        "still asking"
    );
}
