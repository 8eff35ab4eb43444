//! The `:` command line: unknown commands, missing or bad arguments, Tab completion.

use super::*;

#[test]
fn unknown_commands_and_missing_arguments_say_so() {
    let mut app = loaded(false);
    app.update(Action::Intent(Intent::RunCommand("frobnicate now".into())));
    assert_eq!(
        app.screen.status.as_ref().unwrap().text,
        "unknown command :frobnicate (commands: :profile NAME, :region NAME, :retirable ARN, :export FILE, :retire-token TOKEN, :dry-run on|off, :quit)"
    );
    app.update(Action::Intent(Intent::RunCommand("retirable".into())));
    assert!(
        app.screen
            .status
            .as_ref()
            .unwrap()
            .text
            .starts_with(":retirable needs a principal ARN")
    );
    assert!(
        app.update(Action::Intent(Intent::RunCommand("   ".into())))
            .is_empty()
    );
}

#[test]
fn retirable_command_checks_its_argument() {
    let mut app = loaded(false);
    for bad in ["foo bar", "admin", "arn:aws:iam"] {
        assert!(
            app.update(Action::Intent(Intent::RunCommand(format!(
                "retirable {bad}"
            ))))
            .is_empty()
        );
        assert_eq!(app.screen.tab, Tab::Keys, "{bad}");
        let status = app.screen.status.clone().unwrap();
        assert_eq!(status.level, Level::Error);
        assert!(
            status.text.contains(&format!("not \"{bad}\"")),
            "{}",
            status.text
        );
    }
    let commands = app.update(Action::Intent(Intent::RunCommand(
        "retirable dynamodb.us-east-2.amazonaws.com".into(),
    )));
    assert_eq!(commands.len(), 1, "a service principal is accepted");
}

#[test]
fn tab_completes_commands_profiles_and_regions() {
    let mut app = switchable();
    let tab = |app: &mut App| {
        press(app, KeyCode::Tab);
        match &app.screen.modal {
            Modal::Command(line) => line.clone(),
            other => panic!("the command line closed: {other:?}"),
        }
    };
    press(&mut app, KeyCode::Char(':'));
    type_line(&mut app, "pro");
    assert_eq!(tab(&mut app), "profile ");
    type_line(&mut app, "al");
    // Two profiles start with "al": the common start, and both are listed.
    assert_eq!(tab(&mut app), "profile alp");
    assert_eq!(app.screen.completions.as_deref(), Some("alpha  alpine"));
    type_line(&mut app, "i");
    assert_eq!(tab(&mut app), "profile alpine");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char(':'));
    type_line(&mut app, "region eu-c");
    assert_eq!(tab(&mut app), "region eu-central-");
    type_line(&mut app, "2");
    assert_eq!(tab(&mut app), "region eu-central-2");
    let commands = press(&mut app, KeyCode::Enter);
    assert_eq!(
        the_switch(&commands).1.region.as_deref(),
        Some("eu-central-2")
    );
    press(&mut app, KeyCode::Char(':'));
    type_line(&mut app, "region xx-");
    assert_eq!(tab(&mut app), "region xx-");
    assert_eq!(
        app.screen.completions.as_deref(),
        Some("nothing completes \"xx-\"")
    );
    // The next key clears the list.
    press(&mut app, KeyCode::Char('1'));
    assert_eq!(app.screen.completions, None);
}
