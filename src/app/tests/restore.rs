//! The history view's restore: when it is sent, refused, and how it counts as a write.

use super::*;

#[test]
fn a_restore_on_its_way_makes_quit_ask() {
    let mut app = loaded(false);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    let target = confirm_delete(&mut app, 'X');
    app.update(Action::Wrote(Wrote::Deleted {
        kind: WriteKind::Revoke,
        target,
        result: Ok(WriteOutcome::Done),
    }));
    press(&mut app, KeyCode::Char('H'));
    press(&mut app, KeyCode::Char('r'));
    let commands = press(&mut app, KeyCode::Char('y'));
    assert!(matches!(
        &commands[..],
        [Command::Write(Write::Restore { .. })]
    ));
    press(&mut app, KeyCode::Esc);
    assert!(press(&mut app, KeyCode::Char('q')).is_empty());
    assert_eq!(app.screen.modal, Modal::ConfirmQuit);
}

#[test]
fn an_account_learnt_after_a_delete_does_not_block_its_restore() {
    let mut app = switchable();
    app.session.info.account = None;
    retire_first_grant(&mut app);
    // STS answers after the delete.
    app.session.info.account = Some("111122223333".to_owned());
    app.update(Action::Intent(Intent::ShowHistory));
    press(&mut app, KeyCode::Char('r'));
    assert!(matches!(
        app.screen.modal,
        Modal::History {
            confirming: true,
            ..
        }
    ));
    // Another account behind the same profile and region is another place.
    let mut app = switchable();
    retire_first_grant(&mut app);
    app.session.info.account = Some("444455556666".to_owned());
    app.update(Action::Intent(Intent::ShowHistory));
    press(&mut app, KeyCode::Char('r'));
    assert!(matches!(
        app.screen.modal,
        Modal::History {
            confirming: false,
            ..
        }
    ));
}
