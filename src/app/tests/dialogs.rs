//! Dialogs and keys everywhere: help, quitting (ctrl-c, with writes in flight), the confirmation's focus, a terminal too small.

use super::*;

#[test]
fn quit_asks_while_a_write_is_in_flight() {
    let mut app = loaded(false);
    assert_eq!(
        press(&mut app, KeyCode::Char('q')),
        vec![Command::Effect(Effect::Quit)]
    );
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('x'));
    press(&mut app, KeyCode::Char('y'));
    assert!(press(&mut app, KeyCode::Char('q')).is_empty());
    assert_eq!(app.screen.modal, Modal::ConfirmQuit);
    assert!(
        press(&mut app, KeyCode::Char('n')).is_empty(),
        "any other key keeps waiting"
    );
    press(&mut app, KeyCode::Char('q'));
    assert_eq!(
        press(&mut app, KeyCode::Char('y')),
        vec![Command::Effect(Effect::Quit)]
    );
}

#[test]
fn help_opens_and_any_key_closes() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.screen.modal, Modal::Help { scroll: 0 });
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.screen.modal, Modal::Help { scroll: 1 });
    press(&mut app, KeyCode::Char('q'));
    assert_eq!(
        app.screen.modal,
        Modal::None,
        "q closes help instead of quitting"
    );
}

#[test]
fn ctrl_c_quits_from_any_dialog_or_input() {
    let ctrl_c = Action::Input(Input::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('/'));
    assert_eq!(
        app.update(ctrl_c.clone()),
        vec![Command::Effect(Effect::Quit)]
    );
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char(':'));
    assert_eq!(
        app.update(ctrl_c.clone()),
        vec![Command::Effect(Effect::Quit)]
    );
    // With a write in flight it asks, and a second ctrl-c confirms.
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('x'));
    press(&mut app, KeyCode::Char('y'));
    assert!(app.update(ctrl_c.clone()).is_empty());
    assert_eq!(app.screen.modal, Modal::ConfirmQuit);
    assert_eq!(app.update(ctrl_c), vec![Command::Effect(Effect::Quit)]);
}

#[test]
fn left_never_lands_on_yes_and_tab_does_not_move_the_focus() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('X'));
    for key in [KeyCode::Left, KeyCode::Tab, KeyCode::BackTab, KeyCode::Left] {
        press(&mut app, key);
        let Modal::Confirm(change) = &app.screen.modal else {
            panic!("the dialog stays open")
        };
        assert!(!change.yes_focused, "{key:?} must not focus Yes");
    }
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "Enter presses No"
    );
    press(&mut app, KeyCode::Char('X'));
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Left);
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "→ then ← is back on No"
    );
}

#[test]
fn keys_do_nothing_while_the_terminal_is_too_small() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('X'));
    app.update(Action::Input(Input::Resize {
        width: 40,
        height: 10,
    }));
    assert!(app.too_small());
    // The open dialog cannot be confirmed unseen, and nothing else moves.
    assert!(press(&mut app, KeyCode::Char('y')).is_empty());
    assert!(matches!(app.screen.modal, Modal::Confirm(_)));
    app.update(Action::Input(Input::Resize {
        width: 80,
        height: 24,
    }));
    press(&mut app, KeyCode::Esc);
    app.update(Action::Input(Input::Resize {
        width: 40,
        height: 10,
    }));
    let before = selected_id(&app);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('X'));
    assert_eq!(selected_id(&app), before);
    assert_eq!(app.screen.modal, Modal::None);
    // q still quits.
    assert_eq!(
        press(&mut app, KeyCode::Char('q')),
        vec![Command::Effect(Effect::Quit)]
    );
}
