//! Bulk runs over marked grants: the outcome list and its summary.

use super::*;

#[test]
fn a_bulk_dry_run_that_would_fail_is_not_reported_as_clean() {
    let mut app = loaded(false);
    app.update(Action::Intent(Intent::RunCommand("dry-run on".into())));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::Char('X'));
    press(&mut app, KeyCode::Char('3'));
    let commands = press(&mut app, KeyCode::Enter);
    for (i, command) in commands.into_iter().enumerate() {
        let Command::Write(Write::Delete { target, kind, .. }) = command else {
            panic!()
        };
        let result = if i == 0 {
            Err(SourceError::AccessDenied {
                action: "kms:RevokeGrant".into(),
                resource: "k1".into(),
            })
        } else {
            Ok(WriteOutcome::DryRunWouldSucceed)
        };
        app.update(Action::Wrote(Wrote::Deleted {
            kind,
            target,
            result,
        }));
    }
    let status = app.screen.status.clone().unwrap();
    assert_eq!(status.level, Level::Error);
    assert!(status.text.contains("1 failed"), "{}", status.text);
}
